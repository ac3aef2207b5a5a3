import { messageOf } from "../core/errors.js";
import { bindingColumns } from "../core/mapping.js";
import type { Runtime } from "./runtime.js";

/**
 * Connects to every system and checks that each binding's table and columns exist. Returns
 * every problem found, each naming the system, table and column at fault.
 */
export async function checkConnection(rt: Runtime): Promise<string[]> {
  const problems: string[] = [];
  for (const system of Object.keys(rt.config.systems)) {
    let introspector;
    try {
      introspector = (await rt.connector(system)).introspector;
    } catch (err) {
      problems.push(`${system}: cannot connect: ${messageOf(err)}`);
      continue;
    }
    if (introspector === undefined) continue;
    for (const name of rt.config.entityOrder) {
      const binding = rt.entity(name).bindings[system];
      if (binding === undefined) continue;
      const described = await introspector.describe(binding.table);
      if (described === undefined) {
        problems.push(`${system}: table "${binding.table}" (entity ${name}) does not exist`);
        continue;
      }
      const columns = new Set(described.columns.map((c) => c.name));
      for (const column of bindingColumns(binding)) {
        if (!columns.has(column))
          problems.push(`${system}.${binding.table}: column "${column}" (entity ${name}) does not exist`);
      }
    }
  }
  return problems;
}
