import fs from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { EXAMPLE_CONFIG } from "../../config/example.js";
import { configJsonSchema } from "../../config/schema.js";
import { ConcordError } from "../../core/errors.js";
import { checkConnection } from "../../engine/check-connection.js";
import { type CliIO, type GlobalOptions, loadCliConfig, printJson, withRuntime } from "../cli-io.js";
import { EXIT } from "../exit-codes.js";

/** `concord init`, `concord validate`, `concord schema`. */
export function registerConfigCommands(program: Command, io: CliIO, exit: (code: number) => void): void {
  program
    .command("init")
    .description("write a commented example concord.yaml")
    .option("--force", "overwrite an existing file")
    .addHelpText("after", "\nExample:\n  $ concord init && concord validate")
    .action((_flags: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<GlobalOptions & { force?: boolean }>();
      const file = path.resolve(io.cwd, flags.config);
      if (fs.existsSync(file) && flags.force !== true) {
        throw new ConcordError("usage", `${flags.config} exists already (use --force to overwrite)`);
      }
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, EXAMPLE_CONFIG);
      if (flags.json) printJson(io, { written: file });
      else io.out(`wrote ${flags.config}: edit the systems and entities, then run \`concord validate\``);
    });

  program
    .command("validate")
    .description("check the config; with --connect, also that every table and column exists")
    .option("--connect", "connect to every system and check its tables and columns")
    .addHelpText("after", "\nExamples:\n  $ concord validate\n  $ concord validate --connect -c prod.yaml")
    .action(async (_flags: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<GlobalOptions & { connect?: boolean }>();
      const config = loadCliConfig(io, flags);
      const problems = flags.connect === true ? await withRuntime(io, flags, (rt) => checkConnection(rt)) : [];
      const summary = {
        valid: problems.length === 0,
        systems: Object.keys(config.systems),
        entities: config.entityOrder,
        problems,
      };
      if (flags.json) printJson(io, summary);
      else if (problems.length > 0) io.err(`config is valid, but:\n${problems.map((p) => `  ${p}`).join("\n")}`);
      else
        io.out(
          `${flags.config} is valid: ${summary.systems.length} systems (${summary.systems.join(", ")}), ` +
            `${summary.entities.length} entities (${summary.entities.join(", ")})${flags.connect === true ? ", every table and column found" : ""}`,
        );
      exit(problems.length === 0 ? EXIT.ok : EXIT.usage);
    });

  program
    .command("schema")
    .description("print the config's JSON Schema, for editor completion")
    .addHelpText("after", "\nExample:\n  $ concord schema > concord.schema.json")
    .action(() => {
      printJson(io, configJsonSchema());
    });
}
