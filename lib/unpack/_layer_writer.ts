/**
 * Writes the entries the tar parser reads into the layer directory, refusing
 * any that would write outside it, and turns OCI whiteouts into overlayfs
 * ones.
 *
 * The safety rules, each checked on every entry:
 * - names are cleaned lexically ({@linkcode cleanEntryName}); one that climbs
 *   above the root is refused, and a leading `/` is relative to the layer;
 * - every existing component of an entry's parent is checked with lstat and
 *   must be a real directory: a symlink there is refused, even one an earlier
 *   entry made (a directory the writer checked is remembered until an entry
 *   replaces or removes it);
 * - a hardlink's target obeys the same rules and must already exist;
 * - the root itself can only be a directory;
 * - nothing follows a symlink: owners and times are set with lchown and
 *   lutimes, files are created with O_EXCL, and chmod is only called on what
 *   was just created (files, fifos) or lstat'ed as a directory right before;
 * - an existing entry is removed before a new one takes its name, except a
 *   directory meeting a directory (they merge); removal never follows links.
 *
 * @module
 */
import {
  chmod,
  createFile,
  ErrnoError,
  lchown,
  link,
  lsetxattr,
  lstatKind,
  lutimes,
  mkdir,
  mknod,
  removeAll,
  S_IFCHR,
  S_IFIFO,
  seek,
  symlink,
  umask,
  writeAll,
} from "./_fs.ts";
import { errnoText } from "../errors/errno.ts";
import { baseOf, cleanEntryName, parentOf } from "./_layer_path.ts";
import type { TarEntry, TarVisitor } from "./_tar_parser.ts";
import { UnpackError } from "./unpack_error.ts";
import type { UnpackStats } from "./unpack_layer.ts";
import type { SysFile } from "../sys/sys.ts";

/** Options of {@linkcode LayerWriter}. */
export interface LayerWriterOptions {
  /** lchown every entry to its uid and gid. */
  keepOwners: boolean;
  /** Receives warnings. */
  onWarning: (message: string) => void;
  /**
   * Turn `.wh.` entries into overlayfs whiteouts (default true, for layers);
   * false writes them as the files they are (for copies of plain trees).
   */
  whiteouts?: boolean;
}

interface DirAttrs {
  name: string;
  mode: number;
  atimeNs: bigint;
  mtimeNs: bigint;
}

interface OpenFile {
  entry: TarEntry;
  path: string;
  file: SysFile;
  position: number;
}

const WHITEOUT_PREFIX = ".wh.";
const WHITEOUT_META_PREFIX = ".wh..wh.";
const OPAQUE = ".wh..wh..opq";
const OPAQUE_XATTR = "user.overlay.opaque";
const OVERLAY_XATTR = /^(user|trusted)\.overlay\./;
/** errnos of a lsetxattr that the file system or our privileges do not allow. */
const XATTR_NOT_ALLOWED = new Set([1, 13, 95]); // EPERM, EACCES, EOPNOTSUPP
const EEXIST = 17;

function refuse(name: string, why: string): UnpackError {
  return new UnpackError(`Refusing layer entry '${name}': ${why}`, { entry: name });
}

function depth(rel: string): number {
  if (rel === "") return 0;
  let n = 1;
  for (let i = 0; i < rel.length; i++) if (rel.charCodeAt(i) === 0x2f) n++;
  return n;
}

/**
 * A {@linkcode TarVisitor} that writes entries below a root directory.
 *
 * @example
 * ```ts ignore
 * const writer = new LayerWriter("/path/to/empty/dir", { keepOwners: false, onWarning });
 * const parser = new TarParser(writer);
 * for await (const chunk of tarBytes) parser.push(chunk);
 * parser.finish();
 * writer.finish();
 * ```
 */
