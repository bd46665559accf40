/**
 * Where ext4 puts a new layer: the layers' staging directory gets ext4's
 * TOPDIR flag (`chattr +T`), so that each layer unpacked there starts in a
 * block group of its own, the way ext4's Orlov allocator places the
 * directories of the root (homes), instead of next to the layer removed just
 * before.
 *
 * Why: on ext4 without a journal, a new inode is never one deleted less than
 * a minute ago (6 minutes while its inode table block is dirty) when another
 * is free, and the search for one walks past each of them, for each new
 * file. Unpacking a layer where one was just removed (`rmi`, then `pull`;
 * the benchmark's every run) then costs seconds of system time. Measured here
 * (ext4 without a journal, the Debian minbase layer, 7k files, store removed
 * before each of 5 pulls in a row): 3.4, 6.4, 6.5, 7.5 and 8.6 s with the
 * system time growing from 2.0 to 7.3 s (perf: `recently_deleted()` and
 * `find_inode_bit()`), against 1.6-2.1 s and 0.6-0.8 s with the flag (one of
 * the 5 still landed among recently freed inodes: 3.8 s). On file systems
 * without the flag nothing changes.
 *
 * @module
 */
import { loadShim } from "../../shim/binding.ts";

/**
 * Sets the TOPDIR flag on the directory layers are unpacked in, where the
 * file system has one; nothing else when it cannot (best effort).
 *
 * @param dir The directory (`layers/incoming`).
 *
 * @example
 * ```ts ignore
 * spreadLayers(layout.incomingLayers);
 * ```
 */
export function spreadLayers(dir: string): void {
  loadShim().setTopDir(dir);
}
