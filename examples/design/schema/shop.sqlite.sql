-- The shop (SQLite): the table examples/design/concord.yaml binds as system "shop".
-- sqlite3 shop.db < schema/shop.sqlite.sql

CREATE TABLE customers (
  id     INTEGER PRIMARY KEY AUTOINCREMENT,
  email  TEXT NOT NULL UNIQUE,
  first  TEXT,
  last   TEXT
);
