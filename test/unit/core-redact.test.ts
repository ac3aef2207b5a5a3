import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { redact, redactFields } from "../../src/core/redact.js";
import { entity, field } from "./core-field-fixtures.js";

describe("redact", () => {
  it("is the HMAC-SHA256 of the canonical encoding", () => {
    const expected = createHmac("sha256", "k").update('{"a":1,"b":"x"}').digest("hex");
    expect(redact({ b: "x", a: 1 }, "k")).toEqual({ sha256: expected });
  });

  it("gives equal values equal hashes, and depends on the secret", () => {
    expect(redact("078-05-1120", "k")).toEqual(redact("078-05-1120", "k"));
    expect(redact("078-05-1120", "k")).not.toEqual(redact("078-05-1121", "k"));
    expect(redact("078-05-1120", "k")).not.toEqual(redact("078-05-1120", "other"));
    expect(redact(1, "k")).not.toEqual(redact("1", "k"));
  });
});

describe("redactFields", () => {
  const contact = entity([field("email", "string"), field("ssn", "string", { sensitive: true })]);

  it("replaces sensitive values only, and keeps nulls readable", () => {
    const out = redactFields(contact, { email: "a@b.example", ssn: "078-05-1120" }, "k");
    expect(out["email"]).toBe("a@b.example");
    expect(out["ssn"]).toEqual(redact("078-05-1120", "k"));
    expect(JSON.stringify(out)).not.toContain("078");
    expect(redactFields(contact, { ssn: null }, "k")).toEqual({ ssn: null });
  });

  it("does not change its input", () => {
    const fields = { ssn: "078-05-1120" };
    redactFields(contact, fields, "k");
    expect(fields).toEqual({ ssn: "078-05-1120" });
  });
});
