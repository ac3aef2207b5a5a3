import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contactsEverywhere, ordersEverywhere, type ThreeWay, threeWay } from "../helpers/three-way.js";
import { totalWrites } from "../helpers/sqlite-world.js";

let t: ThreeWay | undefined;
let skip = "";
beforeAll(async () => {
  const made = await threeWay("threeway");
  if (typeof made === "string") skip = made;
  else t = made;
});
afterAll(async () => t?.close());

describe("PostgreSQL ↔ SQLite ↔ PostgreSQL, contacts and the orders that reference them", () => {
  it("converges on the first sync, keeps converging through edits, and then writes nothing", async (ctx) => {
    if (t === undefined) return ctx.skip(skip);
    const { crm, erp, world } = t;
    await crm.query(
      `INSERT INTO contacts (email, first_name, last_name) VALUES ('ann@example.com', 'Ann', 'Lee'), ('bob@example.com', 'Bob', 'Ray')`,
    );
    await crm.query(`INSERT INTO orders (order_no, contact_id, amount) VALUES ('SO-1', 1, 10.50), ('SO-2', 2, 99.99)`);
    world.system("shop").exec(`
      INSERT INTO customers (email, first, last) VALUES ('cy@example.com', 'Cy', 'Dee'), ('ANN@example.com', 'Ann', 'Lee');
      INSERT INTO orders (number, customer_id, total_cents) VALUES ('SO-3', 1, 2500), ('SO-4', 2, 100);`);

    const first = await world.sync("--full");
    expect(first.code).toBe(0);
    expect(first.errors).toBe(0);
    const expected = [
      ["SO-1", "ann@example.com", "10.50"],
      ["SO-2", "bob@example.com", "99.99"],
      ["SO-3", "cy@example.com", "25.00"],
      ["SO-4", "ann@example.com", "1.00"],
    ];
    expect(await ordersEverywhere(t)).toEqual({ crm: expected, erp: expected, shop: expected });
    // shop's 'ANN@example.com' is crm's Ann: crm wins the spelling by priority, everywhere.
    const people0 = ["ann@example.com|Ann|Lee", "bob@example.com|Bob|Ray", "cy@example.com|Cy|Dee"];
    expect(await contactsEverywhere(t)).toEqual({ crm: people0, erp: people0, shop: people0 });

    // Edits in all three: a rename in crm, a new customer with an order in shop (one
    // transaction), a new total in erp (logical capture), an order moved to another customer.
    await crm.query("UPDATE contacts SET last_name = 'Leigh' WHERE email = 'ann@example.com'");
    world.system("shop").exec(`BEGIN;
      INSERT INTO customers (email, first, last) VALUES ('dan@example.com', 'Dan', 'Fox');
      INSERT INTO orders (number, customer_id, total_cents) VALUES ('SO-5', last_insert_rowid(), 4200);
      COMMIT;`);
    await erp.query("UPDATE sales_orders SET total = 12.00 WHERE so_number = 'SO-1'");
    await erp.query(
      "UPDATE sales_orders SET cust_no = (SELECT cust_no FROM customers WHERE email_addr = 'bob@example.com') WHERE so_number = 'SO-3'",
    );

    const second = await world.sync();
    expect(second.errors).toBe(0);
    const after = [
      ["SO-1", "ann@example.com", "12.00"],
      ["SO-2", "bob@example.com", "99.99"],
      ["SO-3", "bob@example.com", "25.00"],
      ["SO-4", "ann@example.com", "1.00"],
      ["SO-5", "dan@example.com", "42.00"],
    ];
    expect(await ordersEverywhere(t)).toEqual({ crm: after, erp: after, shop: after });
    const people = [
      "ann@example.com|Ann|Leigh",
      "bob@example.com|Bob|Ray",
      "cy@example.com|Cy|Dee",
      "dan@example.com|Dan|Fox",
    ];
    expect(await contactsEverywhere(t)).toEqual({ crm: people, erp: people, shop: people });

    const quiet = await world.sync();
    expect(totalWrites(quiet)).toBe(0);
    expect(quiet.read).toBe(0);
  });
});
