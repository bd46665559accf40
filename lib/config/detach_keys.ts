/**
 * `--detach-keys`: docker's key sequence that detaches `attach` from a
 * container, e.g. `ctrl-p,ctrl-q` (the default) or `ctrl-a,d`.
 *
 * @module
 */
import { UsageError } from "../errors/mod.ts";

/** docker's default: ctrl-p then ctrl-q. */
export const DEFAULT_DETACH_KEYS = "ctrl-p,ctrl-q";

/**
 * The bytes a detach sequence sends: a single character stands for itself,
 * `ctrl-X` for its control code (X a letter or one of `@[\]^_`).
 *
 * @param text Comma-separated keys; "" for none (detaching is off, as podman has it).
 * @returns The bytes, in order.
 * @throws {UsageError} On a key that is neither, naming it and the form to give.
 *
 * @example
 * ```ts
 * import { parseDetachKeys } from "./detach_keys.ts";
 * console.assert(parseDetachKeys("ctrl-p,ctrl-q").join(",") === "16,17");
 * console.assert(parseDetachKeys("ctrl-a,d").join(",") === "1,100");
 * console.assert(parseDetachKeys("").length === 0);
 * ```
 */
export function parseDetachKeys(text: string): Uint8Array {
  if (text === "") return new Uint8Array();
  const out: number[] = [];
  for (const key of text.split(",")) {
    const ctrl = /^ctrl-(.)$/i.exec(key);
    if (ctrl) {
      const c = ctrl[1].length === 1 && /[a-z]/i.test(ctrl[1]) ? ctrl[1].toUpperCase() : ctrl[1];
      const code = c.charCodeAt(0);
      if (code >= 0x40 && code <= 0x5f) {
        out.push(code - 0x40);
        continue;
      }
    } else if (key.length === 1 && key.charCodeAt(0) < 0x80) {
      out.push(key.charCodeAt(0));
      continue;
    }
    throw new UsageError(
      `Invalid detach keys '${text}': '${key}' is neither one character nor ctrl-X ` +
        "(X a letter or one of @ [ \\ ] ^ _), e.g. --detach-keys ctrl-p,ctrl-q",
    );
  }
  return new Uint8Array(out);
}
