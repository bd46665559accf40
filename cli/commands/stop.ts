/**
 * `nook stop [-a] [-i] [-t N] CONTAINER...` and `nook restart [-a [--running]] [-t N] CONTAINER...`.
 *
 * @module
 */
import { stopContainer } from "../../lib/container/signal_container.ts";
import { sys } from "../../lib/sys/mod.ts";
import { type FlagSpec, helpText, parseArgs } from "../args.ts";
import { allFlag, containerTargets, ignoreFlag, isActive } from "../container_targets.ts";
import { eachContainer } from "../each_container.ts";
import { parseTime, TIME_FLAG } from "../time_flag.ts";

/** podman's other name of `--time`. */
const TIMEOUT_FLAG: FlagSpec = {
  ...TIME_FLAG,
  name: "timeout",
  short: undefined,
  help: "Same as --time (podman)",
};

const STOP_FLAGS: FlagSpec[] = [
  allFlag("running containers"),
  ignoreFlag(),
  TIME_FLAG,
  TIMEOUT_FLAG,
  { name: "help", type: "bool", help: "Print usage" },
]; // deno-fmt-ignore

const RESTART_FLAGS: FlagSpec[] = [
  allFlag("containers"),
  { name: "running", type: "bool", help: "With --all: only the running ones" },
  TIME_FLAG,
  TIMEOUT_FLAG,
  { name: "help", type: "bool", help: "Print usage" },
]; // deno-fmt-ignore

/**
 * Runs `nook stop` (or `restart` when `verb` says so).
 *
 * @param args Arguments after the verb.
 * @param verb "stop" or "restart".
 * @returns 0, or 1 when a container does not exist, or 125 when one failed otherwise.
 *
 * @example
 * ```ts ignore
 * await main(["-t", "2", "web"]);
 * ```
 */
export async function main(args: string[], verb = "stop"): Promise<number> {
  const flags = verb === "stop" ? STOP_FLAGS : RESTART_FLAGS;
  const p = parseArgs(args, flags, { command: verb, stopAtPositional: false });
  if (p.bools.help) {
    const what = verb === "stop" ? "Stop running containers." : "Restart containers.";
    sys.stdout(helpText(`nook ${verb} [OPTIONS] CONTAINER [CONTAINER...]`, what, flags));
    return 0;
  }
  const refs = containerTargets(verb, p.rest, {
    all: p.bools.all,
    select: verb === "stop" || p.bools.running ? isActive : undefined,
  });
  const timeout = parseTime(p.strings.time ?? p.strings.timeout);
  const onWarning = (message: string) => sys.stderr(`nook: warning: ${message}\n`);
  return await eachContainer(refs, async (record, ref) => {
    if (verb === "restart") {
      const { restartContainer } = await import("../../lib/container/restart_container.ts");
      await restartContainer(record, timeout);
    } else {
      await stopContainer(record, timeout, { onWarning });
    }
    return ref;
  }, { ignore: p.bools.ignore || p.bools.all });
}
