/**
 * Starts a planned program: clone through the shim, write the id maps (for a
 * new user namespace), release the child, and turn a failed step into an error
 * that names it. Nothing is left behind on failure: the child is reaped.
 *
 * @module
 */
import { loadShim, type Shim } from "../../shim/binding.ts";
import { encodeProgram, Op, ReleaseResult } from "../../shim/protocol.ts";
import {
  Errno,
  errnoText,
  EXIT_CANNOT_EXECUTE,
  EXIT_NOT_FOUND,
  HostError,
  NookError,
  SetupError,
} from "../errors/mod.ts";
import { sys, trace } from "../sys/mod.ts";
import { applyIdMaps, type IdMapPlan } from "../userns/mod.ts";
import { joinFailure } from "./network_join.ts";
import type { Plan } from "./plan_steps.ts";

/** How a process ended. */
export interface ExitStatus {
  /** Exit code, 128+N when killed by signal N (as a shell reports it). */
  exitCode: number;
  /** The signal that killed it, if any. */
  signal?: number;
  /** It was killed because its `timeout` ran out. */
  timedOut?: boolean;
}

/** A started container process. */
export interface ChildProcess {
  /** Its pid in nook's pid namespace. */
  readonly pid: number;
  /** The pty master when the container has a terminal, else -1. */
  readonly ptyFd: number;
  /** Resolves once, when the process has ended and is reaped. */
  readonly status: Promise<ExitStatus>;
  /** Sends a signal (a no-op once it has ended). */
  kill(signal: string): void;
}

const {
  ENOENT,
  ESRCH,
  EEXIST,
  EINVAL,
  ENOSYS,
  E2BIG,
  EACCES,
  EBUSY,
  EOPNOTSUPP,
  ELOOP,
  EPERM,
  ENOSPC,
  EUSERS,
} = Errno;
const CGROUP_REFUSED = "you may not move processes into it (its cgroup.procs, or that of the " +
  "common ancestor of your own cgroup and it, is not yours)";
/** What clone3 says when CLONE_INTO_CGROUP is refused (not a namespace problem). */
const CGROUP_ERRNOS = new Set<number>([E2BIG, EACCES, EBUSY, ENOSYS, EOPNOTSUPP]);
const NAMESPACE_ERRNOS = new Set<number>([EPERM, EINVAL, ENOSPC, EUSERS]);

/**
 * Decodes a wait(2) status.
 *
 * @param status The raw status.
 * @returns The exit code (128+N for signal N).
 *
 * @example
 * ```ts
 * import { decodeWaitStatus } from "./spawn_process.ts";
 * console.assert(decodeWaitStatus(7 << 8).exitCode === 7);
 * console.assert(decodeWaitStatus(9).exitCode === 137);
 * ```
 */
export function decodeWaitStatus(status: number): ExitStatus {
  const sig = status & 0x7f;
  if (sig === 0) return { exitCode: (status >> 8) & 0xff };
  return { exitCode: 128 + sig, signal: sig };
}

/**
 * Words a failed step as the user should read it.
 *
 * @param plan The plan that ran.
 * @param step Index of the failed step.
 * @param op Its operation.
 * @param errno The error.
 * @returns The error (exit 127/126 for exec failures, else 125).
 *
 * @example
 * ```ts ignore
 * throw stepError(plan, 3, Op.MOUNT, 1); // "mount proc on /proc: Operation not permitted"
 * ```
 */
export function stepError(plan: Plan, step: number, op: number, errno: number): NookError {
  const what = plan.describe[step] ?? `step ${step}`;
  if (op === Op.EXEC) {
    const file = JSON.stringify(plan.program.steps[step]?.s?.[0] ?? "");
    const searched = plan.program.steps[step]?.s?.[1] != null;
    const message = errno === ENOENT && searched
      ? `exec: ${file}: executable file not found in $PATH`
      : `exec ${file}: ${errnoText(errno).toLowerCase()}`; // as runc words it, for scripts
    return new SetupError(message, {
      step: "exec",
      errno,
      exitCode: errno === ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_EXECUTE,
    });
  }
  if (op === Op.SETNS) {
    const why = errno === ESRCH
      ? "the process has ended"
      : errno === EINVAL || errno === ENOSYS
      ? `${errnoText(errno)}: joining namespaces through a pidfd needs Linux 5.8 or later ` +
        `(this kernel is ${sys.osRelease()})`
      : errnoText(errno);
    return new SetupError(`${what}: ${why}`, { step: "setns", errno });
  }
  if (op === Op.JOIN_NS) {
    return new SetupError(`${what}: ${joinFailure(errno)}`, { step: "join", errno });
  }
  // The shim creates a missing target only after it resolved to nothing: EEXIST then means
  // a symlink on the path points nowhere; ELOOP that the target resolves to the root itself.
  const why = errno === EEXIST && /^(mount|bind|create)/.test(what)
    ? "a symlink on that path points to something that does not exist in the rootfs"
    : errno === ELOOP && /^(mount|bind)/.test(what)
    ? "the path resolves to the container's root directory"
    : errnoText(errno);
  return new SetupError(`${what}: ${why}`, { step: what, errno });
}

