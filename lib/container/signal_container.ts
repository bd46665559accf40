/**
 * Signals, stop and wait for a container's first process, safe against pid
 * reuse: a signal goes only to the process whose start time was recorded.
 *
 * @module
 */
import { UsageError } from "../errors/mod.ts";
import { isUserNetwork } from "../runtime/network_mode.ts";
import { signalProcess as signalByPidfd } from "../runtime/process_ref.ts";
import { signalName } from "../runtime/signal_name.ts";
import { sys } from "../sys/mod.ts";
import type { ContainerRecord } from "./container_record.ts";
import { type ContainerStatus, containerStatus } from "./container_state.ts";
import { stopMarkerPath } from "./launch_container.ts";

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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function active(s: ContainerStatus): boolean {
  return s.status === "running" || s.status === "restarting";
}

/**
 * Waits until a container is no longer running (or the time is up).
 *
 * @param id The container id.
 * @param timeoutMs How long at most (default: no limit).
 * @returns Its status then.
 *
 * @example
 * ```ts ignore
 * const { exitCode } = await waitForExit(id);
 * ```
 */
export async function waitForExit(id: string, timeoutMs = Infinity): Promise<ContainerStatus> {
  const end = Date.now() + timeoutMs;
  for (let delay = 10;; delay = Math.min(delay * 2, 100)) {
    const s = containerStatus(id);
    if (!active(s) || Date.now() >= end) return s;
    await sleep(delay);
  }
}

/**
 * Sends a signal to a running container (`kill -s`).
 *
 * @param record The container.
 * @param signal The signal (default SIGKILL).
 * @throws {UsageError} When it is not running.
 *
 * @example
 * ```ts ignore
 * killContainer(record, "SIGUSR1");
 * ```
 */
export function killContainer(record: ContainerRecord, signal = "SIGKILL"): void {
  const name = signalName(signal);
  const s = containerStatus(record.id);
  if (s.status !== "running" || !signalProcess(s.pid, s.pidStart, name)) {
    throw new UsageError(
      `Cannot kill container ${record.name}: it is not running (status ${s.status})`,
    );
  }
}

/**
 * Stops a container: its stop signal, then SIGKILL after `timeout` seconds;
 * the restart policy does not bring it back.
 *
 * @param record The container.
 * @param timeout Seconds before SIGKILL (default: the container's, 10).
 * @param options `restart`: it is stopped to be started again at once, so its
 *   monitor does not remove it for `--rm`.
 * @returns Its status after it stopped.
 *
 * @example
 * ```ts ignore
 * await stopContainer(record, 2);
 * ```
 */
export async function stopContainer(
  record: ContainerRecord,
  timeout = record.stopTimeout,
  options: { restart?: boolean } = {},
): Promise<ContainerStatus> {
  let s = containerStatus(record.id);
  if (!active(s)) return s;
  sys.writeText(stopMarkerPath(record.id), options.restart ? "restart" : "");
  signalProcess(s.pid, s.pidStart, record.stopSignal);
  s = await waitForExit(record.id, Math.max(0, timeout) * 1000);
  if (!active(s)) return s;
  signalProcess(s.pid, s.pidStart, "SIGKILL");
  s = await waitForExit(record.id, 10_000);
  if (active(s) && s.monitor) {
    // The monitor could not record the end: end it too, so the container is truly stopped.
    const { readState } = await import("./container_state.ts");
    const st = readState(record.id);
    if (st) signalProcess(st.monitor, st.monitorStart, "SIGKILL");
    s = await waitForExit(record.id, 2_000);
  }
  if (isUserNetwork(record.options.network)) {
    // Its host ports are the network helper's: withdrawn now, not with the container's process.
    const { syncNetworkPorts } = await import("../network/network_attach.ts");
    await syncNetworkPorts(record.options.network!).catch(() => {});
  }
  return s;
}
