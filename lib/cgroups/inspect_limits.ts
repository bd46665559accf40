/**
 * A container's resource settings in the fields of docker's HostConfig.
 *
 * @module
 */
import type { CgroupsMode, ResourceLimits, ThrottleDevice } from "./resource_limits.ts";

/** docker's HostConfig resource fields. */
export interface HostConfigResources {
  /** Bytes, 0: unset. */
  Memory: number;
  /** Bytes, 0: unset. */
  MemoryReservation: number;
  /** Memory plus swap in bytes, -1 unlimited, 0 unset (twice Memory by default). */
  MemorySwap: number;
  /** CPUs in billionths. */
  NanoCpus: number;
  /** 0: unset. */
  CpuShares: number;
  /** "" when unset. */
  CpusetCpus: string;
  /** "" when unset. */
  CpusetMems: string;
  /** null when unset, -1 unlimited. */
  PidsLimit: number | null;
  /** 0: unset. */
  BlkioWeight: number;
  /** Devices and bytes per second. */
  BlkioDeviceReadBps: { Path: string; Rate: number }[];
  /** Devices and bytes per second. */
  BlkioDeviceWriteBps: { Path: string; Rate: number }[];
  /** `--cgroup-parent`, "" when unset. */
  CgroupParent: string;
  /** "private": a cgroup namespace of its own. */
  Cgroupns: string;
  /** nook's `--cgroups` (docker has no such field). */
  Cgroups: CgroupsMode;
}

function rates(list: ThrottleDevice[] | undefined): { Path: string; Rate: number }[] {
  return (list ?? []).map((d) => ({ Path: d.path, Rate: d.rate }));
}

/**
 * The HostConfig fields of a container's limits.
 *
 * @param o The stored limits and cgroup settings.
 * @returns The fields.
 *
 * @example
 * ```ts
 * import { inspectLimits } from "./inspect_limits.ts";
 * const h = inspectLimits({ resources: { memory: 64 << 20, cpus: 1.5 } });
 * console.assert(h.Memory === 64 << 20 && h.MemorySwap === 128 << 20 && h.NanoCpus === 1.5e9);
 * ```
 */
export function inspectLimits(
  o: { resources?: ResourceLimits; cgroups?: CgroupsMode; cgroupParent?: string },
): HostConfigResources {
  const r = o.resources ?? {};
  return {
    Memory: r.memory ?? 0,
    MemoryReservation: r.memoryReservation ?? 0,
    MemorySwap: r.memorySwap ?? (r.memory ? r.memory * 2 : 0),
    NanoCpus: Math.round((r.cpus ?? 0) * 1e9),
    CpuShares: r.cpuShares ?? 0,
    CpusetCpus: r.cpusetCpus ?? "",
    CpusetMems: r.cpusetMems ?? "",
    PidsLimit: r.pidsLimit ?? null,
    BlkioWeight: r.blkioWeight ?? 0,
    BlkioDeviceReadBps: rates(r.deviceReadBps),
    BlkioDeviceWriteBps: rates(r.deviceWriteBps),
    CgroupParent: o.cgroupParent ?? "",
    Cgroupns: "private",
    Cgroups: o.cgroups ?? "enabled",
  };
}
