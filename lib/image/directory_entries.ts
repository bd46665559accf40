/**
 * A directory tree as tar entries (for `nook import DIR`): files, directories,
 * symlinks, hard links (by inode), fifos and devices, with their modes and
 * modification times, in a stable order (sorted by name, parents first).
 * Owners are translated from host ids to the ids the container sees through
 * the user's id maps: your own uid becomes root, a subordinate uid the id it
 * maps to, any other id nobody (65534), as the kernel shows them.
 *
 * Limits: extended attributes (file capabilities, SELinux labels) are not
 * kept, sockets are skipped, and every file must be readable by you. A tree
 * holding files of subordinate ids that you cannot read (a rootfs unpacked by
 * `nook unshare`) must be archived inside the user namespace instead:
 * `nook unshare tar -C DIR -c . | nook import - NAME`.
 *
 * @module
 */
import { NookError } from "../errors/mod.ts";
import { sys } from "../sys/mod.ts";
import type { IdMapping } from "../userns/mod.ts";
import type { TarWriteEntry } from "./tar_writer.ts";

/** Options of {@linkcode directoryEntries}. */
export interface DirectoryEntriesOptions {
  /** uid map of the user namespace (inside <- outside); default: ids kept as they are. */
  uidMap?: IdMapping[];
  /** gid map of the user namespace. */
  gidMap?: IdMapping[];
}

/** The id nobody has, for host ids the namespace does not map. */
export const OVERFLOW_ID = 65534;

/**
 * The id a host id has inside a user namespace.
 *
 * @param maps The namespace's map (undefined: ids stay).
 * @param id A host id.
 * @returns The id inside, or 65534 when it is not mapped.
 *
 * @example
 * ```ts
 * import { idInside } from "./directory_entries.ts";
 * const map = [{ inside: 0, outside: 1000, count: 1 }, { inside: 1, outside: 100000, count: 65536 }];
 * console.assert(idInside(map, 1000) === 0 && idInside(map, 100009) === 10 && idInside(map, 5) === 65534);
 * ```
 */
export function idInside(maps: IdMapping[] | undefined, id: number): number {
  if (!maps) return id;
  const m = maps.find((m) => id >= m.outside && id < m.outside + m.count);
  return m ? m.inside + (id - m.outside) : OVERFLOW_ID;
}

function cannotRead(path: string, err: unknown): NookError {
  const why = (err as { code?: string }).code === "EACCES"
    ? "permission denied (for files of subordinate ids, archive the directory inside " +
      "the user namespace: nook unshare tar -C DIR -c . | nook import - NAME)"
    : (err as Error).message;
  return new NookError(`Cannot read '${path}': ${why}`, { cause: err });
}

async function* readFile(path: string): AsyncGenerator<Uint8Array> {
  let stream: ReadableStream<Uint8Array> | null;
  try {
    stream = sys.readStream(path);
  } catch (err) {
    throw cannotRead(path, err);
  }
  if (!stream) throw cannotRead(path, new Error("it disappeared while it was read"));
  yield* stream;
}

/**
 * The entries of a directory tree, the directory itself not included (the
 * layer's root keeps the unpacker's mode 0755).
 *
 * @param root The directory.
 * @param options Id maps.
 * @returns Tar entries, names relative to `root`.
 * @throws {NookError} When a directory or file cannot be read.
 *
 * @example
 * ```ts ignore
 * const tar = writeTar(directoryEntries("/tmp/rootfs", { uidMap, gidMap }));
 * ```
 */
export async function* directoryEntries(
  root: string,
  options: DirectoryEntriesOptions = {},
): AsyncGenerator<TarWriteEntry> {
  const inodes = new Map<string, string>();
  async function* walk(dir: string, prefix: string): AsyncGenerator<TarWriteEntry> {
    let names: string[];
    try {
      names = sys.readDir(dir);
    } catch (err) {
      throw cannotRead(dir, err);
    }
    if (names.length === 0 && !sys.lstat(dir)) {
      throw cannotRead(dir, new Error("no such file or directory"));
    }
    names.sort();
    for (const base of names) {
      const path = `${dir}/${base}`;
      const name = `${prefix}${base}`;
      const info = sys.lstat(path);
      if (!info) continue; // removed meanwhile
      const common = {
        name,
        mode: info.mode & 0o7777,
        uid: idInside(options.uidMap, info.uid),
        gid: idInside(options.gidMap, info.gid),
        mtime: Math.floor(info.mtimeMs / 1000),
      };
      if (info.isDirectory) {
        yield { ...common, type: "directory" };
        yield* walk(path, `${name}/`);
      } else if (info.isSymlink) {
        yield { ...common, type: "symlink", linkname: sys.readLink(path) };
      } else if (info.isFile) {
        const key = `${info.dev}:${info.ino}`;
        const first = info.nlink > 1 ? inodes.get(key) : undefined;
        if (first !== undefined) {
          yield { ...common, type: "hardlink", linkname: first };
          continue;
        }
        if (info.nlink > 1) inodes.set(key, name);
        yield { ...common, type: "file", size: info.size, data: readFile(path) };
      } else if (info.isFifo) {
        yield { ...common, type: "fifo" };
      } else if (info.isCharDevice || info.isBlockDevice) {
        const rdev = info.rdev;
        yield {
          ...common,
          type: info.isCharDevice ? "char" : "block",
          devmajor: ((rdev >> 8) & 0xfff) | (Math.floor(rdev / 2 ** 32) & ~0xfff),
          devminor: (rdev & 0xff) | ((rdev >> 12) & ~0xff & 0xfffff),
        };
      }
      // sockets have no place in a tar
    }
  }
  yield* walk(root.replace(/\/+$/, "") || "/", "");
}
