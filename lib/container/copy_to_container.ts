/**
 * `nook cp SRC CONTAINER:PATH`: copying into a container, with docker's
 * rules. SRC is read here, as you, into a tar (a symlink as the link unless
 * `followLink`, `-L`; `SRC/.` for a directory's contents), or is a tar stream
 * (`-`). The container files worker extracts it as root in the user
 * namespace into the container's writable directory: the upper directory of
 * an overlay or fuse-overlayfs container (also while it runs: a running
 * container may not see a new entry of a directory it has already looked
 * into, as overlayfs caches), or the vfs copy. The destination is resolved
 * in the container's merged view, symlinks followed inside its root only;
 * the worker can write nothing but that directory.
 *
 * Owners: everything copied in belongs to the container's root, unless
 * `archive` (`-a`) keeps the source's owners (your own uid and gid become
 * root's, your subordinate ids the ids they map to, others nobody).
 *
 * @module
 */
import { UsageError } from "../errors/mod.ts";
import { directoryEntries, idInside } from "../image/directory_entries.ts";
import { type TarWriteEntry, writeTar } from "../image/tar_writer.ts";
import { type FileInfo, sys } from "../sys/mod.ts";
import { chooseIdMaps, type IdMapping } from "../userns/mod.ts";
import { containerFilesystem } from "./container_filesystem.ts";
import type { CopySource } from "./copy_into_tree.ts";
import { startFilesWorker } from "./start_files_worker.ts";
import { fileEntry, HardLinks } from "./tree_entries.ts";

/** Options of {@linkcode copyToContainer}. */
export interface CopyToOptions {
  /** Keep the source's owners (`-a`); default: everything is root's. */
  archive?: boolean;
  /** Follow a symlink SRC (`-L`). */
  followLink?: boolean;
  /** Warnings. */
  onWarning?: (message: string) => void;
}

interface Maps {
  uid: IdMapping[];
  gid: IdMapping[];
}

async function* hostEntries(
  src: string,
  info: FileInfo,
  name: string,
  maps: Maps | null,
): AsyncGenerator<TarWriteEntry> {
  const owned = (entry: TarWriteEntry): TarWriteEntry => ({
    ...entry,
    uid: maps ? idInside(maps.uid, entry.uid ?? 0) : 0,
    gid: maps ? idInside(maps.gid, entry.gid ?? 0) : 0,
  });
  const top = fileEntry(src, info, name, new HardLinks());
  if (!top) throw new UsageError(`Cannot copy '${src}': it is a socket`);
  yield owned(top);
  if (!info.isDirectory) return;
  for await (
    const entry of directoryEntries(src, maps ? { uidMap: maps.uid, gidMap: maps.gid } : {})
  ) {
    yield {
      ...entry,
      name: `${name}/${entry.name}`,
      ...(entry.type === "hardlink" ? { linkname: `${name}/${entry.linkname}` } : {}),
      ...(maps ? {} : { uid: 0, gid: 0 }),
    };
  }
}

/** What SRC is and its archive. */
function hostSource(
  src: string,
  options: CopyToOptions,
  maps: Maps | null,
): { source: CopySource; tar: AsyncIterable<Uint8Array> } {
  const contents = /(^|\/)\.$/.test(src);
  const follow = options.followLink === true || /\/\.?$/.test(src);
  let info: FileInfo | null;
  try {
    info = follow ? sys.stat(src) : sys.lstat(src);
  } catch (err) {
    throw new UsageError(`Cannot copy '${src}': ${(err as Error).message}`);
  }
  if (!info) throw new UsageError(`Cannot copy '${src}': no such file or directory`);
  const path = contents ? src : src.replace(/(.)\/+$/, "$1");
  const last = path.split("/").filter((p) => p !== "" && p !== ".").at(-1) ?? "";
  // `/`, `.` and `..` have no name of their own: their contents are copied.
  const nameless = last === "" || last === "..";
  const name = nameless ? "top" : last;
  const kind = info.isDirectory ? "directory" : info.isFile ? "file" : "other";
  return {
    source: { kind, name, contents: contents || (nameless && kind === "directory") },
    tar: writeTar(hostEntries(path, info, name, maps)),
  };
}

/** Reads a stream to its end (`Array.fromAsync` is missing on Node 20). */
async function drain(stream: ReadableStream<Uint8Array>): Promise<void> {
  const reader = stream.getReader();
  while (!(await reader.read()).done) {
    // nothing to keep
  }
}

/**
 * Copies a host path, or a tar stream, into a container.
 *
 * @param src A host path, or a tar stream (its entries go into the destination directory).
 * @param ref The container (id, id prefix or name).
 * @param path The destination in the container.
 * @param options `-a`, `-L`, warnings.
 * @throws {UsageError} On an unknown container, or a missing SRC.
 * @throws {NookError} When the destination does not resolve, docker's rules
 *   refuse the copy (a directory onto a file, a missing destination
 *   directory), or an entry cannot be written.
 *
 * @example
 * ```ts ignore
 * import { copyToContainer } from "./copy_to_container.ts";
 * await copyToContainer("./app.conf", "f45a27", "/etc/");
 * ```
 */
export async function copyToContainer(
  src: string | ReadableStream<Uint8Array>,
  ref: string,
  path: string,
  options: CopyToOptions = {},
): Promise<void> {
  const fs = containerFilesystem(ref);
  const idMaps = chooseIdMaps({ onWarning: () => {} });
  const keep = options.archive === true && idMaps.mode === "subid";
  const maps = keep ? { uid: idMaps.uid, gid: idMaps.gid } : null;
  const { source, tar } = typeof src === "string"
    ? hostSource(src, options, maps)
    : { source: { kind: "archive", name: "" } as CopySource, tar: src };
  const worker = await startFilesWorker({
    op: "extract",
    layers: fs.merged,
    dest: path,
    source,
    owners: keep ? "keep" : "squash",
  }, { writable: fs.top.path, onWarning: options.onWarning });
  const output = drain(worker.output); // it writes nothing; its end says it is done
  try {
    for await (const chunk of tar) {
      if (!(await worker.write(chunk))) break;
    }
  } catch (err) {
    throw (await worker.stop()) ?? err;
  }
  worker.closeInput();
  await output;
  await worker.finish();
}
