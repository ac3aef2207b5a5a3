import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { ConfigError } from "../../src/core/errors.js";
import { loadConfig, parseConfig } from "../../src/config/load-config.js";
import type { ConcordConfig, FieldDef } from "../../src/config/model.js";
import { DESIGN_EXAMPLE, options } from "./config-fixtures.js";

const field = (name: string, type: FieldDef["type"], more: Partial<FieldDef> = {}): FieldDef => ({
  name,
  type,
  required: false,
  sensitive: false,
  shareWith: [],
  ...more,
});

describe("the DESIGN.md example", () => {
  const config = parseConfig(DESIGN_EXAMPLE, "/srv/sync/concord.yaml", options({ DESK_SECRET: "s3cret" }));

  test("resolves its file, hub and systems", () => {
    expect(config.file).toBe("/srv/sync/concord.yaml");
    expect(config.baseDir).toBe("/srv/sync");
    expect(config.hub).toBe("sqlite:/srv/sync/.concord/hub.db");
    expect(config.systems).toEqual({
      crm: { name: "crm", connector: "postgres", options: { url: "postgres://127.0.0.1:5432/crm" } },
      erp: {
        name: "erp",
        connector: "mysql",
        pollEveryMs: 30_000,
        options: { url: "mysql://root@127.0.0.1:3306/erp", capture: "poll" },
      },
      // The connector's schema filled in its default capture.
      shop: { name: "shop", connector: "sqlite", options: { path: "/srv/sync/data/shop.db", capture: "trigger" } },
      desk: {
        name: "desk",
        connector: "http",
        options: { baseUrl: "http://127.0.0.1:3000", webhook: { secret: "s3cret" }, rateLimit: "20/s" },
      },
    });
    expect(config.limits).toEqual({ maxDeletesPerRun: 100, maxChangedShare: 0.5 });
    expect(config.entityOrder).toEqual(["contact", "order"]);
  });

  test("expands the contact entity's shorthands", () => {
    const { bindings, ...contact } = config.entities["contact"] ?? { bindings: {} };
    expect(contact).toEqual({
      name: "contact",
      fields: {
        email: field("email", "string", { required: true, format: "email" }),
        firstName: field("firstName", "string"),
        lastName: field("lastName", "string"),
        birthDate: field("birthDate", "date"),
        tier: field("tier", "enum", { values: ["free", "pro", "enterprise"] }),
        ssn: field("ssn", "string", { sensitive: true, shareWith: ["erp"] }),
      },
      match: [["email"]],
      resolve: "newest",
      // Declared priority first, then the other systems in declaration order.
      priority: ["crm", "erp", "shop", "desk"],
      owners: { email: ["crm"], tier: ["erp", "crm"] },
      deletes: { from: ["crm"], action: "delete" },
    });
    expect(bindings).toEqual({
      crm: {
        entity: "contact",
        system: "crm",
        table: "contacts",
        key: "id",
        direction: "both",
        create: true,
        fields: [
          { field: "email", column: "email" },
          { field: "firstName", column: "first_name" },
          { field: "lastName", column: "last_name" },
          { field: "birthDate", column: "birth_date" },
          { field: "tier", column: "plan", map: { FREE: "free", PRO: "pro", ENT: "enterprise" } },
        ],
      },
      erp: {
        entity: "contact",
        system: "erp",
        table: "customers",
        key: "cust_no",
        direction: "both",
        create: true,
        filter: "tier != 'free'",
        fields: [
          { field: "email", column: "email_addr" },
          { field: "firstName", column: "fname" },
          { field: "lastName", column: "lname" },
          { field: "birthDate", column: "dob", format: "MM/dd/yyyy" },
          { field: "ssn", column: "tax_id" },
        ],
      },
      shop: {
        entity: "contact",
        system: "shop",
        table: "customers",
        key: "id",
        direction: "both",
        create: true,
        fields: [
          { field: "email", column: "email" },
          { field: "firstName", column: "first" },
          { field: "lastName", column: "last" },
        ],
      },
    });
  });

  test("expands the order entity, its reference and its transform", () => {
    const order = config.entities["order"];
    expect(order?.fields).toEqual({
      number: field("number", "string", { required: true }),
      customer: field("customer", "ref", { entity: "contact" }),
      total: field("total", "decimal"),
    });
    expect(order?.resolve).toBe("newest");
    expect(order?.owners).toEqual({});
    // No `deletes`: every system that is read from (direction both or in) counts.
    expect(order?.deletes).toEqual({ from: ["crm", "erp"], action: "delete" });
    expect(order?.bindings["erp"]?.fields).toEqual([
      { field: "number", column: "so_number" },
      { field: "customer", column: "cust_no" },
      { field: "total", column: "total_cents", transform: { kind: "named", name: "cents" } },
    ]);
  });

  test("is frozen all the way down", () => {
    expect(Object.isFrozen(config.entities["contact"]?.bindings["crm"]?.fields[4]?.map)).toBe(true);
    expect(() => {
      (config.limits as { maxDeletesPerRun?: number }).maxDeletesPerRun = 1;
    }).toThrow(TypeError);
    expect(() => {
      (config.entityOrder as string[]).push("x");
    }).toThrow(TypeError);
  });
});

