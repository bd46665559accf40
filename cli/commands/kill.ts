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
 * @returns 0, or 125 when one failed.
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
  const refs = containerTargets("kill", p.rest, { all: p.bools.all, select: isActive });
  return await eachContainer(refs, async (record, ref) => {
    await killContainer(record, p.strings.signal ?? "SIGKILL");
    return ref;
  }, { ignore: p.bools.all });
}
