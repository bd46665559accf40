/**
 * Bytes a network namespace received and sent, from `/proc/PID/net/dev` of
 * a process in it: what `stats` shows as a container's NET I/O.
 *
 * @module
 */
import { sys } from "../sys/mod.ts";

/** Bytes through a namespace's interfaces (loopback left out). */
export interface InterfaceCounters {
  /** Bytes received. */
  rxBytes: number;
  /** Bytes sent. */
  txBytes: number;
}

/**
 * Sums the byte counters of `/proc/net/dev`, every interface but `lo`.
 *
 * @param text The file's text.
 * @returns The sums.
 *
 * @example
 * ```ts
 * import { parseNetDev } from "./interface_counters.ts";
 * const text = "Inter-|\n face |\n    lo: 9 1 0 0 0 0 0 0 9 1 0 0 0 0 0 0\n" +
 *   "  eth0:1200 3 0 0 0 0 0 0 340 2 0 0 0 0 0 0\n";
 * const c = parseNetDev(text);
 * console.assert(c.rxBytes === 1200 && c.txBytes === 340);
 * ```
 */
export function parseNetDev(text: string): InterfaceCounters {
  const sums = { rxBytes: 0, txBytes: 0 };
  for (const line of text.split("\n")) {
    const at = line.indexOf(":");
    if (at < 0 || line.slice(0, at).trim() === "lo") continue;
    const fields = line.slice(at + 1).trim().split(/\s+/).map(Number);
    if (fields.length < 9 || fields.some(Number.isNaN)) continue;
    sums.rxBytes += fields[0];
    sums.txBytes += fields[8];
  }
  return sums;
}

/**
 * The counters of the network namespace a process is in.
 *
 * @param pid The process.
 * @returns The sums, or null when the process is gone.
 *
 * @example
 * ```ts
 * import { readInterfaceCounters } from "./interface_counters.ts";
 * console.assert(readInterfaceCounters(Deno.pid) !== null);
 * ```
 */
export function readInterfaceCounters(pid: number): InterfaceCounters | null {
  const text = sys.readText(`/proc/${pid}/net/dev`);
  return text === null ? null : parseNetDev(text);
}
