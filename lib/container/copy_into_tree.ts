/**
 * Writes an archive into a container's file system (`nook cp` in), as root
 * in the user namespace, into the top directory of its stack: the upper
 * directory of an overlay container, or a vfs copy.
 *
 * The destination is resolved in the container's merged view, symlinks
 * followed inside its root, and docker's rules say where the archive goes
 * (into a directory, as a new name, over a file). Each entry's place is made
 * as overlayfs would make it: a directory that exists only in an image layer
 * is copied up first (with its mode, owner and times), and a directory that
 * replaces something deleted or a non-directory is made opaque, so that
 * nothing the container deleted comes back. The extraction itself refuses
 * entries that would go through a symlink.
 *
 * @module
 */
import { loadShim } from "../../shim/binding.ts";
import { errnoText, NookError } from "../errors/mod.ts";
import { type FileInfo, sys } from "../sys/mod.ts";
import { extractTar, type ExtractTarStats, type TarEntryType } from "../unpack/mod.ts";
import type { LayeredTree, WhiteoutStyle } from "./layered_tree.ts";

/** What is copied in. */
export interface CopySource {
  /**
   * `file`, `directory` or `other` (a symlink, a fifo): the archive holds it
   * under `name`; `archive`: a tar stream given as is (`nook cp -`), whose
   * entries go into the destination directory.
   */
  kind: "file" | "directory" | "other" | "archive";
  /** The source's base name, its top entry's name in the archive. */
  name: string;
  /** A directory's contents only (`SRC/.`): they go into the destination directory. */
  contents?: boolean;
}

/** Options of {@linkcode copyIntoTree}. */
export interface CopyIntoTreeOptions {
  /** The container's merged view; its top directory is written. */
  tree: LayeredTree;
  /** The destination in the container, as given. */
  dest: string;
  /** What the archive holds. */
  source: CopySource;
  /** The archive. */
  input: ReadableStream<Uint8Array>;
  /** "keep" the archive's owners (subordinate ids mapped), or "squash" them to root. */
  owners: "keep" | "squash";
  /** Warnings of the extraction. */
  onWarning?: (message: string) => void;
}

const OPAQUE_XATTR: Record<WhiteoutStyle, string | null> = {
  overlay: "user.overlay.opaque",
  "fuse-overlayfs": "user.fuseoverlayfs.opaque",
  none: null,
};

function clean(name: string): string | null {
  const parts: string[] = [];
  for (const part of name.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (parts.length === 0) return null;
      parts.pop();
    } else parts.push(part);
  }
  return parts.join("/");
}

function join(dir: string, name: string): string {
  return dir && name ? `${dir}/${name}` : dir || name;
}

function lstat(path: string): FileInfo | null {
  return sys.lstat(path);
}

/** Where the archive's entries go: their path in the tree, or null to skip. */
function placement(
  tree: LayeredTree,
  dest: string,
  source: CopySource,
): (name: string) => string | null {
  const where = tree.resolve(dest, { followLast: true });
  const node = where.node;
  const isDir = node?.info.isDirectory === true;
  const shown = `'${dest}'`;
  if (source.kind === "archive") {
    if (!node) throw new NookError(`Cannot copy to ${shown}: it does not exist in the container`);
    if (!isDir) {
      throw new NookError(`Cannot copy an archive to ${shown}: it is not a directory`);
    }
    return (name) => {
      const rel = clean(name);
      return rel === null || rel === "" ? null : join(where.rel, rel);
    };
  }
  let target: string;
  if (source.kind === "directory") {
    if (node && !isDir) {
      throw new NookError(`Cannot copy a directory to ${shown}: it is not a directory`);
    }
    target = !node ? where.rel : source.contents ? where.rel : join(where.rel, source.name);
  } else if (isDir) {
    target = join(where.rel, source.name);
  } else if (node && /\/\.?$/.test(dest)) {
    throw new NookError(`Cannot copy to ${shown}: it is not a directory`);
  } else {
    if (!node && /\/\.?$/.test(dest)) {
      throw new NookError(`Cannot copy to ${shown}: the directory does not exist in the container`);
    }
    target = where.rel;
  }
  // Into an existing directory, `SRC/.` leaves the directory's own entry out.
  const skipTop = target === "" || (source.contents === true && node !== null);
  return (name) => {
    const rel = clean(name);
    if (rel === source.name) return skipTop ? null : target;
    if (source.kind === "directory" && rel !== null && rel.startsWith(`${source.name}/`)) {
      return join(target, rel.slice(source.name.length + 1));
    }
    throw new NookError(`Refusing archive entry '${name}': it is not under '${source.name}'`);
  };
}

