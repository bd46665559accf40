/**
 * `nook rename CONTAINER NEW_NAME`.
 *
 * @module
 */
import { UsageError } from "../../lib/errors/mod.ts";
import { renameContainer } from "../../lib/container/rename_container.ts";
import { findContainer } from "../../lib/container/find_container.ts";
import { sys } from "../../lib/sys/mod.ts";
import { type FlagSpec, helpText, parseArgs } from "../args.ts";

const FLAGS: FlagSpec[] = [{ name: "help", type: "bool", help: "Print usage" }];

/**
 * Runs `nook rename`.
 *
 * @param args Arguments after "rename".
 * @returns 0.
 *
 * @example
 * ```ts ignore
 * await main(["web", "web2"]);
 * ```
 */
export async function main(args: string[]): Promise<number> {
  const p = parseArgs(args, FLAGS, { command: "rename", stopAtPositional: false });
  if (p.bools.help) {
    sys.stdout(helpText("nook rename CONTAINER NEW_NAME", "Rename a container.", FLAGS));
    return 0;
  }
  if (p.rest.length !== 2) throw new UsageError("'nook rename' needs a container and a new name");
  await renameContainer(findContainer(p.rest[0]), p.rest[1]);
  return 0;
}
