/**
 * A container's file system as the container sees it, read from the
 * directories it is stacked from (the upper directory over the image's
 * layers, or a vfs copy alone), without mounting anything: the topmost entry
 * of a name wins, directories merge down to an opaque one or a non-directory,
 * and whiteouts hide what is below them. This runs wherever the layers can be
 * read (as root in the user namespace, for files of subordinate ids).
 *
 * Whiteouts and opaque directories come in the form each writer makes them:
 * - `overlay` (nook's unpacked layers, kernel overlayfs upper directories):
 *   a character device 0:0 deletes its name, `user.overlay.opaque=y` makes a
 *   directory opaque;
 * - `fuse-overlayfs` (its upper directories): the same, and also `.wh.NAME`
 *   files, `.wh..wh..opq` and `user.fuseoverlayfs.opaque=y`; `.wh.` names are
 *   never visible;
 * - `none` (a vfs copy): a plain directory, every name is what it is.
 *
 * Paths are resolved inside the tree: symlinks, absolute or relative, are
 * followed from the tree's own root, and `..` never climbs above it.
 *
 * @module
 */
import { loadShim } from "../../shim/binding.ts";
import { NookError } from "../errors/mod.ts";
import { type FileInfo, sys } from "../sys/mod.ts";

/** How a directory of the stack marks deleted names and opaque directories. */
export type WhiteoutStyle = "overlay" | "fuse-overlayfs" | "none";

/** One directory of the stack. */
export interface TreeLayer {
  /** Host path of the directory. */
  path: string;
  /** How it marks deletions. */
  style: WhiteoutStyle;
}

/** A directory of one layer that takes part in a merged directory. */
export interface MergedDir {
  /** Index of the layer (0: the top). */
  layer: number;
  /** Host path of the directory in that layer. */
  path: string;
}

/** An entry of the merged tree. */
export interface TreeNode {
  /** Its path in the tree, relative, without a leading `/` ("" for the root). */
  rel: string;
  /** Host path of the entry that shows (the topmost). */
  path: string;
  /** lstat of that entry. */
  info: FileInfo;
  /** Index of the layer it comes from (0: the top). */
  layer: number;
  /** A directory's layer directories, top first, that merge into it (empty for others). */
  merged: MergedDir[];
}

/** A path that does not resolve in the tree. */
export class TreePathError extends NookError {
  /** `ENOENT` (a component is missing), `ENOTDIR` (one is not a directory) or `ELOOP`. */
  readonly code: "ENOENT" | "ENOTDIR" | "ELOOP";
  /** The path as it was asked for. */
  readonly path: string;

  /**
   * @param path The path asked for.
   * @param code What went wrong.
   * @param at The component where it went wrong.
   */
  constructor(path: string, code: "ENOENT" | "ENOTDIR" | "ELOOP", at: string) {
    const why = code === "ENOENT"
      ? `'/${at}' does not exist`
      : code === "ENOTDIR"
      ? `'/${at}' is not a directory`
      : "too many levels of symbolic links";
    super(`Cannot resolve '${path}' in the container: ${why}`);
    this.name = "TreePathError";
    this.code = code;
    this.path = path;
  }
}

/** Where {@linkcode LayeredTree.resolve} ends. */
export interface ResolvedPath {
  /** The path without symlinks, relative to the root ("" for the root). */
  rel: string;
  /** The entry there, or null when the last component does not exist. */
  node: TreeNode | null;
  /** The directory that holds it (the root for the root itself). */
  parent: TreeNode;
}

/** Options of {@linkcode LayeredTree.resolve}. */
export interface ResolveOptions {
  /** Follow a symlink in the last component too (default false). */
  followLast?: boolean;
}

const OPAQUE_MARKER = ".wh..wh..opq";
const WHITEOUT_PREFIX = ".wh.";
const MAX_LINKS = 40;
const Y = 0x79;

/** lstat, or null when the path does not exist (ENOENT, ENOTDIR). */
function lstat(path: string): FileInfo | null {
  return sys.lstat(path);
}

