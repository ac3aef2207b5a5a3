/**
 * JSONata filters and transforms, fenced in: every evaluation has a deadline and a limit on
 * nested function calls, so that a careless `$f := function($x){ $f($x) }` in a config fails
 * one record with a clear error instead of hanging or exhausting the process.
 */
import jsonata from "jsonata";
import { ConcordError, messageOf } from "./errors.js";
import type { Fields } from "./types.js";

/** Limits and variables of one evaluation. */
export interface ExpressionOptions {
  /** Wall-clock budget of the whole evaluation (default 1000 ms: generous, since a loaded machine must not turn a filter into a record error). */
  readonly timeoutMs?: number;
  /** Most function calls nested in one another (default 200). */
  readonly maxDepth?: number;
  /** Variables the expression sees as `$name`. */
  readonly bindings?: Readonly<Record<string, unknown>>;
}

/** Per-evaluation state, reached from the hooks through a binding (compiled expressions are shared). */
class Guard {
  depth = 0;
  constructor(
    readonly src: string,
    readonly deadline: number,
    readonly timeoutMs: number,
    readonly maxDepth: number,
  ) {}
}

const GUARD = "__concordGuard";
// Tail calls run in a loop without nesting (jsonata's own optimization), so only non-tail
// recursion grows this depth; an endless tail recursion is stopped by the deadline instead.
const CALL_NODES = new Set(["function", "apply"]);
const MAX_CACHED = 1000;
const cache = new Map<string, jsonata.Expression>();

function guardOf(env: jsonata.Environment): Guard | undefined {
  const guard: unknown = env.lookup(GUARD);
  return guard instanceof Guard ? guard : undefined;
}

function onEntry(node: jsonata.ExprNode, _input: unknown, env: jsonata.Environment): void {
  const guard = guardOf(env);
  if (guard === undefined) return;
  if (CALL_NODES.has(node.type) && ++guard.depth > guard.maxDepth) {
    throw new ConcordError(
      "expression",
      `expression ${quote(guard.src)}: more than ${guard.maxDepth} nested function calls (endless recursion?)`,
    );
  }
  if (Date.now() > guard.deadline) {
    throw new ConcordError(
      "expression",
      `expression ${quote(guard.src)}: timed out after ${guard.timeoutMs} ms (endless loop?)`,
    );
  }
}

function onExit(node: jsonata.ExprNode, _input: unknown, env: jsonata.Environment): void {
  const guard = guardOf(env);
  if (guard !== undefined && CALL_NODES.has(node.type)) guard.depth--;
}

function quote(src: string): string {
  return JSON.stringify(src.length > 60 ? `${src.slice(0, 57)}...` : src);
}

/** "position N: message" for jsonata's error objects (which are not Error instances). */
function describe(err: unknown): string {
  const position = (err as { position?: unknown } | null)?.position;
  const message = (err as { message?: unknown } | null)?.message;
  const text = typeof message === "string" ? message : messageOf(err);
  return typeof position === "number" ? `position ${position}: ${text}` : text;
}

function compile(src: string): jsonata.Expression {
  const cached = cache.get(src);
  if (cached !== undefined) return cached;
  let expr: jsonata.Expression;
  try {
    expr = jsonata(src);
  } catch (err) {
    throw new ConcordError("expression", `expression ${quote(src)}: ${describe(err)}`, { cause: err });
  }
  // The hooks are looked up by these symbols; the typings only admit string names.
  expr.assign(Symbol.for("jsonata.__evaluate_entry") as unknown as string, onEntry);
  expr.assign(Symbol.for("jsonata.__evaluate_exit") as unknown as string, onExit);
  if (cache.size >= MAX_CACHED) {
    const oldest = cache.keys().next();
    if (oldest.done !== true) cache.delete(oldest.value);
  }
  cache.set(src, expr);
  return expr;
}

/** Why `src` does not compile ("position N: message"), or null when it does. For config checks. */
export function expressionError(src: string): string | null {
  try {
    compile(src);
    return null;
  } catch (err) {
    return messageOf(err);
  }
}

/**
 * The tail of the queue of evaluations. Each evaluation awaits at every step, so concurrent ones
 * would interleave and each one's deadline would pay for the others' work; one at a time, a
 * deadline measures its own evaluation. Nothing is lost: they share one thread either way.
 */
let queue: Promise<unknown> = Promise.resolve();

/**
 * Evaluates a JSONata expression against `input`; failures and overruns reject with ConcordError
 * "expression". Evaluations run one after another; the timeout counts from an evaluation's start.
 */
export function evaluateExpression(src: string, input: unknown, options: ExpressionOptions = {}): Promise<unknown> {
  const run = () => evaluate(src, input, options);
  const result = queue.then(run, run);
  queue = result.catch(() => undefined);
  return result;
}

async function evaluate(src: string, input: unknown, options: ExpressionOptions): Promise<unknown> {
  const expr = compile(src);
  const timeoutMs = options.timeoutMs ?? 1000;
  const guard = new Guard(src, Date.now() + timeoutMs, timeoutMs, options.maxDepth ?? 200);
  let result: unknown;
  try {
    result = await expr.evaluate(input, { ...options.bindings, [GUARD]: guard });
  } catch (err) {
    if (err instanceof ConcordError) throw err;
    throw new ConcordError("expression", `expression ${quote(src)}: ${describe(err)}`, { cause: err });
  }
  return toPlain(result);
}

/** Evaluates a binding filter over canonical fields: true or false (no result counts as false). */
export async function evaluateFilter(src: string, fields: Fields, options: ExpressionOptions = {}): Promise<boolean> {
  // A field without a value reads the same whether a system sent null or nothing: absent.
  // (JSONata would otherwise find `null != 'free'` true but `missing != 'free'` false.)
  const present = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== null));
  const result = await evaluateExpression(src, present, options);
  if (result === undefined) return false;
  if (typeof result === "boolean") return result;
  // The kind only, not the value: a filter may well return a sensitive field.
  const kind = Array.isArray(result) ? "an array" : result === null ? "null" : `a ${typeof result}`;
  throw new ConcordError("expression", `filter ${quote(src)} must give true or false, got ${kind}`);
}

function isFunction(value: unknown): boolean {
  if (typeof value === "function") return true;
  // A JSONata lambda is a plain object that holds its (cyclic) environment.
  return typeof value === "object" && value !== null && "_jsonata_lambda" in value;
}

/** jsonata's results are sequences (arrays with extra flags) and may hold functions: keep plain data only. */
function toPlain(value: unknown): unknown {
  if (isFunction(value)) return undefined;
  if (Array.isArray(value)) return value.map(toPlain).filter((item) => item !== undefined);
  if (typeof value !== "object" || value === null) return value;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const plain = toPlain(item);
    if (plain !== undefined) out[key] = plain;
  }
  return out;
}
