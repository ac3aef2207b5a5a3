import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const TSX = fileURLToPath(new URL("../../node_modules/.bin/tsx", import.meta.url));
const ENTRY = fileURLToPath(new URL("./cli-entry.ts", import.meta.url));

/** How a CLI child process ended. */
export interface ChildOutcome {
  /** True when the test killed it; false when it exited by itself. */
  readonly killed: boolean;
  /** Milliseconds from spawn to the kill or the exit. */
  readonly afterMs: number;
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `concord ARGS` as a child process in `cwd` and SIGKILLs it as soon as `shouldKill()` turns
 * true (polled every few milliseconds). tsx runs the CLI in a grandchild, so the child gets a
 * process group of its own and the whole group is killed: nothing of it survives to finish the work.
 */
export async function runUntil(
  cwd: string,
  args: readonly string[],
  shouldKill: (elapsedMs: number) => boolean,
): Promise<ChildOutcome> {
  const started = Date.now();
  const child = spawn(TSX, [ENTRY, ...args], { cwd, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => resolve(code));
  });
  let done = false;
  void exited.finally(() => (done = true));
  const killGroup = () => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
    } catch (err) {
      // The group may have exited between the check and the kill.
      if ((err as NodeJS.ErrnoException).code !== "ESRCH") throw err;
    }
  };
  try {
    for (;;) {
      if (done) {
        return { killed: false, afterMs: Date.now() - started, code: await exited, stdout, stderr };
      }
      if (shouldKill(Date.now() - started)) {
        const afterMs = Date.now() - started;
        killGroup();
        return { killed: true, afterMs, code: await exited, stdout, stderr };
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  } catch (err) {
    if (!done) killGroup();
    throw err;
  }
}
