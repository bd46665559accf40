/**
 * What nook reads about a running container's first process from /proc: the
 * namespaces it does not share with nook, its user namespace's id maps, and
 * who it runs as (ids as the container sees them). `exec` builds on these.
 *
 * A process whose ids changed without an execve (the `--init` reaper of a
 * container run as another user) is not dumpable: nook may read its status
 * and maps, but neither its namespaces nor its root, and may not setns through
 * it. {@linkcode reachableProcess} then takes one of its children, which are
 * in the same namespaces.
 *
 * @module
 */
import { loadShim } from "../../shim/binding.ts";
import { errnoText, NookError } from "../errors/mod.ts";
import { sys } from "../sys/mod.ts";
import type { IdMapping } from "../userns/mod.ts";
import { CloneFlag } from "./defaults.ts";
import { NotRunningError } from "./process_ref.ts";

/** The namespaces a container can have, by their name in /proc/PID/ns. */
const NAMESPACES: readonly [string, number][] = [
  ["user", CloneFlag.NEWUSER],
  ["mnt", CloneFlag.NEWNS],
  ["pid", CloneFlag.NEWPID],
  ["uts", CloneFlag.NEWUTS],
  ["ipc", CloneFlag.NEWIPC],
  ["net", CloneFlag.NEWNET],
  ["cgroup", CloneFlag.NEWCGROUP],
];

/** The error for a /proc file that could not be read: the process ended, or access was refused. */
function procError(pid: number, file: string, err?: unknown): NookError {
  if (!sys.lstat(`/proc/${pid}`) || err === undefined) {
    return new NotRunningError(`Process ${pid} is not running: /proc/${pid}/${file} is gone`, pid);
  }
  return new NookError(`Cannot read /proc/${pid}/${file}: ${(err as Error).message}`, {
    cause: err,
  });
}

function procText(pid: number, file: string): string {
  let text: string | null;
  try {
    text = sys.readText(`/proc/${pid}/${file}`);
  } catch (err) {
    throw procError(pid, file, err);
  }
  if (text === null) throw procError(pid, file);
  return text;
}

function nsLink(pid: number | "self", name: string): string {
  try {
    return sys.readLink(`/proc/${pid}/ns/${name}`);
  } catch (err) {
    if (pid === "self") throw new NookError(`Cannot read /proc/self/ns/${name}: ${err}`);
    throw procError(pid, `ns/${name}`, err);
  }
}

/**
 * The `CLONE_NEW*` flags of the namespaces of `pid` that differ from nook's
 * own: the ones to join (setns refuses to "join" the user namespace one is in).
 *
 * @param pid A process in nook's pid namespace.
 * @returns The flags, 0 when it shares every namespace with nook.
 * @throws {NotRunningError} When the process has ended.
 * @throws {NookError} When /proc/PID/ns cannot be read.
 *
 * @example
 * ```ts
 * import { joinableNamespaces } from "./container_process.ts";
 * console.assert(joinableNamespaces(Deno.pid) === 0);
 * ```
 */
export function joinableNamespaces(pid: number): number {
  let flags = 0;
  for (const [name, flag] of NAMESPACES) {
    if (nsLink(pid, name) !== nsLink("self", name)) flags |= flag;
  }
  return flags;
}

/** The user namespace of a process, as its /proc files tell. */
export interface ProcessIdMaps {
  /** Its uid_map. */
  uid: IdMapping[];
  /** Its gid_map. */
  gid: IdMapping[];
  /** Whether setgroups(2) is allowed in it (/proc/PID/setgroups says "allow"). */
  setgroups: boolean;
}

/**
 * Parses the text of a uid_map or gid_map file.
 *
 * @param text Lines of `inside outside count`.
 * @returns The mappings (malformed lines are skipped).
 *
 * @example
 * ```ts
 * import { parseIdMap } from "./container_process.ts";
 * console.assert(parseIdMap("0 1000 1\n")[0].outside === 1000);
 * ```
 */
export function parseIdMap(text: string): IdMapping[] {
  return text.split("\n").map((l) => l.trim().split(/\s+/).map(Number)).filter((f) =>
    f.length === 3 && f.every(Number.isInteger)
  ).map(([inside, outside, count]) => ({ inside, outside, count }));
}

