import { describe, expect, test } from "vitest";
import { EXAMPLE_CONFIG } from "../../src/config/example.js";
import { parseConfig } from "../../src/config/load-config.js";
import { configJsonSchema } from "../../src/config/schema.js";
import { connectors, options } from "./config-fixtures.js";

describe("configJsonSchema", () => {
  const schema = configJsonSchema() as {
    properties: Record<string, { default?: unknown; additionalProperties?: unknown }>;
    additionalProperties: unknown;
  };

  test("describes the top level, strictly", () => {
    expect(Object.keys(schema.properties)).toEqual(["hub", "systems", "entities", "limits"]);
    expect(schema.properties["hub"]?.default).toBe("sqlite:.concord/hub.db");
    expect(schema.additionalProperties).toBe(false);
  });

  test("describes entities down to field shorthands", () => {
    const text = JSON.stringify(schema.properties["entities"]);
    for (const word of ["fields", "match", "resolve", "owners", "deletes", "direction", "transform", "filter"]) {
      expect(text).toContain(`"${word}"`);
    }
    expect(text).toContain('"enum":["string","number","decimal","boolean","date","datetime","enum","json","ref"]');
  });

  test("is plain JSON", () => {
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
  });
});

describe("the example that concord init writes", () => {
  test("loads without issues, with the SQLite connector alone", () => {
    const sqliteOnly = new Map([...connectors].filter(([kind]) => kind === "sqlite"));
    const config = parseConfig(EXAMPLE_CONFIG, "/home/me/concord.yaml", { env: {}, connectors: sqliteOnly });
    expect(Object.keys(config.systems)).toEqual(["crm", "erp", "shop"]);
    expect(config.systems["crm"]).toEqual({
      name: "crm",
      connector: "sqlite",
      options: { path: "/home/me/data/crm.db", capture: "trigger" },
    });
    expect(config.hub).toBe("sqlite:/home/me/.concord/hub.db");
    expect(config.entityOrder).toEqual(["contact", "order"]);
    expect(config.entities["contact"]?.bindings["erp"]?.filter).toBe("tier != 'free'");
  });

  test("explains its parts in comments", () => {
    const comments = EXAMPLE_CONFIG.split("\n").filter((line) => line.trim().startsWith("#"));
    expect(comments.length).toBeGreaterThan(15);
    expect(parseConfig(EXAMPLE_CONFIG, "c.yaml", options()).limits).toEqual({
      maxDeletesPerRun: 100,
      maxChangedShare: 0.5,
    });
  });
});
