/**
 * Tar entries of a container's files: a subtree of its merged view (for
 * `export` and `cp` out), or its changes as an image layer with OCI
 * whiteouts (for `commit`). Owners are the ones the container sees, so this
 * runs as root in the user namespace; hard links within what is archived
 * stay hard links; a file capability (`security.capability`) goes along as a
 * PAX record (other extended attributes do not); sockets are left out, as
 * tar cannot hold them.
 *
 * @module
 */
import { loadShim } from "../../shim/binding.ts";
import type { TarWriteEntry } from "../image/tar_writer.ts";
import { NookError } from "../errors/mod.ts";
import { type FileInfo, sys } from "../sys/mod.ts";
import type { FileChange } from "./container_changes.ts";
import type { LayeredTree, TreeNode } from "./layered_tree.ts";

const WHITEOUT_PREFIX = ".wh.";
/**
 * The extended attributes archived: the shim cannot list a file's attributes,
 * so only the one images need, a file capability, is looked for.
 */
const XATTRS = ["security.capability"];
const OPAQUE_MARKER = ".wh..wh..opq";

async function* readFile(path: string): AsyncGenerator<Uint8Array> {
  const stream = sys.readStream(path);
  if (!stream) throw new NookError(`Cannot archive '${path}': it disappeared while it was read`);
  yield* stream;
}

function fileXattrs(path: string): [string, Uint8Array][] {
  const shim = loadShim();
  const out: [string, Uint8Array][] = [];
  for (const name of XATTRS) {
    const value = shim.lgetxattr(path, name);
    if (typeof value !== "number") out.push([name, value]);
  }
  return out;
}

/** Remembers the first name of each file with several links. */
export class HardLinks {
  #first = new Map<string, string>();

  /**
   * The name a file was archived under before, or undefined (and remembers this one).
   *
   * @param info The file's lstat.
   * @param name Its name in the archive.
   * @returns The earlier name.
   */
  seen(info: FileInfo, name: string): string | undefined {
    if (!info.isFile || info.nlink < 2) return undefined;
    const key = `${info.dev}:${info.ino}`;
    const first = this.#first.get(key);
    if (first === undefined) this.#first.set(key, name);
    return first;
  }
}

/**
 * The tar entry of one file.
 *
 * @param path Its host path.
 * @param info Its lstat.
 * @param name Its name in the archive.
 * @param links Hard links seen so far.
 * @returns The entry, or null for a socket.
 *
 * @example
 * ```ts
 * import { fileEntry, HardLinks } from "./tree_entries.ts";
 * import { sys } from "../sys/mod.ts";
 * const entry = fileEntry("/", sys.lstat("/")!, "root", new HardLinks());
 * console.assert(entry?.type === "directory");
 * ```
 */
export function fileEntry(
  path: string,
  info: FileInfo,
  name: string,
  links: HardLinks,
): TarWriteEntry | null {
  const common = {
    name,
    mode: info.mode & 0o7777,
    uid: info.uid,
    gid: info.gid,
    mtime: Math.floor(info.mtimeMs / 1000),
  };
  if (info.isDirectory) return { ...common, type: "directory" };
  if (info.isSymlink) return { ...common, type: "symlink", linkname: sys.readLink(path) };
  if (info.isFile) {
    const first = links.seen(info, name);
    if (first !== undefined) return { ...common, type: "hardlink", linkname: first };
    const xattrs = fileXattrs(path);
    return {
      ...common,
      type: "file",
      size: info.size,
      data: readFile(path),
      ...(xattrs.length ? { xattrs } : {}),
    };
  }
  if (info.isFifo) return { ...common, type: "fifo" };
  if (info.isCharDevice || info.isBlockDevice) {
    const rdev = info.rdev;
    return {
      ...common,
      type: info.isCharDevice ? "char" : "block",
      devmajor: ((rdev >> 8) & 0xfff) | (Math.floor(rdev / 2 ** 32) & ~0xfff),
      devminor: (rdev & 0xff) | ((rdev >> 12) & ~0xff & 0xfffff),
    };
  }
  return null;
}

/**
 * The entries of a node of the merged view and of everything under it,
 * parents first, names sorted.
 *
 * @param tree The merged view.
 * @param node Where to start.
 * @param name Its name in the archive; "" leaves the node itself out and
 *   names its children from the archive's root.
 * @returns The entries.
 *
 * @example Everything a container shows, as `nook export` writes it
 * ```ts ignore
 * import { writeTar } from "../image/tar_writer.ts";
 * const tar = writeTar(treeEntries(tree, tree.root(), ""));
 * ```
 */
export function* treeEntries(
  tree: LayeredTree,
  node: TreeNode,
  name: string,
): Generator<TarWriteEntry> {
  const links = new HardLinks();
  function* walk(at: TreeNode, prefix: string): Generator<TarWriteEntry> {
    for (const child of tree.children(at)) {
      const base = child.rel.slice(child.rel.lastIndexOf("/") + 1);
      const childName = `${prefix}${base}`;
      const entry = fileEntry(child.path, child.info, childName, links);
      if (!entry) continue;
      yield entry;
      if (child.info.isDirectory) yield* walk(child, `${childName}/`);
    }
  }
  if (name !== "") {
    const entry = fileEntry(node.path, node.info, name, links);
    if (!entry) return;
    yield entry;
    if (!node.info.isDirectory) return;
  }
  if (node.info.isDirectory) yield* walk(node, name === "" ? "" : `${name}/`);
}

/**
 * A container's changes as the entries of an image layer: added and changed
 * entries as they are now, a deletion as a `.wh.NAME` file, a directory that
 * hides the image's one as the directory and its `.wh..wh..opq`.
 *
 * @param changes The changes (from `containerChanges`), sorted by path.
 * @returns The layer's entries, names relative (`etc/passwd`).
 *
 * @example
 * ```ts ignore
 * import { writeTar } from "../image/tar_writer.ts";
 * const tar = writeTar(layerEntries(containerChanges(source)));
 * ```
 */
export function* layerEntries(changes: readonly FileChange[]): Generator<TarWriteEntry> {
  const links = new HardLinks();
  for (const change of changes) {
    const name = change.path.replace(/^\/+/, "");
    if (change.kind === "D") {
      if (change.underOpaque) continue;
      const slash = name.lastIndexOf("/");
      const whiteout = `${name.slice(0, slash + 1)}${WHITEOUT_PREFIX}${name.slice(slash + 1)}`;
      yield { name: whiteout, type: "file", mode: 0o644, data: new Uint8Array(0) };
      continue;
    }
    const path = change.source!;
    const info = sys.lstat(path);
    if (!info) throw new NookError(`Cannot archive '${path}': it disappeared while it was read`);
    const entry = fileEntry(path, info, name, links);
    if (!entry) continue;
    yield entry;
    if (change.opaque && info.isDirectory) {
      yield {
        name: `${name}/${OPAQUE_MARKER}`,
        type: "file",
        mode: 0o644,
        data: new Uint8Array(0),
      };
    }
  }
}
