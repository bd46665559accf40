/**
 * A {@linkcode Host} with fixed answers, for tests of code that reads the host.
 *
 * @module
 */
import type { Host, HostStat } from "./host.ts";

/** Options of {@linkcode fakeHost}. Everything not given is absent. */
export interface FakeHostOptions {
  /** Text files by absolute path; each stats as a root-owned 0644 file. */
  files?: Record<string, string>;
  /**
   * Stats by absolute path; they override the defaults derived from `files`
   * and `executables`. `setuid` defaults to the setuid bit of `mode`.
   */
  stats?: Record<string, Partial<HostStat>>;
  /** Commands on PATH: name to absolute path; each stats as a root-owned 0755 file. */
  executables?: Record<string, string>;
  /**
   * `getcap` output by path (`""` for paths not listed), or `null` when
   * `getcap` is not installed (the default is `{}`).
   */
  capabilities?: Record<string, string> | null;
  /** Real uid (default 1000). */
  uid?: number;
  /** Real gid (default 1000). */
  gid?: number;
  /** User name (default `"alice"`); `null` for a uid without a name. */
  user?: string | null;
  /** Environment (default empty). */
  env?: Record<string, string>;
  /** Kernel release (default `"6.8.0"`). */
  kernel?: string;
}

function fileStat(mode: number): HostStat {
  return {
    isFile: true,
    isDirectory: false,
    isCharDevice: false,
    mode,
    uid: 0,
    gid: 0,
    setuid: (mode & 0o4000) !== 0,
  };
}

/**
 * Makes a host that answers from the given options. Parent directories of
 * every path given stat as root-owned 0755 directories.
 *
 * @param options The files, commands, ids and environment of the fake host.
 * @returns A {@linkcode Host}.
 *
 * @example A host without newuidmap
 * ```ts
 * import { fakeHost } from "./fake_host.ts";
 * const host = fakeHost({ uid: 1000, user: "alice", executables: { pasta: "/usr/bin/pasta" } });
 * console.assert(await host.which("newuidmap") === null);
 * console.assert((await host.stat("/usr/bin"))?.isDirectory === true);
 * ```
 */
export function fakeHost(options: FakeHostOptions = {}): Host {
  const files = options.files ?? {};
  const executables = options.executables ?? {};
  const capabilities = options.capabilities === undefined ? {} : options.capabilities;
  const stats = new Map<string, HostStat>();
  const addParents = (path: string) => {
    for (let i = path.lastIndexOf("/"); i > 0; i = path.lastIndexOf("/", i - 1)) {
      const dir = path.slice(0, i);
      if (!stats.has(dir)) stats.set(dir, { ...fileStat(0o755), isFile: false, isDirectory: true });
    }
  };
  for (const path of Object.keys(files)) stats.set(path, fileStat(0o644));
  for (const path of Object.values(executables)) stats.set(path, fileStat(0o755));
  for (const [path, stat] of Object.entries(options.stats ?? {})) {
    const base = stats.get(path) ?? fileStat(0o644);
    const merged = { ...base, ...stat };
    if (stat.setuid === undefined) merged.setuid = (merged.mode & 0o4000) !== 0;
    stats.set(path, merged);
  }
  for (const path of [...stats.keys()]) addParents(path);
  stats.set("/", { ...fileStat(0o755), isFile: false, isDirectory: true });

  return {
    readTextFile: (path) => Promise.resolve(files[path] ?? null),
    stat: (path) => {
      const stat = stats.get(path);
      return Promise.resolve(stat ? { ...stat } : null);
    },
    which: (name) => Promise.resolve(executables[name] ?? null),
    fileCapabilities: (path) =>
      Promise.resolve(capabilities === null ? null : capabilities[path] ?? ""),
    uid: () => options.uid ?? 1000,
    gid: () => options.gid ?? 1000,
    userName: () => options.user === undefined ? "alice" : options.user,
    env: (name) => options.env?.[name],
    kernelRelease: () => options.kernel ?? "6.8.0",
  };
}
