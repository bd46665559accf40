/**
 * `nook pause|unpause [-a] CONTAINER...`: freezing needs the container's own
 * cgroup v2 (its `cgroup.freeze`), which nook gives containers only where the
 * host delegates cgroups; elsewhere a clear error.
 *
 * @module
 */
import { pauseContainer, unpauseContainer } from "../../lib/container/pause_container.ts";
import { sys } from "../../lib/sys/mod.ts";
import { type FlagSpec, helpText, parseArgs } from "../args.ts";
import { allFlag, containerTargets } from "../container_targets.ts";
import { eachContainer } from "../each_container.ts";

const PAUSE_FLAGS: FlagSpec[] = [
  allFlag("running containers"),
  { name: "help", type: "bool", help: "Print usage" },
];

const UNPAUSE_FLAGS: FlagSpec[] = [
  allFlag("paused containers"),
  { name: "help", type: "bool", help: "Print usage" },
];

/**
 * Runs `nook pause` (or `unpause`).
 *
 * @param args Arguments after the verb.
 * @param verb "pause" or "unpause".
 * @returns 0, or 1 when a container does not exist, or 125 when one failed otherwise.
 *
 * @example
 * ```ts ignore
 * await main(["web"], "pause");
 * ```
 */
export async function main(args: string[], verb = "pause"): Promise<number> {
  const pause = verb === "pause";
  const flags = pause ? PAUSE_FLAGS : UNPAUSE_FLAGS;
  const p = parseArgs(args, flags, { command: verb, stopAtPositional: false });
  if (p.bools.help) {
    sys.stdout(
      helpText(
        `nook ${verb} [OPTIONS] CONTAINER [CONTAINER...]`,
        `${pause ? "Freeze" : "Thaw"} all processes of containers.`,
        flags,
      ),
    );
    return 0;
  }
  const refs = containerTargets(verb, p.rest, {
    all: p.bools.all,
    select: (s) => s.status === "running" && s.paused !== pause,
  });
  return await eachContainer(refs, async (record, ref) => {
    await (pause ? pauseContainer : unpauseContainer)(record);
    return ref;
  }, { ignore: p.bools.all });
}
