/**
 * One error base for the whole project. Expected failures (a bad config, a record that does not
 * validate) are returned as values where the caller can go on; whatever is thrown is a
 * ConcordError or a bug. Each edge (CLI exit code, HTTP status) maps `code` in one place.
 */
export type ErrorCode =
  | "config" // the config file or a command line argument is wrong (exit 2)
  | "usage" // a command was called wrongly (exit 2)
  | "validation" // a record's value does not fit its field
  | "mapping" // a value could not be mapped between native and canonical form
  | "expression" // a JSONata filter or transform failed or timed out
  | "connector" // a system failed (down, slow, refused a write)
  | "hub" // the hub store failed
  | "not-found" // an id named by the user does not exist
  | "halted"; // a safety limit stopped the run (exit 3)

/** An error that names what is at fault; `retryable` says whether trying again may help. */
export class ConcordError extends Error {
  override readonly name = "ConcordError";
  readonly code: ErrorCode;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

/** A config problem located in the file: `file:line:col path: message`. */
export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
  readonly line?: number;
  readonly col?: number;
}

/** Thrown when a config cannot be used; carries every problem found, not just the first. */
export class ConfigError extends ConcordError {
  readonly issues: readonly ConfigIssue[];
  readonly file: string;

  constructor(file: string, issues: readonly ConfigIssue[]) {
    super("config", formatIssues(file, issues));
    this.file = file;
    this.issues = issues;
  }
}

/** Formats issues one per line as `file:line:col path: message`. */
export function formatIssues(file: string, issues: readonly ConfigIssue[]): string {
  return issues
    .map((i) => {
      const where = i.line === undefined ? file : `${file}:${i.line}:${i.col ?? 1}`;
      return `${where} ${i.path || "(root)"}: ${i.message}`;
    })
    .join("\n");
}

/** The message of anything thrown, without a stack. */
export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
