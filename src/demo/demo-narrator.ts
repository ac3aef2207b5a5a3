import pc from "picocolors";
import type { SyncEvent } from "../engine/events.js";
import type { Value } from "../core/types.js";
import { encodeValue } from "../core/values.js";

/** A value as the demo prints it; sensitive values arrive hashed and are shown masked. */
function show(v: Value): string {
  if (typeof v === "string") return v;
  if (v !== null && typeof v === "object" && !Array.isArray(v) && "sha256" in v) return "•••• (sensitive)";
  return encodeValue(v);
}

/** Turns a run's events into sentences a person reads. Returns undefined for events left unsaid. */
export function narrate(event: SyncEvent): string | undefined {
  switch (event.type) {
    case "created":
      return `${pc.green("new")}      ${event.label} came from ${event.system}`;
    case "linked":
      return `${pc.cyan("matched")}  ${event.system}'s record is the same as ${event.label}: linked`;
    case "changed":
      return `${pc.blue("changed")}  ${event.label}: ${event.field} ${show(event.before)} → ${show(event.after)} (from ${event.system})`;
    case "conflict": {
      const c = event.conflict;
      const outcome =
        c.winner === null
          ? "kept for a person to decide (concord conflicts)"
          : `${c.winner} won by ${c.rule === "newest" ? "the newer edit" : "priority"}`;
      return `${pc.yellow("conflict")} on ${c.field} of ${event.label}: ${c.system} said ${show(c.value)}, ${c.goldenSystem} said ${show(c.goldenValue)}: ${outcome}`;
    }
    case "rejected":
      return `${pc.red("refused")}  ${event.system} changed ${event.field} of ${event.label}, but ${event.reason}: writing the golden value back`;
    case "deleted":
      return `${pc.red("deleted")}  ${event.label} was deleted in ${event.system}: deleting it everywhere`;
    case "detached":
      return `${pc.dim("detached")} ${event.label} in ${event.system}: ${event.reason}`;
    case "duplicate":
      return `${pc.magenta("maybe duplicate")} ${event.label}: ${event.reason} (concord duplicates)`;
    case "written": {
      if (event.op === "create") return `  ${pc.green("→")} created in ${event.system} (key ${event.key})`;
      if (event.op === "delete") return `  ${pc.red("→")} deleted in ${event.system} (key ${event.key})`;
      return `  ${pc.blue("→")} updated ${event.fields.join(", ")} in ${event.system} (key ${event.key}) for ${event.label}`;
    }
    case "error":
      return `${pc.red("failed")}   ${event.error.system} ${event.error.entity} ${event.error.key ?? event.error.uid ?? ""}: ${event.error.message}`;
    case "halted":
      return `${pc.red("halted")}   ${event.reasons.join("; ")}`;
    case "waiting":
      return `${pc.dim("waiting")}  ${event.reason}`;
    case "progress":
      return undefined;
  }
}
