/**
 * `nook start [-a] [-i] [--all] [--filter KEY=VALUE]... CONTAINER...`: start created or
 * stopped containers under their monitors; `-a` attaches to one and returns its exit
 * code; `--filter` (podman's) starts only those of them that match, as `ps --filter`.
 *
 * @module
 */
import { NookError, UsageError } from "../../lib/errors/mod.ts";
import { verbExitCode } from "../exit_code.ts";
import { allFlag, containerTargets, isActive } from "../container_targets.ts";
import { launchDetached } from "../../lib/container/launch_container.ts";
import { sys } from "../../lib/sys/mod.ts";
import { type FlagSpec, helpText, parseArgs } from "../args.ts";
import { eachContainer } from "../each_container.ts";
import { containerFilter } from "../container_filter.ts";
import { findContainer, NoSuchContainerError } from "../../lib/container/find_container.ts";
import { containerStatus } from "../../lib/records/container_state.ts";

const FLAGS: FlagSpec[] = [
  {
    name: "attach",
    short: "a",
    type: "bool",
    help: "Attach to its output and return its exit code",
  },
  { name: "interactive", short: "i", type: "bool", help: "Attach its stdin" },
  allFlag("containers that are not running", null),
  {
    name: "filter",
    type: "list",
    value: "KEY=VALUE",
    help:
      "Only those that match, as ps --filter (podman): status=, name=, id=, label=, exited=, restart-policy=, ...",
  },
  { name: "help", type: "bool", help: "Print usage" },
]; // deno-fmt-ignore

/**
 * Runs `nook start`.
 *
 * @param args Arguments after "start".
 * @returns 0, the container's exit code with -a, 1 when a container does not exist, or 125.
 *
 * @example
 * ```ts ignore
 * await main(["web"]);
 * ```
 */
export async function main(args: string[]): Promise<number> {
  const p = parseArgs(args, FLAGS, { command: "start", stopAtPositional: false });
  if (p.bools.help) {
    sys.stdout(helpText("nook start [OPTIONS] CONTAINER [CONTAINER...]", "Start containers.", FLAGS));
    return 0;
  }
  let refs = containerTargets("start", p.rest, {
    all: p.bools.all,
    select: (s) => !isActive(s),
  });
  if (p.lists.filter.length) {
    const matches = containerFilter(p.lists.filter);
    refs = refs.filter((ref) => {
      try {
        const record = findContainer(ref);
        return matches(record, containerStatus(record.id));
      } catch (err) {
        if (err instanceof NoSuchContainerError) return true; // reported as any missing one
        throw err;
      }
    });
  }
  const attach = p.bools.attach || p.bools.interactive;
  if (attach && (p.bools.all || refs.length > 1)) {
    throw new UsageError("'nook start -a' attaches to one container only");
  }
  if (attach) {
    const { attachContainer } = await import("../../lib/container/attach_container.ts");
    let record, launched;
    try {
      record = findContainer(p.rest[0]);
      launched = await launchDetached(record, { attach: true });
    } catch (err) {
      // A command that cannot run is an error of start: 125, not run's 126 or 127 (podman).
      if (!(err instanceof NookError)) throw err;
      sys.stderr(`nook: ${err.message}\n`);
      return verbExitCode(err);
    }
    return await attachContainer(record, { stdin: p.bools.interactive, conn: launched.conn });
  }
  return await eachContainer(refs, async (record, ref) => {
    await launchDetached(record);
    return ref;
  }, { ignore: p.bools.all });
}
