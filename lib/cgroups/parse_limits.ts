/**
 * docker's resource flags as text -> {@linkcode ResourceLimits}, checked the
 * way dockerd checks them and worded as it words them ("Minimum memory limit
 * allowed is 6MB"), so that a bad value fails before anything is made.
 *
 * @module
 */
import { UsageError } from "../errors/mod.ts";
import { sys } from "../sys/mod.ts";
import type { CgroupsMode, ResourceLimits, ThrottleDevice } from "./resource_limits.ts";

/** The flags' values as given (`--device-*-bps` may repeat). */
export interface LimitFlags {
  /** `--memory` / `-m`. */
  memory?: string;
  /** `--memory-reservation`. */
  memoryReservation?: string;
  /** `--memory-swap`. */
  memorySwap?: string;
  /** `--cpus`. */
  cpus?: string;
  /** `--cpu-shares` / `-c`. */
  cpuShares?: string;
  /** `--cpuset-cpus`. */
  cpusetCpus?: string;
  /** `--cpuset-mems`. */
  cpusetMems?: string;
  /** `--pids-limit`. */
  pidsLimit?: string;
  /** `--blkio-weight`. */
  blkioWeight?: string;
  /** `--device-read-bps` values. */
  deviceReadBps?: readonly string[];
  /** `--device-write-bps` values. */
  deviceWriteBps?: readonly string[];
}

/** What the checks compare against (default: this machine). */
export interface HostResources {
  /** CPUs online. */
  cpuCount: number;
  /** The CPUs online as a list, e.g. "0-7". */
  cpusOnline: string;
  /** The memory nodes online, e.g. "0". */
  memsOnline: string;
}

/** dockerd's smallest memory limit (and reservation). */
const MIN_MEMORY = 6 * 1024 * 1024;
const MIN_SHARES = 2;
const MAX_SHARES = 262144;
const UNITS: Record<string, number> = {
  "": 1,
  k: 2 ** 10,
  m: 2 ** 20,
  g: 2 ** 30,
  t: 2 ** 40,
  p: 2 ** 50,
};
const RATE_HELP = "The correct format is <device-path>:<number>[<unit>]. Number must be a " +
  "positive integer. Unit is optional and can be kb, mb, or gb";

/**
 * Parses a size as docker's RAMInBytes does: a number with an optional unit
 * b, k, m, g, t or p (powers of 1024, case-insensitive, "kb" and "KiB" too).
 *
 * @param value e.g. "512m", "1.5g", "1024".
 * @returns Bytes, or null when it is not a size.
 *
 * @example
 * ```ts
 * import { parseBytes } from "./parse_limits.ts";
 * console.assert(parseBytes("512m") === 512 * 1024 * 1024 && parseBytes("1.5k") === 1536);
 * console.assert(parseBytes("lots") === null);
 * ```
 */
export function parseBytes(value: string): number | null {
  const m = /^(\d+(?:\.\d+)?) ?([kmgtp])?i?b?$/i.exec(value);
  if (!m) return null;
  return Math.floor(Number(m[1]) * UNITS[(m[2] ?? "").toLowerCase()]);
}

function size(value: string, flag: string): number {
  const n = parseBytes(value);
  if (n === null) {
    throw new UsageError(`Invalid argument '${value}' for ${flag}: invalid size: '${value}'`);
  }
  return n;
}

function integer(value: string, flag: string): number {
  if (!/^-?\d+$/.test(value)) {
    throw new UsageError(`Invalid argument '${value}' for ${flag}: give a whole number`);
  }
  return Number(value);
}

/**
 * The numbers of a list such as "0-3,6" (docker's ParseUintList), or null
 * when it is not one.
 */
function uintList(text: string): Set<number> | null {
  const out = new Set<number>();
  for (const part of text.split(",")) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) return null;
    const [from, to] = [Number(m[1]), Number(m[2] ?? m[1])];
    if (to < from || to - from > 65536) return null;
    for (let i = from; i <= to; i++) out.add(i);
  }
  return out;
}

