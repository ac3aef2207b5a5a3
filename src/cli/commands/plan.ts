import type { Command } from "commander";
import type { EntityDef } from "../../config/model.js";
import { redactFields } from "../../core/redact.js";
import type { Fields } from "../../core/types.js";
import { labelOf } from "../../engine/run-context.js";
import type { Runtime } from "../../engine/runtime.js";
import { runSync } from "../../engine/sync.js";
import type { NativeOp } from "../../engine/target-writer.js";
import { type CliIO, type GlobalOptions, printJson, withDryRuntime } from "../cli-io.js";
import { EXIT } from "../exit-codes.js";

/** One write a dry run would make. */
export interface PlannedWrite {
  readonly system: string;
  readonly entity: string;
  readonly uid: string;
  readonly op: "create" | "update" | "delete";
  readonly key?: string;
  readonly label: string;
  /** Canonical values; sensitive ones hashed. */
  readonly fields: Fields;
}

/** `concord plan`: a dry run. */
export function registerPlan(program: Command, io: CliIO, exit: (code: number) => void): void {
  program
    .command("plan")
    .description("dry run: what every system would get, written nowhere")
    .option("--full", "plan from whole snapshots")
    .option("--entity <name...>", "only these entities")
    .option("--system <name...>", "only these systems")
    .addHelpText("after", "\nExamples:\n  $ concord plan\n  $ concord plan --full --json")
    .action(async (_flags: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<GlobalOptions & { full?: boolean; entity?: string[]; system?: string[] }>();
      const planned: PlannedWrite[] = [];
      const summary = await withDryRuntime(io, flags, (rt) =>
        runSync(rt, {
          command: "plan",
          dryRun: true,
          full: flags.full === true,
          onPlanned: (system, entity, op) => planned.push(describe(rt, rt.entity(entity), system, op)),
          ...(flags.entity === undefined ? {} : { entities: new Set(flags.entity) }),
          ...(flags.system === undefined ? {} : { systems: new Set(flags.system) }),
        }),
      );
      if (flags.json) {
        printJson(io, { ...summary, planned });
      } else if (planned.length === 0) {
        io.out("nothing to write: every system holds the golden values");
      } else {
        for (const p of planned) {
          const where = p.key === undefined ? p.system : `${p.system} (key ${p.key})`;
          io.out(`${p.op} ${p.label} in ${where}${p.op === "delete" ? "" : `: ${JSON.stringify(p.fields)}`}`);
        }
        io.out(`${planned.length} write(s) planned; nothing was written`);
      }
      exit(summary.halted ? EXIT.halted : EXIT.ok);
    });
}

function describe(rt: Runtime, entity: EntityDef, system: string, op: NativeOp): PlannedWrite {
  const { golden, link } = op.target;
  const kind = op.target.op.kind;
  return {
    system,
    entity: entity.name,
    uid: golden.uid,
    op: kind === "detach" ? "update" : kind,
    ...(link === undefined ? {} : { key: link.key }),
    label: labelOf(entity, golden.fields, golden.uid),
    fields: redactFields(entity, op.fields, rt.secret),
  };
}
