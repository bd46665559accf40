/**
 * Signals, stop and wait for a container's first process, safe against pid
 * reuse: a signal goes only to the process whose start time was recorded.
 *
 * @module
 */
import { thawCgroup } from "../cgroups/freeze.ts";
import { isPopulated, killCgroup } from "../cgroups/kill_all.ts";
import { UsageError } from "../errors/mod.ts";
import { userNetworkName } from "../config/network_config.ts";
import { signalProcess as signalByPidfd } from "../runtime/process_ref.ts";
import { signalName, SIGNALS } from "../runtime/signal_name.ts";
import { sys } from "../sys/mod.ts";
import type { ContainerRecord } from "../records/container_record.ts";
import { type ContainerStatus, containerStatus } from "../records/container_state.ts";
import { stopMarkerPath } from "./launch_container.ts";
import { STOP_RESTART } from "../monitor/monitor_protocol.ts";
import { containerEvent } from "./container_event.ts";

/** docker's `signal` attribute: the signal's number. */
function signalNumber(name: string): string {
  return String(SIGNALS[name.replace(/^SIG/, "")] ?? name);
}

/**
 * Sends a signal to a process if it is still the one that started at `start`
 * (through a pidfd, so a reused pid is never hit).
 *
 * @param pid The pid.
 * @param start Its recorded start time.
 * @param signal A signal name.
 * @returns False when that process is gone.
 *
 * @example
 * ```ts ignore
 * signalProcess(st.pid, st.pidStart, "SIGTERM");
 * ```
 */
export function signalProcess(pid: number, start: string, signal: string): boolean {
  if (!(pid > 0)) return false;
  return signalByPidfd({ pid, startTime: start === "-" ? undefined : start }, signalName(signal));
}

function active(s: ContainerStatus): boolean {
  return s.status === "running" || s.status === "restarting";
}

/**
 * Waits until a container is no longer running (or the time is up).
 *
 * @param id The container id.
 * @param timeoutMs How long at most (default: no limit).
 * @param signal Stops the wait: it then rejects with the signal's reason.
 * @returns Its status then.
 *
 * @example
 * ```ts ignore
 * const { exitCode } = await waitForExit(id);
 * ```
 */
export async function waitForExit(
  id: string,
  timeoutMs = Infinity,
  signal?: AbortSignal,
): Promise<ContainerStatus> {
  const end = Date.now() + timeoutMs;
  for (let delay = 10;; delay = Math.min(delay * 2, 100)) {
    signal?.throwIfAborted();
    const s = containerStatus(id);
    if (!active(s) || Date.now() >= end) return s;
    await abortableSleep(delay, signal);
  }
}

/** Sleeps `ms`, or less when `signal` aborts (the caller then sees it aborted). */
function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/**
 * Thaws a paused container that was sent a signal meant to end it, so that
 * it gets the signal, as docker does. A thaw that fails is left alone: the
 * SIGKILL that follows a stop's timeout ends a frozen process all the same.
 */
async function thawToEnd(record: ContainerRecord, s: ContainerStatus): Promise<void> {
  if (s.paused && record.cgroup !== undefined) await thawCgroup(record.cgroup).catch(() => {});
}

/**
 * Sends a signal to a running container (`kill -s`). A paused container
 * gets SIGKILL or its stop signal at once and is thawed to act on it (as
 * docker does); another signal waits until `unpause`. SIGKILL to a container
 * whose first process is gone while processes of its cgroup are left (its
 * monitor died) kills those.
 *
 * @param record The container.
 * @param signal The signal (default SIGKILL).
 * @throws {UsageError} When it is not running.
 * @throws {NookError} When processes of its cgroup cannot be killed.
 *
 * @example
 * ```ts ignore
 * await killContainer(record, "SIGUSR1");
 * ```
 */
export async function killContainer(record: ContainerRecord, signal = "SIGKILL"): Promise<void> {
  const name = signalName(signal);
  const s = containerStatus(record.id);
  if (s.status === "running" && signalProcess(s.pid, s.pidStart, name)) {
    await containerEvent(record, "kill", { signal: signalNumber(name) });
    if (name === "SIGKILL" || name === signalName(record.config.stopSignal)) {
      await thawToEnd(record, s);
    }
    return;
  }
  if (name === "SIGKILL" && record.cgroup !== undefined && isPopulated(record.cgroup)) {
    await containerEvent(record, "kill", { signal: signalNumber(name) });
    await killCgroup(record.cgroup);
    return;
  }
  throw new UsageError(
    `Cannot kill container ${record.name}: it is not running (status ${s.status})`,
  );
}

/**
 * Stops a container: its stop signal (a paused container is thawed to get
 * it), then SIGKILL after `timeout` seconds; the restart policy does not
 * bring it back. Every process left in its cgroup is killed too, so nothing
 * of it outlives the stop (a double-forked daemon included).
 *
 * @param record The container.
 * @param timeout Seconds before SIGKILL (default: the container's, 10).
 * @param options `restart`: it is stopped to be started again at once, so its
 *   monitor does not remove it for `--rm`; `onWarning`: told when the stop signal
 *   did not end it within a timeout above 0 and SIGKILL follows.
 * @returns Its status after it stopped.
 * @throws {NookError} When processes of its cgroup cannot be killed.
 *
 * @example
 * ```ts ignore
 * await stopContainer(record, 2);
 * ```
 */
export async function stopContainer(
  record: ContainerRecord,
  timeout = record.config.stopTimeout,
  options: { restart?: boolean; onWarning?: (message: string) => void } = {},
): Promise<ContainerStatus> {
  let s = containerStatus(record.id);
  if (!active(s)) return s;
  sys.writeText(stopMarkerPath(record.id), options.restart ? STOP_RESTART : "");
  const stopSignal = signalName(record.config.stopSignal);
  await containerEvent(record, "kill", { signal: signalNumber(stopSignal) });
  signalProcess(s.pid, s.pidStart, record.config.stopSignal);
  await thawToEnd(record, s);
  s = await waitForExit(record.id, Math.max(0, timeout) * 1000);
  if (active(s)) {
    if (timeout > 0) {
      options.onWarning?.(
        `Container ${record.name} did not stop on ${signalName(record.config.stopSignal)} ` +
          `within ${timeout} s: sending SIGKILL`,
      );
    }
    await containerEvent(record, "kill", { signal: signalNumber("SIGKILL") });
    signalProcess(s.pid, s.pidStart, "SIGKILL");
    if (record.cgroup !== undefined) await killCgroup(record.cgroup);
    s = await waitForExit(record.id, 10_000);
    if (active(s) && s.monitor) {
      // The monitor could not record the end: end it too, so the container is truly stopped.
      const { readState } = await import("../records/container_state.ts");
      const st = readState(record.id);
      if (st) signalProcess(st.monitor, st.monitorStart, "SIGKILL");
      s = await waitForExit(record.id, 2_000);
    }
  }
  // What left its process tree and its pid namespace's end may still be in its cgroup.
  if (record.cgroup !== undefined) await killCgroup(record.cgroup);
  const network = userNetworkName(record.config.network);
  if (network !== undefined) {
    // Its host ports are the network helper's: withdrawn now, not with the container's process.
    const { syncNetworkPorts } = await import("../network/network_attach.ts");
    await syncNetworkPorts(network).catch(() => {});
  }
  await containerEvent(record, "stop");
  return s;
}
