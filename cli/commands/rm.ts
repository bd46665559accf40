/**
 * `nook rm [-f] [-v] CONTAINER...`.
 *
 * @module
 */
import { UsageError } from "../../lib/errors/mod.ts";
import { removeContainer } from "../../lib/container/remove_container.ts";
import { sys } from "../../lib/sys/mod.ts";
import { type FlagSpec, helpText, parseArgs } from "../args.ts";
import { eachContainer } from "../each_container.ts";

const FLAGS: FlagSpec[] = [
  { name: "force", short: "f", type: "bool", help: "Kill and remove running containers" },
  {
    name: "volumes",
    short: "v",
    type: "bool",
    help: "Remove anonymous volumes (always done: they live in the container)",
  },
  { name: "help", type: "bool", help: "Print usage" },
]; // deno-fmt-ignore

/**
 * Runs `nook rm`.
 *
 * @param args Arguments after "rm".
 * @returns 0, or 125 when one failed.
 *
 * @example
 * ```ts ignore
 * await main(["-f", "web"]);
 * ```
 */
export async function main(args: string[]): Promise<number> {
  const p = parseArgs(args, FLAGS, { command: "rm", stopAtPositional: false });
  if (p.bools.help) {
    sys.stdout(helpText("nook rm [OPTIONS] CONTAINER [CONTAINER...]", "Remove containers.", FLAGS));
    return 0;
  }
  if (p.rest.length === 0) throw new UsageError("'nook rm' needs at least one container");
  const { removeLeftovers } = await import("../../lib/container/remove_container.ts");
  const code = await eachContainer(p.rest, async (record, ref) => {
    await removeContainer(record.id, { force: p.bools.force });
    return ref;
  });
  await removeLeftovers();
  return code;
}
