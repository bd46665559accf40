/**
 * Atomic file replacement: write a temporary file in the same directory,
 * fsync it, rename it over the target. Readers see the old or the new file,
 * never a part.
 *
 * @module
 */

/**
 * Writes `data` to `path` atomically.
 *
 * @param path The file to replace.
 * @param data Its new contents.
 * @param mode File mode (default 0644).
 *
 * @example
 * ```ts
 * import { writeFileAtomic } from "./atomic_write.ts";
 * const dir = Deno.makeTempDirSync();
 * writeFileAtomic(`${dir}/x.json`, "{}");
 * console.assert(Deno.readTextFileSync(`${dir}/x.json`) === "{}");
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o644): void {
  const tmp = `${path}.tmp-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const file = Deno.openSync(tmp, { write: true, createNew: true, mode });
  try {
    for (let at = 0; at < bytes.length;) at += file.writeSync(bytes.subarray(at));
    file.syncSync();
  } finally {
    file.close();
  }
  try {
    Deno.renameSync(tmp, path);
  } catch (err) {
    Deno.removeSync(tmp);
    throw err;
  }
}
