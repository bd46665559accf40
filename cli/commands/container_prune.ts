/**
 * `nook container prune [-f]`: remove every container that is not running.
 *
 * @module
 */
import { UsageError } from "../../lib/errors/mod.ts";
import { listRecords } from "../../lib/records/container_record.ts";
import { containerStatus } from "../../lib/records/container_state.ts";
import { removeContainer } from "../../lib/container/remove_container.ts";
import { sys } from "../../lib/sys/mod.ts";
import { type FlagSpec, helpText, parseArgs } from "../args.ts";

const FLAGS: FlagSpec[] = [
  { name: "force", short: "f", type: "bool", help: "Do not ask for confirmation" },
  { name: "help", type: "bool", help: "Print usage" },
]; // deno-fmt-ignore

/**
 * Runs `nook container prune`.
 *
 * @param args Arguments after "prune".
 * @returns 0.
 *
 * @example
 * ```ts ignore
 * await main(["-f"]);
 * ```
 */
export async function main(args: string[]): Promise<number> {
  const p = parseArgs(args, FLAGS, { command: "container prune", stopAtPositional: false });
  if (p.bools.help) {
    sys.stdout(helpText("nook container prune [OPTIONS]", "Remove all stopped containers.", FLAGS));
    return 0;
  }
  if (!p.bools.force) {
    if (!sys.isTerminal(0)) {
      throw new UsageError("'nook container prune' removes all stopped containers: add -f to confirm");
    }
    const answer = prompt("WARNING! This will remove all stopped containers.\nAre you sure you want to continue? [y/N]");
    if (!/^y(es)?$/i.test(answer ?? "")) return 0;
  }
  const deleted: string[] = [];
  for (const r of listRecords()) {
    const s = containerStatus(r.id).status;
    if (s === "running" || s === "restarting") continue;
    if (await removeContainer(r.id)) deleted.push(r.id);
  }
  sys.stdout(
    (deleted.length ? `Deleted Containers:\n${deleted.join("\n")}\n\n` : "") +
      `Total reclaimed containers: ${deleted.length}\n`,
  );
  return 0;
}
