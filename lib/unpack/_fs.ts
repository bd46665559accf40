/**
 * The file system calls of the unpacker, in one place: Deno's own, and the
 * shim's for what Deno lacks (mknod, lsetxattr, lchown, lutimes). None of
 * them follows a symlink in the last component except `chmod` and the file
 * creation, which the caller only uses on what it has just created. All are
 * synchronous: per entry they are a few microseconds, and the async versions
 * would cost a thread hop each.
 *
 * @module
 */
import { loadShim, type Shim } from "../../shim/binding.ts";
import { errnoText } from "../errors/errno.ts";
import { sys, type SysFile } from "../sys/sys.ts";

/** File type bits of st_mode. */
export const S_IFIFO = 0o010000;
/** Character device. */
export const S_IFCHR = 0o020000;

/** What is at a path, not following a symlink. */
export type Kind = "directory" | "symlink" | "other";

/** An error of a shim call, with its errno. */
export class ErrnoError extends Error {
  /** The errno. */
  readonly errno: number;

  /**
   * @param call The call and its path.
   * @param errno The errno.
   */
  constructor(call: string, errno: number) {
    super(`${call}: ${errnoText(errno)}`);
    this.name = "ErrnoError";
    this.errno = errno;
  }
}

let shim: Shim | undefined;

/**
 * Loads the shim (it throws when the library is missing).
 */
export function loadFsShim(): void {
  shim ??= loadShim();
}

function check(r: number, call: string, path: string): void {
  if (r < 0) throw new ErrnoError(`${call} '${path}'`, -r);
}

/**
 * What is at a path.
 *
 * @param path The path.
 * @returns Its kind, or null when nothing is there.
 */
export function lstatKind(path: string): Kind | null {
  const info = sys.lstat(path);
  if (info === null) return null;
  return info.isDirectory ? "directory" : info.isSymlink ? "symlink" : "other";
}

/**
 * mkdir(2).
 *
 * @returns False when something is already there.
 */
export function mkdir(path: string, mode: number): boolean {
  return sys.mkdir(path, mode);
}

/**
 * Creates a file with O_CREAT|O_EXCL (which never follows a symlink).
 *
 * @returns The open file, or null when something is already there.
 */
export function createFile(path: string, mode: number): SysFile | null {
  return sys.createFile(path, mode);
}

/**
 * Writes all of `data` at the file's position.
 */
export function writeAll(file: SysFile, data: Uint8Array): void {
  file.write(data);
}

/** Moves the file's position (lseek SEEK_SET): a sparse file's next segment. */
export function seek(file: SysFile, offset: number): void {
  file.seek(offset);
}

/**
 * symlink(2); the target is stored as is.
 *
 * @returns False when something is already there.
 */
export function symlink(target: string, path: string): boolean {
  return sys.symlink(target, path);
}

/**
 * link(2) (linkat without AT_SYMLINK_FOLLOW: a symlink target is linked itself).
 *
 * @returns False when something is already at `path`.
 */
export function link(target: string, path: string): boolean {
  return sys.link(target, path);
}

/**
 * mknod(2).
 *
 * @returns False when something is already there.
 */
export function mknod(path: string, mode: number, major: number, minor: number): boolean {
  const r = shim!.mknod(path, mode, major, minor);
  if (r === -17) return false;
  check(r, "mknod", path);
  return true;
}

/**
 * Removes what is at a path; a directory with everything in it (without
 * following symlinks inside).
 */
export function removeAll(path: string): void {
  sys.remove(path);
}

/**
 * chmod(2). It follows symlinks: only for what the caller has just created or
 * checked with lstat.
 */
export function chmod(path: string, mode: number): void {
  sys.chmod(path, mode);
}

/** lchown(2). */
export function lchown(path: string, uid: number, gid: number): void {
  check(shim!.lchown(path, uid, gid), "lchown", path);
}

/** utimensat(2) with AT_SYMLINK_NOFOLLOW, in nanoseconds. */
export function lutimes(path: string, atimeNs: bigint, mtimeNs: bigint): void {
  check(shim!.lutimes(path, atimeNs, mtimeNs), "lutimes", path);
}

/**
 * lsetxattr(2).
 *
 * @returns 0, or the errno.
 */
export function lsetxattr(path: string, name: string, value: Uint8Array): number {
  const r = shim!.lsetxattr(path, name, value);
  return r < 0 ? -r : 0;
}

/**
 * The process umask.
 */
export function umask(): number {
  return sys.umask();
}

/** The path with symlinks resolved (realpath(3)). */
export function realPath(path: string): string {
  return sys.realPath(path);
}

/**
 * Names in a directory.
 */
export function readDirNames(path: string): string[] {
  return sys.readDir(path);
}
