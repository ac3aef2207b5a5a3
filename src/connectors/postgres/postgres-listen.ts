import type pg from "pg";
import { type PostgresSession, quoteIdent } from "./postgres-session.js";

const RECONNECT_MS = 1000;

/**
 * LISTENs on `channel` over a connection of its own (a pooled one would lose the LISTEN when
 * released) and calls `wake` on every notification. A lost connection is reopened every second
 * until it works, then `wake` is called once, since notifications sent meanwhile are gone.
 * Answers the unsubscribe.
 */
export async function listen(
  session: PostgresSession,
  channel: string,
  wake: () => void,
): Promise<() => Promise<void>> {
  let stopped = false;
  let current: pg.Client | undefined;
  let timer: NodeJS.Timeout | undefined;

  const connect = async (): Promise<void> => {
    const client = await session.connectDedicated();
    const lost = () => {
      if (current === client) reconnect();
    };
    client.on("notification", (message) => {
      if (message.channel === channel) wake();
    });
    client.on("error", lost);
    client.on("end", lost);
    try {
      await client.query(`LISTEN ${quoteIdent(channel)}`);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw session.fail(`listening on ${channel}`, err);
    }
    if (stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    current = client;
  };

  const reconnect = (): void => {
    current = undefined;
    if (stopped || timer !== undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      connect().then(
        () => {
          if (!stopped) wake();
        },
        () => reconnect(),
      );
    }, RECONNECT_MS);
    timer.unref();
  };

  await connect();
  return async () => {
    stopped = true;
    clearTimeout(timer);
    const client = current;
    current = undefined;
    await client?.end().catch(() => undefined);
  };
}