/**
 * Words a failed clone, with the host problem behind it when one is found.
 *
 * @param errno The clone error.
 * @param cgroup The cgroup the process was to be cloned into, if any.
 * @returns The error.
 *
 * @example
 * ```ts ignore
 * throw await cloneError(1);
 * ```
 */
export async function cloneError(errno: number, cgroup?: string): Promise<NookError> {
  if (cgroup !== undefined && CGROUP_ERRNOS.has(errno)) {
    const why = errno === EACCES
      ? CGROUP_REFUSED
      : errno === EBUSY
      ? "it has controllers enabled for child cgroups, so it may hold no process"
      : errno === ENOSYS || errno === E2BIG
      ? `this kernel (${sys.osRelease()}) has no clone3 with CLONE_INTO_CGROUP (Linux 5.7)`
      : errnoText(errno);
    return new HostError(
      `Cannot start the process in the container's cgroup ${cgroup}: clone3: ${why}`,
    );
  }
  const base = `Cannot create the container's namespaces: clone: ${errnoText(errno)}`;
  if (!NAMESPACE_ERRNOS.has(errno)) return new NookError(base);
  const { userNamespaceProblem, realHost } = await import("../host/mod.ts");
  const problem = await userNamespaceProblem(realHost());
  return new HostError(problem ? `${base}: ${problem}` : base);
}

/** Where a planned process starts, and what runs between its clone and its release. */
export interface SpawnHooks {
  /** A cgroup directory to clone the process into (CLONE_INTO_CGROUP). */
  cgroup?: string;
  /**
   * Called when the kernel refuses this user to move a process into `cgroup`
   * (EACCES): the process then starts outside it. Without it, that is an error.
   */
  onCgroupRefused?: (why: string) => void;
  /**
   * Runs after the id maps are written, before the process is released (a
   * network helper attaches then); a throw aborts the start.
   */
  beforeRelease?: (pid: number) => Promise<void>;
}

/**
 * Runs a plan as a new process in new namespaces.
 *
 * @param plan The steps and their descriptions.
 * @param idMap The user namespace maps to write before the steps run; null
 *   when the program makes no user namespace (an exec joins an existing one).
 * @param hooks What runs before the release.
 * @returns The running process.
 * @throws {SetupError} When a step fails (exit code 126/127 for exec).
 * @throws {HostError} When namespaces or id maps cannot be made.
 *
 * @example
 * ```ts ignore
 * import { spawnPlanned } from "./spawn_process.ts";
 * const child = await spawnPlanned(plan, idMap);
 * console.log((await child.status).exitCode);
 * ```
 */
export async function spawnPlanned(
  plan: Plan,
  idMap: IdMapPlan | null,
  hooks: SpawnHooks = {},
): Promise<ChildProcess> {
  const shim: Shim = loadShim();
  let program = plan.program;
  if (hooks.cgroup !== undefined) {
    const fd = shim.cgroupOpen(hooks.cgroup);
    if (fd < 0) {
      throw new HostError(`Cannot open the container's cgroup ${hooks.cgroup}: ${errnoText(-fd)}`);
    }
    program = { ...program, cgroupFd: fd };
  }
  let child = shim.spawn(encodeProgram(program));
  if (program.cgroupFd !== undefined) shim.close(program.cgroupFd);
  if (child === -EACCES && hooks.onCgroupRefused) {
    hooks.onCgroupRefused(CGROUP_REFUSED);
    child = shim.spawn(encodeProgram(plan.program));
  }
  if (typeof child === "number") throw await cloneError(-child, hooks.cgroup);
  trace("cloned");
  const { ctl } = child;
  let { pid, pidfd } = child;
  let reaped: Promise<ExitStatus> | undefined;
  const reap = () =>
    reaped ??= shim.wait(pid).then((st) => {
      if (pidfd >= 0) shim.close(pidfd);
      return st < 0 ? { exitCode: 125 } : decodeWaitStatus(st);
    });
  try {
    if (idMap) await applyIdMaps(pid, idMap);
    trace("id maps written");
    await hooks.beforeRelease?.(pid);
    trace("before release done");
  } catch (err) {
    shim.close(ctl); // the child reads EOF and exits
    await reap();
    throw err;
  }
  const rel = await shim.release(ctl);
  trace("released: exec'd or failed");
  if (rel.pid > 0) {
    // A clone step handed over to a sibling (a joined network): wait for that one from now on.
    await reap();
    [pid, pidfd, reaped] = [rel.pid, rel.pidfd, undefined];
  }
  if (rel.result === ReleaseResult.STEP_FAILED) {
    if (rel.ptyFd >= 0) shim.close(rel.ptyFd);
    await reap();
    throw stepError(plan, rel.step, rel.op, rel.errno);
  }
  let done = false;
  const status = reap().then((s) => {
    done = true;
    trace("reaped");
    return s;
  });
  return {
    pid,
    ptyFd: rel.ptyFd,
    status,
    kill(signal) {
      if (done) return;
      try {
        sys.kill(pid, signal); // unreaped, so the pid cannot have been reused
      } catch {
        // it ended meanwhile
      }
    },
  };
}