function cpuset(value: string, kind: "cpus" | "mems", online: string): string {
  const what = kind === "cpus" ? "CPUs" : "memory nodes";
  const asked = uintList(value);
  if (asked === null) throw new UsageError(`Invalid value ${value} for cpuset ${kind}`);
  const have = uintList(online);
  if (have && [...asked].some((n) => !have.has(n))) {
    throw new UsageError(
      `Requested ${what} are not available - requested ${value}, available: ${online}`,
    );
  }
  return value;
}

function throttle(value: string, flag: string): ThrottleDevice {
  const at = value.lastIndexOf(":");
  const path = value.slice(0, at);
  if (at <= 0) {
    throw new UsageError(`Invalid argument '${value}' for ${flag}: bad format: ${value}`);
  }
  if (!path.startsWith("/dev/")) {
    throw new UsageError(
      `Invalid argument '${value}' for ${flag}: bad format for device path: ${value}`,
    );
  }
  const rate = parseBytes(value.slice(at + 1));
  if (rate === null) {
    throw new UsageError(
      `Invalid argument '${value}' for ${flag}: invalid rate for device: ${value}. ${RATE_HELP}`,
    );
  }
  return { path, rate };
}

function readOnline(path: string, fallback: string): string {
  return sys.readText(path)?.trim() || fallback;
}

/**
 * This machine's CPUs and memory nodes, from /sys.
 *
 * @returns What the checks compare against.
 *
 * @example
 * ```ts
 * import { hostResources } from "./parse_limits.ts";
 * console.assert(hostResources().cpuCount >= 1);
 * ```
 */
export function hostResources(): HostResources {
  const cpusOnline = readOnline("/sys/devices/system/cpu/online", "0");
  return {
    cpuCount: uintList(cpusOnline)?.size ?? navigator.hardwareConcurrency,
    cpusOnline,
    memsOnline: readOnline("/sys/devices/system/node/online", "0"),
  };
}

/**
 * Checks that limits fit together (as dockerd does for a new container, and
 * for one that `update` changes): a swap limit needs a memory limit at most
 * as large, a reservation no larger than the limit.
 *
 * @param limits The limits.
 * @throws {UsageError} With dockerd's words.
 *
 * @example
 * ```ts
 * import { checkLimits } from "./parse_limits.ts";
 * let message = "";
 * try {
 *   checkLimits({ memorySwap: 1 << 30 });
 * } catch (e) {
 *   message = (e as Error).message;
 * }
 * console.assert(message.startsWith("You should always set the Memory limit"));
 * ```
 */
export function checkLimits(limits: ResourceLimits): void {
  const { memory, memorySwap, memoryReservation } = limits;
  if (memory !== undefined && memory < MIN_MEMORY) {
    throw new UsageError("Minimum memory limit allowed is 6MB");
  }
  if (memorySwap !== undefined && memorySwap > 0) {
    if (memory === undefined) {
      throw new UsageError(
        "You should always set the Memory limit when using Memoryswap limit, see usage",
      );
    }
    if (memorySwap < memory) {
      throw new UsageError(
        "Minimum memoryswap limit should be larger than memory limit, see usage",
      );
    }
  }
  if (memoryReservation !== undefined) {
    if (memoryReservation < MIN_MEMORY) {
      throw new UsageError("Minimum memory reservation allowed is 6MB");
    }
    if (memory !== undefined && memory < memoryReservation) {
      throw new UsageError(
        "Minimum memory limit can not be less than memory reservation limit, see usage",
      );
    }
  }
}

