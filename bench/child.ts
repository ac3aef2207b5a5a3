import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type ChildStats, STATS_FILE_ENV } from "./child-stats.js";

const TSX_LOADER = pathToFileURL(
  fileURLToPath(new URL("../node_modules/tsx/dist/esm/index.mjs", import.meta.url)),
).href;

/** Children still running, killed on Ctrl-C. */
const running = new Set<ChildProcessWithoutNullStreams>();

/** Kills every child still running (on Ctrl-C), so that none outlives the benchmark. */
export function killAllChildren(): void {
  for (const child of running) child.kill("SIGKILL");
}

/** A bench entry script, by file name (`concord-entry.ts`). */
export function benchEntry(name: string): string {
  return fileURLToPath(new URL(`./${name}`, import.meta.url));
}

/** How a child process ended. */
export interface ChildResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** From spawn to exit, including Node's and tsx's start-up. */
  readonly wallMs: number;
  /** Undefined when the child died before it could write them. */
  readonly stats: ChildStats | undefined;
}

/** A child process still running. */
export interface RunningChild {
  readonly pid: number;
  /** Output so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves once stderr contains `text`; rejects if the child exits first. */
  waitForStderr(text: string): Promise<void>;
  /** Sends SIGTERM and waits for the exit. */
  stop(): Promise<ChildResult>;
  readonly exited: Promise<ChildResult>;
}

/** Options of a child process. */
export interface ChildOptions {
  /** Extra flags for node, e.g. `--cpu-prof`. */
  readonly nodeArgs?: readonly string[];
  /** Exit codes that `runChild` accepts (default 0 only). */
  readonly okCodes?: readonly number[];
}

/** Starts `entry` (a TypeScript file) under tsx in a child process. */
export function startChild(entry: string, args: readonly string[], options: ChildOptions = {}): RunningChild {
  const statsFile = join(tmpdir(), `concord-bench-stats-${randomBytes(6).toString("hex")}.json`);
  const started = performance.now();
  const child: ChildProcessWithoutNullStreams = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), "--import", TSX_LOADER, entry, ...args],
    { env: { ...process.env, [STATS_FILE_ENV]: statsFile }, stdio: "pipe" },
  );
  running.add(child);
  let stdout = "";
  let stderr = "";
  const waiters: { text: string; resolve: () => void; reject: (err: Error) => void }[] = [];
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
    for (const w of waiters.filter((w) => stderr.includes(w.text))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  });
  const exited = new Promise<ChildResult>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => {
      running.delete(child);
      for (const w of waiters.splice(0))
        w.reject(new Error(`child exited (${code}) before printing "${w.text}":\n${stderr}`));
      resolve({ code, stdout, stderr, wallMs: performance.now() - started, stats: readStats(statsFile) });
    });
  });
  return {
    pid: child.pid ?? -1,
    stdout: () => stdout,
    stderr: () => stderr,
    waitForStderr: (text) =>
      stderr.includes(text)
        ? Promise.resolve()
        : new Promise((resolve, reject) => waiters.push({ text, resolve, reject })),
    stop: () => {
      child.kill("SIGTERM");
      return exited;
    },
    exited,
  };
}

/** Runs `entry` to its end; throws with its stderr when it fails. */
export async function runChild(
  entry: string,
  args: readonly string[],
  options: ChildOptions = {},
): Promise<ChildResult> {
  const result = await startChild(entry, args, options).exited;
  if (!(options.okCodes ?? [0]).includes(result.code ?? -1)) {
    throw new Error(`${entry} ${args.join(" ")} exited with ${result.code}:\n${result.stderr}`);
  }
  return result;
}

/** CPU seconds a running process has used so far (Linux /proc), or undefined elsewhere. */
export function cpuSecondsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces) start after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime
    return Number.isFinite(ticks) ? ticks / 100 : undefined;
  } catch {
    return undefined;
  }
}

function readStats(file: string): ChildStats | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as ChildStats;
  } finally {
    rmSync(file, { force: true });
  }
}
