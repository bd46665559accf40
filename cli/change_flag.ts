/**
 * docker's `--change` flag, which `commit` and `import` share: Dockerfile
 * instructions applied to the new image's config (by `applyChanges()` of
 * `lib/image/image_changes.ts`, which also lists what is supported).
 *
 * @module
 */
import { CHANGE_INSTRUCTIONS } from "../lib/image/image_changes.ts";
import type { FlagSpec, ParsedArgs } from "./args.ts";

/** The flag. */
export const CHANGE_FLAG: FlagSpec = {
  name: "change",
  short: "c",
  type: "list",
  value: "INSTRUCTION",
  help: `Apply a Dockerfile instruction: ${CHANGE_INSTRUCTIONS.join(", ")}`,
};

/**
 * The `--change` instructions among parsed flags.
 *
 * @param p What parseArgs returned for specs that include {@linkcode CHANGE_FLAG}.
 * @returns The instructions, in the order given (checked when applied).
 *
 * @example
 * ```ts
 * import { parseArgs } from "./args.ts";
 * import { CHANGE_FLAG, changesFromArgs } from "./change_flag.ts";
 * const p = parseArgs(["-c", "CMD sh", "--change=USER 1", "ctr"], [CHANGE_FLAG], { command: "commit" });
 * console.assert(changesFromArgs(p).join("|") === "CMD sh|USER 1");
 * ```
 */
export function changesFromArgs(p: ParsedArgs): string[] {
  return p.lists[CHANGE_FLAG.name] ?? [];
}
