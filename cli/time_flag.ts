/**
 * The `-t/--time SECONDS` flag of `stop`, `restart` and `rm` (podman's): the
 * seconds a container gets after its stop signal before SIGKILL.
 *
 * @module
 */
import { UsageError } from "../lib/errors/mod.ts";
import type { FlagSpec } from "./args.ts";

/** `-t/--time SECONDS`. */
export const TIME_FLAG: FlagSpec = {
  name: "time",
  short: "t",
  type: "string",
  value: "SECONDS",
  help: "Seconds to wait before SIGKILL (default: the container's, 10)",
};

/**
 * The value of `--time`: whole seconds (a negative number is none, as 0).
 *
 * @param text The flag's value, or undefined when not given.
 * @returns The seconds, or undefined.
 * @throws {UsageError} When it is not a whole number.
 *
 * @example
 * ```ts
 * import { parseTime } from "./time_flag.ts";
 * console.assert(parseTime("3") === 3 && parseTime(undefined) === undefined);
 * ```
 */
export function parseTime(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^-?\d+$/.test(text)) throw new UsageError(`Invalid --time '${text}': give whole seconds`);
  return Number(text);
}