/**
 * The id maps of the user namespace of `pid`.
 *
 * @param pid A process in nook's pid namespace.
 * @returns Its uid and gid maps, and whether it may set groups.
 * @throws {NotRunningError} When the process has ended.
 *
 * @example
 * ```ts
 * import { processIdMaps } from "./container_process.ts";
 * console.assert(processIdMaps(Deno.pid).uid.length > 0);
 * ```
 */
export function processIdMaps(pid: number): ProcessIdMaps {
  return {
    uid: parseIdMap(procText(pid, "uid_map")),
    gid: parseIdMap(procText(pid, "gid_map")),
    setgroups: procText(pid, "setgroups").trim() === "allow",
  };
}

/** Whether nook may read the namespaces (and so the root) of `pid`. */
function inspectable(pid: number): boolean {
  try {
    sys.readLink(`/proc/${pid}/ns/user`);
    return true;
  } catch {
    if (!sys.lstat(`/proc/${pid}`)) throw procError(pid, "ns/user");
    return false;
  }
}

/** Fields of /proc/PID/stat after the comm (index 0 is field 3, the state), or null. */
function statRest(pid: number): string[] | null {
  const text = sys.readText(`/proc/${pid}/stat`);
  return text === null ? null : text.slice(text.lastIndexOf(")") + 2).split(" ");
}

/** The parent pid of `pid`, or null when it has ended. */
function parentOf(pid: number): number | null {
  const rest = statRest(pid);
  return rest ? Number(rest[1]) : null;
}

/** The children of `pid` (from every process's parent pid), the lowest pid in their namespace first. */
function childrenOf(pid: number): number[] {
  const found: { pid: number; nsPid: number }[] = [];
  for (const name of sys.readDir("/proc")) {
    if (!/^\d+$/.test(name) || parentOf(Number(name)) !== pid) continue;
    const nsPids = /^NSpid:\s*(.*)$/m.exec(sys.readText(`/proc/${name}/status`) ?? "")?.[1];
    const nsPid = Number(nsPids?.trim().split(/\s+/).at(-1) ?? name);
    found.push({ pid: Number(name), nsPid });
  }
  return found.sort((a, b) => a.nsPid - b.nsPid).map((c) => c.pid);
}

/** A process nook may inspect and setns through, with a pidfd for it. */
export interface ReachableProcess {
  /** Its pid in nook's pid namespace. */
  pid: number;
  /** A pidfd for it: the one passed in, or a new one the caller closes too. */
  pidfd: number;
}

/**
 * The process through which nook reaches a container's namespaces and files:
 * `pid` itself when nook may inspect it, else its child with the lowest pid
 * in the container (the command under an `--init` reaper), which shares its
 * namespaces. The child is checked to be a child of `pid` while `pidfd` still
 * refers to a live process, so that no reused pid is taken.
 *
 * @param pid The container's first process.
 * @param pidfd A pidfd for it ({@linkcode openProcess}).
 * @returns The process and a pidfd for it.
 * @throws {NotRunningError} When the process has ended.
 * @throws {NookError} When neither it nor any child may be inspected.
 *
 * @example
 * ```ts ignore
 * import { reachableProcess } from "./container_process.ts";
 * const via = reachableProcess(pid, pidfd);
 * if (via.pidfd !== pidfd) loadShim().close(via.pidfd);
 * ```
 */
export function reachableProcess(pid: number, pidfd: number): ReachableProcess {
  if (inspectable(pid)) return { pid, pidfd };
  const shim = loadShim();
  for (const child of childrenOf(pid)) {
    const fd = shim.pidfdOpen(child);
    if (fd < 0) continue;
    // The pidfd holds whatever has the pid now: a child of `pid`, which is still alive?
    if (parentOf(child) === pid && shim.pidfdSignal(pidfd, 0) === 0 && inspectable(child)) {
      return { pid: child, pidfd: fd };
    }
    shim.close(fd);
  }
  if (shim.pidfdSignal(pidfd, 0) !== 0) throw procError(pid, "ns/user");
  throw new NookError(
    `Cannot reach the namespaces of process ${pid}: /proc/${pid}/ns is not readable ` +
      `(${errnoText(13)}: it changed its ids and is not dumpable) and no child of it is`,
  );
}
