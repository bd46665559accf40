/**
 * `stats`: a container's resource use, from its cgroup's files (CPU time,
 * memory, tasks, block I/O) and its network namespace's counters, one sample
 * at a time; two samples give the CPU share between them.
 *
 * @module
 */
import { readCgroupStats } from "../cgroups/cgroup_stats.ts";
import { readInterfaceCounters } from "../network/interface_counters.ts";
import { sys } from "../sys/mod.ts";
import type { ContainerRecord } from "../records/container_record.ts";
import { containerStatus } from "../records/container_state.ts";
import { readNetworkState } from "../records/network_state.ts";

/**
 * One sample of a container's resource use. A field is absent when nook
 * cannot know it: the container does not run, it has no cgroup of its own
 * (the host delegates none), or the controller is not enabled in it.
 */
export interface ContainerStats {
  /** The container id. */
  id: string;
  /** Its name. */
  name: string;
  /** When the sample was read, in ms since the epoch (fractional). */
  read: number;
  /** It was running (paused included). */
  running: boolean;
  /** CPU time its processes used, in microseconds (`cpu.stat`). */
  cpuUsageUsec?: number;
  /**
   * CPU use between the previous sample and this one, in percent of one CPU
   * (two busy CPUs: 200), as docker shows it.
   */
  cpuPercent?: number;
  /** Memory in use, in bytes (without the inactive file cache, as docker). */
  memoryUsage?: number;
  /** Its memory limit in bytes: `--memory`, else the host's memory. */
  memoryLimit?: number;
  /** `memoryUsage` in percent of `memoryLimit`. */
  memoryPercent?: number;
  /** Its tasks (processes and threads). */
  pids?: number;
  /** Bytes read from block devices. */
  blockRead?: number;
  /** Bytes written to block devices. */
  blockWrite?: number;
  /** Bytes its network namespace received (all interfaces but lo; none with --network host). */
  netRx?: number;
  /** Bytes its network namespace sent. */
  netTx?: number;
}

/** Options of {@linkcode containerStats}. */
export interface ContainerStatsOptions {
  /** The previous sample of the same container, for `cpuPercent`. */
  previous?: ContainerStats;
}

let memTotal: number | undefined;

/** The host's memory in bytes (MemTotal of /proc/meminfo), or undefined. */
function hostMemory(): number | undefined {
  if (memTotal === undefined) {
    const m = /^MemTotal:\s+(\d+) kB/m.exec(sys.readText("/proc/meminfo") ?? "");
    if (m) memTotal = Number(m[1]) * 1024;
  }
  return memTotal;
}

/**
 * Reads a sample of a container's resource use.
 *
 * @param record The container.
 * @param options The previous sample, to compute the CPU share since then.
 * @returns The sample; only `id`, `name`, `read` and `running` when it does not run.
 *
 * @example CPU use over one second
 * ```ts ignore
 * const first = containerStats(record);
 * await new Promise((r) => setTimeout(r, 1000));
 * console.log(containerStats(record, { previous: first }).cpuPercent);
 * ```
 */
export function containerStats(
  record: ContainerRecord,
  options: ContainerStatsOptions = {},
): ContainerStats {
  const read = performance.timeOrigin + performance.now();
  const s = containerStatus(record.id);
  const out: ContainerStats = { id: record.id, name: record.name, read, running: false };
  if (s.status !== "running" || !(s.pid > 0)) return out;
  out.running = true;
  if (record.cgroup !== undefined) {
    const c = readCgroupStats(record.cgroup);
    out.cpuUsageUsec = c.cpuUsageUsec;
    out.memoryUsage = c.memoryUsage;
    if (c.memoryUsage !== undefined) out.memoryLimit = c.memoryLimit ?? hostMemory();
    out.pids = c.pids;
    out.blockRead = c.ioReadBytes;
    out.blockWrite = c.ioWriteBytes;
  }
  const prev = options.previous;
  if (prev?.cpuUsageUsec !== undefined && out.cpuUsageUsec !== undefined && read > prev.read) {
    const used = out.cpuUsageUsec - prev.cpuUsageUsec;
    // Less than before: another run of it (a restart) with a new cgroup; no share to tell.
    if (used >= 0) out.cpuPercent = (used / ((read - prev.read) * 1000)) * 100;
  }
  if (out.memoryUsage !== undefined && out.memoryLimit) {
    out.memoryPercent = (out.memoryUsage / out.memoryLimit) * 100;
  }
  if (readNetworkState(record.id)?.mode !== "host") {
    const net = readInterfaceCounters(s.pid);
    if (net) {
      out.netRx = net.rxBytes;
      out.netTx = net.txBytes;
    }
  }
  return out;
}

/** Options of {@linkcode watchStats}. */
export interface WatchStatsOptions {
  /** Time between samples, in ms (default 1000, as docker). */
  intervalMs?: number;
  /** Ends the watch. */
  signal?: AbortSignal;
}

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done);
  });
}

/**
 * Samples the resource use of containers every `intervalMs`: the first
 * batch comes after one interval (two readings, so that it has the CPU share).
 *
 * @param containers The containers to sample, asked again before each
 *   reading (so a list of the running ones follows them as they come and go).
 * @param options The interval and an abort signal.
 * @returns Batches of samples, one per container, in the order `containers` gives.
 *
 * @example What `nook stats --no-stream` prints
 * ```ts ignore
 * for await (const batch of watchStats(() => [record])) {
 *   console.log(batch[0].cpuPercent);
 *   break;
 * }
 * ```
 */
export async function* watchStats(
  containers: () => ContainerRecord[],
  options: WatchStatsOptions = {},
): AsyncGenerator<ContainerStats[]> {
  const { intervalMs = 1000, signal } = options;
  let previous = new Map(containers().map((r) => [r.id, containerStats(r)]));
  for (;;) {
    await delay(intervalMs, signal);
    if (signal?.aborted) return;
    const batch = containers().map((r) => containerStats(r, { previous: previous.get(r.id) }));
    previous = new Map(batch.map((s) => [s.id, s]));
    yield batch;
  }
}