/** Makes each entry's place in the top directory as overlayfs would. */
class TopPreparer {
  #tree: LayeredTree;
  #top: string;
  #opaque: string | null;
  #dirs = new Set<string>();
  #shim = loadShim();

  constructor(tree: LayeredTree) {
    this.#tree = tree;
    this.#top = tree.layers[0].path;
    this.#opaque = OPAQUE_XATTR[tree.layers[0].style];
  }

  prepare(rel: string, type: TarEntryType): void {
    const parts = rel.split("/");
    for (let i = 1; i < parts.length; i++) this.#ensureDir(parts.slice(0, i).join("/"));
    if (type !== "directory") return;
    const shown = this.#tree.lookup(rel);
    if (shown?.info.isDirectory) return; // the extraction merges into it (or copies it up)
    const path = `${this.#top}/${rel}`;
    if (lstat(path)) sys.remove(path);
    this.#newOpaqueDir(path, 0o700);
  }

  /** A directory on the way to an entry: in the top directory, made from what shows. */
  #ensureDir(rel: string): void {
    if (this.#dirs.has(rel)) return;
    const path = `${this.#top}/${rel}`;
    const here = lstat(path);
    if (here?.isDirectory) {
      this.#dirs.add(rel);
      return;
    }
    const shown = this.#tree.lookup(rel);
    if (shown?.info.isDirectory) {
      this.#copyUp(shown.info, path);
    } else if (shown === null) {
      if (here) sys.remove(path); // a whiteout
      this.#newOpaqueDir(path, 0o755);
    } else {
      return; // a file or symlink is in the way: the extraction refuses the entry
    }
    this.#dirs.add(rel);
  }

  #copyUp(info: FileInfo, path: string): void {
    this.#mkdir(path, 0o700);
    this.#check(this.#shim.lchown(path, info.uid, info.gid), "lchown", path);
    sys.chmod(path, info.mode & 0o7777);
    // Whole milliseconds, as on Deno (Node's times have a fraction).
    const ns = (ms: number) => BigInt(Math.floor(ms)) * 1_000_000n;
    this.#check(this.#shim.lutimes(path, ns(info.atimeMs), ns(info.mtimeMs)), "lutimes", path);
  }

  /** mkdir(2) of a directory that must not be there yet. */
  #mkdir(path: string, mode: number): void {
    if (!sys.mkdir(path, mode)) {
      throw new NookError(`Cannot copy into the container: '${path}' appeared meanwhile`);
    }
  }

  #newOpaqueDir(path: string, mode: number): void {
    this.#mkdir(path, mode);
    sys.chmod(path, mode);
    if (this.#opaque) {
      const r = this.#shim.lsetxattr(path, this.#opaque, new TextEncoder().encode("y"));
      this.#check(r, `lsetxattr ${this.#opaque}`, path);
    }
  }

  #check(r: number, call: string, path: string): void {
    if (r < 0) {
      throw new NookError(`Cannot copy into the container: ${call} '${path}': ${errnoText(-r)}`);
    }
  }
}

/**
 * Extracts an archive into a container's file system.
 *
 * @param options The merged view, destination, source, archive and owners.
 * @returns What was written.
 * @throws {TreePathError} When the destination's directory does not resolve.
 * @throws {NookError} When docker's rules refuse the copy (a directory onto a
 *   file, a missing destination directory), or an entry is unsafe.
 *
 * @example
 * ```ts ignore
 * await copyIntoTree({
 *   tree,
 *   dest: "/etc/",
 *   source: { kind: "file", name: "motd" },
 *   input: sys.stdinStream(),
 *   owners: "keep",
 * });
 * ```
 */
export async function copyIntoTree(options: CopyIntoTreeOptions): Promise<ExtractTarStats> {
  const { tree } = options;
  const place = placement(tree, options.dest, options.source);
  const preparer = new TopPreparer(tree);
  return await extractTar(options.input, tree.layers[0].path, {
    owners: options.owners,
    rename: place,
    beforeEntry: (rel, type) => preparer.prepare(rel, type),
    onWarning: options.onWarning,
  });
}
