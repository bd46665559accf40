/**
 * An exclusive lock on a lock file (flock), held while a function runs, so
 * that concurrent nook processes update shared state one at a time.
 *
 * @module
 */
import { sys } from "../sys/sys.ts";

/**
 * Runs `fn` while holding the lock file `path` (created when missing).
 *
 * @param path The lock file.
 * @param fn The critical section.
 * @returns What `fn` returns.
 *
 * @example
 * ```ts
 * import { withLock } from "./lock.ts";
 * const dir = Deno.makeTempDirSync();
 * const n = await withLock(`${dir}/lock`, () => 42);
 * console.assert(n === 42);
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export async function withLock<T>(path: string, fn: () => T | Promise<T>): Promise<T> {
  const release = await sys.lock(path);
  try {
    return await fn();
  } finally {
    release();
  }
}
