import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { benchEntry, runChild } from "./child.js";
import { type Flow, flowLabel } from "./flows.js";
import { type ProfileSummary, summarizeProfile } from "./profile.js";
import type { ReferenceLoadResult, ReferenceLoadSpec } from "./reference.js";
import { sameDigests, sqliteDigest } from "./verify.js";
import { createSqliteContacts, createWorld } from "./world.js";

/** One side of the initial load: Concord or the reference. */
export interface LoadSide {
  /** The timed part: Concord's run from its start to its end, or the reference's pipeline. */
  readonly ms: number;
  readonly recordsPerSec: number;
  /** Peak RSS of its process (which holds nothing else), in MiB. */
  readonly peakRssMb: number | null;
  /** CPU time of its process, start-up included, in ms. */
  readonly cpuMs: number | null;
  /** Whether both targets ended equal to the source (same rows, same values). */
  readonly verified: boolean;
}

/** The initial-load benchmark's result. */
export interface InitialLoadResult {
  /** The flow's name (`postgres`, `mariadb-source`, `mariadb-target`). */
  readonly flow: string;
  /** Source → hub → targets, as the tables show it. */
  readonly label: string;
  readonly rows: number;
  readonly concord: LoadSide & { readonly errors: number; readonly written: Readonly<Record<string, unknown>> };
  readonly reference: LoadSide;
  /** Concord's time over the reference's: how many times longer Concord takes. */
  readonly ratio: number;
  readonly profile?: ProfileSummary;
}

/** What Concord's `sync --json` prints. */
interface SyncJson {
  readonly durationMs: number;
  readonly errors: number;
  readonly written: Record<string, unknown>;
}

/**
 * Loads `rows` contacts from a fresh source into a database and a SQLite target, as `flow` says,
 * first with the reference pipeline, then with Concord's first `concord sync` (SQLite hub), each
 * in a child process of its own; then checks that every target equals the source.
 */
export async function benchInitialLoad(
  flow: Flow,
  rows: number,
  options: { cpuProfDir?: string },
  log: (line: string) => void,
): Promise<InitialLoadResult> {
  const label = flowLabel(flow);
  log(`initial load, ${label}: seeding ${rows} contacts`);
  const world = await createWorld("load", rows, flow);
  try {
    const refSqlite = join(world.dir, "reference.db");
    await flow.target.createContacts(world.target.url, "ref_contacts", true);
    createSqliteContacts(refSqlite, "ref_contacts", 0);

    log("initial load: reference (raw drivers, one streamed pass)");
    const spec: ReferenceLoadSpec = {
      sourceEngine: flow.source.name,
      targetEngine: flow.target.name,
      sourceUrl: world.source.url,
      targetUrl: world.target.url,
      sourceTable: "contacts",
      targetTable: "ref_contacts",
      sqlitePath: refSqlite,
    };
    const ref = await runChild(benchEntry("reference-entry.ts"), ["load", JSON.stringify(spec)]);
    const refResult = JSON.parse(ref.stdout) as ReferenceLoadResult;

    log("initial load: Concord (concord sync, in a child process)");
    if (options.cpuProfDir !== undefined) mkdirSync(options.cpuProfDir, { recursive: true });
    const nodeArgs = options.cpuProfDir === undefined ? [] : ["--cpu-prof", "--cpu-prof-dir", options.cpuProfDir];
    // Exit code 1 means some records failed: reported as errors, and the targets do not verify.
    const run = await runChild(benchEntry("concord-entry.ts"), ["sync", "--json", "-c", world.configFile], {
      nodeArgs,
      okCodes: [0, 1],
    });
    const summary = JSON.parse(run.stdout) as SyncJson;

    log("initial load: verifying the targets");
    const source = await flow.source.digest(world.source.url, "contacts");
    const refVerified = sameDigests([
      source,
      await flow.target.digest(world.target.url, "ref_contacts"),
      await sqliteDigest(refSqlite, "ref_contacts"),
    ]);
    const verified = sameDigests([
      source,
      await flow.target.digest(world.target.url, "contacts"),
      await sqliteDigest(world.sqlitePath, "contacts"),
    ]);
    const profile = options.cpuProfDir === undefined ? undefined : summarizeProfile(options.cpuProfDir);
    return {
      flow: flow.name,
      label,
      rows,
      concord: {
        ms: summary.durationMs,
        recordsPerSec: rows / (summary.durationMs / 1000),
        peakRssMb: run.stats?.peakRssMb ?? null,
        cpuMs: run.stats?.cpuMs ?? null,
        verified,
        errors: summary.errors,
        written: summary.written,
      },
      reference: {
        ms: refResult.ms,
        recordsPerSec: refResult.rows / (refResult.ms / 1000),
        peakRssMb: ref.stats?.peakRssMb ?? null,
        cpuMs: ref.stats?.cpuMs ?? null,
        verified: refVerified && refResult.rows === rows,
      },
      ratio: summary.durationMs / refResult.ms,
      ...(profile === undefined ? {} : { profile }),
    };
  } finally {
    await world.dispose();
  }
}
