/**
 * A container's run state: the `state` file its monitor (or the foreground
 * `nook run` that started it) replaces atomically at each change, checked
 * against the live system, so that a dead monitor, a killed CLI or a reboot
 * never leaves a container that claims to be "Up".
 *
 * @module
 */
import { isFrozen } from "../cgroups/freeze.ts";
import { formatState, parseState, type StateFile, Status } from "../monitor/monitor_protocol.ts";
import { writeFileAtomic } from "../store/mod.ts";
import { sys } from "../sys/mod.ts";
import { containerDir, readRecord } from "./container_record.ts";

// The state file's format is the monitor's (lib/monitor/monitor_protocol.ts).
export { formatState, parseState, type StateFile };

/** What a container is doing, as `ps` and `inspect` say it. */
export interface ContainerStatus {
  /** docker's State.Status, plus "unknown" when its monitor died without recording the end. */
  status: "created" | "running" | "restarting" | "exited" | "unknown";
  /** Pid of its first process while running (or "unknown" with it still alive), else 0. */
  pid: number;
  /** Start time of that process (/proc/PID/stat field 22) while running. */
  pidStart: string;
  /** Exit code when exited (-1 when unknown). */
  exitCode: number;
  /** ISO time it started, or "". */
  startedAt: string;
  /** ISO time it ended, or "". */
  finishedAt: string;
  /** Restarts by the restart policy. */
  restarts: number;
  /** The monitor's pid while it lives, else 0. */
  monitor: number;
  /** Running, but frozen (`pause`): its cgroup's `cgroup.events` says `frozen 1`. */
  paused: boolean;
  /** The OOM killer killed a process of its cgroup during its last run (as recorded at its end). */
  oomKilled: boolean;
}

/**
 * Reads a container's state file.
 *
 * @param id The container id.
 * @returns The fields, or null when it never started.
 *
 * @example
 * ```ts ignore
 * readState(id)?.pid;
 * ```
 */
export function readState(id: string): StateFile | null {
  const text = sys.readText(`${containerDir(id)}/state`);
  return text === null ? null : parseState(text);
}

/**
 * Replaces a container's state file atomically.
 *
 * @param id The container id.
 * @param s The fields.
 * @param options `durable: false` for a container removed when it exits
 *   (`--rm`): its state is not fsynced, as it is not to outlive the container.
 *   After a crash its record is there (that is fsynced), and a state that is
 *   torn or old reads as not running (another boot).
 *
 * @example
 * ```ts ignore
 * writeState(id, { ...s, status: "exited", exitCode: 0, finished: Date.now() * 1e6 });
 * ```
 */
export function writeState(id: string, s: StateFile, options: { durable?: boolean } = {}): void {
  writeFileAtomic(`${containerDir(id)}/state`, formatState(s), 0o600, {
    fsync: options.durable ?? true,
  });
}

let bootId: string | undefined;

/**
 * This boot's id (/proc/sys/kernel/random/boot_id).
 *
 * @returns The id, or "-" when unreadable.
 *
 * @example
 * ```ts
 * import { currentBoot } from "./container_state.ts";
 * console.assert(currentBoot().length > 0);
 * ```
 */
export function currentBoot(): string {
  return bootId ??= sys.readText("/proc/sys/kernel/random/boot_id")?.trim() ?? "-";
}

/**
 * A process's start time (field 22 of /proc/PID/stat), or null when it is
 * gone or a zombie.
 *
 * @param pid The pid.
 * @returns The start time in clock ticks since boot, as text.
 *
 * @example
 * ```ts
 * import { processStart } from "./container_state.ts";
 * console.assert(processStart(Deno.pid) !== null);
 * ```
 */
export function processStart(pid: number): string | null {
  if (!(pid > 0)) return null;
  const text = sys.readText(`/proc/${pid}/stat`);
  if (text === null) return null;
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  if (fields[0] === "Z" || fields[0] === "X") return null;
  return fields[19] ?? null; // field 22 overall: the 20th after "pid (comm)"
}

/**
 * Whether the process `pid` that started at `start` is alive (a reused pid is not).
 *
 * @param pid The pid.
 * @param start Its recorded start time.
 * @param boot The boot it was recorded in.
 * @returns True when the same process still runs.
 *
 * @example
 * ```ts
 * import { currentBoot, isAlive, processStart } from "./container_state.ts";
 * console.assert(isAlive(Deno.pid, processStart(Deno.pid)!, currentBoot()));
 * ```
 */
export function isAlive(pid: number, start: string, boot: string): boolean {
  if (boot !== currentBoot()) return false;
  const now = processStart(pid);
  return now !== null && (start === "-" || now === start);
}

function iso(ns: number | undefined): string {
  return ns ? new Date(ns / 1e6).toISOString() : "";
}

/**
 * A container's status, from its state file and the live system.
 *
 * @param id The container id.
 * @param record The container's record when the caller has read it (as
 *   `exec` has): its cgroup tells whether the container is paused, without
 *   reading the record again.
 * @returns The status.
 *
 * @example
 * ```ts ignore
 * if (containerStatus(id).status === "running") console.log("up");
 * ```
 */
export function containerStatus(id: string, record?: { cgroup?: string }): ContainerStatus {
  const status = statusOf(id, readState(id), record);
  if (status.status !== "unknown") return status;
  // The monitor may have recorded the end and exited between the read of the state file and
  // the look at its process: the file read again tells.
  return statusOf(id, readState(id), record);
}

function statusOf(id: string, s: StateFile | null, record?: { cgroup?: string }): ContainerStatus {
  const base: ContainerStatus = {
    status: "created",
    pid: 0,
    pidStart: "",
    exitCode: 0,
    startedAt: "",
    finishedAt: "",
    restarts: 0,
    monitor: 0,
    paused: false,
    oomKilled: false,
  };
  if (!s) return base;
  const common = {
    ...base,
    startedAt: iso(s.started),
    finishedAt: iso(s.finished),
    restarts: s.restarts,
    exitCode: s.exitCode ?? 0,
    oomKilled: (s.oomKills ?? 0) > 0,
  };
  const monitorAlive = isAlive(s.monitor, s.monitorStart, s.boot);
  if (s.status === Status.EXITED) return { ...common, status: "exited" };
  if (s.status === Status.RUNNING || s.status === Status.RESTARTING) {
    const mainAlive = s.status === Status.RUNNING && isAlive(s.pid, s.pidStart, s.boot);
    if (mainAlive && monitorAlive) {
      const cgroup = (record ?? readRecord(id))?.cgroup;
      return {
        ...common,
        status: "running",
        pid: s.pid,
        pidStart: s.pidStart,
        monitor: s.monitor,
        paused: cgroup !== undefined && isFrozen(cgroup),
      };
    }
    if (monitorAlive) {
      // It just ended and the monitor is recording it, or it waits to restart.
      return {
        ...common,
        status: s.status === Status.RESTARTING ? "restarting" : "running",
        monitor: s.monitor,
        pid: 0,
      };
    }
    if (mainAlive) {
      // It outlived its monitor: nothing will record its end. The pid is kept for `rm`.
      return { ...common, status: "unknown", exitCode: -1, pid: s.pid, pidStart: s.pidStart };
    }
    return { ...common, status: "unknown", exitCode: -1 };
  }
  return { ...common, status: "unknown", exitCode: -1 };
}
