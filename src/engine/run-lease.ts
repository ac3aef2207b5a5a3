import { hostname } from "node:os";
import { ConcordError } from "../core/errors.js";
import type { HubStore } from "../hub/hub-store.js";

/** How long a lease lasts without renewal: a crashed run's lease frees itself after this. */
const TTL_MS = 60_000;

/** A held run lease; renewed in the background until released. */
export interface RunLease {
  release(): Promise<void>;
}

/** How to wait for a lease another process holds. */
export interface LeaseWait {
  /** Give up after this long (default 10 minutes: an initial load elsewhere may take a while). */
  readonly timeoutMs?: number;
  /** Called once if the lease is busy, so a person knows why nothing happens. */
  readonly onWait?: () => void;
}

/**
 * Takes the hub's run lease: one run at a time per hub, whatever process it is in, so that two
 * runs never read a feed twice or mark clean what the other just made dirty. Waits while another
 * run holds it; renews it every TTL/3 while held.
 */
export async function takeRunLease(hub: HubStore, runId: string, wait: LeaseWait = {}): Promise<RunLease> {
  const owner = `${hostname()}:${process.pid}:${runId}`;
  const deadline = Date.now() + (wait.timeoutMs ?? 600_000);
  let told = false;
  while (!(await hub.tryLease("run", owner, TTL_MS))) {
    const holder = await hub.leaseHolder("run");
    if (holder !== undefined && deadOnThisHost(holder)) {
      // A run on this machine that was killed: its lease need not run out first.
      await hub.releaseLease("run", holder);
      continue;
    }
    if (Date.now() > deadline) {
      throw new ConcordError("hub", "another Concord run has held the hub for too long; try again later", {
        retryable: true,
      });
    }
    if (!told) wait.onWait?.();
    told = true;
    await new Promise((r) => setTimeout(r, 250));
  }
  let renewing: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    renewing = hub.tryLease("run", owner, TTL_MS).catch(() => false);
  }, TTL_MS / 3);
  return {
    async release() {
      clearInterval(timer);
      await renewing;
      await hub.releaseLease("run", owner);
    },
  };
}

/** Whether an owner `host:pid:run` names a process of this host that no longer exists. */
function deadOnThisHost(owner: string): boolean {
  const [host, pidText] = owner.split(":");
  const pid = Number(pidText);
  if (host !== hostname() || !Number.isInteger(pid) || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    // EPERM: it exists, but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === "ESRCH";
  }
}
