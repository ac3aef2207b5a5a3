import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { main } from "../../src/cli/main.js";
import type { CliIO } from "../../src/cli/cli-io.js";

/** What one CLI call printed and returned. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout parsed as JSON (for --json calls), else undefined. */
  readonly json: unknown;
}

/**
 * A temp folder with SQLite databases standing for a user's systems, a concord.yaml, and the CLI
 * run in-process against them. Each test makes its own world and removes it.
 */
export class SqliteWorld {
  readonly dir: string;
  private readonly dbs = new Map<string, Database.Database>();

  constructor(prefix = "concord-it-") {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  }

  /** Creates (or opens) a system's database and runs DDL/DML on it, as its own application would. */
  system(name: string, sql?: string): Database.Database {
    let db = this.dbs.get(name);
    if (db === undefined) {
      db = new Database(path.join(this.dir, `${name}.db`));
      db.pragma("journal_mode = WAL");
      db.pragma("busy_timeout = 5000");
      this.dbs.set(name, db);
    }
    if (sql !== undefined) db.exec(sql);
    return db;
  }

  /** Rows of a table, ordered by the given column. */
  rows<T = Record<string, unknown>>(system: string, table: string, orderBy = "rowid"): T[] {
    return this.system(system).prepare(`SELECT * FROM "${table}" ORDER BY "${orderBy}"`).all() as T[];
  }

  /** Writes concord.yaml; `${dir}` in the text is replaced by the world's folder. */
  config(yaml: string, file = "concord.yaml"): string {
    const target = path.join(this.dir, file);
    fs.writeFileSync(target, yaml.replaceAll("${dir}", this.dir));
    return target;
  }

  /** Runs `concord ARGS -c concord.yaml` in-process; adds --json unless `raw`. */
  async cli(
    args: readonly string[],
    options: { raw?: boolean; env?: Record<string, string>; file?: string } = {},
  ): Promise<CliResult> {
    let stdout = "";
    let stderr = "";
    const io: CliIO = {
      out: (t) => {
        stdout += t.endsWith("\n") ? t : `${t}\n`;
      },
      err: (t) => {
        stderr += t.endsWith("\n") ? t : `${t}\n`;
      },
      env: options.env ?? {},
      cwd: this.dir,
      isTTY: false,
    };
    const argv = [
      "node",
      "concord",
      ...args,
      "-c",
      options.file ?? "concord.yaml",
      ...(options.raw === true ? [] : ["--json"]),
    ];
    const code = await main(argv, io);
    let json: unknown;
    try {
      json = JSON.parse(stdout);
    } catch {
      json = undefined;
    }
    return { code, stdout, stderr, json };
  }

  /** `concord sync` with --json; fails the test loudly if the output is not a sync summary. */
  async sync(...args: string[]): Promise<SyncJson & { code: number }> {
    const result = await this.cli(["sync", ...args]);
    if (result.json === undefined || typeof result.json !== "object") {
      throw new Error(`sync printed no JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
    }
    return { ...(result.json as SyncJson), code: result.code };
  }

  close(): void {
    for (const db of this.dbs.values()) db.close();
    this.dbs.clear();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The document `concord sync --json` prints. */
export interface SyncJson {
  runId: string;
  read: number;
  applied: number;
  written: Record<string, { created: number; updated: number; deleted: number }>;
  conflicts: number;
  errors: number;
  halted: boolean;
  haltReasons: string[];
  durationMs: number;
}

/** Total writes of a sync, over all systems. */
export function totalWrites(s: SyncJson): number {
  return Object.values(s.written).reduce((n, c) => n + c.created + c.updated + c.deleted, 0);
}
