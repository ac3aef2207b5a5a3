import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { withPgClient } from "../test/helpers/postgres-database.js";
import { benchEntry, runChild } from "./child.js";
import { pgContactsDdl } from "./contacts.js";
import { type ProfileSummary, summarizeProfile } from "./profile.js";
import type { ReferenceLoadResult, ReferenceLoadSpec } from "./reference.js";
import { pgDigest, sameDigests, sqliteDigest } from "./verify.js";
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
 * Loads `rows` contacts from a fresh PostgreSQL source into a PostgreSQL and a SQLite target,
 * first with the reference pipeline, then with Concord's first `concord sync` (SQLite hub), each
 * in a child process of its own; then checks that every target equals the source.
 */
export async function benchInitialLoad(
  rows: number,
  options: { cpuProfDir?: string },
  log: (line: string) => void,
): Promise<InitialLoadResult> {
  log(`initial load: seeding ${rows} contacts`);
  const world = await createWorld("load", rows);
  try {
    const refSqlite = join(world.dir, "reference.db");
    await withPgClient(world.target.url, (c) => c.query(pgContactsDdl("ref_contacts", true)));
    createSqliteContacts(refSqlite, "ref_contacts", 0);

    log("initial load: reference (COPY out → COPY in + SQLite 10k-row transactions)");
    const spec: ReferenceLoadSpec = {
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
    const source = await pgDigest(world.source.url, "contacts");
    const refVerified = sameDigests([
      source,
      await pgDigest(world.target.url, "ref_contacts"),
      await sqliteDigest(refSqlite, "ref_contacts"),
    ]);
    const verified = sameDigests([
      source,
      await pgDigest(world.target.url, "contacts"),
      await sqliteDigest(world.sqlitePath, "contacts"),
    ]);
    const profile = options.cpuProfDir === undefined ? undefined : summarizeProfile(options.cpuProfDir);
    return {
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