/**
 * Whether an entry is an overlay whiteout: a character device 0:0.
 *
 * @param info Its lstat.
 * @returns True for a whiteout.
 *
 * @example
 * ```ts
 * import { isWhiteoutDevice } from "./layered_tree.ts";
 * import { sys } from "../sys/mod.ts";
 * console.assert(!isWhiteoutDevice(sys.lstat("/")!));
 * ```
 */
export function isWhiteoutDevice(info: FileInfo): boolean {
  return info.isCharDevice && info.rdev === 0;
}

/**
 * Whether a directory of a layer is opaque (hides what lower layers have there).
 *
 * @param path The directory.
 * @param style How its layer marks it.
 * @returns True when it is opaque.
 *
 * @example
 * ```ts
 * import { isOpaqueDir } from "./layered_tree.ts";
 * console.assert(!isOpaqueDir("/", "none"));
 * ```
 */
export function isOpaqueDir(path: string, style: WhiteoutStyle): boolean {
  if (style === "none") return false;
  const shim = loadShim();
  const names = style === "overlay"
    ? ["user.overlay.opaque"]
    : ["user.fuseoverlayfs.opaque", "user.overlay.opaque"];
  for (const name of names) {
    const value = shim.lgetxattr(path, name);
    if (typeof value !== "number" && value.length === 1 && value[0] === Y) return true;
  }
  return style === "fuse-overlayfs" && lstat(`${path}/${OPAQUE_MARKER}`) !== null;
}

/**
 * The merged view of a stack of directories.
 *
 * @example List the root of a container whose upper directory lies over two layers
 * ```ts ignore
 * import { LayeredTree } from "./layered_tree.ts";
 * const tree = new LayeredTree([
 *   { path: "/c/upper", style: "overlay" },
 *   { path: "/l/2/diff", style: "overlay" },
 *   { path: "/l/1/diff", style: "overlay" },
 * ]);
 * console.log(tree.children(tree.root()).map((n) => n.rel));
 * ```
 */
export class LayeredTree {
  #layers: readonly TreeLayer[];

  /**
   * @param layers The directories, top first.
   * @throws {RangeError} Without a directory.
   */
  constructor(layers: readonly TreeLayer[]) {
    if (layers.length === 0) throw new RangeError("A layered tree needs at least one directory");
    this.#layers = layers;
  }

  /** The directories, top first. */
  get layers(): readonly TreeLayer[] {
    return this.#layers;
  }

