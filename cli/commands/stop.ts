/**
 * `nook stop [-t N] CONTAINER...` and `nook restart [-t N] CONTAINER...`.
 *
 * @module
 */
import { UsageError } from "../../lib/errors/mod.ts";
import { stopContainer } from "../../lib/container/signal_container.ts";
import { sys } from "../../lib/sys/mod.ts";
import { type FlagSpec, helpText, parseArgs } from "../args.ts";
import { eachContainer } from "../each_container.ts";

const FLAGS: FlagSpec[] = [
  {
    name: "time",
    short: "t",
    type: "string",
    value: "SECONDS",
    help: "Seconds to wait before SIGKILL (default: the container's, 10)",
  },
  { name: "help", type: "bool", help: "Print usage" },
]; // deno-fmt-ignore

/**
 * Runs `nook stop` (or `restart` when `verb` says so).
 *
 * @param args Arguments after the verb.
 * @param verb "stop" or "restart".
 * @returns 0, or 125 when one failed.
 *
 * @example
 * ```ts ignore
 * await main(["-t", "2", "web"]);
 * ```
 */
export async function main(args: string[], verb = "stop"): Promise<number> {
  const p = parseArgs(args, FLAGS, { command: verb, stopAtPositional: false });
  if (p.bools.help) {
    const what = verb === "stop" ? "Stop running containers." : "Restart containers.";
    sys.stdout(helpText(`nook ${verb} [OPTIONS] CONTAINER [CONTAINER...]`, what, FLAGS));
    return 0;
  }
  if (p.rest.length === 0) throw new UsageError(`'nook ${verb}' needs at least one container`);
  const t = p.strings.time;
  if (t !== undefined && !/^-?\d+$/.test(t)) {
    throw new UsageError(`Invalid --time '${t}': give whole seconds`);
  }
  return await eachContainer(p.rest, async (record, ref) => {
    const timeout = t === undefined ? undefined : Number(t);
    if (verb === "restart") {
      const { restartContainer } = await import("../../lib/container/restart_container.ts");
      await restartContainer(record, timeout);
    } else {
      await stopContainer(record, timeout);
    }
    return ref;
  });
}
