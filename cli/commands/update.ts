/**
 * `nook update [OPTIONS] CONTAINER...`: change containers' resource limits.
 *
 * @module
 */
import { UsageError } from "../../lib/errors/mod.ts";
import { limitNames } from "../../lib/cgroups/resource_limits.ts";
import { updateContainer } from "../../lib/container/update_container.ts";
import { sys } from "../../lib/sys/mod.ts";
import { type FlagSpec, helpText, parseArgs } from "../args.ts";
import { eachContainer } from "../each_container.ts";
import { LIMIT_FLAGS, limitsFromArgs } from "../limit_flags.ts";

const FLAGS: FlagSpec[] = [...LIMIT_FLAGS, { name: "help", type: "bool", help: "Print usage" }];

/**
 * Runs `nook update`.
 *
 * @param args Arguments after "update".
 * @returns 0, or 125 when one failed.
 *
 * @example
 * ```ts ignore
 * await main(["--memory", "256m", "web"]);
 * ```
 */
export async function main(args: string[]): Promise<number> {
  const p = parseArgs(args, FLAGS, { command: "update", stopAtPositional: false });
  if (p.bools.help) {
    sys.stdout(
      helpText(
        "nook update [OPTIONS] CONTAINER [CONTAINER...]",
        "Update the resource limits of containers (at once where they run in a cgroup of their own).",
        FLAGS,
      ),
    );
    return 0;
  }
  const limits = limitsFromArgs(p);
  if (limitNames(limits).length === 0 && !Object.keys(p.strings).length) {
    throw new UsageError("You must provide one or more flags when using this command");
  }
  if (p.rest.length === 0) throw new UsageError("'nook update' needs at least one container");
  return await eachContainer(p.rest, async (record, ref) => {
    await updateContainer(record, limits);
    return ref;
  });
}
