/**
 * A container's resource limits as docker's flags give them, the flag and
 * the cgroup v2 controller behind each, and how much a container asks of
 * cgroups (`--cgroups`).
 *
 * @module
 */

/** A device and a rate (`--device-read-bps /dev/sda:1mb`). */
export interface ThrottleDevice {
  /** The device file on the host, e.g. "/dev/sda". */
  path: string;
  /** Bytes per second (0: no limit). */
  rate: number;
}

/** Resource limits; an absent field is not set. */
export interface ResourceLimits {
  /** `--memory`: bytes (memory.max). */
  memory?: number;
  /** `--memory-reservation`: bytes (memory.low). */
  memoryReservation?: number;
  /** `--memory-swap`: memory plus swap in bytes, -1 for unlimited swap (memory.swap.max). */
  memorySwap?: number;
  /** `--cpus`: how many CPUs' worth of time (cpu.max). */
  cpus?: number;
  /** `--cpu-shares`: a relative weight, 2 to 262144 (cpu.weight). */
  cpuShares?: number;
  /** `--cpuset-cpus`: the CPUs it may run on, e.g. "0-2,4" (cpuset.cpus). */
  cpusetCpus?: string;
  /** `--cpuset-mems`: the memory nodes it may use (cpuset.mems). */
  cpusetMems?: string;
  /** `--pids-limit`: at most this many tasks, -1 for no limit (pids.max). */
  pidsLimit?: number;
  /** `--blkio-weight`: a relative I/O weight, 10 to 1000 (io.bfq.weight or io.weight). */
  blkioWeight?: number;
  /** `--device-read-bps` (io.max rbps). */
  deviceReadBps?: ThrottleDevice[];
  /** `--device-write-bps` (io.max wbps). */
  deviceWriteBps?: ThrottleDevice[];
}

/** A key of {@linkcode ResourceLimits}. */
export type LimitName = keyof ResourceLimits;

/**
 * `--cgroups`: "enabled" (default) gives the container a cgroup of its own
 * where the host delegates one and warns about limits it cannot apply;
 * "disabled" makes none and says nothing; "required" fails (exit 125) where
 * the container cannot have its cgroup or a limit cannot be applied.
 */
export type CgroupsMode = "enabled" | "disabled" | "required";

/** Each limit's flag and the controller that enforces it, in the order flags are listed. */
export const LIMITS: Readonly<Record<LimitName, { flag: string; controller: string }>> = {
  memory: { flag: "--memory", controller: "memory" },
  memoryReservation: { flag: "--memory-reservation", controller: "memory" },
  memorySwap: { flag: "--memory-swap", controller: "memory" },
  cpus: { flag: "--cpus", controller: "cpu" },
  cpuShares: { flag: "--cpu-shares", controller: "cpu" },
  cpusetCpus: { flag: "--cpuset-cpus", controller: "cpuset" },
  cpusetMems: { flag: "--cpuset-mems", controller: "cpuset" },
  pidsLimit: { flag: "--pids-limit", controller: "pids" },
  blkioWeight: { flag: "--blkio-weight", controller: "io" },
  deviceReadBps: { flag: "--device-read-bps", controller: "io" },
  deviceWriteBps: { flag: "--device-write-bps", controller: "io" },
};

/**
 * The limits that are set, in flag order.
 *
 * @param limits The limits (or none).
 * @returns Their names.
 *
 * @example
 * ```ts
 * import { limitNames } from "./resource_limits.ts";
 * console.assert(limitNames({ cpus: 1, memory: 1 << 30 }).join() === "memory,cpus");
 * ```
 */
export function limitNames(limits: ResourceLimits | undefined): LimitName[] {
  if (!limits) return [];
  return (Object.keys(LIMITS) as LimitName[]).filter((k) => {
    const v = limits[k];
    return Array.isArray(v) ? v.length > 0 : v !== undefined;
  });
}
