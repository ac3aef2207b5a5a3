import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { ConnectorFactory } from "../connectors/connector.js";
import { type ConfigIssue, ConfigError, messageOf } from "../core/errors.js";
import { checkConfig } from "./check-config.js";
import type { Env } from "./env.js";
import { fromZodIssues, type PathIssue } from "./issues.js";
import type { ConcordConfig } from "./model.js";
import { normalizeConfig } from "./normalize-config.js";
import { configSchema } from "./schema.js";
import { YamlSource } from "./yaml-source.js";

/** What loading a config depends on besides its text. */
export interface LoadConfigOptions {
  /** The variables `${VAR}` expands from; the CLI passes `process.env`. */
  readonly env: Env;
  /** Connector factories by kind; each validates the options of its systems. */
  readonly connectors: ReadonlyMap<string, ConnectorFactory>;
}

/** Reads, checks and resolves a config file; throws a ConfigError listing every problem. */
export function loadConfig(file: string, options: LoadConfigOptions): ConcordConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError(file, [{ path: "", message: `cannot read the config file: ${messageOf(err)}` }]);
  }
  return parseConfig(text, file, options);
}

/**
 * Checks and resolves config text; `file` names it in messages and anchors its relative paths.
 * Throws a ConfigError listing every problem, each located at its line and column.
 */
export function parseConfig(text: string, file: string, options: LoadConfigOptions): ConcordConfig {
  const source = new YamlSource(text);
  const syntax = source.syntaxIssues();
  // Past a syntax error the document's structure is a guess: checking it would only add noise.
  if (syntax.length > 0) throw new ConfigError(file, syntax);

  const issues: ConfigIssue[] = source.expandEnv(options.env);
  let value: unknown;
  try {
    value = source.toJS();
  } catch (err) {
    throw new ConfigError(file, [...issues, { path: "", message: messageOf(err) }]);
  }
  if (value === null || value === undefined) {
    throw new ConfigError(file, [{ path: "", message: "the config is empty: it needs systems and entities" }]);
  }

  const parsed = configSchema.safeParse(value, { reportInput: true });
  const found: PathIssue[] = [
    ...(parsed.success ? [] : fromZodIssues(parsed.error.issues)),
    ...checkConfig(value, options.connectors),
  ];
  issues.push(...found.map((issue) => source.locate(issue)));
  if (!parsed.success || issues.length > 0) throw new ConfigError(file, sortByPosition(issues));

  const absolute = resolve(file);
  return normalizeConfig(parsed.data, { file: absolute, baseDir: dirname(absolute), connectors: options.connectors });
}

function sortByPosition(issues: readonly ConfigIssue[]): ConfigIssue[] {
  const line = (issue: ConfigIssue): number => issue.line ?? Number.MAX_SAFE_INTEGER;
  return [...issues].sort((a, b) => line(a) - line(b) || (a.col ?? 0) - (b.col ?? 0));
}
