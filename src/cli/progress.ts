import cliProgress from "cli-progress";
import type { RunObserver, SyncEvent } from "../engine/events.js";
import type { CliIO } from "./cli-io.js";

/**
 * Progress on a terminal: one line per system and stage, counting records, on stderr. Quiet
 * with --json or when stderr is not a terminal. `onEvent` sees every event as well.
 */
export function progressObserver(
  io: CliIO,
  json: boolean,
  onEvent?: (event: SyncEvent) => void,
): RunObserver & { stop(): void } {
  const enabled = io.isTTY && !json;
  const bars = enabled
    ? new cliProgress.MultiBar(
        {
          format: " {stage} {system} {entity} | {value}{of} records",
          hideCursor: true,
          clearOnComplete: false,
          stream: process.stderr,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  const lines = new Map<string, cliProgress.SingleBar>();
  return {
    detail: onEvent !== undefined,
    progress: enabled,
    emit(event) {
      onEvent?.(event);
      // Say why nothing happens, even off a terminal (stderr), unless the output is JSON.
      if (event.type === "waiting" && !json) io.err(`waiting: ${event.reason}…`);
      if (bars === undefined || event.type !== "progress") return;
      const id = `${event.stage}/${event.system}/${event.entity}`;
      let bar = lines.get(id);
      if (bar === undefined) {
        bar = bars.create(event.total ?? 0, 0);
        lines.set(id, bar);
      }
      // The total is known for writes (what was pending), not for reads of a change feed.
      const of = event.total === undefined ? "" : ` of ${event.total}`;
      bar.update(event.done, { stage: event.stage, system: event.system, entity: event.entity, of });
    },
    stop() {
      bars?.stop();
    },
  };
}
