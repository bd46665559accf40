/**
 * A cgroup's resource counters as `stats` shows them: CPU time, memory in use
 * and its limit, tasks, bytes read and written. Each comes from its
 * controller's file and is absent where that controller is not enabled (on a
 * hybrid host the cgroup2 tree has none); `cpu.stat` is always there.
 *
 * @module
 */
import { parseFlatKeyed, readCgroupText, readFlatKeyed } from "./_cgroup_file.ts";
import { sys } from "../sys/mod.ts";

/** A cgroup's counters; a field is absent when its file is. */
export interface CgroupStats {
  /** CPU time used, in microseconds (`usage_usec` of `cpu.stat`). */
  cpuUsageUsec?: number;
  /**
   * Memory in use, in bytes: `memory.current` less the inactive file cache
   * (`inactive_file` of `memory.stat`), as docker counts it.
   */
  memoryUsage?: number;
  /** `memory.max` in bytes; absent when it is "max" (no limit) or missing. */
  memoryLimit?: number;
  /**
   * Tasks (threads): `pids.current`, else the threads listed in
   * `cgroup.threads` of the cgroup and the cgroups below it (what
   * `pids.current` counts).
   */
  pids?: number;
  /** Bytes read from block devices (`rbytes` of `io.stat`, all devices). */
  ioReadBytes?: number;
  /** Bytes written to block devices (`wbytes` of `io.stat`, all devices). */
  ioWriteBytes?: number;
}

/**
 * Sums the fields of `io.stat` ("MAJ:MIN rbytes=N wbytes=N rios=N ..." per device).
 *
 * @param text The file's text.
 * @returns The sums by field name.
 *
 * @example
 * ```ts
 * import { parseIoStat } from "./cgroup_stats.ts";
 * const t = parseIoStat("8:0 rbytes=100 wbytes=7 rios=1\n8:16 rbytes=20 wbytes=0 rios=2\n");
 * console.assert(t.rbytes === 120 && t.wbytes === 7 && t.rios === 3);
 * ```
 */
export function parseIoStat(text: string): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const line of text.split("\n")) {
    for (const pair of line.trim().split(/\s+/).slice(1)) {
      const m = /^(\w+)=(\d+)$/.exec(pair);
      if (m) sums[m[1]] = (sums[m[1]] ?? 0) + Number(m[2]);
    }
  }
  return sums;
}

/** A file holding one number, or undefined (missing, or "max"). */
function readNumber(path: string): number | undefined {
  const text = readCgroupText(path)?.trim();
  return text && /^\d+$/.test(text) ? Number(text) : undefined;
}

/** Threads in `cgroup.threads` of `dir` and below, or undefined when `dir` is gone. */
function countThreads(dir: string): number | undefined {
  const text = readCgroupText(`${dir}/cgroup.threads`);
  if (text === null) return undefined;
  let n = text.split("\n").filter((line) => line !== "").length;
  for (const name of sys.readDir(dir)) {
    if (sys.lstat(`${dir}/${name}`)?.isDirectory) n += countThreads(`${dir}/${name}`) ?? 0;
  }
  return n;
}

/**
 * Reads a cgroup's counters.
 *
 * @param dir The cgroup directory.
 * @returns What its files hold; every field absent when the cgroup does not exist.
 *
 * @example
 * ```ts ignore
 * const { cpuUsageUsec, memoryUsage } = readCgroupStats(record.cgroup);
 * ```
 */
export function readCgroupStats(dir: string): CgroupStats {
  const out: CgroupStats = {};
  const cpu = readFlatKeyed(`${dir}/cpu.stat`);
  if (cpu?.usage_usec !== undefined) out.cpuUsageUsec = cpu.usage_usec;
  const current = readNumber(`${dir}/memory.current`);
  if (current !== undefined) {
    const inactive = parseFlatKeyed(readCgroupText(`${dir}/memory.stat`) ?? "").inactive_file ?? 0;
    out.memoryUsage = inactive < current ? current - inactive : current;
    const limit = readNumber(`${dir}/memory.max`);
    if (limit !== undefined) out.memoryLimit = limit;
  }
  const pids = readNumber(`${dir}/pids.current`) ?? countThreads(dir);
  if (pids !== undefined) out.pids = pids;
  const io = readCgroupText(`${dir}/io.stat`);
  if (io !== null) {
    const sums = parseIoStat(io);
    out.ioReadBytes = sums.rbytes ?? 0;
    out.ioWriteBytes = sums.wbytes ?? 0;
  }
  return out;
}
