import Database from "better-sqlite3";
import pg from "pg";

/** Where the reference relay listens, reads and writes. */
export interface RelaySpec {
  readonly sourceUrl: string;
  readonly targetUrl: string;
  /** The same table name in the source, the PostgreSQL target and the SQLite file; keys are shared. */
  readonly table: string;
  readonly sqlitePath: string;
  /** Notified by the source's trigger with the changed row's id. */
  readonly channel: string;
}

/** The source trigger the relay needs: NOTIFY `channel` with the id of every updated row. */
export function relayTriggerDdl(table: string, channel: string): string[] {
  return [
    `CREATE FUNCTION bench_relay_notify() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN PERFORM pg_notify('${channel}', NEW.id::text); RETURN NULL; END $$`,
    `CREATE TRIGGER bench_relay_notify AFTER UPDATE ON "${table}" FOR EACH ROW EXECUTE FUNCTION bench_relay_notify()`,
  ];
}

/**
 * The physical minimum of propagating changes, without Concord: a trigger NOTIFYs the changed
 * key, and the relay reads the current rows of every key notified since its last round and
 * writes them to both targets, one statement (PostgreSQL) and one transaction (SQLite) per round.
 * It keeps no state, so unlike Concord it loses changes made while it is down. Answers the stop.
 */
export async function startRelay(spec: RelaySpec): Promise<() => Promise<void>> {
  const listener = new pg.Client({ connectionString: spec.sourceUrl });
  const source = new pg.Client({ connectionString: spec.sourceUrl });
  const target = new pg.Client({ connectionString: spec.targetUrl });
  await Promise.all([listener.connect(), source.connect(), target.connect()]);
  const sqlite = new Database(spec.sqlitePath);
  const t = `"${spec.table}"`;
  const update = sqlite.prepare(
    `UPDATE ${t} SET email = ?, first_name = ?, last_name = ?, birth_date = ?, tier = ?, note = ? WHERE id = ?`,
  );
  const updateAll = sqlite.transaction((rows: readonly string[][]) => {
    for (const [id, ...values] of rows) update.run(...values, id);
  });

  const pending = new Set<string>();
  let round: Promise<void> | undefined;
  const relay = async () => {
    while (pending.size > 0) {
      const ids = [...pending];
      pending.clear();
      const { rows } = await source.query<string[]>({
        text: `SELECT id::text, email, first_name, last_name, birth_date::text, tier, note FROM ${t} WHERE id = ANY($1::bigint[])`,
        values: [ids],
        rowMode: "array",
      });
      const columns = [0, 1, 2, 3, 4, 5, 6].map((i) => rows.map((r) => r[i]));
      await target.query(
        `UPDATE ${t} AS t SET email = v.email, first_name = v.first_name, last_name = v.last_name,
                birth_date = v.birth_date, tier = v.tier, note = v.note
           FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::date[], $6::text[], $7::text[])
                AS v(id, email, first_name, last_name, birth_date, tier, note)
          WHERE t.id = v.id`,
        columns,
      );
      updateAll(rows);
    }
  };
  const kick = () => {
    round ??= relay().finally(() => {
      round = undefined;
      if (pending.size > 0) kick();
    });
  };
  listener.on("notification", (message) => {
    if (message.channel !== spec.channel || message.payload === undefined) return;
    pending.add(message.payload);
    kick();
  });
  await listener.query(`LISTEN "${spec.channel}"`);

  return async () => {
    await listener.end();
    await round;
    sqlite.close();
    await Promise.allSettled([source.end(), target.end()]);
  };
}
