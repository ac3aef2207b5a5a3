import { afterEach, describe, expect, test } from "vitest";
import { contactWorld, expectSettled, remove, rename, status, syncOk } from "../helpers/contact-world.js";
import { SqliteWorld } from "../helpers/sqlite-world.js";

let w: SqliteWorld;
afterEach(() => w.close());

describe("concord status --json", () => {
  test("counts records, detached links, tombstones and pending work per binding", async () => {
    w = contactWorld({
      systems: ["crm", "erp"],
      entity: ["deletes: { from: [crm] }"],
      seed: {
        crm: [
          ["ann@example.com", "Ann"],
          ["bob@example.com", "Bob"],
          ["cy@example.com", "Cy"],
        ],
        erp: [["dee@example.com", "Dee"]],
      },
    });
    await syncOk(w);
    remove(w, "erp", "ann@example.com"); // erp is not in deletes.from: detached
    remove(w, "crm", "bob@example.com"); // crm is: deleted everywhere
    const last = await syncOk(w);

    const s = await status(w);

    expect(s.entities).toEqual([{ entity: "contact", live: 3, deleted: 1, dirty: 0 }]);
    expect(s.bindings).toEqual([
      { entity: "contact", system: "crm", records: 3, inSync: 3, detached: 0, pendingWrites: 0, deadLetters: 0 },
      { entity: "contact", system: "erp", records: 2, inSync: 2, detached: 1, pendingWrites: 0, deadLetters: 0 },
    ]);
    expect(s).toMatchObject({ openConflicts: 0, openDuplicates: 0, parked: 0, recentErrors: [] });
    expect(s.lastRun).toMatchObject({ id: last.runId, status: "ok" });
    expect(s.lagSeconds).toBeGreaterThanOrEqual(0);

    const human = await w.cli(["status"], { raw: true });
    expect(human.code).toBe(0);
    expect(human.stdout).toContain("contact: 3 golden records, 1 deleted, 0 waiting to be written");
    await expectSettled(w);
  });

  test("counts a system behind only where something is still to be written to it", async () => {
    w = contactWorld({
      systems: ["crm", "erp"],
      seed: {
        crm: [
          ["ann@example.com", "Ann"],
          ["bob@example.com", "Bob"],
          ["cy@example.com", "Cy"],
        ],
      },
    });
    await syncOk(w);
    rename(w, "crm", "ann@example.com", "Ann Lee");
    // Read and write crm only: erp does not get the new name yet.
    expect((await w.cli(["sync", "--system", "crm"])).code).toBe(0);

    const s = await status(w);
    expect(s.lastRun).toMatchObject({ command: "sync --system crm" });
    expect(s.entities).toEqual([{ entity: "contact", live: 3, deleted: 0, dirty: 1 }]);
    expect(s.bindings.map((b) => [b.system, b.records, b.inSync])).toEqual([
      ["crm", 3, 3],
      ["erp", 3, 2],
    ]);
    await syncOk(w);
    expect((await status(w)).bindings.map((b) => b.inSync)).toEqual([3, 3]);
  });
});

describe("a broken config", () => {
  const broken = [
    "systems:",
    "  crm: { connector: sqlite, path: ./crm.db, journal: wal }",
    "entities:",
    "  contact:",
    "    fields:",
    "      email: { type: string, required: true }",
    "      name: strin",
    "    match: [mail]",
    "    systems:",
    "      crm: { table: contacts, key: id, fields: { email: email, name: name } }",
    "",
  ].join("\n");

  test.each([["sync"], ["plan"], ["validate"], ["status"], ["audit"]])(
    "makes `%s` exit 2 with one `file:line:col path: message` line per problem",
    async (command) => {
      w = new SqliteWorld();
      w.system("crm", "CREATE TABLE contacts (id INTEGER PRIMARY KEY, email TEXT, name TEXT)");
      const file = w.config(broken);

      const r = await w.cli([command], { raw: true });

      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      const lines = r.stderr.trimEnd().split("\n");
      expect(lines[0]).toBe("config is invalid:");
      const located = lines.slice(1).map((l) => /^(.+):(\d+):(\d+) (\S+): (.+)$/.exec(l)?.slice(1));
      expect(located).toEqual([
        [file, "2", expect.any(String), "systems.crm.journal", 'unknown key "journal"'],
        [
          file,
          "7",
          expect.any(String),
          "entities.contact.fields.name",
          expect.stringMatching(/^unknown field type "strin"/),
        ],
        [file, "8", expect.any(String), "entities.contact.match[0]", expect.stringMatching(/^unknown field "mail"/)],
      ]);
    },
  );

  test("with --json, is one JSON document listing the same problems", async () => {
    w = new SqliteWorld();
    w.system("crm", "CREATE TABLE contacts (id INTEGER PRIMARY KEY, email TEXT, name TEXT)");
    w.config(broken);

    const r = await w.cli(["sync"]);

    expect(r.code).toBe(2);
    const doc = r.json as { error: { code: string; issues: { path: string; line: number }[] } };
    expect(doc.error.code).toBe("config");
    expect(doc.error.issues.map((i) => [i.line, i.path])).toEqual([
      [2, "systems.crm.journal"],
      [7, "entities.contact.fields.name"],
      [8, "entities.contact.match[0]"],
    ]);
  });
});

describe("usage errors", () => {
  test.each([
    [["sync", "--no-such-flag"]],
    [["rollback"]],
    [["no-such-command"]],
    [["sync", "--system", "nowhere"]],
    [["teardown", "--system", "nowhere"]],
  ])("`concord %j` exits 2", async (args) => {
    w = contactWorld({ systems: ["crm"] });
    const r = await w.cli(args, { raw: true });
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).not.toBe("");
  });
});

describe("--help", () => {
  /** The commands of DESIGN.md's table. */
  const DESIGNED = [
    "init",
    "validate",
    "plan",
    "sync",
    "run",
    "status",
    "conflicts",
    "audit",
    "rollback",
    "duplicates",
    "merge",
    "teardown",
    "schema",
    "demo",
  ];

  test("lists every command of the design", async () => {
    w = new SqliteWorld();
    const r = await w.cli(["--help"], { raw: true });
    expect(r.code).toBe(0);
    expect(listed(r.stdout)).toEqual(expect.arrayContaining(DESIGNED));
  });

  test("of every command shows an example", async () => {
    w = new SqliteWorld();
    const commands = [
      ...listed((await w.cli(["--help"], { raw: true })).stdout).map((c) => [c]),
      ["conflicts", "resolve"],
    ];
    const missing: string[] = [];
    for (const command of commands) {
      const r = await w.cli([...command, "--help"], { raw: true });
      expect(r.code, command.join(" ")).toBe(0);
      if (!/Examples?:\n\s+\$ concord /.test(r.stdout) || !r.stdout.includes(`Usage: concord ${command.join(" ")}`)) {
        missing.push(command.join(" "));
      }
    }
    expect(missing).toEqual([]);
  });
});

/** Command names in commander's top-level help. */
function listed(help: string): string[] {
  const section = help.split(/^Commands:$/m)[1] ?? "";
  return section
    .split("\n")
    .map((l) => /^ {2}([a-z][a-z-]*)/.exec(l)?.[1])
    .filter((c): c is string => c !== undefined && c !== "help");
}
