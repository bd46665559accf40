/**
 * `nook exec`: wired to the runtime's exec (lib/runtime/exec_process.ts).
 *
 * @module
 */
import { UsageError } from "../../lib/errors/mod.ts";

/**
 * Runs `nook exec`.
 *
 * @param _args Arguments after "exec".
 * @returns The command's exit code.
 *
 * @example
 * ```ts ignore
 * await main(["web", "ls"]);
 * ```
 */
export function main(_args: string[]): Promise<number> {
  return Promise.reject(new UsageError("'nook exec' is being built"));
}