describe("defaults and shorthands", () => {
  const config = parseConfig(
    `systems:
  api: { connector: http, baseUrl: "http://x", path: /v1 }
  db: { connector: sqlite, path: ":memory:" }
  wh: { connector: sqlite, path: /var/wh.db }
entities:
  order:
    fields: { buyer: { type: ref, entity: person }, total: number }
    systems:
      db:
        resource: orders
        key: id
        fields: { total: { column: total, transform: { in: "$ / 100", out: "$ * 100" } } }
  person:
    fields: { email: string, name: string, born: date, flag: boolean }
    match: [[email], [name, born]]
    resolve: priority
    priority: [wh]
    owners: { name: api }
    systems:
      api: { resource: people, key: id, fields: { email: { path: contact.email, default: "" } } }
      db: { table: people, key: id, direction: out, create: false, fields: { name: full_name } }
      wh: { table: people, key: id, direction: in, fields: { email: email } }
`,
    "/etc/concord/concord.yaml",
    options(),
  );
  const person = config.entities["person"];

  test("fill in the hub, resolve, direction, create and deletes", () => {
    expect(config.hub).toBe("sqlite:/etc/concord/.concord/hub.db");
    expect(config.limits).toEqual({});
    expect(config.entities["order"]?.resolve).toBe("newest");
    expect(person?.resolve).toBe("priority");
    expect(person?.bindings["api"]?.direction).toBe("both");
    expect(person?.bindings["api"]?.create).toBe(true);
    expect(person?.bindings["db"]?.create).toBe(false);
    // db is never read from (direction out), so its deletes do not count.
    expect(person?.deletes).toEqual({ from: ["api", "wh"], action: "delete" });
  });

  test("expand match alternatives, owners, priority, resource and path", () => {
    expect(person?.match).toEqual([["email"], ["name", "born"]]);
    expect(person?.owners).toEqual({ name: ["api"] });
    expect(person?.priority).toEqual(["wh", "api", "db"]);
    expect(person?.bindings["api"]?.table).toBe("people");
    expect(person?.bindings["api"]?.fields).toEqual([
      { field: "email", column: "contact.email", path: "contact.email", default: "" },
    ]);
    expect(config.entities["order"]?.bindings["db"]?.fields).toEqual([
      { field: "total", column: "total", transform: { kind: "jsonata", in: "$ / 100", out: "$ * 100" } },
    ]);
  });

  test("order referenced entities first", () => {
    expect(config.entityOrder).toEqual(["person", "order"]);
  });

  test("leave in-memory and absolute paths alone", () => {
    expect(config.systems["db"]?.options["path"]).toBe(":memory:");
    expect(config.systems["wh"]?.options["path"]).toBe("/var/wh.db");
    expect(config.systems["api"]?.options["path"]).toBe("/v1");
  });

  test("keep a postgres hub as written", () => {
    const text = "hub: postgres://u@h:5432/hub\nsystems: {}\nentities: {}\n";
    expect(parseConfig(text, "c.yaml", options()).hub).toBe("postgres://u@h:5432/hub");
  });
});

describe("loadConfig", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "concord-config-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("resolves relative paths against the file's folder", () => {
    const file = path.join(dir, "concord.yaml");
    fs.writeFileSync(
      file,
      "hub: sqlite:state/hub.db\nsystems:\n  a: { connector: sqlite, path: ./a.db }\nentities: {}\n",
    );
    const config: ConcordConfig = loadConfig(file, options());
    expect(config.hub).toBe(`sqlite:${path.join(dir, "state/hub.db")}`);
    expect(config.systems["a"]?.options["path"]).toBe(path.join(dir, "a.db"));
  });

  test("names a file that cannot be read", () => {
    const file = path.join(dir, "missing.yaml");
    expect(() => loadConfig(file, options())).toThrow(ConfigError);
    expect(() => loadConfig(file, options())).toThrow(/missing\.yaml .*cannot read the config file: ENOENT/);
  });
});
