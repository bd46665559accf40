/**
 * `nook rm [-a] [-f] [-t N] [-i] [-v] CONTAINER...`; podman's clean-up line
 * `nook rm -t 0 --all --force --ignore` works on any store, an empty one too.
 *
 * @module
 */
import { removeContainer } from "../../lib/container/remove_container.ts";
import { sys } from "../../lib/sys/mod.ts";
import { type FlagSpec, helpText, parseArgs } from "../args.ts";
import { allFlag, containerTargets, ignoreFlag } from "../container_targets.ts";
import { eachContainer } from "../each_container.ts";
import { parseTime, TIME_FLAG } from "../time_flag.ts";

const FLAGS: FlagSpec[] = [
  allFlag("containers"),
  { name: "force", short: "f", type: "bool", help: "Stop and remove running containers" },
  {
    ...TIME_FLAG,
    help:
      "With -f: seconds a running container gets after its stop signal before SIGKILL (default 0)",
  },
  ignoreFlag(),
  {
    name: "volumes",
    short: "v",
    type: "bool",
    help: "Remove anonymous volumes (always done: they live in the container)",
  },
  { name: "help", type: "bool", help: "Print usage" },
]; // deno-fmt-ignore

/**
 * Runs `nook rm`.
 *
 * @param args Arguments after "rm".
 * @returns 0, or 1 (a name matched nothing), 2 (one runs, without -f) or 125.
 *
 * @example
 * ```ts ignore
 * await main(["-f", "web"]);
 * ```
 */
export async function main(args: string[]): Promise<number> {
  const p = parseArgs(args, FLAGS, { command: "rm", stopAtPositional: false });
  if (p.bools.help) {
    sys.stdout(helpText("nook rm [OPTIONS] CONTAINER [CONTAINER...]", "Remove containers.", FLAGS));
    return 0;
  }
  const refs = containerTargets("rm", p.rest, { all: p.bools.all });
  const stopTimeout = parseTime(p.strings.time);
  const { removeLeftovers } = await import("../../lib/container/remove_container.ts");
  // With --all, one that went meanwhile (a --rm container that ended) is gone as asked; with
  // --force a missing one is no error (podman's, and docker's exit code).
  const code = await eachContainer(refs, async (record, ref) => {
    await removeContainer(record.id, { force: p.bools.force, stopTimeout });
    return ref;
  }, { ignore: p.bools.ignore || p.bools.all || p.bools.force });
  await removeLeftovers();
  return code;
}
