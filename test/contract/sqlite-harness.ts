import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { Connector, ResourceSpec } from "../../src/connectors/connector.js";
import { sqliteConnector } from "../../src/connectors/sqlite/index.js";
import type { NativeRow } from "../../src/core/types.js";
import type { ConnectorHarness, PortableType, TableSpec } from "./connector-harness.js";

const SQL_TYPES: Record<PortableType, string> = {
  text: "TEXT",
  integer: "INTEGER",
  decimal: "NUMERIC",
  date: "TEXT",
  boolean: "INTEGER",
};

/** Quotes an identifier in the test's own SQL. */
export const q = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** A temp-file SQLite database, an application connection to it, and connectors for it. */
export interface SqliteFixture {
  readonly dir: string;
  readonly file: string;
  /** The application's own connection. */
  readonly app: Database.Database;
  /** An opened connector (system "shop") on the file, its path given relative to `dir`. */
  readonly connect: (resources: readonly ResourceSpec[]) => Promise<Connector>;
  readonly cleanup: () => Promise<void>;
}

/** Creates an empty database in a fresh temp folder. */
export function sqliteFixture(): SqliteFixture {
  const dir = mkdtempSync(join(tmpdir(), "concord-sqlite-"));
  const file = join(dir, "app.db");
  const app = new Database(file);
  app.pragma("journal_mode = WAL");
  const opened: Connector[] = [];
  return {
    dir,
    file,
    app,
    connect: async (resources) => {
      const options = sqliteConnector.optionsSchema.parse({ path: "app.db" });
      const connector = sqliteConnector.create(options, { system: "shop", baseDir: dir, resources });
      await connector.open();
      opened.push(connector);
      return connector;
    },
    cleanup: async () => {
      for (const connector of opened) await connector.close();
      app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The contract harness on a SQLite fixture. */
export function sqliteHarness(): Promise<ConnectorHarness> {
  const fx = sqliteFixture();
  const { app } = fx;
  const harness: ConnectorHarness = {
    createTable(spec: TableSpec) {
      const key = spec.key.generated
        ? `${q(spec.key.name)} INTEGER PRIMARY KEY`
        : `${q(spec.key.name)} TEXT PRIMARY KEY NOT NULL`;
      const columns = spec.columns.map((c) => `${q(c.name)} ${SQL_TYPES[c.type]}${c.unique ? " UNIQUE" : ""}`);
      app.exec(`CREATE TABLE ${q(spec.name)} (${[key, ...columns].join(", ")})`);
      return Promise.resolve();
    },
    insert(spec: TableSpec, rows: readonly NativeRow[]) {
      const insertAll = app.transaction(() =>
        rows.map((row) => {
          const columns = Object.keys(row);
          const sql = `INSERT INTO ${q(spec.name)} (${columns.map(q).join(", ")}) VALUES (${columns.map(() => "?").join(", ")}) RETURNING CAST(${q(spec.key.name)} AS TEXT)`;
          return (
            app
              .prepare<unknown[], string>(sql)
              .pluck()
              .get(...Object.values(row)) ?? ""
          );
        }),
      );
      return Promise.resolve(insertAll());
    },
    update(spec: TableSpec, key: string, values: NativeRow) {
      const sets = Object.keys(values).map((c) => `${q(c)} = ?`);
      app
        .prepare(`UPDATE ${q(spec.name)} SET ${sets.join(", ")} WHERE ${q(spec.key.name)} = ?`)
        .run(...Object.values(values), key);
      return Promise.resolve();
    },
    delete(spec: TableSpec, key: string) {
      app.prepare(`DELETE FROM ${q(spec.name)} WHERE ${q(spec.key.name)} = ?`).run(key);
      return Promise.resolve();
    },
    rows(spec: TableSpec) {
      return Promise.resolve(
        app.prepare<[], NativeRow>(`SELECT * FROM ${q(spec.name)} ORDER BY ${q(spec.key.name)}`).all(),
      );
    },
    connect: (resources) => fx.connect(resources),
    cleanup: () => fx.cleanup(),
  };
  return Promise.resolve(harness);
}
