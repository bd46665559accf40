/**
 * The child side of {@linkcode startUsernsWorker}: how a worker (nook
 * re-executed as a hidden command in the user namespace) reports. Each
 * error or warning is one line on standard error, warnings starting with
 * {@linkcode WARNING_PREFIX}; the exit code says whether it worked (0, or 125
 * after an error). This file imports almost nothing, since every worker loads
 * it at its start.
 *
 * @module
 */
import { sys } from "../sys/sys.ts";

/** What starts a warning line on a worker's standard error. */
export const WARNING_PREFIX = "warning: ";

/** Exit code of a worker that failed (its error is on standard error). */
const EXIT_FAILED = 125;

/**
 * Runs a worker's work and reports its outcome the way the parent reads it.
 *
 * @param work The work; it gets a function that reports a warning.
 * @returns The exit code: 0, or 125 after an error (whose message is then on
 *   standard error, on one line).
 *
 * @example
 * ```ts ignore
 * export async function main(args: string[]): Promise<number> {
 *   return await runUsernsWorker(async (warn) => {
 *     await doTheWork(args, { onWarning: warn });
 *   });
 * }
 * ```
 */
export async function runUsernsWorker(
  work: (warn: (message: string) => void) => Promise<void>,
): Promise<number> {
  const say = (line: string) => sys.stderr(line.replace(/\n/g, " ") + "\n");
  try {
    await work((message) => say(`${WARNING_PREFIX}${message}`));
    return 0;
  } catch (err) {
    say((err as Error)?.message ?? String(err));
    return EXIT_FAILED;
  }
}
