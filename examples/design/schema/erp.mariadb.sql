-- The ERP (MariaDB or MySQL): the tables examples/design/concord.yaml binds as system "erp".
-- mariadb -h 127.0.0.1 -u root concord_example_erp < schema/erp.mariadb.sql
--
-- The ERP is read by polling (capture: poll): every table has an updated_at that the server
-- moves on each insert and update, and Concord reads the rows whose updated_at grew.

CREATE TABLE customers (
  cust_no     INT AUTO_INCREMENT PRIMARY KEY,
  email_addr  VARCHAR(255) NOT NULL,
  fname       VARCHAR(100),
  lname       VARCHAR(100),
  -- A date kept as text, the way this ERP has always shown it: MM/dd/yyyy.
  dob         CHAR(10),
  tax_id      VARCHAR(20),
  updated_at  TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  UNIQUE KEY customers_email (email_addr)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE sales_orders (
  so_id        INT AUTO_INCREMENT PRIMARY KEY,
  so_number    VARCHAR(32) NOT NULL,
  cust_no      INT,
  -- Money in integer cents; the binding's `transform: cents` turns it into a decimal.
  total_cents  INT,
  updated_at   TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  UNIQUE KEY sales_orders_number (so_number),
  CONSTRAINT sales_orders_customer FOREIGN KEY (cust_no) REFERENCES customers (cust_no)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
