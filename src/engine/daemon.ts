import { messageOf } from "../core/errors.js";
import type { RunSummary } from "../core/types.js";
import type { Runtime } from "./runtime.js";
import { runSync } from "./sync.js";

/** How the daemon behaves. */
export interface DaemonOptions {
  /** Poll period for systems that cannot push (`pollEvery` on the system overrides it). */
  readonly defaultPollMs: number;
  /** Called after every run. */
  readonly onRun?: (summary: RunSummary) => void;
  readonly onError?: (message: string) => void;
}

/** A running daemon. */
export interface Daemon {
  /** Finishes the run in progress (nothing is cut off mid-batch), then stops. */
  stop(): Promise<void>;
  /** Resolves when the daemon has stopped. */
  readonly done: Promise<void>;
}

/**
 * `concord run`, first form: stays up and propagates changes continuously. Systems that can push
 * (PostgreSQL NOTIFY, logical replication) wake it within milliseconds; the others are polled
 * every `pollEvery`. Wake-ups that arrive during a run are coalesced into one more run, so a
 * burst of changes costs a few runs, not one per change.
 */
export async function startDaemon(rt: Runtime, options: DaemonOptions): Promise<Daemon> {
  let wanted = true;
  let stopping = false;
  let wake: (() => void) | undefined;
  const nudge = () => {
    wanted = true;
    wake?.();
  };
  const cleanups: (() => Promise<void>)[] = [];
  const timers: NodeJS.Timeout[] = [];

  for (const [system, def] of Object.entries(rt.config.systems)) {
    const capture = (await rt.connector(system)).capture;
    if (capture?.subscribe !== undefined) cleanups.push(await capture.subscribe(nudge));
    const every = def.pollEveryMs ?? options.defaultPollMs;
    // Push systems are polled too, slowly, as a safety net for a lost notification.
    const period = capture?.subscribe === undefined ? every : Math.max(every, 30_000);
    timers.push(setInterval(nudge, period));
  }

  const loop = async () => {
    while (!stopping) {
      if (!wanted) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
        continue;
      }
      wanted = false;
      try {
        options.onRun?.(await runSync(rt, { command: "run", recordOnlyIfActive: true }));
      } catch (err) {
        options.onError?.(messageOf(err));
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  };
  const done = loop().finally(async () => {
    for (const t of timers) clearInterval(t);
    for (const cleanup of cleanups) await cleanup();
  });
  return {
    done,
    async stop() {
      stopping = true;
      wake?.();
      await done;
    },
  };
}
