/**
 * What a container changed in its image's file system, as `docker diff`
 * lists it: `A` added, `C` changed, `D` deleted, sorted by path (parents
 * before children).
 *
 * - An overlay (or fuse-overlayfs) container: every entry of its upper
 *   directory is a change; one the image has there is `C`, else `A`; a
 *   whiteout of a name the image has is `D`. An opaque directory over one of
 *   the image is `C`, and what it hides is `D`.
 * - A vfs container: its copy is compared with the image: entries the image
 *   lacks are `A`, ones it has whose type, mode, owner, size, modification
 *   time or link target differ are `C`, ones the copy lacks are `D`.
 *
 * A directory is `C` when its mode or owner changed or anything under it
 * changed (so the parents of a change are listed too, as docker lists them);
 * a time alone does not count for directories. The mount points the runtime
 * makes when the image lacks them (`/proc`, `/sys`, `/dev`, and empty
 * `/etc/hostname`, `/etc/hosts`, `/etc/resolv.conf`, `/run/.containerenv`,
 * `/.dockerenv`) are not changes: docker keeps them in a layer of their own.
 *
 * @module
 */
import { NookError } from "../errors/mod.ts";
import { type FileInfo, sys } from "../sys/mod.ts";
import {
  compareBytes,
  isOpaqueDir,
  isWhiteoutDevice,
  LayeredTree,
  type TreeLayer,
  type TreeNode,
} from "./layered_tree.ts";

/** One change, docker's way. */
export interface ContainerChange {
  /** `A` added, `C` changed, `D` deleted. */
  kind: "A" | "C" | "D";
  /** Absolute path in the container. */
  path: string;
}

/** A change with what committing it needs. */
export interface FileChange extends ContainerChange {
  /** Host path of the new entry (`A` and `C`). */
  source?: string;
  /** A directory that hides the image's one below it. */
  opaque?: boolean;
  /** A deletion that an opaque directory above makes already. */
  underOpaque?: boolean;
}

/** Where a container's files are. */
export interface ChangeSource {
  /** The upper directory, or the vfs copy. */
  top: TreeLayer;
  /** The image's layers, top first. */
  lowers: readonly TreeLayer[];
  /** `top` is a full copy (vfs) to compare, not an upper directory. */
  copy: boolean;
}

/** Paths the runtime mounts over, and may create when the image lacks them. */
const RUNTIME_DIRS = new Set(["proc", "sys", "dev"]);
const RUNTIME_FILES = new Set([
  "etc/hostname",
  "etc/hosts",
  "etc/resolv.conf",
  "run/.containerenv",
  ".dockerenv",
]);
const OPAQUE_MARKER = ".wh..wh..opq";
const WHITEOUT_PREFIX = ".wh.";

function lstat(path: string): FileInfo {
  const info = sys.lstat(path);
  if (!info) {
    throw new NookError(`Cannot list the changes: '${path}' disappeared while it was read`);
  }
  return info;
}

function sameOwnerAndMode(a: FileInfo, b: FileInfo): boolean {
  return (a.mode & 0o7777) === (b.mode & 0o7777) && a.uid === b.uid && a.gid === b.gid;
}

function kindOf(info: FileInfo): string {
  if (info.isFile) return "file";
  if (info.isDirectory) return "dir";
  if (info.isSymlink) return "link";
  if (info.isCharDevice) return "char";
  if (info.isBlockDevice) return "block";
  if (info.isFifo) return "fifo";
  return "socket";
}

/** Whether a non-directory of the copy differs from the image's. */
function differs(path: string, info: FileInfo, below: TreeNode): boolean {
  const old = below.info;
  if (kindOf(info) !== kindOf(old) || !sameOwnerAndMode(info, old)) return true;
  if (info.isSymlink) return sys.readLink(path) !== sys.readLink(below.path);
  if (info.isCharDevice || info.isBlockDevice) return info.rdev !== old.rdev;
  // Whole milliseconds on every runtime (Node's mtimeMs has a fraction, Deno's has none).
  return info.size !== old.size || Math.floor(info.mtimeMs) !== Math.floor(old.mtimeMs);
}

/** What a walk of one directory found. */
interface WalkResult {
  /** A change was reported under it. */
  reported: boolean;
  /** Everything in it was a runtime mount point that was skipped (and there was one). */
  onlyRuntime: boolean;
  /** Names it shows. */
  names: Set<string>;
}

class ChangeWalker {
  #source: ChangeSource;
  #lower: LayeredTree | null;
  #copy: LayeredTree | null;
  readonly out: FileChange[] = [];
  #dropped = new WeakSet<FileChange>();

  constructor(source: ChangeSource) {
    this.#source = source;
    this.#lower = source.lowers.length ? new LayeredTree(source.lowers) : null;
    this.#copy = source.copy ? new LayeredTree([{ ...source.top, style: "none" }]) : null;
  }

  run(): FileChange[] {
    const lowerRoot = this.#lower?.root() ?? null;
    if (this.#copy) this.#walkCopy(this.#copy.root(), lowerRoot);
    else this.#walkUpper(this.#source.top.path, "", lowerRoot, false);
    return this.out.filter((c) => !this.#dropped.has(c)).sort((a, b) =>
      compareBytes(a.path, b.path)
    );
  }

  #lowerChild(dir: TreeNode | null, name: string): TreeNode | null {
    return dir && this.#lower ? this.#lower.child(dir, name) : null;
  }