export class LayerWriter implements TarVisitor {
  /** What was unpacked so far. */
  readonly stats: UnpackStats = {
    entries: 0,
    files: 0,
    bytes: 0,
    skippedDevices: 0,
    whiteouts: 0,
    opaqueDirs: 0,
  };
  #root: string;
  #prefix: string;
  #keepOwners: boolean;
  #whiteoutNames: boolean;
  #warn: (message: string) => void;
  #umask = umask();
  /** Directories (relative paths) known to be real directories. */
  #dirs = new Set<string>([""]);
  /** Mode and times of directory entries, set at the end. */
  #dirAttrs = new Map<string, DirAttrs>();
  #open: OpenFile | null = null;
  #warnedOwners = false;
  #warnedDevices = false;
  /** Whiteout devices this layer made (a later entry of the layer may replace them). */
  #whiteouts = new Set<string>();
  #warnedOverlayXattr = false;
  #xattrFailures = 0;
  #firstXattrFailure = "";

  /**
   * @param root Absolute path of the layer directory, without symlinks.
   * @param options Owners and warnings.
   */
  constructor(root: string, options: LayerWriterOptions) {
    this.#root = root;
    this.#prefix = root === "/" ? "" : root;
    this.#keepOwners = options.keepOwners;
    this.#whiteoutNames = options.whiteouts ?? true;
    this.#warn = options.onWarning;
  }

  /** @inheritdoc */
  entry(entry: TarEntry): void {
    this.stats.entries++;
    try {
      this.#write(entry);
    } catch (err) {
      throw wrap(err, entry.name);
    }
  }

  /** @inheritdoc */
  data(chunk: Uint8Array, offset: number): void {
    const open = this.#open;
    if (!open) return;
    try {
      if (offset !== open.position) seek(open.file, offset);
      writeAll(open.file, chunk);
    } catch (err) {
      throw wrap(err, open.entry.name);
    }
    open.position = offset + chunk.length;
    this.stats.bytes += chunk.length;
  }

  /** @inheritdoc */
  end(): void {
    const open = this.#open;
    if (!open) return;
    this.#open = null;
    const { entry, path, file } = open;
    try {
      try {
        if (entry.sparse && open.position !== entry.size) file.truncate(entry.size);
      } finally {
        file.close();
      }
      this.#setOwner(entry, path);
      this.#setXattrs(entry, path);
      this.#setMode(entry.mode, path);
      lutimes(path, entry.atimeNs ?? entry.mtimeNs, entry.mtimeNs);
    } catch (err) {
      throw wrap(err, entry.name);
    }
  }

  /**
   * Sets the mode and times of directories, deepest first (creating their
   * children changed their times, and a read-only mode would have blocked
   * that), and reports attributes that could not be set.
   *
   * @throws {UnpackError} When a mode or time cannot be set.
   */
  finish(): void {
    const dirs = [...this.#dirAttrs].sort((a, b) => depth(b[0]) - depth(a[0]));
    for (const [rel, attrs] of dirs) {
      const path = this.#abs(rel);
      try {
        // Still a directory, reached through directories only: never chmod through a link.
        if (this.#checkDir(rel, false) !== null) continue;
        chmod(path, attrs.mode);
        lutimes(path, attrs.atimeNs, attrs.mtimeNs);
      } catch (err) {
        throw wrap(err, attrs.name);
      }
    }
    if (this.#xattrFailures) {
      this.#warn(
        `Could not set ${this.#xattrFailures} extended attribute(s) of the layer ` +
          `(first: ${this.#firstXattrFailure})`,
      );
    }
  }

  /** Closes the file being written, after an error. */
  abort(): void {
    try {
      this.#open?.file.close();
    } catch {
      // Already closed.
    }
    this.#open = null;
  }

  #abs(rel: string): string {
    return rel === "" ? this.#root : `${this.#prefix}/${rel}`;
  }

