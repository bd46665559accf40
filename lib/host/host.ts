/**
 * The {@linkcode Host} interface: every fact about the machine that nook reads,
 * behind one small surface so checks are tested with a fake.
 *
 * @module
 */

/** What {@linkcode Host.stat} reports about a path (symlinks followed). */
export interface HostStat {
  /** A regular file. */
  isFile: boolean;
  /** A directory. */
  isDirectory: boolean;
  /** A character device such as `/dev/fuse`. */
  isCharDevice: boolean;
  /** Permission bits including setuid, setgid and sticky (`st_mode & 0o7777`). */
  mode: number;
  /** Owner uid. */
  uid: number;
  /** Owner gid. */
  gid: number;
  /** The setuid bit is set. */
  setuid: boolean;
}

/**
 * Read-only access to the host. {@linkcode realHost} reads the machine;
 * {@linkcode fakeHost} serves fixed answers for tests.
 *
 * @example Read a sysctl
 * ```ts
 * import { fakeHost } from "./fake_host.ts";
 * import type { Host } from "./host.ts";
 * const host: Host = fakeHost({ files: { "/proc/sys/user/max_user_namespaces": "0\n" } });
 * console.assert((await host.readTextFile("/proc/sys/user/max_user_namespaces"))?.trim() === "0");
 * ```
 */
export interface Host {
  /**
   * Reads a text file.
   *
   * @param path Absolute path.
   * @returns The contents, or `null` when the path does not exist.
   */
  readTextFile(path: string): Promise<string | null>;
  /**
   * Stats a path, following symlinks.
   *
   * @param path Absolute path.
   * @returns The facts, or `null` when the path does not exist.
   */
  stat(path: string): Promise<HostStat | null>;
  /**
   * Finds an executable the way a shell does, on `PATH`.
   *
   * @param name Command name, e.g. `"newuidmap"`.
   * @returns Its absolute path, or `null` when it is not found.
   */
  which(name: string): Promise<string | null>;
  /**
   * File capabilities of a binary, as `getcap` prints them.
   *
   * @param path Absolute path of the binary.
   * @returns The capability text (e.g. `"cap_setuid=ep"`), `""` when it has
   * none, or `null` when this cannot be told (`getcap` is not installed).
   */
  fileCapabilities(path: string): Promise<string | null>;
  /** @returns The real uid of this process. */
  uid(): number;
  /** @returns The real gid of this process. */
  gid(): number;
  /** @returns The user name of {@linkcode Host.uid}, or `null` when it has none. */
  userName(): string | null;
  /**
   * Looks up an environment variable.
   *
   * @param name Variable name.
   * @returns Its value, or `undefined` when unset.
   */
  env(name: string): string | undefined;
  /** @returns The kernel release, as `uname -r` prints it. */
  kernelRelease(): string;
}