  /** A mount point the runtime made: not in the image, and empty. */
  #runtimeMountPoint(rel: string, path: string, info: FileInfo, below: TreeNode | null) {
    if (below !== null) return false;
    if (RUNTIME_FILES.has(rel)) return info.isFile && info.size === 0;
    if (!RUNTIME_DIRS.has(rel) || !info.isDirectory) return false;
    for (const name of sys.readDir(path)) {
      if (this.#source.top.style !== "fuse-overlayfs" || !name.startsWith(WHITEOUT_PREFIX)) {
        return false;
      }
    }
    return true;
  }

  /** Adds a directory's change, or drops it when nothing about it counts. */
  #directory(
    change: FileChange,
    info: FileInfo,
    below: TreeNode | null,
    inner: WalkResult,
  ): "reported" | "runtime" | "none" {
    const unchanged = change.kind === "C" && below?.info.isDirectory && !change.opaque &&
      !inner.reported && sameOwnerAndMode(info, below.info);
    const onlyRuntime = change.kind === "A" && inner.onlyRuntime;
    if (unchanged || onlyRuntime) {
      this.#dropped.add(change);
      return onlyRuntime ? "runtime" : "none";
    }
    return "reported";
  }

  #walkUpper(dirPath: string, rel: string, below: TreeNode | null, opaque: boolean): WalkResult {
    const style = this.#source.top.style;
    const result: WalkResult = { reported: false, onlyRuntime: false, names: new Set() };
    let runtime = 0;
    let others = 0;
    const names = sys.readDir(dirPath).sort(compareBytes);
    for (const name of names) {
      const path = `${dirPath}/${name}`;
      if (style === "fuse-overlayfs" && name.startsWith(WHITEOUT_PREFIX)) {
        if (name === OPAQUE_MARKER) continue;
        const hidden = name.slice(WHITEOUT_PREFIX.length);
        if (!opaque && this.#lowerChild(below, hidden)) {
          this.out.push({ kind: "D", path: `/${join(rel, hidden)}` });
          result.reported = true;
          others++;
        }
        continue;
      }
      const info = lstat(path);
      const childRel = join(rel, name);
      const lower = this.#lowerChild(below, name);
      if (isWhiteoutDevice(info)) {
        if (!opaque && lower) {
          this.out.push({ kind: "D", path: `/${childRel}` });
          result.reported = true;
          others++;
        }
        continue;
      }
      if (this.#runtimeMountPoint(childRel, path, info, lower)) {
        runtime++;
        continue;
      }
      result.names.add(name);
      const change: FileChange = { kind: lower ? "C" : "A", path: `/${childRel}`, source: path };
      this.out.push(change);
      if (!info.isDirectory) {
        result.reported = true;
        others++;
        continue;
      }
      const lowerDir = lower?.info.isDirectory ? lower : null;
      change.opaque = lowerDir !== null && isOpaqueDir(path, style);
      const inner = this.#walkUpper(path, childRel, lowerDir, change.opaque);
      if (change.opaque && lowerDir) {
        for (const hidden of this.#lower!.children(lowerDir)) {
          const base = hidden.rel.slice(hidden.rel.lastIndexOf("/") + 1);
          if (inner.names.has(base)) continue;
          this.out.push({ kind: "D", path: `/${hidden.rel}`, underOpaque: true });
        }
      }
      const outcome = this.#directory(change, info, lower, inner);
      if (outcome === "runtime") runtime++;
      else others++;
      if (outcome === "reported") result.reported = true;
    }
    result.onlyRuntime = runtime > 0 && others === 0;
    return result;
  }

  #walkCopy(dir: TreeNode, below: TreeNode | null): WalkResult {
    const result: WalkResult = { reported: false, onlyRuntime: false, names: new Set() };
    let runtime = 0;
    let others = 0;
    const children = this.#copy!.children(dir);
    const present = new Set(children.map((c) => c.rel));
    if (below && this.#lower) {
      for (const old of this.#lower.children(below)) {
        if (present.has(old.rel)) continue;
        this.out.push({ kind: "D", path: `/${old.rel}` });
        result.reported = true;
        others++;
      }
    }
    for (const node of children) {
      const name = node.rel.slice(node.rel.lastIndexOf("/") + 1);
      const lower = this.#lowerChild(below, name);
      const { info, path } = node;
      if (this.#runtimeMountPoint(node.rel, path, info, lower)) {
        runtime++;
        continue;
      }
      others++;
      if (!info.isDirectory) {
        if (lower && !differs(path, info, lower)) continue;
        this.out.push({ kind: lower ? "C" : "A", path: `/${node.rel}`, source: path });
        result.reported = true;
        continue;
      }
      const change: FileChange = { kind: lower ? "C" : "A", path: `/${node.rel}`, source: path };
      this.out.push(change);
      const lowerDir = lower?.info.isDirectory ? lower : null;
      // A directory over a non-directory of the image hides nothing below it.
      const inner = this.#walkCopy(node, lowerDir);
      const outcome = this.#directory(change, info, lower, inner);
      if (outcome === "runtime") {
        runtime++;
        others--;
      }
      if (outcome === "reported") result.reported = true;
    }
    result.onlyRuntime = runtime > 0 && others === 0;
    return result;
  }
}

function join(dir: string, name: string): string {
  return dir ? `${dir}/${name}` : name;
}

/**
 * The changes of a container's files against its image. Run it where the
 * files can be read (as root in the user namespace).
 *
 * @param source The upper directory (or vfs copy) and the image's layers.
 * @returns The changes, sorted by path.
 *
 * @example
 * ```ts ignore
 * import { containerChanges } from "./container_changes.ts";
 * const changes = containerChanges({
 *   top: { path: "/c/upper", style: "overlay" },
 *   lowers: [{ path: "/l/1/diff", style: "overlay" }],
 *   copy: false,
 * });
 * for (const c of changes) console.log(c.kind, c.path);
 * ```
 */
export function containerChanges(source: ChangeSource): FileChange[] {
  return new ChangeWalker(source).run();
}
