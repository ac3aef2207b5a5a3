import { ConcordError, ConfigError, messageOf } from "../core/errors.js";
import type { RunSummary } from "../core/types.js";
import type { CliIO } from "./cli-io.js";

/** The exit codes of DESIGN.md. */
export const EXIT = { ok: 0, partial: 1, usage: 2, halted: 3 } as const;

/** The exit code of a finished run. */
export function exitCodeOf(summary: RunSummary): number {
  if (summary.halted) return EXIT.halted;
  return summary.errors > 0 ? EXIT.partial : EXIT.ok;
}

/**
 * The one place where thrown errors become output and an exit code: bad config or usage → 2,
 * a halt → 3, anything else → 1. With --json the error is the one JSON document on stdout.
 */
export function reportError(io: CliIO, err: unknown, json: boolean): number {
  const code = err instanceof ConcordError ? err.code : "internal";
  // An id the user named that does not exist is a usage error like a bad flag.
  const usage = code === "config" || code === "usage" || code === "not-found";
  const exit = usage ? EXIT.usage : code === "halted" ? EXIT.halted : EXIT.partial;
  const issues = err instanceof ConfigError ? err.issues : undefined;
  if (json) {
    io.out(
      JSON.stringify(
        { error: { code, message: messageOf(err), ...(issues === undefined ? {} : { issues }) } },
        null,
        2,
      ),
    );
  } else {
    io.err(err instanceof ConfigError ? `config is invalid:\n${err.message}` : `error: ${messageOf(err)}`);
    if (!(err instanceof ConcordError) && err instanceof Error && err.stack !== undefined && io.env.CONCORD_DEBUG) {
      io.err(err.stack);
    }
  }
  return exit;
}
