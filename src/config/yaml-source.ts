import { type Document, isAlias, isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import type { ConfigIssue } from "../core/errors.js";
import { type Env, expandVariables } from "./env.js";
import { formatPath, type PathIssue } from "./issues.js";

/**
 * The parsed YAML document with what is needed to point back into the text: every issue the
 * loader reports carries the line and column of the node it is about.
 */
export class YamlSource {
  readonly #doc: Document.Parsed;
  readonly #lines: LineCounter;

  /** Parses `text`; syntax errors are in `syntaxIssues`, nothing is thrown. */
  constructor(text: string) {
    this.#lines = new LineCounter();
    this.#doc = parseDocument(text, { lineCounter: this.#lines, prettyErrors: false });
  }

  /** YAML syntax errors (bad indentation, duplicate keys, …), located; the first one per line. */
  syntaxIssues(): ConfigIssue[] {
    const issues = this.#doc.errors.map((err) => ({ path: "", message: err.message, ...this.#position(err.pos[0]) }));
    // One stray bracket makes the parser report every token after it: the first says enough.
    return issues.filter((issue, i) => issues.findIndex((other) => other.line === issue.line) === i);
  }

  /** Expands `${VAR}` in every string scalar value (keys are left alone); returns the problems. */
  expandEnv(env: Env): ConfigIssue[] {
    const issues: ConfigIssue[] = [];
    walkValues(this.#doc.contents, [], (node, path) => {
      if (!isScalar(node) || typeof node.value !== "string") return;
      const { value, problems } = expandVariables(node.value, env);
      node.value = value;
      for (const message of problems) {
        issues.push({ path: formatPath(path), message, ...this.#position(node.range?.[0]) });
      }
    });
    return issues;
  }

  /** The document as plain data; throws on unresolvable aliases. */
  toJS(): unknown {
    return this.#doc.toJS({ maxAliasCount: 1000 });
  }

  /** Locates a path issue at the node it names, or at the nearest part of that path that exists. */
  locate(issue: PathIssue): ConfigIssue {
    return { path: formatPath(issue.path), message: issue.message, ...this.#position(this.#offsetOf(issue)) };
  }

  #offsetOf(issue: PathIssue): number | undefined {
    let node: unknown = this.#doc.contents;
    let keyOffset: number | undefined;
    for (const [i, segment] of issue.path.entries()) {
      if (isAlias(node)) node = node.resolve(this.#doc);
      const pair = isMap(node)
        ? node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment))
        : undefined;
      if (pair !== undefined) {
        keyOffset = offsetOfNode(pair.key);
        if (issue.atKey === true && i === issue.path.length - 1) return keyOffset;
        node = pair.value;
      } else if (isSeq(node) && typeof segment === "number" && node.items[segment] !== undefined) {
        node = node.items[segment];
        keyOffset = offsetOfNode(node);
      } else {
        // The path goes on where the file stops (a missing key): point at the last key found.
        return keyOffset ?? offsetOfNode(node);
      }
    }
    // A block map or list starts on the line after its key: the key is where a reader looks.
    if ((isMap(node) || isSeq(node)) && node.flow !== true) return keyOffset ?? offsetOfNode(node);
    return offsetOfNode(node) ?? keyOffset;
  }

  #position(offset: number | undefined): { line?: number; col?: number } {
    if (offset === undefined) return {};
    const { line, col } = this.#lines.linePos(offset);
    return { line, col };
  }
}

function offsetOfNode(node: unknown): number | undefined {
  if (node === null || typeof node !== "object" || !("range" in node)) return undefined;
  const range = (node as Node).range;
  return range?.[0];
}

// Visits value nodes with their path; aliases are skipped because their anchor is visited.
function walkValues(node: unknown, path: PropertyKey[], visit: (node: unknown, path: PropertyKey[]) => void): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      if (isPair(pair) && isScalar(pair.key)) walkValues(pair.value, [...path, String(pair.key.value)], visit);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => {
      walkValues(item, [...path, i], visit);
    });
  } else {
    visit(node, path);
  }
}