  #write(entry: TarEntry): void {
    const name = entry.name;
    if (name.includes("\0")) throw refuse(name, "its name holds a NUL byte");
    const rel = cleanEntryName(name);
    if (rel === null) throw refuse(name, "it points outside the layer");
    // AUFS metadata at the root (.wh..wh.plnk, .wh..wh.orph, ...): ignored, as docker does.
    if (this.#whiteoutNames && rel.startsWith(WHITEOUT_META_PREFIX) && rel !== OPAQUE) return;
    this.#noteOwner(entry);
    if (this.#whiteoutNames && baseOf(rel).startsWith(WHITEOUT_PREFIX)) {
      return this.#whiteout(entry, rel);
    }
    switch (entry.type) {
      case "directory":
        return this.#directory(entry, rel);
      case "file":
        return this.#file(entry, rel);
      case "symlink":
        return this.#symlink(entry, rel);
      case "hardlink":
        return this.#hardlink(entry, rel);
      case "fifo":
        return this.#fifo(entry, rel);
      case "char":
      case "block":
        return this.#device(entry, rel);
    }
  }

  /**
   * Makes sure `dir` is a real directory: with `create`, missing components
   * are made (0755, owned by the caller). Symlinks and other files on the way
   * are refused.
   *
   * @returns What is wrong with the path ("goes through symlink 'a'"), or null.
   */
  #checkDir(dir: string, create: boolean): string | null {
    if (this.#dirs.has(dir)) return null;
    let rel = "";
    for (const part of dir.split("/")) {
      rel = rel ? `${rel}/${part}` : part;
      if (this.#dirs.has(rel)) continue;
      const path = this.#abs(rel);
      if (create && this.#whiteouts.has(rel)) this.#reopen(rel, path);
      let kind = lstatKind(path);
      if (kind === null && create) {
        if (mkdir(path, 0o755)) {
          if (this.#umask & 0o755) chmod(path, 0o755);
          this.#dirs.add(rel);
          continue;
        }
        kind = lstatKind(path);
      }
      if (kind === null) return `goes through '${rel}', which does not exist`;
      if (kind === "symlink") return `goes through symlink '${rel}'`;
      if (kind !== "directory") return `goes through '${rel}', which is not a directory`;
      this.#dirs.add(rel);
    }
    return null;
  }

  /**
   * A whiteout this layer made is replaced by entries of the same layer (OCI:
   * a whiteout hides only what lower layers have): it becomes a directory that
   * is opaque, so the lower layers' contents stay hidden.
   */
  #reopen(rel: string, path: string): void {
    this.#whiteouts.delete(rel);
    if (lstatKind(path) !== "other") return;
    removeAll(path);
    if (!mkdir(path, 0o700)) throw new ErrnoError(`mkdir '${path}'`, EEXIST);
    this.#opaque(path);
  }

  #opaque(path: string): void {
    const errno = lsetxattr(path, OPAQUE_XATTR, new TextEncoder().encode("y"));
    if (errno) throw new ErrnoError(`lsetxattr '${OPAQUE_XATTR}' on '${path}'`, errno);
    this.stats.opaqueDirs++;
  }

  /** {@linkcode #checkDir} creating what is missing, refusing the entry on a problem. */
  #ensureDir(dir: string, name: string): void {
    const problem = this.#checkDir(dir, true);
    if (problem) throw refuse(name, `its path ${problem}`);
  }

