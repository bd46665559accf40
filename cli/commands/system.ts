/**
 * `nook system check` and `nook system info`.
 *
 * @module
 */
import { UsageError } from "../../lib/errors/mod.ts";
import { main as info } from "./info.ts";

/**
 * Runs `nook system SUBCOMMAND`.
 *
 * @param args "check" or "info", then their flags.
 * @returns The exit code.
 * @throws {UsageError} On an unknown subcommand.
 *
 * @example
 * ```ts ignore
 * import { main } from "./system.ts";
 * await main(["check"]);
 * ```
 */
export function main(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === "check") return info(["--check", ...rest]);
  if (sub === "info") return info(rest);
  if (sub === undefined || sub === "--help" || sub === "-h") {
    console.log("Usage:  nook system check|info [--format json]\n");
    return Promise.resolve(sub === undefined ? 125 : 0);
  }
  throw new UsageError(`unknown command 'system ${sub}'\nSee 'nook system --help'`);
}
