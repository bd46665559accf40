/**
 * `nook pause|unpause CONTAINER...`: freezing needs the container's own
 * cgroup v2 (its `cgroup.freeze`), which nook gives containers only where the
 * host delegates cgroups; elsewhere a clear error.
 *
 * @module
 */
import { pauseContainer, unpauseContainer } from "../../lib/container/pause_container.ts";
import { UsageError } from "../../lib/errors/mod.ts";
import { sys } from "../../lib/sys/mod.ts";
import { type FlagSpec, helpText, parseArgs } from "../args.ts";
import { eachContainer } from "../each_container.ts";

const FLAGS: FlagSpec[] = [{ name: "help", type: "bool", help: "Print usage" }];

/**
 * Runs `nook pause` (or `unpause`).
 *
 * @param args Arguments after the verb.
 * @param verb "pause" or "unpause".
 * @returns 0, or 125 when one failed.
 *
 * @example
 * ```ts ignore
 * await main(["web"], "pause");
 * ```
 */
export async function main(args: string[], verb = "pause"): Promise<number> {
  const p = parseArgs(args, FLAGS, { command: verb, stopAtPositional: false });
  if (p.bools.help) {
    sys.stdout(
      helpText(
        `nook ${verb} CONTAINER [CONTAINER...]`,
        `${verb === "pause" ? "Freeze" : "Thaw"} all processes of containers.`,
        FLAGS,
      ),
    );
    return 0;
  }
  if (p.rest.length === 0) throw new UsageError(`'nook ${verb}' needs at least one container`);
  return await eachContainer(p.rest, async (record, ref) => {
    await (verb === "pause" ? pauseContainer : unpauseContainer)(record);
    return ref;
  });
}
