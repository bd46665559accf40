/**
 * Atomic file replacement: write a temporary file in the same directory,
 * fsync it, rename it over the target. Readers see the old or the new file,
 * never a part.
 *
 * @module
 */
import { sys } from "../sys/sys.ts";

/**
 * Writes `data` to `path` atomically.
 *
 * @param path The file to replace.
 * @param data Its new contents.
 * @param mode File mode (default 0644).
 * @param options `fsync: false` leaves out the fsync before the rename, for a
 *   file that need not outlive a crash: readers still see the old or the new
 *   file, never a part, but after a crash it may be the old one, or empty.
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
export function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  mode = 0o644,
  options: { fsync?: boolean } = {},
): void {
  const tmp = `${path}.tmp-${sys.pid()}-${crypto.randomUUID().slice(0, 8)}`;
  sys.writeFile(tmp, data, { createNew: true, mode, fsync: options.fsync ?? true });
  try {
    sys.rename(tmp, path);
  } catch (err) {
    sys.remove(tmp);
    throw err;
  }
}
