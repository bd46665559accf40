/**
 * `nook wait [--condition C] [--ignore] CONTAINER...`: block until each stops
 * and print its exit code, one a line in the order given; with podman's
 * `--condition running`, until each runs, printing -1 (as podman does for
 * every condition but stopped and exited).
 *
 * @module
 */
import { UsageError } from "../../lib/errors/mod.ts";
import { waitForExit } from "../../lib/container/signal_container.ts";
import { containerStatus } from "../../lib/records/container_state.ts";
import { sys } from "../../lib/sys/mod.ts";
import { type FlagSpec, helpText, parseArgs } from "../args.ts";
import { containerTargets, ignoreFlag } from "../container_targets.ts";
import { eachContainer } from "../each_container.ts";

const CONDITIONS = ["stopped", "exited", "running"];

const FLAGS: FlagSpec[] = [
  {
    name: "condition",
    type: "list",
    value: "STATE",
    help: "What to wait for: stopped or exited (the default; prints the exit code), " +
      "running (prints -1); repeated: whichever comes first",
  },
  ignoreFlag(null),
  { name: "help", type: "bool", help: "Print usage" },
]; // deno-fmt-ignore

/**
 * Runs `nook wait`.
 *
 * @param args Arguments after "wait".
 * @returns 0, or 1 when a container does not exist, or 125 when one failed otherwise.
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
        "nook wait [OPTIONS] CONTAINER [CONTAINER...]",
        "Wait for containers to stop; print their exit codes.",
        FLAGS,
      ),
    );
    return 0;
  }
  const conditions = p.lists.condition.length ? p.lists.condition : ["stopped"];
  const bad = conditions.find((c) => !CONDITIONS.includes(c));
  if (bad !== undefined) {
    throw new UsageError(
      `Invalid --condition '${bad}': nook waits for ${CONDITIONS.join(", ")}`,
    );
  }
  const refs = containerTargets("wait", p.rest);
  const untilRunning = conditions.includes("running");
  const untilStopped = conditions.some((c) => c !== "running");
  return await eachContainer(refs, async (record) => {
    if (!untilRunning) return String((await waitForExit(record.id)).exitCode);
    for (let delay = 10;; delay = Math.min(delay * 2, 100)) {
      const s = containerStatus(record.id);
      if (s.status === "running") return "-1";
      if (untilStopped && s.status === "exited") return String(s.exitCode);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }, { ignore: p.bools.ignore });
}