  /**
   * The root directory.
   *
   * @returns Its node.
   * @throws {NookError} When the top directory is missing.
   */
  root(): TreeNode {
    const merged: MergedDir[] = [];
    let top: FileInfo | null = null;
    for (const [layer, { path, style }] of this.#layers.entries()) {
      const info = lstat(path);
      if (!info?.isDirectory) continue;
      top ??= info;
      merged.push({ layer, path });
      if (isOpaqueDir(path, style)) break;
    }
    if (!top || merged[0].layer !== 0) {
      throw new NookError(`The container's directory '${this.#layers[0].path}' is missing`);
    }
    return { rel: "", path: this.#layers[0].path, info: top, layer: 0, merged };
  }

  /**
   * An entry of a directory.
   *
   * @param dir The directory.
   * @param name A name in it (no `/`).
   * @returns The entry, or null when there is none (or it is deleted).
   */
  child(dir: TreeNode, name: string): TreeNode | null {
    const rel = dir.rel ? `${dir.rel}/${name}` : name;
    let found: TreeNode | null = null;
    for (const { layer, path: dirPath } of dir.merged) {
      const style = this.#layers[layer].style;
      if (style === "fuse-overlayfs") {
        if (name.startsWith(WHITEOUT_PREFIX)) continue; // its own markers never show
        if (lstat(`${dirPath}/${WHITEOUT_PREFIX}${name}`)) break;
      }
      const path = `${dirPath}/${name}`;
      const info = lstat(path);
      if (!info) continue;
      if (style !== "none" && isWhiteoutDevice(info)) break;
      if (found === null) {
        found = { rel, path, info, layer, merged: [] };
        if (!info.isDirectory) break;
      } else if (!info.isDirectory) {
        break; // a non-directory below a directory ends the merge
      }
      found.merged.push({ layer, path });
      if (isOpaqueDir(path, style)) break;
    }
    return found;
  }

  /**
   * The entries of a directory, sorted by name (byte order).
   *
   * @param dir The directory.
   * @returns Their nodes.
   */
  children(dir: TreeNode): TreeNode[] {
    const names = new Set<string>();
    for (const { layer, path } of dir.merged) {
      const style = this.#layers[layer].style;
      for (const name of sys.readDir(path)) {
        if (style === "fuse-overlayfs" && name.startsWith(WHITEOUT_PREFIX)) continue;
        names.add(name);
      }
    }
    const out: TreeNode[] = [];
    for (const name of [...names].sort(compareBytes)) {
      const node = this.child(dir, name);
      if (node) out.push(node);
    }
    return out;
  }

  /**
   * The entry at a path, without following any symlink.
   *
   * @param rel A path relative to the root (`a/b`).
   * @returns Its node, or null when it does not exist.
   */
  lookup(rel: string): TreeNode | null {
    let node: TreeNode | null = this.root();
    for (const part of rel.split("/")) {
      if (part === "" || part === ".") continue;
      if (!node?.info.isDirectory) return null;
      node = this.child(node, part);
    }
    return node;
  }

  /**
   * Resolves a path as the container would, inside the tree: symlinks in
   * every component but the last (and the last one too with `followLast`, or
   * when the path ends in `/` or `/.`) are followed, an absolute target from
   * the tree's root; `..` stops at the root.
   *
   * @param path A path in the container (relative ones start at the root).
   * @param options Whether to follow a symlink in the last component.
   * @returns The symlink-free path, its node (null when only the last
   *   component is missing) and its directory.
   * @throws {TreePathError} When a directory on the way is missing or is not
   *   one, or symlinks loop.
   */
  resolve(path: string, options: ResolveOptions = {}): ResolvedPath {
    const followLast = options.followLast || /(^|\/)\.?$/.test(path) && path !== "";
    const queue = path.split("/").filter((p) => p !== "" && p !== ".");
    const stack: TreeNode[] = [this.root()];
    let links = 0;
    let missing: string | null = null;
    while (queue.length > 0) {
      const part = queue.shift()!;
      const current = stack[stack.length - 1];
      if (missing !== null) throw new TreePathError(path, "ENOENT", missing);
      if (part === "..") {
        if (stack.length > 1) stack.pop();
        continue;
      }
      if (!current.info.isDirectory) throw new TreePathError(path, "ENOTDIR", current.rel);
      const node = this.child(current, part);
      if (node === null) {
        missing = current.rel ? `${current.rel}/${part}` : part;
        continue;
      }
      if (node.info.isSymlink && (queue.length > 0 || followLast)) {
        if (++links > MAX_LINKS) throw new TreePathError(path, "ELOOP", node.rel);
        const target = sys.readLink(node.path);
        if (target.startsWith("/")) stack.length = 1;
        queue.unshift(...target.split("/").filter((p) => p !== "" && p !== "."));
        continue;
      }
      stack.push(node);
    }
    if (missing !== null) {
      const parent = stack[stack.length - 1];
      if (!parent.info.isDirectory) throw new TreePathError(path, "ENOTDIR", parent.rel);
      return { rel: missing, node: null, parent };
    }
    const node = stack[stack.length - 1];
    return { rel: node.rel, node, parent: stack.length > 1 ? stack[stack.length - 2] : node };
  }
}

/**
 * Compares two strings by their UTF-8 bytes, as Go and docker sort paths.
 *
 * @param a A string.
 * @param b Another.
 * @returns Negative, zero or positive.
 *
 * @example
 * ```ts
 * import { compareBytes } from "./layered_tree.ts";
 * console.assert(["b", "a/b", "a"].sort(compareBytes).join(" ") === "a a/b b");
 * ```
 */
export function compareBytes(a: string, b: string): number {
  if (a === b) return 0;
  const enc = new TextEncoder();
  const x = enc.encode(a);
  const y = enc.encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return x[i] - y[i];
  }
  return x.length - y.length;
}
