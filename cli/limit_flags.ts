/**
 * docker's resource flags, which `run`, `create` and `update` share.
 *
 * @module
 */
import { type LimitFlags, parseLimitFlags } from "../lib/cgroups/parse_limits.ts";
import type { ResourceLimits } from "../lib/cgroups/resource_limits.ts";
import type { FlagSpec, ParsedArgs } from "./args.ts";

/** The flags. */
export const LIMIT_FLAGS: readonly FlagSpec[] = [
  { name: "memory", short: "m", type: "string", value: "BYTES", help: "Memory limit (e.g. 512m)" },
  {
    name: "memory-reservation",
    type: "string",
    value: "BYTES",
    help: "Memory soft limit (memory.low)",
  },
  {
    name: "memory-swap",
    type: "string",
    value: "BYTES",
    help: "Memory plus swap limit (-1: unlimited swap; default: twice --memory)",
  },
  { name: "cpus", type: "string", value: "N", help: "Number of CPUs (e.g. 1.5)" },
  { name: "cpu-shares", short: "c", type: "string", value: "N", help: "CPU weight (relative)" },
  { name: "cpuset-cpus", type: "string", value: "LIST", help: "CPUs to run on (e.g. 0-2,4)" },
  { name: "cpuset-mems", type: "string", value: "LIST", help: "Memory nodes to use (e.g. 0)" },
  { name: "pids-limit", type: "string", value: "N", help: "Task limit (-1: unlimited)" },
  { name: "blkio-weight", type: "string", value: "N", help: "Block I/O weight, 10 to 1000" },
  {
    name: "device-read-bps",
    type: "list",
    value: "DEV:RATE",
    help: "Limit reads from a device (e.g. /dev/sda:1mb)",
  },
  {
    name: "device-write-bps",
    type: "list",
    value: "DEV:RATE",
    help: "Limit writes to a device (e.g. /dev/sda:1mb)",
  },
];

/**
 * The resource limits among parsed flags.
 *
 * @param p What parseArgs returned for specs that include {@linkcode LIMIT_FLAGS}.
 * @returns The limits (empty when none was given).
 * @throws {UsageError} For a bad value.
 *
 * @example
 * ```ts
 * import { parseArgs } from "./args.ts";
 * import { LIMIT_FLAGS, limitsFromArgs } from "./limit_flags.ts";
 * const p = parseArgs(["-m", "64m", "x"], LIMIT_FLAGS, { command: "run" });
 * console.assert(limitsFromArgs(p).memory === 64 << 20);
 * ```
 */
export function limitsFromArgs(p: ParsedArgs): ResourceLimits {
  const flags: LimitFlags = {
    memory: p.strings.memory,
    memoryReservation: p.strings["memory-reservation"],
    memorySwap: p.strings["memory-swap"],
    cpus: p.strings.cpus,
    cpuShares: p.strings["cpu-shares"],
    cpusetCpus: p.strings["cpuset-cpus"],
    cpusetMems: p.strings["cpuset-mems"],
    pidsLimit: p.strings["pids-limit"],
    blkioWeight: p.strings["blkio-weight"],
    deviceReadBps: p.lists["device-read-bps"],
    deviceWriteBps: p.lists["device-write-bps"],
  };
  const given = Object.values(flags).some((v) => Array.isArray(v) ? v.length > 0 : v !== undefined);
  return given ? parseLimitFlags(flags) : {};
}
