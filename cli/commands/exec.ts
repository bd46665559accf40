/**
 * `nook exec [-i] [-t] [-d] [-e] [--env-file] [-u] [-w] [--privileged] CONTAINER CMD...`:
 * a new process in the running container's namespaces; its exit code is nook's.
 *
 * @module
 */
import { UsageError } from "../../lib/errors/mod.ts";
import { execContainer } from "../../lib/container/exec_container.ts";
import { findContainer } from "../../lib/container/find_container.ts";
import { sys } from "../../lib/sys/mod.ts";
import { type FlagSpec, helpText, parseArgs } from "../args.ts";
import { PROCESS_FLAGS } from "../process_flags.ts";

const FLAGS: FlagSpec[] = [
  ...PROCESS_FLAGS,
  { name: "detach", short: "d", type: "bool", help: "Run the command in the background" },
  { name: "privileged", type: "bool", help: "Keep every capability in the bounding set" },
  { name: "help", type: "bool", help: "Print usage" },
]; // deno-fmt-ignore

/**
 * Runs `nook exec`.
 *
 * @param args Arguments after "exec".
 * @returns The command's exit code (0 with -d).
 *
 * @example
 * ```ts ignore
 * await main(["web", "cat", "/etc/hostname"]);
 * ```
 */
export async function main(args: string[]): Promise<number> {
  const p = parseArgs(args, FLAGS, { command: "exec" });
  if (p.bools.help) {
    sys.stdout(helpText("nook exec [OPTIONS] CONTAINER COMMAND [ARG...]", "Run a command in a running container.", FLAGS));
    return 0;
  }
  const [ref, ...command] = p.rest;
  if (ref === undefined || command.length === 0) {
    throw new UsageError("'nook exec' needs a container and a command\nSee 'nook exec --help'");
  }
  if (p.bools.tty && p.bools.interactive && !sys.isTerminal(0)) {
    throw new UsageError("The input device is not a TTY: drop -t, or run from a terminal");
  }
  const proc = await execContainer(findContainer(ref), {
    command,
    envAdd: p.lists.env,
    envFiles: p.lists["env-file"],
    user: p.strings.user,
    workdir: p.strings.workdir,
    tty: p.bools.tty,
    interactive: p.bools.interactive,
    detach: p.bools.detach,
    privileged: p.bools.privileged,
    forwardSignals: true,
  });
  if (p.bools.detach) return 0;
  return (await proc.status).exitCode;
}
