/**
 * `du -sb`-like sizes of store files and trees, counted as the user sees
 * them: apparent sizes from lstat, each hard-linked file once, and entries
 * the user cannot read (directories of subordinate ids with mode 0700)
 * skipped rather than failing.
 *
 * @module
 */
import { type FileInfo, sys } from "../sys/sys.ts";

/**
 * The bytes of a file or directory tree: the sum of the lstat sizes of every
 * entry (directories and symlinks included), hard links counted once.
 * Unreadable directories count their own size only; a missing path is 0.
 *
 * @param path A file or directory.
 * @param seen Inodes already counted (`dev:ino`), shared across calls so
 *   that trees holding the same hard-linked files are not counted twice.
 * @returns The size in bytes.
 *
 * @example
 * ```ts
 * import { treeSize } from "./tree_size.ts";
 * const dir = Deno.makeTempDirSync();
 * Deno.writeTextFileSync(`${dir}/a`, "12345");
 * console.assert(treeSize(dir) >= 5);
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export function treeSize(path: string, seen: Set<string> = new Set()): number {
  let info: FileInfo | null;
  try {
    info = sys.lstat(path);
  } catch {
    info = null; // not ours to look at
  }
  if (info === null) return 0;
  if (!info.isDirectory && info.nlink > 1) {
    const key = `${info.dev}:${info.ino}`;
    if (seen.has(key)) return 0;
    seen.add(key);
  }
  let total = info.size;
  if (!info.isDirectory) return total;
  let entries: string[];
  try {
    entries = sys.readDir(path);
  } catch {
    return total; // a directory of a subordinate id we cannot read
  }
  for (const name of entries) total += treeSize(`${path}/${name}`, seen);
  return total;
}
