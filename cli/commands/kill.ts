/**
 * `nook kill [-a] [-s SIGNAL] CONTAINER...`.
 *
 * @module
 */
import { killContainer } from "../../lib/container/signal_container.ts";
import { sys } from "../../lib/sys/mod.ts";
import { type FlagSpec, helpText, parseArgs } from "../args.ts";
import { allFlag, containerTargets, isActive } from "../container_targets.ts";
import { eachContainer } from "../each_container.ts";
import { signalName } from "../../lib/runtime/signal_name.ts";

const FLAGS: FlagSpec[] = [
  allFlag("running containers"),
  {
    name: "signal",
    short: "s",
    type: "string",
    value: "SIGNAL",
    help: "Signal to send (default SIGKILL)",
  },
  { name: "help", type: "bool", help: "Print usage" },
]; // deno-fmt-ignore

/**
 * Runs `nook kill`.
 *
 * @param args Arguments after "kill".
 * @returns 0, or 1 when a container does not exist, or 125 (a bad signal, one not running).
 *
 * @example
 * ```ts ignore
 * await main(["-s", "USR1", "web"]);
 * ```
 */
export async function main(args: string[]): Promise<number> {
  const p = parseArgs(args, FLAGS, { command: "kill", stopAtPositional: false });
  if (p.bools.help) {
    sys.stdout(helpText("nook kill [OPTIONS] CONTAINER [CONTAINER...]", "Send a signal to running containers.", FLAGS));
    return 0;
  }
  // The signal is checked before any container is looked up (podman's order).
  const signal = signalName(p.strings.signal ?? "SIGKILL");
  const refs = containerTargets("kill", p.rest, { all: p.bools.all, select: isActive });
  return await eachContainer(refs, async (record, ref) => {
    await killContainer(record, signal);
    return ref;
  }, { ignore: p.bools.all });
}
