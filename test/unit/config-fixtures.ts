import { z } from "zod";
import type { ConnectorFactory } from "../../src/connectors/connector.js";
import { ConfigError, type ConfigIssue } from "../../src/core/errors.js";
import { type LoadConfigOptions, parseConfig } from "../../src/config/load-config.js";

/** A factory whose options schema is the given one; loading a config never creates connectors. */
function factory(kind: string, optionsSchema: z.ZodType): ConnectorFactory {
  return {
    kind,
    optionsSchema,
    create: () => {
      throw new Error(`${kind} connectors are not created in config tests`);
    },
  };
}

/** The options schema the SQLite connector declares. */
export const sqliteOptions = z.object({ path: z.string(), capture: z.enum(["trigger"]).default("trigger") }).strict();

/** sqlite as the real connector checks it; postgres, mysql and http accept anything. */
export const connectors: ReadonlyMap<string, ConnectorFactory> = new Map(
  [
    factory("sqlite", sqliteOptions),
    factory("postgres", z.looseObject({})),
    factory("mysql", z.looseObject({})),
    factory("http", z.looseObject({})),
  ].map((f) => [f.kind, f]),
);

/** Options for parseConfig with the test connectors and the given environment. */
export function options(env: Record<string, string> = {}): LoadConfigOptions {
  return { env, connectors };
}

/** The issues a config text is refused with (fails the test when it is accepted). */
export function issuesOf(text: string, env: Record<string, string> = {}): ConfigIssue[] {
  try {
    parseConfig(text, "concord.yaml", options(env));
  } catch (err) {
    if (err instanceof ConfigError) return [...err.issues];
    throw err;
  }
  throw new Error("expected the config to be refused");
}

/** The DESIGN.md example, with its shop system on SQLite. */
export const DESIGN_EXAMPLE = `hub: sqlite:.concord/hub.db            # default; or postgres://user@host:5432/db

systems:
  crm:   { connector: postgres, url: "postgres://127.0.0.1:5432/crm" }     # capture: trigger (default) | poll | logical
  erp:   { connector: mysql,    url: "mysql://root@127.0.0.1:3306/erp", capture: poll, pollEvery: 30s }
  shop:  { connector: sqlite,   path: ./data/shop.db }
  desk:  { connector: http,     baseUrl: "http://127.0.0.1:3000", webhook: { secret: "\${DESK_SECRET}" }, rateLimit: 20/s }

entities:
  contact:
    fields:
      email:     { type: string, required: true, format: email }
      firstName: string
      lastName:  string
      birthDate: date
      tier:      { type: enum, values: [free, pro, enterprise] }
      ssn:       { type: string, sensitive: true, shareWith: [erp] }
    match: [email]                       # or a list of alternatives: [[email], [firstName, lastName, birthDate]]
    resolve: newest                      # newest | priority | manual
    priority: [crm, erp, shop]
    owners: { email: crm, tier: [erp, crm] }
    deletes: { from: [crm], action: delete }      # delete | unlink | ignore
    systems:
      crm:
        table: contacts
        key: id
        fields: { email: email, firstName: first_name, lastName: last_name, birthDate: birth_date,
                  tier: { column: plan, map: { FREE: free, PRO: pro, ENT: enterprise } } }
      erp:
        table: customers
        key: cust_no
        direction: both                  # both (default) | in (never written) | out (never read)
        fields: { email: email_addr, firstName: fname, lastName: lname,
                  birthDate: { column: dob, format: "MM/dd/yyyy" }, ssn: tax_id }
        filter: "tier != 'free'"         # only these golden records go to / come from erp
      shop: { table: customers, key: id, fields: { email: email, firstName: first, lastName: last } }
  order:
    fields:
      number:   { type: string, required: true }
      customer: { type: ref, entity: contact }
      total:    decimal
    match: [number]
    systems:
      crm: { table: orders, key: id, fields: { number: order_no, customer: contact_id, total: amount } }
      erp: { table: sales_orders, key: so_id, fields: { number: so_number, customer: cust_no,
             total: { column: total_cents, transform: cents } } }

limits: { maxDeletesPerRun: 100, maxChangedShare: 0.5 }
`;
