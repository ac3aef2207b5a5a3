import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { openHubStore } from "../../src/hub/open-hub-store.js";
import { SqliteHubStore } from "../../src/hub/sqlite/sqlite-hub-store.js";
import { describeHubStoreContract } from "./hub-store.case.js";
import { contact, uid } from "./hub-store-fixtures.js";

const folders: string[] = [];

function tempFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), "concord-hub-"));
  folders.push(folder);
  return folder;
}

afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

describeHubStoreContract("sqlite", async () => {
  const file = join(tempFolder(), "hub.db");
  const store = await openHubStore(`sqlite:${file}`);
  return {
    store,
    cleanup: () => store.close(),
    reopen: () => Promise.resolve(new SqliteHubStore(file)),
  };
});

describe("SqliteHubStore", () => {
  it("runs the hub in WAL mode", async () => {
    const file = join(tempFolder(), "hub.db");
    const store = await openHubStore(`sqlite:${file}`);
    await store.close();
    const db = new Database(file, { readonly: true });
    try {
      expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    } finally {
      db.close();
    }
  });

  it("refuses a hub whose schema is newer than it knows, and leaves it as it is", async () => {
    const file = join(tempFolder(), "hub.db");
    const store = await openHubStore(`sqlite:${file}`);
    await store.commit({ goldens: [contact(1)] });
    await store.close();
    const db = new Database(file);
    db.prepare(`INSERT INTO "schema_migrations" ("version", "name", "applied_at") VALUES (?, ?, ?)`).run(
      999,
      "from the future",
      new Date().toISOString(),
    );
    db.close();

    await expect(openHubStore(`sqlite:${file}`)).rejects.toMatchObject({
      code: "hub",
      message: expect.stringMatching(/version 999 is newer/) as unknown,
    });
    const unmigrated = new SqliteHubStore(file);
    await expect(unmigrated.getGoldens("contact", [uid(1)])).rejects.toMatchObject({ code: "hub" });
    await unmigrated.close();
  });

  it("refuses to work on a hub that was never migrated", async () => {
    const store = new SqliteHubStore(join(tempFolder(), "hub.db"));
    await expect(store.commit({ goldens: [contact(1)] })).rejects.toMatchObject({
      code: "hub",
      message: expect.stringMatching(/migrate/) as unknown,
    });
    await store.migrate();
    await store.commit({ goldens: [contact(1)] });
    expect(await store.getGoldens("contact", [uid(1)])).toStrictEqual([contact(1)]);
    await store.close();
  });
});

describe("openHubStore", () => {
  it("creates missing parent folders of a sqlite: path", async () => {
    const file = join(tempFolder(), "a", "b", "hub.db");
    const store = await openHubStore(`sqlite:${file}`);
    await store.commit({ goldens: [contact(1)] });
    await store.close();
    const again = await openHubStore(`sqlite://${file}`);
    expect(await again.countGoldens("contact")).toEqual({ live: 1, deleted: 0, dirty: 1 });
    await again.close();
  });

  it("names an unknown scheme without echoing the URL", async () => {
    const err: unknown = await openHubStore("mysql://root:hunter2@db/hub").catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "config", message: expect.stringContaining('"mysql:"') as unknown });
    expect(String((err as Error).message)).not.toContain("hunter2");
    await expect(openHubStore("hub.db")).rejects.toMatchObject({ code: "config" });
  });
});
