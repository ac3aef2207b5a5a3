import { describe, expect, it } from "vitest";
import { ConcordError } from "../../src/core/errors.js";
import { evaluateExpression, evaluateFilter, expressionError } from "../../src/core/expression.js";

/** The ConcordError an evaluation fails with (fails the test when it succeeds). */
async function failure(run: Promise<unknown>): Promise<ConcordError> {
  try {
    await run;
  } catch (err) {
    if (err instanceof ConcordError) return err;
    throw err;
  }
  throw new Error("expected the evaluation to fail");
}

describe("evaluateExpression", () => {
  it("evaluates against the input, with bindings as variables", async () => {
    expect(await evaluateExpression("first & ' ' & last", { first: "Ann", last: "Lee" })).toBe("Ann Lee");
    expect(await evaluateExpression("$ & '-' & $row.id", "x", { bindings: { row: { id: 7 } } })).toBe("x-7");
    expect(await evaluateExpression("missing", {})).toBeUndefined();
  });

  it("returns plain data: arrays without jsonata's sequence flags, no functions", async () => {
    const result = await evaluateExpression("items.{ 'n': n * 2 }", { items: [{ n: 1 }, { n: 2 }] });
    expect(result).toStrictEqual([{ n: 2 }, { n: 4 }]);
    expect(Object.keys(result as object)).toEqual(["0", "1"]);
    expect(await evaluateExpression("{ 'a': 1, 'f': function($x){ $x } }", {})).toStrictEqual({ a: 1 });
  });

  it("refuses a syntax error with its position", async () => {
    const err = await failure(evaluateExpression("amount +", {}));
    expect(err.code).toBe("expression");
    expect(err.message).toBe('expression "amount +": position 8: Unexpected end of expression');
    expect(expressionError("amount +")).toBe(err.message);
    expect(expressionError("amount + 1")).toBeNull();
  });

  it("reports an evaluation error with the expression and position", async () => {
    const err = await failure(evaluateExpression("$nope(1)", {}));
    expect(err.code).toBe("expression");
    expect(err.message).toMatch(/^expression "\$nope\(1\)": position \d+: /);
  });

  it("stops endless recursion with a clear error", async () => {
    const started = Date.now();
    const err = await failure(evaluateExpression("( $f := function($x){ 1 + $f($x) }; $f(1) )", null));
    expect(err.code).toBe("expression");
    expect(err.message).toContain("more than 200 nested function calls (endless recursion?)");
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("stops endless tail recursion (which does not nest) by the timeout", async () => {
    const err = await failure(evaluateExpression("( $f := function($x){ $f($x) }; $f(1) )", null, { timeoutMs: 100 }));
    expect(err.code).toBe("expression");
    expect(err.message).toContain("timed out after 100 ms");
  });

  it("times out a long loop", async () => {
    const started = Date.now();
    const src = "$reduce([1..5000000], function($a, $b){ $a + $b })";
    const err = await failure(evaluateExpression(src, null, { timeoutMs: 50 }));
    expect(err.message).toContain("timed out after 50 ms (endless loop?)");
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("allows recursion within the depth limit, and honours a lower one", async () => {
    const src = "( $f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(n) )";
    expect(await evaluateExpression(src, { n: 150 })).toBe(150);
    expect((await failure(evaluateExpression(src, { n: 150 }, { maxDepth: 20 }))).message).toContain(
      "more than 20 nested function calls",
    );
  });

  it("keeps the limits of concurrent evaluations apart", async () => {
    // 20 × 150 nested calls at once: one shared depth counter would pass 200.
    const src = "( $f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(n) )";
    const results = await Promise.all(Array.from({ length: 20 }, () => evaluateExpression(src, { n: 150 })));
    expect(results).toEqual(Array.from({ length: 20 }, () => 150));
    // Each takes well under 100 ms, all together much more: no deadline may pay for the others.
    const sum = "$reduce([1..3000], function($a, $b){ $a + $b })";
    const sums = await Promise.all(Array.from({ length: 20 }, () => evaluateExpression(sum, null)));
    expect(sums).toEqual(Array.from({ length: 20 }, () => 4501500));
  });
});

describe("evaluateFilter", () => {
  it("gives the boolean result, and false when there is no result", async () => {
    expect(await evaluateFilter("tier != 'free'", { tier: "pro" })).toBe(true);
    expect(await evaluateFilter("tier != 'free'", { tier: "free" })).toBe(false);
    expect(await evaluateFilter("active", {})).toBe(false);
  });

  it("refuses a result that is not a boolean, without showing it", async () => {
    const err = await failure(evaluateFilter("ssn", { ssn: "078-05-1120" }));
    expect(err.code).toBe("expression");
    expect(err.message).toBe('filter "ssn" must give true or false, got a string');
  });
});
