import { z } from "zod";

const DURATION = /^(\d+)(ms|s|m|h)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Where a `mysql://` URL points, without its credentials (safe to show). */
export interface MysqlAddress {
  readonly host: string;
  readonly port: number;
  readonly database: string;
}

/** What the driver needs from a URL: the address plus the credentials. */
export interface MysqlCredentials extends MysqlAddress {
  readonly user: string;
  readonly password: string;
}

/**
 * Parses `mysql://user:password@host:port/database` (or `mariadb://`). Answers a message without
 * the URL itself when it is not usable: the URL may hold a password.
 */
export function parseMysqlUrl(url: string): MysqlCredentials | string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "expected a URL like mysql://user:password@host:3306/database";
  }
  if (parsed.protocol !== "mysql:" && parsed.protocol !== "mariadb:") return "expected a mysql:// URL";
  if (parsed.hostname === "") return "the URL names no host";
  if (parsed.search !== "" || parsed.hash !== "") return "the URL takes no query parameters";
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ""));
  if (database === "" || database.includes("/")) return "the URL must name one database: mysql://host:3306/database";
  return {
    // URL keeps IPv6 hosts in brackets; the driver wants them bare.
    host: parsed.hostname.replace(/^\[(.*)\]$/, "$1"),
    port: parsed.port === "" ? 3306 : Number(parsed.port),
    database,
    user: decodeURIComponent(parsed.username) || "root",
    password: decodeURIComponent(parsed.password),
  };
}

/** Milliseconds of a duration like "30s", "500ms", "5m", "1h"; undefined when it is not one. */
export function durationMs(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * (UNIT_MS[match[2] ?? ""] ?? Number.NaN);
}

const identifier = z.string().min(1).max(64);

/** Options of a `connector: mysql` system (MySQL 5.7+, MariaDB 10.3+). */
export const mysqlOptionsSchema = z
  .object({
    /** `mysql://user:password@host:port/database`. */
    url: z.string().refine((url) => typeof parseMysqlUrl(url) !== "string", {
      // The URL is not repeated in the message: it may hold a password.
      error: (issue) => {
        const problem = typeof issue.input === "string" ? parseMysqlUrl(issue.input) : undefined;
        return typeof problem === "string" ? problem : "expected a mysql:// URL";
      },
    }),
    /**
     * How changes are read: `trigger` (a changelog filled by triggers), `poll` (rows whose cursor
     * column grew; deletes only by full snapshots) or `binlog` (the row-based binary log).
     */
    capture: z.enum(["trigger", "poll", "binlog"]).default("trigger"),
    /** How often the daemon reads changes; for `poll` it is the only way changes are noticed. */
    pollEvery: z
      .string()
      .refine((text) => (durationMs(text) ?? 0) > 0, { error: 'expected a duration like "30s", "500ms", "5m"' })
      .default("30s"),
    /** For `poll`: the column that grows on every insert and update (a timestamp or a version). */
    cursorColumn: identifier.default("updated_at"),
    /** For `poll`: the cursor column of a table, where it differs from `cursorColumn`. */
    cursorColumns: z.record(identifier, identifier).optional(),
    /** For `binlog`: the replica server id the reader announces; unique among the server's replicas. */
    serverId: z.number().int().min(1).max(4_294_967_295).optional(),
    /** The zone DATETIME values are read and written in, as the connection's time zone: "Z" or "+02:00". */
    timezone: z
      .string()
      .regex(/^(Z|[+-](0\d|1[0-4]):[0-5]\d)$/, { error: 'expected "Z" or an offset like "+02:00"' })
      .default("Z"),
  })
  .strict();

/** Validated options of a MySQL system. */
export type MysqlOptions = z.output<typeof mysqlOptionsSchema>;
