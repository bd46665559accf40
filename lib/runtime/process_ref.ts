/**
 * A process named by its pid and pinned by its start time, reached through a
 * pidfd: once the pidfd is open and the start time checked, a signal or a
 * setns can only reach that very process, never a later one that reused the
 * pid number.
 *
 * @module
 */
import { loadShim } from "../../shim/binding.ts";
import { errnoText, NookError } from "../errors/mod.ts";
import { sys } from "../sys/mod.ts";
import { SIGNALS } from "./signal_name.ts";

/** A process to reach. */
export interface ProcessTarget {
  /** Its pid in nook's pid namespace. */
  pid: number;
  /** Field 22 of /proc/PID/stat when it was started; checked when given. */
  startTime?: string;
}

const ESRCH = 3;

/**
 * The process (a container's) has ended, or its pid belongs to another one now.
 *
 * @example
 * ```ts
 * import { NotRunningError } from "./process_ref.ts";
 * const err = new NotRunningError("Container web is not running: process 12 has ended", 12);
 * console.assert(err.exitCode === 125 && err.pid === 12);
 * ```
 */
export class NotRunningError extends NookError {
  /** The pid that was asked for. */
  readonly pid: number;

  /**
   * Makes the error.
   *
   * @param message What is not running and why.
   * @param pid The pid that was asked for.
   */
  constructor(message: string, pid: number) {
    super(message);
    this.name = "NotRunningError";
    this.pid = pid;
  }
}

/**
 * A signal's number from its name (`SIGTERM`, `TERM`, any case) or number.
 *
 * @param signal The name, or a number from 1 to 64 (as a number or digits).
 * @returns The Linux signal number.
 * @throws {NookError} On an unknown name or a number out of range.
 *
 * @example
 * ```ts
 * import { signalNumber } from "./process_ref.ts";
 * console.assert(signalNumber("SIGKILL") === 9 && signalNumber("term") === 15);
 * ```
 */
export function signalNumber(signal: string | number): number {
  const text = String(signal).trim();
  const n = /^\d+$/.test(text) ? Number(text) : SIGNALS[text.toUpperCase().replace(/^SIG/, "")];
  if (n === undefined || n < 1 || n > 64) {
    throw new NookError(`Invalid signal '${signal}': use a name such as SIGTERM or a number`);
  }
  return n;
}

/** The state and start time fields of /proc/PID/stat, or null when there is no such process. */
function statFields(pid: number): { state: string; startTime: string } | null {
  const text = sys.readText(`/proc/${pid}/stat`);
  if (text === null) return null;
  // Fields after the comm, which may hold spaces and parentheses: field 3 is the state.
  const rest = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return { state: rest[0], startTime: rest[19] };
}

/**
 * Field 22 of /proc/PID/stat: the time the process started, in clock ticks
 * since boot. With the pid, it names a process for good.
 *
 * @param pid A pid in nook's pid namespace.
 * @returns The start time, or null when there is no such process.
 *
 * @example
 * ```ts
 * import { processStartTime } from "./process_ref.ts";
 * console.assert(/^\d+$/.test(processStartTime(Deno.pid)!));
 * ```
 */
export function processStartTime(pid: number): string | null {
  return statFields(pid)?.startTime ?? null;
}

/** Options of {@linkcode openProcess}. */
export interface OpenProcessOptions {
  /** How messages name the process (default "process PID"), e.g. "container web". */
  what?: string;
}

/**
 * Opens a pidfd for a process that is still running, and still the same one.
 *
 * @param target Its pid, and its start time to check.
 * @param options How messages name it.
 * @returns A close-on-exec pidfd; the caller closes it (`loadShim().close`).
 * @throws {NotRunningError} When it has ended, is a zombie, or its pid now
 *   belongs to another process.
 * @throws {NookError} When pidfd_open fails otherwise.
 *
 * @example
 * ```ts ignore
 * import { openProcess } from "./process_ref.ts";
 * const pidfd = openProcess({ pid, startTime }, { what: "container web" });
 * ```
 */
export function openProcess(target: ProcessTarget, options: OpenProcessOptions = {}): number {
  const { pid } = target;
  const what = options.what ?? `process ${pid}`;
  const notRunning = (why: string) =>
    new NotRunningError(`${what[0].toUpperCase()}${what.slice(1)} is not running: ${why}`, pid);
  if (!Number.isInteger(pid) || pid <= 0) {
    throw new NookError(`Cannot reach ${what}: pid '${pid}' is not a positive integer`);
  }
  const shim = loadShim();
  const fd = shim.pidfdOpen(pid);
  if (fd === -ESRCH) throw notRunning(`process ${pid} has ended`);
  if (fd < 0) throw new NookError(`Cannot open a pidfd for process ${pid}: ${errnoText(-fd)}`);
  // The pidfd now holds whatever process has the pid: check that it is ours.
  const stat = statFields(pid);
  let why: string | null = null;
  if (!stat) why = `process ${pid} has ended`;
  else if (stat.state === "Z" || stat.state === "X") why = `process ${pid} has ended`;
  else if (target.startTime !== undefined && stat.startTime !== target.startTime) {
    why = `pid ${pid} now belongs to another process (started at ${stat.startTime}, ` +
      `not ${target.startTime})`;
  }
  if (why) {
    shim.close(fd);
    throw notRunning(why);
  }
  return fd;
}

/**
 * Signals a process through a pidfd, so that a reused pid is never hit.
 *
 * @param target Its pid, and its start time to check.
 * @param signal A name (`SIGTERM`) or number.
 * @returns true when sent, false when the process is not running (any more).
 * @throws {NookError} On an invalid signal, or when the kernel refuses (EPERM).
 *
 * @example
 * ```ts ignore
 * import { signalProcess } from "./process_ref.ts";
 * if (!signalProcess({ pid, startTime }, "SIGTERM")) console.log("already gone");
 * ```
 */
export function signalProcess(target: ProcessTarget, signal: string | number): boolean {
  const number = signalNumber(signal);
  let fd: number;
  try {
    fd = openProcess(target);
  } catch (err) {
    if (err instanceof NotRunningError) return false;
    throw err;
  }
  const shim = loadShim();
  const r = shim.pidfdSignal(fd, number);
  shim.close(fd);
  if (r === -ESRCH) return false;
  if (r < 0) {
    throw new NookError(`Cannot send signal ${signal} to process ${target.pid}: ${errnoText(-r)}`);
  }
  return true;
}
