import Database from "better-sqlite3";
import type { EngineName } from "./engine.js";
import { engineNamed } from "./flows.js";

/** Where the reference relay listens, reads and writes. */
export interface RelaySpec {
  readonly sourceEngine: EngineName;
  readonly targetEngine: EngineName;
  readonly sourceUrl: string;
  readonly targetUrl: string;
  /** The same table name in the source, the database target and the SQLite file; keys are shared. */
  readonly table: string;
  readonly sqlitePath: string;
  /** For a source that cannot push (MariaDB): how often its changelog is read. */
  readonly pollMs: number;
}

/**
 * The physical minimum of propagating changes, without Concord: the source names the changed keys
 * (PostgreSQL: a trigger NOTIFYs them; MariaDB: a trigger logs them in a table read every
 * `pollMs`), and the relay reads the current rows of every key named since its last round and
 * writes them to both targets, one statement (database) and one transaction (SQLite) per round.
 * It keeps no state, so unlike Concord it loses changes made while it is down. Answers the stop.
 */
export async function startRelay(spec: RelaySpec): Promise<() => Promise<void>> {
  const source = await engineNamed(spec.sourceEngine).openRelaySource(spec.sourceUrl, spec.table, spec.pollMs);
  const target = await engineNamed(spec.targetEngine).openRelayTarget(spec.targetUrl, spec.table);
  const sqlite = new Database(spec.sqlitePath);
  const update = sqlite.prepare(
    `UPDATE "${spec.table}" SET email = ?, first_name = ?, last_name = ?, birth_date = ?, tier = ?, note = ? WHERE id = ?`,
  );
  const updateAll = sqlite.transaction((rows: readonly (string | null)[][]) => {
    for (const [id, ...values] of rows) update.run(...values, id);
  });

  const pending = new Set<string>();
  let round: Promise<void> | undefined;
  const relay = async () => {
    while (pending.size > 0) {
      const ids = [...pending];
      pending.clear();
      const rows = await source.read(ids);
      await target.write(rows);
      updateAll(rows);
    }
  };
  const kick = () => {
    round ??= relay().finally(() => {
      round = undefined;
      if (pending.size > 0) kick();
    });
  };
  const stopWatching = await source.watch((ids) => {
    for (const id of ids) pending.add(id);
    kick();
  });

  return async () => {
    await stopWatching();
    await round;
    sqlite.close();
    await Promise.allSettled([source.close(), target.close()]);
  };
}
