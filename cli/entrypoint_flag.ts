/**
 * `--entrypoint`'s value: one program, or (as podman takes it) the whole argv
 * as a JSON array of strings.
 *
 * @module
 */
import { UsageError } from "../lib/errors/mod.ts";

/**
 * The argv an `--entrypoint` value stands for.
 *
 * @param value The flag's value.
 * @returns `[value]`, or the strings of a JSON array (`'["/bin/echo","hi"]'`).
 * @throws {UsageError} When the value starts with "[" and is not an array of strings.
 *
 * @example
 * ```ts
 * import { parseEntrypoint } from "./entrypoint_flag.ts";
 * console.assert(parseEntrypoint("/bin/sh").join() === "/bin/sh");
 * console.assert(parseEntrypoint('["/bin/echo","hi"]').join(" ") === "/bin/echo hi");
 * console.assert(parseEntrypoint("").length === 1);
 * ```
 */
export function parseEntrypoint(value: string): string[] {
  if (!value.trimStart().startsWith("[")) return [value];
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === "string")) {
    throw new UsageError(
      `Invalid --entrypoint '${value}': a value starting with '[' must be a JSON array of ` +
        `strings, e.g. '["/bin/echo","hi"]'`,
    );
  }
  return parsed.length === 0 ? [""] : parsed;
}
