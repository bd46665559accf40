/**
 * `nook restart [-t N] CONTAINER...`: stop, then start under a new monitor.
 *
 * @module
 */
import { main as stop } from "./stop.ts";

/**
 * Runs `nook restart`.
 *
 * @param args Arguments after "restart".
 * @returns 0, or 125 when one failed.
 *
 * @example
 * ```ts ignore
 * await main(["web"]);
 * ```
 */
export function main(args: string[]): Promise<number> {
  return stop(args, "restart");
}
