/**
 * `nook wait CONTAINER...`: block until each stops; print its exit code.
 *
 * @module
 */
import { UsageError } from "../../lib/errors/mod.ts";
import { waitForExit } from "../../lib/container/signal_container.ts";
import { sys } from "../../lib/sys/mod.ts";
import { type FlagSpec, helpText, parseArgs } from "../args.ts";
import { eachContainer } from "../each_container.ts";

const FLAGS: FlagSpec[] = [{ name: "help", type: "bool", help: "Print usage" }];

/**
 * Runs `nook wait`.
 *
 * @param args Arguments after "wait".
 * @returns 0, or 125 when one failed.
 *
 * @example
 * ```ts ignore
 * await main(["web"]);
 * ```
 */
export async function main(args: string[]): Promise<number> {
  const p = parseArgs(args, FLAGS, { command: "wait", stopAtPositional: false });
  if (p.bools.help) {
    sys.stdout(
      helpText(
        "nook wait CONTAINER [CONTAINER...]",
        "Wait for containers to stop; print their exit codes.",
        FLAGS,
      ),
    );
    return 0;
  }
  if (p.rest.length === 0) throw new UsageError("'nook wait' needs at least one container");
  return await eachContainer(p.rest, async (record) => {
    const s = await waitForExit(record.id);
    return String(s.exitCode);
  });
}
