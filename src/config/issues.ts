import type { z } from "zod";

/** A config problem before it is located in the file: a path into the YAML and a message. */
export interface PathIssue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
  /** Point at the key of the last path segment rather than at its value (unknown keys). */
  readonly atKey?: boolean;
}

/** `entities.contact.match[0]`: keys joined by dots, list positions in brackets. */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = "";
  for (const segment of path) {
    if (typeof segment === "number") text += `[${segment}]`;
    else text += text === "" ? String(segment) : `.${String(segment)}`;
  }
  return text;
}

/**
 * Turns zod issues into messages a person can act on: one issue per unknown key (located at
 * that key), "is required" for a missing key, and for a union whose input has the shape of one
 * alternative (an object given where a name or an object is allowed), that alternative's own
 * issues instead of zod's generic "Invalid input".
 */
export function fromZodIssues(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[] = []): PathIssue[] {
  return issues.flatMap((issue) => fromZodIssue(issue, [...prefix, ...issue.path]));
}

function fromZodIssue(issue: z.core.$ZodIssue, path: readonly PropertyKey[]): PathIssue[] {
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map((key) => ({ path: [...path, key], message: `unknown key "${key}"`, atKey: true }));
    case "invalid_key":
      return issue.issues.map((inner) => ({ path, message: inner.message, atKey: true }));
    case "invalid_union": {
      const shaped = issue.errors.filter((errors) => !errors.some(isRootMismatch));
      const only = shaped.length === 1 ? shaped[0] : undefined;
      return only === undefined ? [{ path, message: issue.message }] : fromZodIssues(only, path);
    }
    case "invalid_type":
      if (issue.input === undefined) return [{ path, message: "is required" }];
      return [{ path, message: issue.message }];
    default:
      return [{ path, message: issue.message }];
  }
}

// An alternative that failed on the value itself (wrong type, not one of the options), as
// opposed to one that accepted the value's shape and failed deeper inside.
function isRootMismatch(issue: z.core.$ZodIssue): boolean {
  return issue.path.length === 0 && (issue.code === "invalid_type" || issue.code === "invalid_value");
}
