/** The demo's concord.yaml: three SQLite systems with different schemas for the same people. */
export const DEMO_CONFIG = `# The demo's config: inspect it, or run any command on it with -c.
hub: sqlite:./hub.db

systems:
  crm:     { connector: sqlite, path: ./crm.db }
  billing: { connector: sqlite, path: ./billing.db }
  support: { connector: sqlite, path: ./support.db }

entities:
  contact:
    fields:
      email:     { type: string, required: true, format: email }
      firstName: string
      lastName:  string
      birthDate: date
      tier:      { type: enum, values: [free, pro, enterprise] }
      taxId:     { type: string, sensitive: true, shareWith: [billing] }
    match: [email]
    resolve: newest              # the latest edit wins; ties go to the earlier system in priority
    priority: [crm, billing, support]
    owners: { email: crm }       # only crm may change an e-mail address once it is set
    deletes: { from: [crm], action: delete }
    systems:
      crm:
        table: contacts
        key: id
        fields: { email: email, firstName: first_name, lastName: last_name, birthDate: birth_date,
                  tier: { column: plan, map: { FREE: free, PRO: pro, ENT: enterprise } } }
      billing:
        table: customers
        key: cust_no
        fields: { email: email_addr, firstName: fname, lastName: lname,
                  birthDate: { column: dob, format: "MM/dd/yyyy" },
                  tier: { column: tier_code, map: { "1": free, "2": pro, "3": enterprise } }, taxId: tax_id }
        filter: "tier != 'free'"     # billing only knows paying customers
      support:
        table: users
        key: user_id
        fields: { email: mail, firstName: given_name, lastName: family_name }
  order:
    fields:
      number:   { type: string, required: true }
      customer: { type: ref, entity: contact }
      total:    decimal
    match: [number]
    systems:
      crm:     { table: orders, key: id, fields: { number: order_no, customer: contact_id, total: amount } }
      billing: { table: invoices, key: invoice_id, fields: { number: ref_no, customer: cust_no,
                 total: { column: total_cents, transform: cents } } }

limits: { maxDeletesPerRun: 50, maxChangedShare: 0.8 }
`;

/** Each system's schema: the same people, stored three different ways. */
export const DEMO_SCHEMAS: Readonly<Record<string, string>> = {
  crm: `
    CREATE TABLE contacts (id INTEGER PRIMARY KEY AUTOINCREMENT, email TEXT, first_name TEXT, last_name TEXT,
                           birth_date TEXT, plan TEXT);
    CREATE TABLE orders (id INTEGER PRIMARY KEY AUTOINCREMENT, order_no TEXT, contact_id INTEGER, amount TEXT);`,
  billing: `
    CREATE TABLE customers (cust_no INTEGER PRIMARY KEY AUTOINCREMENT, email_addr TEXT, fname TEXT, lname TEXT,
                            dob TEXT, tier_code TEXT, tax_id TEXT);
    CREATE TABLE invoices (invoice_id INTEGER PRIMARY KEY AUTOINCREMENT, ref_no TEXT, cust_no INTEGER, total_cents INTEGER);`,
  support: `
    CREATE TABLE users (user_id INTEGER PRIMARY KEY AUTOINCREMENT, mail TEXT, given_name TEXT, family_name TEXT);`,
};
