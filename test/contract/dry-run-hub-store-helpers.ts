import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import Database from "better-sqlite3";
import { expect } from "vitest";

/** The hub file's bytes (hashed) and every row of every table, read with a connection of its own. */
export function snapshotHub(file: string): { sha256: string; rows: Record<string, unknown[]> } {
  const sha256 = createHash("sha256").update(readFileSync(file)).digest("hex");
  const db = new Database(file, { readonly: true });
  try {
    const tables = db
      .prepare<[string], string>(`SELECT "name" FROM "sqlite_master" WHERE "type" = ? ORDER BY "name"`)
      .pluck()
      .all("table");
    const rows: Record<string, unknown[]> = {};
    for (const table of tables) {
      rows[table] = db.prepare(`SELECT * FROM "${table.replaceAll('"', '""')}" ORDER BY rowid`).all();
    }
    return { sha256, rows };
  } finally {
    db.close();
  }
}

/** Every page of a paged list, checking that no page is longer than asked. */
export async function allPages(
  page: (after: string | null, limit: number) => Promise<string[]>,
  limit: number,
): Promise<string[][]> {
  const pages: string[][] = [];
  let after: string | null = null;
  for (let guard = 0; guard < 1000; guard++) {
    const got = await page(after, limit);
    expect(got.length).toBeLessThanOrEqual(limit);
    if (got.length === 0) return pages;
    pages.push(got);
    after = got[got.length - 1] ?? null;
  }
  throw new Error("paging does not end");
}
