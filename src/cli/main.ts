import { Command, CommanderError } from "commander";
import { type CliIO, processIO } from "./cli-io.js";
import { registerAudit } from "./commands/audit.js";
import { registerConfigCommands } from "./commands/config-commands.js";
import { registerConflicts } from "./commands/conflicts.js";
import { registerDemo } from "./commands/demo.js";
import { registerDuplicates } from "./commands/duplicates.js";
import { registerPlan } from "./commands/plan.js";
import { registerRollback } from "./commands/rollback.js";
import { registerRun } from "./commands/run.js";
import { registerStatus } from "./commands/status.js";
import { registerSync } from "./commands/sync.js";
import { registerTeardown } from "./commands/teardown.js";
import { EXIT, reportError } from "./exit-codes.js";

/** Runs the command line; resolves to the process exit code. */
export async function main(argv: readonly string[], io: CliIO = processIO()): Promise<number> {
  let code: number = EXIT.ok;
  const exit = (c: number) => {
    code = c;
  };
  const program = new Command("concord")
    .description("Concord: a stateful, multi-directional sync engine")
    .option("-c, --config <file>", "config file", "concord.yaml")
    .option("--json", "print one JSON document on stdout", false)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .showHelpAfterError();
  for (const register of [
    registerConfigCommands,
    registerPlan,
    registerSync,
    registerRun,
    registerStatus,
    registerConflicts,
    registerAudit,
    registerRollback,
    registerDuplicates,
    registerTeardown,
    registerDemo,
  ]) {
    register(program, io, exit);
  }
  try {
    await program.parseAsync([...argv], { from: "node" });
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    return reportError(io, err, program.opts<{ json?: boolean }>().json === true);
  }
  return code;
}