/**
 * Parses docker's resource flags, each on its own; {@linkcode checkLimits}
 * then checks how they fit together (for `update`, once merged with the
 * container's). A value that means "not set" in docker (0 for --memory,
 * --cpus, --cpu-shares, --blkio-weight) leaves the limit out; --memory-swap
 * -1 and --pids-limit 0 or -1 mean "no limit". --cpu-shares outside
 * 2..262144 is clamped, as dockerd does.
 *
 * @param flags The flags' values.
 * @param host The CPUs and memory nodes to check against (default: this machine's).
 * @returns The limits.
 * @throws {UsageError} For a bad value, with docker's words.
 *
 * @example
 * ```ts
 * import { parseLimitFlags } from "./parse_limits.ts";
 * const host = { cpuCount: 4, cpusOnline: "0-3", memsOnline: "0" };
 * const limits = parseLimitFlags({ memory: "64m", cpus: "1.5", pidsLimit: "-1" }, host);
 * console.assert(limits.memory === 64 << 20 && limits.cpus === 1.5 && limits.pidsLimit === -1);
 * ```
 */
export function parseLimitFlags(
  flags: LimitFlags,
  host: HostResources = hostResources(),
): ResourceLimits {
  const out: ResourceLimits = {};
  if (flags.memory !== undefined) {
    const n = size(flags.memory, "--memory");
    if (n > 0) out.memory = n;
  }
  if (flags.memoryReservation !== undefined) {
    const n = size(flags.memoryReservation, "--memory-reservation");
    if (n > 0) out.memoryReservation = n;
  }
  if (flags.memorySwap !== undefined) {
    const n = flags.memorySwap === "-1" ? -1 : size(flags.memorySwap, "--memory-swap");
    if (n !== 0) out.memorySwap = n;
  }
  if (flags.cpus !== undefined) {
    const v = flags.cpus;
    if (!/^\d*\.?\d+$/.test(v)) {
      throw new UsageError(
        `Invalid argument '${v}' for --cpus: failed to parse ${v} as a rational number`,
      );
    }
    const n = Number(v);
    if (n !== 0 && (n < 0.01 || n > host.cpuCount)) {
      throw new UsageError(
        `Range of CPUs is from 0.01 to ${host.cpuCount}.00, as there are only ` +
          `${host.cpuCount} CPUs available`,
      );
    }
    if (n > 0) out.cpus = n;
  }
  if (flags.cpuShares !== undefined) {
    const n = integer(flags.cpuShares, "--cpu-shares");
    if (n !== 0) out.cpuShares = Math.min(Math.max(n, MIN_SHARES), MAX_SHARES);
  }
  if (flags.cpusetCpus !== undefined && flags.cpusetCpus !== "") {
    out.cpusetCpus = cpuset(flags.cpusetCpus, "cpus", host.cpusOnline);
  }
  if (flags.cpusetMems !== undefined && flags.cpusetMems !== "") {
    out.cpusetMems = cpuset(flags.cpusetMems, "mems", host.memsOnline);
  }
  if (flags.pidsLimit !== undefined) {
    const n = integer(flags.pidsLimit, "--pids-limit");
    out.pidsLimit = n > 0 ? n : -1;
  }
  if (flags.blkioWeight !== undefined) {
    const n = integer(flags.blkioWeight, "--blkio-weight");
    if (n !== 0 && (n < 10 || n > 1000)) {
      throw new UsageError("Range of blkio weight is from 10 to 1000");
    }
    if (n !== 0) out.blkioWeight = n;
  }
  for (
    const [key, flag] of [["deviceReadBps", "--device-read-bps"], [
      "deviceWriteBps",
      "--device-write-bps",
    ]] as const
  ) {
    const values = flags[key] ?? [];
    if (values.length > 0) out[key] = values.map((v) => throttle(v, flag));
  }
  return out;
}

/**
 * Parses `--cgroups`.
 *
 * @param value "enabled", "disabled" or "required" (absent: enabled).
 * @returns The mode.
 * @throws {UsageError} For anything else.
 *
 * @example
 * ```ts
 * import { parseCgroupsMode } from "./parse_limits.ts";
 * console.assert(parseCgroupsMode(undefined) === "enabled" && parseCgroupsMode("required") === "required");
 * ```
 */
export function parseCgroupsMode(value: string | undefined): CgroupsMode {
  if (value === undefined || value === "enabled") return "enabled";
  if (value === "disabled" || value === "required") return value;
  throw new UsageError(`Invalid --cgroups '${value}': use enabled, disabled or required`);
}
