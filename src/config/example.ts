/** The commented `concord.yaml` that `concord init` writes: three SQLite systems kept in sync. */
export const EXAMPLE_CONFIG = `# concord.yaml: what Concord keeps in sync, and how.
# Values may use \${VAR} or \${VAR:-default} from the environment; write $\${ for a literal \${.
# Run \`concord schema\` for the JSON Schema of this file (editor completion).

# The hub remembers every record's merged ("golden") values and what each system last held.
# Relative paths are relative to this file. For production: postgres://user@host:5432/db
hub: sqlite:.concord/hub.db

# The stores to keep consistent, each with its connector (sqlite, postgres, mysql, http).
systems:
  crm:  { connector: sqlite, path: ./data/crm.db }    # capture: trigger (default)
  erp:  { connector: sqlite, path: ./data/erp.db }
  shop: { connector: sqlite, path: ./data/shop.db }

# The kinds of record that are synced.
entities:
  contact:
    # Canonical fields: a type (string, number, decimal, boolean, date, datetime, enum, json,
    # ref) or an object with type, required, format, values, entity, sensitive, shareWith.
    fields:
      email:     { type: string, required: true, format: email }
      firstName: string
      lastName:  string
      birthDate: date
      tier:      { type: enum, values: [free, pro, enterprise] }
      # Never logged or journaled in clear; written only to the systems in shareWith.
      ssn:       { type: string, sensitive: true, shareWith: [erp] }
    # How a new record finds its match in the hub: one key, or alternatives tried in order,
    # e.g. [[email], [firstName, lastName, birthDate]].
    match: [email]
    # When a field changed in two systems since they last synced: newest | priority | manual.
    resolve: newest
    priority: [crm, erp, shop]           # earlier wins ties (and every conflict with priority)
    owners: { email: crm, tier: [erp, crm] }   # only these systems may change these fields
    # Deletes in crm delete the record everywhere (delete | unlink | ignore); deletes elsewhere
    # only detach that system's record.
    deletes: { from: [crm], action: delete }
    # How the entity lives in each system: table, key column, and canonical field: native column.
    systems:
      crm:
        table: contacts
        key: id
        fields:
          email: email
          firstName: first_name
          lastName: last_name
          birthDate: birth_date
          # map: native value → canonical value (inverted for writes).
          tier: { column: plan, map: { FREE: free, PRO: pro, ENT: enterprise } }
      erp:
        table: customers
        key: cust_no
        direction: both                  # both (default) | in (never written) | out (never read)
        fields:
          email: email_addr
          firstName: fname
          lastName: lname
          birthDate: { column: dob, format: "MM/dd/yyyy" }   # a date stored as text
          tier: tier
          ssn: tax_id
        filter: "tier != 'free'"         # JSONata: only these records go to / come from erp
      shop:
        table: customers
        key: id
        create: true                     # create golden records missing here (default)
        fields: { email: email, firstName: first, lastName: last }

  order:
    fields:
      number:   { type: string, required: true }
      customer: { type: ref, entity: contact }   # a contact; stored as its key in each system
      total:    decimal
    match: [number]
    systems:
      crm: { table: orders, key: id, fields: { number: order_no, customer: contact_id, total: amount } }
      erp:
        table: sales_orders
        key: so_id
        fields:
          number: so_number
          customer: cust_no
          total: { column: total_cents, transform: cents }   # stored as integer cents

# Safety limits: a run that would exceed them halts and writes nothing (override: --force).
limits:
  maxDeletesPerRun: 100
  maxChangedShare: 0.5                   # of a system's records changed in one run
`;
