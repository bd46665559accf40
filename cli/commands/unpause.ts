/**
 * `nook unpause CONTAINER...`.
 *
 * @module
 */
import { main as pause } from "./pause.ts";

/**
 * Runs `nook unpause`.
 *
 * @param args Arguments after "unpause".
 * @returns 0, or 125 when one failed.
 *
 * @example
 * ```ts ignore
 * await main(["web"]);
 * ```
 */
export function main(args: string[]): Promise<number> {
  return pause(args, "unpause");
}