  /** Checks the parent of a new non-directory and returns the entry's path. */
  #prepare(entry: TarEntry, rel: string): string {
    if (rel === "") throw refuse(entry.name, "it would replace the root of the layer");
    this.#ensureDir(parentOf(rel), entry.name);
    return this.#abs(rel);
  }

  /** Removes what is at `rel`: what a later entry of the same name replaces. */
  #remove(rel: string, path: string): void {
    const kind = lstatKind(path);
    if (kind === null) return;
    if (kind === "directory") {
      const below = `${rel}/`;
      for (const d of this.#dirs) if (d === rel || d.startsWith(below)) this.#dirs.delete(d);
      for (const d of this.#dirAttrs.keys()) {
        if (d === rel || d.startsWith(below)) this.#dirAttrs.delete(d);
      }
    }
    removeAll(path);
  }

  /** Runs `create` (false: something is there), replacing what is there once. */
  #create(rel: string, path: string, create: () => boolean): void {
    if (create()) return;
    this.#remove(rel, path);
    if (!create()) throw new ErrnoError(`create '${path}'`, EEXIST);
  }

  #directory(entry: TarEntry, rel: string): void {
    // The layer's root ("./" in a tar of a directory) keeps the store's owner and mode, as
    // docker's unpacker skips it: a tar of a 0700 temporary directory would otherwise make the
    // layer unreadable to its owner on the host, who reads /etc/passwd from it.
    if (rel === "") return;
    const path = this.#abs(rel);
    this.#ensureDir(parentOf(rel), entry.name);
    if (this.#whiteouts.has(rel)) this.#reopen(rel, path);
    // 0700 until the end: the entry's own mode might not let us add children.
    if (!mkdir(path, 0o700) && lstatKind(path) !== "directory") {
      this.#create(rel, path, () => mkdir(path, 0o700));
    }
    this.#dirs.add(rel);
    this.#setOwner(entry, path);
    this.#setXattrs(entry, path);
    this.#dirAttrs.set(rel, {
      name: entry.name,
      mode: entry.mode,
      atimeNs: entry.atimeNs ?? entry.mtimeNs,
      mtimeNs: entry.mtimeNs,
    });
  }

  #file(entry: TarEntry, rel: string): void {
    const path = this.#prepare(entry, rel);
    const mode = entry.mode & 0o777;
    let file = createFile(path, mode);
    if (!file) {
      this.#remove(rel, path);
      file = createFile(path, mode);
      if (!file) throw new ErrnoError(`create '${path}'`, EEXIST);
    }
    this.#open = { entry, path, file, position: 0 };
    this.stats.files++;
  }

  #symlink(entry: TarEntry, rel: string): void {
    if (entry.linkname.includes("\0")) throw refuse(entry.name, "its target holds a NUL byte");
    const path = this.#prepare(entry, rel);
    this.#create(rel, path, () => symlink(entry.linkname, path));
    this.#setOwner(entry, path);
    this.#setXattrs(entry, path);
    lutimes(path, entry.atimeNs ?? entry.mtimeNs, entry.mtimeNs);
  }

  #hardlink(entry: TarEntry, rel: string): void {
    const name = entry.name;
    const linkname = entry.linkname;
    if (linkname.includes("\0")) throw refuse(name, "its target holds a NUL byte");
    const target = cleanEntryName(linkname);
    if (target === null) throw refuse(name, `its target '${linkname}' is outside the layer`);
    if (target === "") throw refuse(name, "its target is the root of the layer");
    const problem = this.#checkDir(parentOf(target), false);
    if (problem) throw refuse(name, `its target '${linkname}' ${problem}`);
    const targetPath = this.#abs(target);
    const kind = lstatKind(targetPath);
    if (kind === null) throw refuse(name, `its target '${linkname}' does not exist in the layer`);
    if (kind === "directory") throw refuse(name, `its target '${linkname}' is a directory`);
    if (target === rel) return; // a link to itself: it is there already
    const path = this.#prepare(entry, rel);
    this.#create(rel, path, () => link(targetPath, path));
  }

  #fifo(entry: TarEntry, rel: string): void {
    const path = this.#prepare(entry, rel);
    this.#create(rel, path, () => mknod(path, S_IFIFO | (entry.mode & 0o777), 0, 0));
    this.#setOwner(entry, path);
    this.#setXattrs(entry, path);
    this.#setMode(entry.mode, path);
    lutimes(path, entry.atimeNs ?? entry.mtimeNs, entry.mtimeNs);
  }

  #device(entry: TarEntry, rel: string): void {
    this.stats.skippedDevices++;
    if (this.#warnedDevices) return;
    this.#warnedDevices = true;
    this.#warn(
      `Skipping device nodes of the layer, which a rootless container cannot create ` +
        `(first: '${rel}', ${entry.type} ${entry.devmajor}:${entry.devminor})`,
    );
  }

  #whiteout(entry: TarEntry, rel: string): void {
    const base = baseOf(rel);
    const parent = parentOf(rel);
    if (base === OPAQUE) {
      this.#ensureDir(parent, entry.name);
      this.#opaque(this.#abs(parent));
      return;
    }
    if (base.startsWith(WHITEOUT_META_PREFIX)) return; // AUFS metadata: ignored, as docker does
    const hidden = base.slice(WHITEOUT_PREFIX.length);
    if (hidden === "" || hidden === "." || hidden === "..") {
      throw refuse(entry.name, `it is a whiteout of '${hidden}'`);
    }
    const target = parent ? `${parent}/${hidden}` : hidden;
    const path = this.#prepare(entry, target);
    // The layer directory starts empty: what is there came from this same layer, which
    // a whiteout does not hide. A directory of this layer replaces the lower one: opaque.
    const here = lstatKind(path);
    if (here === "directory") return this.#opaque(path);
    if (here !== null) return;
    this.#create(target, path, () => mknod(path, S_IFCHR, 0, 0));
    this.#whiteouts.add(target);
    this.stats.whiteouts++;
  }

  #noteOwner(entry: TarEntry): void {
    if (this.#keepOwners || this.#warnedOwners || (entry.uid === 0 && entry.gid === 0)) return;
    this.#warnedOwners = true;
    this.#warn(
      `Squashing owners: every file of the layer is owned by you, though some belong to ` +
        `other users (first: '${entry.name}', owned by ${entry.uid}:${entry.gid})`,
    );
  }

  #setOwner(entry: TarEntry, path: string): void {
    if (!this.#keepOwners) return;
    try {
      lchown(path, entry.uid, entry.gid);
    } catch (err) {
      if (!(err instanceof ErrnoError) || err.errno !== 1) throw err;
      throw new UnpackError(
        `Cannot give layer entry '${entry.name}' the owner ${entry.uid}:${entry.gid}: ` +
          `${errnoText(1)} (owners "keep" needs root in a user namespace with subordinate ids)`,
        { entry: entry.name, cause: err },
      );
    }
  }

  /** chmod when creation did not already give the mode (special bits, umask). */
  #setMode(mode: number, path: string): void {
    if ((mode & 0o7000) !== 0 || (mode & this.#umask) !== 0) chmod(path, mode);
  }

  #setXattrs(entry: TarEntry, path: string): void {
    for (const [name, value] of entry.xattrs) {
      if (OVERLAY_XATTR.test(name)) {
        if (!this.#warnedOverlayXattr) {
          this.#warnedOverlayXattr = true;
          this.#warn(
            `Dropping extended attribute '${name}' of layer entry '${entry.name}': ` +
              "overlay attributes come from whiteouts only",
          );
        }
        continue;
      }
      if (name.includes("\0")) throw refuse(entry.name, "an extended attribute name holds a NUL");
      const errno = lsetxattr(path, name, value);
      if (errno === 0) continue;
      if (!XATTR_NOT_ALLOWED.has(errno)) {
        throw new ErrnoError(`lsetxattr '${name}' on '${path}'`, errno);
      }
      if (this.#xattrFailures++ === 0) {
        this.#firstXattrFailure = `'${name}' on '${entry.name}': ${errnoText(errno)}`;
      }
    }
  }
}

function wrap(err: unknown, name: string): Error {
  if (err instanceof UnpackError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new UnpackError(`Cannot unpack layer entry '${name}': ${message}`, {
    entry: name,
    cause: err,
  });
}
