/**
 * `nook start [-a] [-i] [--all] CONTAINER...`: start created or stopped containers
 * under their monitors; `-a` attaches to one and returns its exit code.
 *
 * @module
 */
import { EXIT_NOOK, NookError, UsageError } from "../../lib/errors/mod.ts";
import type { ContainerRecord } from "../../lib/records/container_record.ts";
import { allFlag, containerTargets, isActive } from "../container_targets.ts";
import { launchDetached } from "../../lib/container/launch_container.ts";
import { sys } from "../../lib/sys/mod.ts";
import { type FlagSpec, helpText, parseArgs } from "../args.ts";
import { eachContainer } from "../each_container.ts";

const FLAGS: FlagSpec[] = [
  {
    name: "attach",
    short: "a",
    type: "bool",
    help: "Attach to its output and return its exit code",
  },
  { name: "interactive", short: "i", type: "bool", help: "Attach its stdin" },
  allFlag("containers that are not running", null),
  { name: "help", type: "bool", help: "Print usage" },
]; // deno-fmt-ignore

/**
 * Runs `nook start`.
 *
 * @param args Arguments after "start".
 * @returns 0, the container's exit code with -a, or 125 when one failed.
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
  const refs = containerTargets("start", p.rest, {
    all: p.bools.all,
    select: (s) => !isActive(s),
  });
  const attach = p.bools.attach || p.bools.interactive;
  if (attach && (p.bools.all || refs.length > 1)) {
    throw new UsageError("'nook start -a' attaches to one container only");
  }
  if (attach) {
    const { findContainer } = await import("../../lib/container/find_container.ts");
    const { attachContainer } = await import("../../lib/container/attach_container.ts");
    const record = findContainer(p.rest[0]);
    const { conn } = await launch(record, { attach: true });
    return await attachContainer(record, { stdin: p.bools.interactive, conn });
  }
  return await eachContainer(refs, async (record, ref) => {
    await launch(record);
    return ref;
  }, { ignore: p.bools.all });
}

/**
 * Starts one container. A command that cannot be run (126, 127 from `run`) is a failed
 * start here: exit 125, as podman's start gives (the container's own exit code is not one).
 */
async function launch(record: ContainerRecord, options: { attach?: boolean } = {}) {
  try {
    return await launchDetached(record, options);
  } catch (err) {
    if (err instanceof NookError && (err.exitCode === 126 || err.exitCode === 127)) {
      throw new NookError(err.message, { exitCode: EXIT_NOOK, cause: err });
    }
    throw err;
  }
}
