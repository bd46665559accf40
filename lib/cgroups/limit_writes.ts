/**
 * Resource limits -> the cgroup v2 files and values that carry them, the way
 * runc converts docker's settings. Pure, apart from looking up a device's
 * numbers: the planner is tested without cgroups.
 *
 * @module
 */
import { UsageError } from "../errors/mod.ts";
import { sys } from "../sys/mod.ts";
import { type LimitName, LIMITS, type ResourceLimits } from "./resource_limits.ts";

/** One write into a container's cgroup. */
export interface LimitWrite {
  /** The file, relative to the cgroup's directory ("memory.max"). */
  file: string;
  /** What is written. */
  value: string;
  /** The controller that must be enabled for the file to exist. */
  controller: string;
  /** The limits it carries. */
  limits: LimitName[];
  /**
   * Left out without a word when the kernel has no such file (the swap limit
   * docker implies with --memory, where swap is not accounted).
   */
  optional?: boolean;
}

/** Options of {@linkcode limitWrites}. */
export interface LimitWriteOptions {
  /** The device numbers of a block device file (default: stat). */
  deviceNumbers?: (path: string) => { major: number; minor: number };
  /** The cgroup has io.bfq.weight (the BFQ scheduler): --blkio-weight goes there, unconverted. */
  bfq?: boolean;
}

/** cpu.max's period: docker's default CFS period, 100 ms. */
const CPU_PERIOD = 100000;

/**
 * A block device's major and minor numbers.
 *
 * @param path The device file, e.g. "/dev/sda".
 * @returns Its numbers.
 * @throws {UsageError} When it is missing or not a block device.
 *
 * @example
 * ```ts ignore
 * import { blockDeviceNumbers } from "./limit_writes.ts";
 * blockDeviceNumbers("/dev/sda"); // { major: 8, minor: 0 }
 * ```
 */
export function blockDeviceNumbers(path: string): { major: number; minor: number } {
  const st = sys.stat(path);
  if (!st?.isBlockDevice) {
    throw new UsageError(
      `Cannot limit the I/O of '${path}': ${st ? "not a block device" : "no such device"}`,
    );
  }
  // glibc's gnu_dev_major/minor on the 64-bit dev_t.
  const dev = BigInt(st.rdev);
  const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn);
  const minor = (dev & 0xffn) | ((dev >> 12n) & 0xffffff00n);
  return { major: Number(major), minor: Number(minor) };
}

/**
 * runc's conversion of --cpu-shares (2..262144) to cpu.weight (1..10000).
 *
 * @param shares The shares.
 * @returns The weight.
 *
 * @example
 * ```ts
 * import { cpuWeight } from "./limit_writes.ts";
 * console.assert(cpuWeight(1024) === 39 && cpuWeight(2) === 1 && cpuWeight(262144) === 10000);
 * ```
 */
export function cpuWeight(shares: number): number {
  return 1 + Math.floor(((shares - 2) * 9999) / 262142);
}

/**
 * runc's conversion of --blkio-weight (10..1000) to io.weight (1..10000).
 *
 * @param weight The blkio weight.
 * @returns The io.weight value.
 *
 * @example
 * ```ts
 * import { ioWeight } from "./limit_writes.ts";
 * console.assert(ioWeight(10) === 1 && ioWeight(500) === 4950 && ioWeight(1000) === 10000);
 * ```
 */
export function ioWeight(weight: number): number {
  return 1 + Math.floor(((weight - 10) * 9999) / 990);
}

/**
 * The writes that apply `limits` to a container's cgroup, in a working
 * order. --memory-swap is memory plus swap, cgroup v2 limits swap alone
 * (memory.swap.max = swap - memory, "max" for -1); without --memory-swap,
 * --memory implies as much swap again (docker's default).
 * --pids-limit -1 writes "max", so that `update` can lift a limit.
 *
 * @param limits The limits.
 * @param options Device lookup, BFQ.
 * @returns The writes (none without limits).
 * @throws {UsageError} When a --device-*-bps path is not a block device.
 *
 * @example
 * ```ts
 * import { limitWrites } from "./limit_writes.ts";
 * const writes = limitWrites({ memory: 64 << 20, cpus: 0.5, cpuShares: 512 });
 * const text = writes.map((w) => `${w.file}=${w.value}`).join(" ");
 * console.assert(
 *   text === "memory.max=67108864 memory.swap.max=67108864 cpu.max=50000 100000 cpu.weight=20",
 * );
 * ```
 */
export function limitWrites(
  limits: ResourceLimits,
  options: LimitWriteOptions = {},
): LimitWrite[] {
  const out: LimitWrite[] = [];
  const add = (file: string, value: string | number, names: LimitName[], optional?: boolean) =>
    out.push({
      file,
      value: String(value),
      controller: LIMITS[names[0]].controller,
      limits: names,
      ...(optional ? { optional } : {}),
    });
  const l = limits;
  if (l.memory !== undefined) add("memory.max", l.memory, ["memory"]);
  if (l.memoryReservation !== undefined) {
    add("memory.low", l.memoryReservation, ["memoryReservation"]);
  }
  if (l.memorySwap === -1) add("memory.swap.max", "max", ["memorySwap"]);
  else if (l.memorySwap !== undefined && l.memory !== undefined) {
    add("memory.swap.max", l.memorySwap - l.memory, ["memorySwap", "memory"]);
  } else if (l.memory !== undefined) add("memory.swap.max", l.memory, ["memory"], true);
  if (l.cpus !== undefined) {
    add("cpu.max", `${Math.round(l.cpus * CPU_PERIOD)} ${CPU_PERIOD}`, ["cpus"]);
  }
  if (l.cpuShares !== undefined) add("cpu.weight", cpuWeight(l.cpuShares), ["cpuShares"]);
  // cpuset.mems before cpuset.cpus is what the kernel's checks expect of a new cgroup.
  if (l.cpusetMems !== undefined) add("cpuset.mems", l.cpusetMems, ["cpusetMems"]);
  if (l.cpusetCpus !== undefined) add("cpuset.cpus", l.cpusetCpus, ["cpusetCpus"]);
  if (l.pidsLimit !== undefined) {
    add("pids.max", l.pidsLimit > 0 ? l.pidsLimit : "max", ["pidsLimit"]);
  }
  if (l.blkioWeight !== undefined) {
    if (options.bfq) add("io.bfq.weight", l.blkioWeight, ["blkioWeight"]);
    else add("io.weight", ioWeight(l.blkioWeight), ["blkioWeight"]);
  }
  // io.max: one line per device, its read and write rates together ("max": no limit).
  const numbers = options.deviceNumbers ?? blockDeviceNumbers;
  const devices = new Map<string, { read?: number; write?: number; names: Set<LimitName> }>();
  for (const [key, dir] of [["deviceReadBps", "read"], ["deviceWriteBps", "write"]] as const) {
    for (const d of l[key] ?? []) {
      const { major, minor } = numbers(d.path);
      const entry = devices.get(`${major}:${minor}`) ?? { names: new Set<LimitName>() };
      entry[dir] = d.rate;
      entry.names.add(key);
      devices.set(`${major}:${minor}`, entry);
    }
  }
  for (const [dev, e] of devices) {
    const rate = (n: number | undefined) => (n ? String(n) : "max");
    const parts = [dev];
    if (e.read !== undefined) parts.push(`rbps=${rate(e.read)}`);
    if (e.write !== undefined) parts.push(`wbps=${rate(e.write)}`);
    add("io.max", parts.join(" "), [...e.names]);
  }
  return out;
}
