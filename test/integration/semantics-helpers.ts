/**
 * Small helpers shared by the integration tests of DESIGN.md's Semantics: they read the hub only
 * through the CLI's JSON documents (`audit`, `conflicts`, `duplicates`, `status`), as a user would.
 */
import { expect } from "vitest";
import type { Conflict, DuplicateCandidate, JournalEntry } from "../../src/core/types.js";
import type { Status } from "../../src/engine/status.js";
import type { SqliteWorld, SyncJson } from "../helpers/sqlite-world.js";

/** Runs `sync --json`, expects exit 0 and no record errors, and returns the summary. */
export async function syncOk(w: SqliteWorld, ...args: string[]): Promise<SyncJson> {
  const s = await w.sync(...args);
  expect({ code: s.code, errors: s.errors, halted: s.halted }).toEqual({ code: 0, errors: 0, halted: false });
  return s;
}

/** The `written` counts of a sync with every system at zero: what a quiet sync must print. */
function zeroed(written: SyncJson["written"]): SyncJson["written"] {
  return Object.fromEntries(Object.keys(written).map((s) => [s, { created: 0, updated: 0, deleted: 0 }]));
}

/**
 * The no-loop guarantee: a further sync, and a full re-read of every system (which reads back
 * everything we wrote, as an echo), writes nothing and raises no conflict.
 */
export async function expectQuiet(w: SqliteWorld): Promise<void> {
  for (const args of [[], ["--full"]]) {
    const s = await syncOk(w, ...args);
    expect({ args, written: s.written, conflicts: s.conflicts }).toEqual({
      args,
      written: zeroed(s.written),
      conflicts: 0,
    });
  }
}

/** Runs a CLI command that prints JSON and returns the document; expects exit 0. */
async function cliJson<T>(w: SqliteWorld, args: string[]): Promise<T> {
  const r = await w.cli(args);
  expect(r.code, `${args.join(" ")}: ${r.stdout}${r.stderr}`).toBe(0);
  return r.json as T;
}

/** The journal (`concord audit --json`), oldest first, optionally filtered by kind. */
export async function journal(w: SqliteWorld, kind?: JournalEntry["kind"], ...args: string[]): Promise<JournalEntry[]> {
  const entries = await cliJson<JournalEntry[]>(w, ["audit", "--limit", "100000", ...args]);
  return kind === undefined ? entries : entries.filter((e) => e.kind === kind);
}

/** Every conflict, open and resolved (`concord conflicts --all --json`). */
export function allConflicts(w: SqliteWorld): Promise<Conflict[]> {
  return cliJson<Conflict[]>(w, ["conflicts", "--all"]);
}

/** Open duplicate candidates (`concord duplicates --json`). */
export function duplicates(w: SqliteWorld): Promise<DuplicateCandidate[]> {
  return cliJson<DuplicateCandidate[]>(w, ["duplicates"]);
}

/** `concord status --json`. */
export function status(w: SqliteWorld): Promise<Status> {
  return cliJson<Status>(w, ["status"]);
}

/** An edit made by a system's own application: one SQL statement with bound values. */
export function edit(w: SqliteWorld, system: string, sql: string, ...params: unknown[]): void {
  w.system(system)
    .prepare(sql)
    .run(...params);
}

/** Waits long enough for the next source timestamp (milliseconds) to be later than the last. */
export function tick(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 5));
}
