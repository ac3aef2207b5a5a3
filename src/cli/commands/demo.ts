import path from "node:path";
import type { Command } from "commander";
import pc from "picocolors";
import { loadConfig } from "../../config/load-config.js";
import { connectors } from "../../connectors/registry.js";
import { Random } from "../../demo/demo-data.js";
import { randomEdits } from "../../demo/demo-edits.js";
import { narrate } from "../../demo/demo-narrator.js";
import { DemoWorld } from "../../demo/demo-world.js";
import type { RunSummary } from "../../core/types.js";
import { openRuntime } from "../../engine/runtime.js";
import { runSync } from "../../engine/sync.js";
import { openHubStore } from "../../hub/open-hub-store.js";
import { type CliIO, type GlobalOptions, printJson } from "../cli-io.js";
import { formatSummary } from "../format.js";

interface DemoFlags extends GlobalOptions {
  readonly once?: boolean;
  readonly dir: string;
  readonly seed: string;
  readonly rounds?: string;
  readonly interval: string;
}

/** `concord demo [--once]`: three SQLite systems kept in sync while random edits happen. */
export function registerDemo(program: Command, io: CliIO, exit: (code: number) => void): void {
  program
    .command("demo")
    .description("a self-contained demo: three SQLite systems kept in sync while people edit them")
    .option("--once", "one round of edits after the first sync, then exit")
    .option("--dir <folder>", "where the demo's databases and config go", ".concord-demo")
    .option("--seed <n>", "random seed, to replay a demo", String(Date.now() % 100000))
    .option("--rounds <n>", "stop after this many rounds")
    .option("--interval <ms>", "pause between rounds", "4000")
    .addHelpText(
      "after",
      "\nExamples:\n  $ concord demo\n  $ concord demo --once --seed 7\n  $ concord status -c .concord-demo/concord.yaml",
    )
    .action(async (_flags: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<DemoFlags>();
      const dir = path.resolve(io.cwd, flags.dir);
      const rnd = new Random(Number(flags.seed));
      const world = DemoWorld.create(dir, rnd);
      const say = (text: string) => {
        if (!flags.json) io.out(text);
      };
      const config = loadConfig(path.join(dir, "concord.yaml"), { env: io.env, connectors });
      const observer = {
        detail: true,
        emit: (e: Parameters<typeof narrate>[0]) => {
          const line = narrate(e);
          if (line !== undefined) say(line);
        },
      };
      const rt = await openRuntime({ config, hub: await openHubStore(config.hub), connectors, observer });
      const rounds: RunSummary[] = [];
      let stopping = false;
      const stop = () => {
        stopping = true;
      };
      process.once("SIGINT", stop);
      try {
        say(
          pc.bold(
            `Concord demo in ${path.relative(io.cwd, dir) || "."} (seed ${flags.seed}): crm, billing and support hold overlapping people.`,
          ),
        );
        say(pc.bold("\nFirst sync: every system is read whole and stitched into golden records."));
        rounds.push(await runSync(rt, { command: "demo", full: true }));
        say(formatSummary(io, rounds[0] as RunSummary));
        const limit =
          flags.once === true ? 1 : flags.rounds === undefined ? Number.POSITIVE_INFINITY : Number(flags.rounds);
        for (let round = 1; round <= limit && !stopping; round++) {
          if (flags.once !== true) await new Promise((r) => setTimeout(r, Number(flags.interval)));
          if (stopping) break;
          say(pc.bold(`\nRound ${round}: people edit the systems.`));
          for (const edit of randomEdits(world, rnd, 3 + rnd.int(3))) say(`  ${edit}`);
          const summary = await runSync(rt, { command: "demo" });
          rounds.push(summary);
          say(formatSummary(io, summary));
        }
        say(
          `\nThe hub and the three databases are in ${dir}. Try: concord status -c ${path.join(flags.dir, "concord.yaml")}`,
        );
      } finally {
        process.off("SIGINT", stop);
        world.close();
        await rt.close();
      }
      if (flags.json) printJson(io, { dir, rounds });
      exit(rounds.some((r) => r.errors > 0) ? 1 : 0);
    });
}
