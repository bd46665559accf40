/**
 * `nook unshare [COMMAND [ARG...]]`: like `podman unshare`.
 *
 * @module
 */
import { unshare } from "../../lib/runtime/unshare.ts";

const HELP = `Usage:  nook unshare [COMMAND [ARG...]]

Run a command (default: your shell) in a new user namespace with your id
maps: you are root inside, and files owned by your subordinate ids are yours.
`;

/**
 * Runs `nook unshare`.
 *
 * @param args The command and its arguments.
 * @returns Its exit code.
 *
 * @example
 * ```ts ignore
 * import { main } from "./unshare.ts";
 * await main(["id", "-u"]);
 * ```
 */
export async function main(args: string[]): Promise<number> {
  if (args[0] === "--help" || args[0] === "-h") {
    console.log(HELP);
    return 0;
  }
  const command = args[0] === "--" ? args.slice(1) : args;
  return (await unshare(command, { forwardSignals: true })).exitCode;
}
