import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { ConcordError } from "../core/errors.js";
import type { HubStore } from "./hub-store.js";
import { SqliteHubStore } from "./sqlite/sqlite-hub-store.js";

/**
 * Opens the hub named by the config's `hub` URL, migrated and ready: `sqlite:PATH` (also
 * `sqlite://PATH`, `sqlite::memory:`) or `postgres://…` / `postgresql://…` (`?schema=NAME`
 * picks the schema that holds the hub's tables; default `concord`).
 */
export async function openHubStore(url: string): Promise<HubStore> {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === "sqlite") return migrated(new SqliteHubStore(sqlitePath(url.slice("sqlite:".length))));
  if (scheme === "postgres" || scheme === "postgresql") {
    // Loaded on demand: an embedded (SQLite) hub does not pay for loading pg.
    const { PostgresHubStore } = await import("./postgres/postgres-hub-store.js");
    return migrated(new PostgresHubStore(url));
  }
  // Only the scheme is named: the rest of a URL may hold a password.
  const named = scheme === undefined ? "a value without a URL scheme" : `the URL scheme "${scheme}:"`;
  throw new ConcordError("config", `hub: ${named} is not supported; use sqlite:PATH or postgres://…`);
}

async function migrated(store: HubStore): Promise<HubStore> {
  try {
    await store.migrate();
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}

function sqlitePath(rest: string): string {
  // `sqlite:///abs/file.db` and `sqlite://rel/file.db` are the URL spellings of `sqlite:PATH`.
  const path = rest.startsWith("//") ? rest.slice(2) : rest;
  if (path === "") throw new ConcordError("config", "hub: sqlite: needs a file path, as in sqlite:.concord/hub.db");
  if (path === ":memory:") return path;
  const absolute = resolve(path);
  mkdirSync(dirname(absolute), { recursive: true });
  return absolute;
}
