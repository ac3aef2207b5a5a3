import { Readable } from "node:stream";
import { finished } from "node:stream/promises";
import pg from "pg";
import { from as copyFrom, to as copyTo } from "pg-copy-streams";
import {
  createTestDatabase,
  postgresSkipReason,
  testPostgresUrl,
  withPgClient,
} from "../test/helpers/postgres-database.js";
import { arrivalTriggerDdl, listenArrivals } from "./arrivals.js";
import { CONTACT_COLUMNS, copyLines, pgContactsDdl } from "./contacts.js";
import type { BenchEngine, ContactRow, RelaySource, RelayTarget, RowUpdater } from "./engine.js";
import { pgDigest } from "./verify.js";

const COLUMNS = ["id", ...CONTACT_COLUMNS].map((c) => `"${c}"`).join(", ");
const RELAY_CHANNEL = "bench_relay";

/** PostgreSQL for the benchmarks: COPY for bulk, NOTIFY for arrivals and the relay. */
export const postgresEngine: BenchEngine = {
  name: "postgres",
  label: "PostgreSQL",
  async createDatabase(prefix) {
    const db = await createTestDatabase(prefix);
    if (db === undefined) throw new Error(postgresSkipReason());
    return db;
  },
  version: () =>
    withPgClient(testPostgresUrl, async (c) => {
      const { rows } = await c.query<{ server_version: string }>("SHOW server_version");
      return rows[0]?.server_version ?? "unknown";
    }),
  system: (url) => `{ connector: postgres, url: ${JSON.stringify(url)} }`,
  createContacts: (url, table, generatedKey) =>
    withPgClient(url, async (c) => {
      await c.query(pgContactsDdl(table, generatedKey));
    }),
  async seedContacts(url, table, rows) {
    const chunk = 10_000;
    function* lines(): Generator<string> {
      for (let from = 1; from <= rows; from += chunk) yield copyLines(from, Math.min(rows, from + chunk - 1));
    }
    const { sink, done } = await postgresEngine.importText(url, table);
    Readable.from(lines()).pipe(sink);
    await done;
    await withPgClient(url, (c) => c.query(`ANALYZE "${table}"`));
  },
  cloneContacts: (url, from, to) =>
    withPgClient(url, async (c) => {
      await c.query(`CREATE TABLE "${to}" (LIKE "${from}" INCLUDING ALL)`);
      await c.query(`INSERT INTO "${to}" SELECT * FROM "${from}"`);
      await c.query(`ANALYZE "${to}"`);
    }),
  digest: pgDigest,
  async exportText(url, table) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const stream = client.query(copyTo(`COPY "${table}" (${COLUMNS}) TO STDOUT`));
    return { stream, close: () => client.end() };
  },
  async importText(url, table) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const sink = client.query(copyFrom(`COPY "${table}" (${COLUMNS}) FROM STDIN`));
    return { sink, done: finished(sink).finally(() => client.end()) };
  },
  openUpdater(url, table, connections): Promise<RowUpdater> {
    const pool = new pg.Pool({ connectionString: url, max: connections });
    let failure: unknown;
    // An idle connection that the server drops must end the window, not the process.
    pool.on("error", (err) => {
      failure ??= err;
    });
    const sql = `UPDATE "${table}" AS t SET note = v.note
                   FROM unnest($1::bigint[], $2::text[]) AS v(id, note) WHERE t.id = v.id`;
    return Promise.resolve({
      async update(ids, notes) {
        if (failure !== undefined)
          throw failure instanceof Error ? failure : new Error("the pool failed", { cause: failure });
        await pool.query(sql, [ids, notes]);
      },
      end: () => pool.end(),
    });
  },
  async watchArrivals(url, tables, arrived) {
    await withPgClient(url, async (c) => {
      for (const table of tables) for (const ddl of arrivalTriggerDdl(table)) await c.query(ddl);
    });
    return listenArrivals(url, arrived);
  },
  prepareRelaySource: (url, table) =>
    withPgClient(url, async (c) => {
      for (const ddl of relayTriggerDdl(table, RELAY_CHANNEL)) await c.query(ddl);
    }),
  openRelaySource: (url, table) => openPgRelaySource(url, table),
  openRelayTarget: (url, table) => openPgRelayTarget(url, table),
};

async function openPgRelaySource(url: string, table: string): Promise<RelaySource> {
  const source = new pg.Client({ connectionString: url });
  await source.connect();
  return {
    async watch(changed) {
      const listener = new pg.Client({ connectionString: url });
      await listener.connect();
      listener.on("notification", (message) => {
        if (message.channel === RELAY_CHANNEL && message.payload !== undefined) changed([message.payload]);
      });
      await listener.query(`LISTEN "${RELAY_CHANNEL}"`);
      return () => listener.end();
    },
    async read(ids) {
      const { rows } = await source.query<string[]>({
        text: `SELECT id::text, email, first_name, last_name, birth_date::text, tier, note FROM "${table}" WHERE id = ANY($1::bigint[])`,
        values: [ids],
        rowMode: "array",
      });
      return rows;
    },
    close: () => source.end(),
  };
}

async function openPgRelayTarget(url: string, table: string): Promise<RelayTarget> {
  const target = new pg.Client({ connectionString: url });
  await target.connect();
  return {
    async write(rows: readonly ContactRow[]) {
      const columns = [0, 1, 2, 3, 4, 5, 6].map((i) => rows.map((r) => r[i] ?? null));
      await target.query(
        `UPDATE "${table}" AS t SET email = v.email, first_name = v.first_name, last_name = v.last_name,
                birth_date = v.birth_date, tier = v.tier, note = v.note
           FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::date[], $6::text[], $7::text[])
                AS v(id, email, first_name, last_name, birth_date, tier, note)
          WHERE t.id = v.id`,
        columns,
      );
    },
    close: () => target.end(),
  };
}

/** The source trigger the relay needs: NOTIFY `channel` with the id of every updated row. */
export function relayTriggerDdl(table: string, channel: string): string[] {
  return [
    `CREATE FUNCTION bench_relay_notify() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN PERFORM pg_notify('${channel}', NEW.id::text); RETURN NULL; END $$`,
    `CREATE TRIGGER bench_relay_notify AFTER UPDATE ON "${table}" FOR EACH ROW EXECUTE FUNCTION bench_relay_notify()`,
  ];
}
