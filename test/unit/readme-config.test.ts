import fs from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load-config.js";
import { connectors } from "../../src/connectors/registry.js";

const README = fileURLToPath(new URL("../../README.md", import.meta.url));

/** The first ```yaml block after a heading of the README. */
function yamlAfter(heading: string): string {
  const text = fs.readFileSync(README, "utf8");
  const from = text.indexOf(heading);
  const block = /```yaml\n([\s\S]*?)```/.exec(text.slice(from));
  if (from < 0 || block?.[1] === undefined) throw new Error(`no yaml block after "${heading}"`);
  return block[1];
}

describe("the README's config walk-through", () => {
  it("is a config Concord accepts, as written", () => {
    const config = parseConfig(yamlAfter("## The config, walked through"), "/srv/README-example.yaml", {
      env: { CRM_PASSWORD: "unused" },
      connectors,
    });
    expect(config.entityOrder).toEqual(["contact", "order"]);
    expect(Object.keys(config.systems)).toEqual(["crm", "erp", "shop"]);
    expect(config.entities["contact"]?.bindings["erp"]?.filter).toBe("tier != 'free'");
  });
});
