import pg from "pg";

const CHANNEL = "bench_arrival";

/**
 * The target-side trigger that times arrivals: every update that changes a row's note NOTIFYs the
 * new note (the writer's marker). The notification is delivered when the writing transaction
 * commits, that is when the row has its new value for every reader: no polling needed.
 */
export function arrivalTriggerDdl(table: string): string[] {
  return [
    `CREATE OR REPLACE FUNCTION bench_arrival() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN PERFORM pg_notify('${CHANNEL}', NEW.note); RETURN NULL; END $$`,
    `CREATE TRIGGER bench_arrival AFTER UPDATE ON "${table}" FOR EACH ROW
       WHEN (NEW.note IS DISTINCT FROM OLD.note) EXECUTE FUNCTION bench_arrival()`,
  ];
}

/** Calls `arrived(id, seq, now)` for every marker that arrives in the target; answers the stop. */
export async function listenArrivals(
  url: string,
  arrived: (id: number, seq: number, at: number) => void,
): Promise<() => Promise<void>> {
  const client = new pg.Client({ connectionString: url });
  // Losing the connection shows as changes that never arrive; it must not end the process.
  client.on("error", () => undefined);
  await client.connect();
  client.on("notification", (message) => {
    const at = performance.now();
    const marker = /^(\d+):(\d+)$/.exec(message.payload ?? "");
    if (message.channel === CHANNEL && marker) arrived(Number(marker[1]), Number(marker[2]), at);
  });
  await client.query(`LISTEN ${CHANNEL}`);
  return () => client.end();
}
