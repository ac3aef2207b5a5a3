-- The CRM (PostgreSQL): the tables examples/design/concord.yaml binds as system "crm".
-- psql -h 127.0.0.1 -U postgres -d concord_example_crm -f schema/crm.postgres.sql

CREATE TABLE contacts (
  id          serial PRIMARY KEY,
  email       text NOT NULL UNIQUE,
  first_name  text,
  last_name   text,
  birth_date  date,
  -- Mapped to the canonical tier: FREE → free, PRO → pro, ENT → enterprise.
  plan        text CHECK (plan IN ('FREE', 'PRO', 'ENT'))
);

CREATE TABLE orders (
  id          serial PRIMARY KEY,
  order_no    text NOT NULL UNIQUE,
  contact_id  integer REFERENCES contacts (id),
  amount      numeric(12, 2)
);
