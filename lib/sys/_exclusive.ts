/**
 * The EEXIST rule both runtime backends share (sys.ts, sys_node.ts).
 *
 * @module
 */

/**
 * Runs `fn`, which creates something (a directory, a link).
 *
 * @param fn The creation.
 * @returns True, or false when it failed with EEXIST (both Deno's and Node's errors carry `code`).
 *
 * @example
 * ```ts ignore
 * const made = exclusive(() => fs.mkdirSync(path));
 * ```
 */
export function exclusive(fn: () => void): boolean {
  try {
    fn();
    return true;
  } catch (err) {
    if ((err as { code?: string }).code === "EEXIST") return false;
    throw err;
  }
}
