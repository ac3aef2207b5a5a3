import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

/** One function's share of a CPU profile. */
export interface ProfileEntry {
  readonly name: string;
  /** The file (and line, outside tsx-compiled modules), relative to the repository where it is inside it. */
  readonly location: string;
  readonly selfMs: number;
  readonly percent: number;
}

/** The top self-time functions of a CPU profile. */
export interface ProfileSummary {
  readonly file: string;
  readonly totalMs: number;
  readonly top: readonly ProfileEntry[];
}

interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  }[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/**
 * Summarizes the largest `.cpuprofile` in `dir`: with tsx's loader a process writes two, and the
 * main thread's is the larger. Self time is summed from the sample time deltas per function
 * (name and location), so a function reached through many call paths counts once.
 */
export function summarizeProfile(dir: string, top = 15, root = process.cwd()): ProfileSummary | undefined {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".cpuprofile"))
    .map((f) => join(dir, f))
    .sort((a, b) => statSync(b).size - statSync(a).size);
  const file = files[0];
  if (file === undefined) return undefined;
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const keyOf = new Map<number, string>();
  const entries = new Map<string, { name: string; location: string; us: number }>();
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    const path = url.startsWith("file://") ? relative(root, new URL(url).pathname) : url;
    // tsx compiles a module to one line: there only the file means something.
    const location = path === "" || lineNumber <= 0 ? path : `${path}:${lineNumber + 1}`;
    const name = functionName === "" ? "(anonymous)" : functionName;
    const key = `${name}@${location}`;
    keyOf.set(node.id, key);
    if (!entries.has(key)) entries.set(key, { name, location, us: 0 });
  }
  let totalUs = 0;
  profile.samples.forEach((id, i) => {
    // A sample lasts until the next one, as Chrome's profiler reads it.
    const us = profile.timeDeltas[i + 1] ?? 0;
    totalUs += us;
    const entry = entries.get(keyOf.get(id) ?? "");
    if (entry) entry.us += us;
  });
  const sorted = [...entries.values()].sort((a, b) => b.us - a.us).slice(0, top);
  return {
    file,
    totalMs: totalUs / 1000,
    top: sorted.map((e) => ({
      name: e.name,
      location: e.location,
      selfMs: e.us / 1000,
      percent: totalUs === 0 ? 0 : (100 * e.us) / totalUs,
    })),
  };
}
