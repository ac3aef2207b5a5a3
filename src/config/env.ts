/**
 * `${VAR}` expansion for config values. The environment is passed in, never read here: the
 * caller (the CLI) hands `process.env` to the config loader, which keeps every other module
 * free of hidden inputs and lets tests use a plain object.
 */

/** The environment variables a config may use. */
export type Env = Readonly<Record<string, string | undefined>>;

/** The result of expanding one string: the new text and what could not be expanded. */
export interface Expansion {
  readonly value: string;
  /** One message per reference that could not be expanded (unset variable, bad syntax). */
  readonly problems: readonly string[];
}

// `$${` first, so that an escaped reference is never read as a real one.
const REFERENCE = /\$\$\{|\$\{([^}]*)\}|\$\{/g;
const INNER = /^([A-Za-z_][A-Za-z0-9_]*)(?::-([\s\S]*))?$/;

/**
 * Expands `${VAR}` and `${VAR:-default}` (the default applies when VAR is unset or empty, as in
 * a POSIX shell); `$${` stands for a literal `${`. An unset variable without a default expands
 * to "" and is reported in `problems`.
 */
export function expandVariables(text: string, env: Env): Expansion {
  if (!text.includes("${")) return { value: text, problems: [] };
  const problems: string[] = [];
  const value = text.replace(REFERENCE, (whole: string, inner: string | undefined) => {
    if (whole === "$${") return "${";
    if (inner === undefined) {
      problems.push('unterminated "${" (write "$${" for a literal "${")');
      return whole;
    }
    const parsed = INNER.exec(inner);
    const name = parsed?.[1];
    if (parsed === null || name === undefined) {
      problems.push(`invalid variable reference "${whole}": expected \${NAME} or \${NAME:-default}`);
      return whole;
    }
    const fallback = parsed[2];
    const set = env[name];
    if (set !== undefined && (set !== "" || fallback === undefined)) return set;
    if (fallback !== undefined) return fallback;
    problems.push(`environment variable ${name} is not set (give a default with \${${name}:-default})`);
    return "";
  });
  return { value, problems };
}
