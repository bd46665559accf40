/**
 * Tables and times as docker prints them.
 *
 * @module
 */

/**
 * Columns padded to the widest cell, three spaces apart.
 *
 * @param head Column titles.
 * @param rows Cells.
 * @returns The text, one line per row.
 *
 * @example
 * ```ts
 * import { table } from "./table.ts";
 * console.assert(table(["A", "B"], [["x", "yy"]]) === "A   B\nx   yy\n");
 * ```
 */
export function table(head: string[], rows: string[][]): string {
  const all = [head, ...rows];
  const widths = head.map((_, i) => Math.max(...all.map((r) => (r[i] ?? "").length)));
  return all.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join("   "))
    .join("\n") + "\n";
}

/**
 * "5 minutes ago", as docker words it.
 *
 * @param iso A time.
 * @param now The present (for tests).
 * @returns The words.
 *
 * @example
 * ```ts
 * import { ago } from "./table.ts";
 * console.assert(ago("2026-01-01T00:00:00Z", new Date("2026-01-01T00:02:00Z")) === "2 minutes ago");
 * ```
 */
export function ago(iso: string, now = new Date()): string {
  const s = Math.max(0, (now.getTime() - new Date(iso).getTime()) / 1000);
  const units: [number, string][] = [
    [86400 * 365, "year"],
    [86400 * 30, "month"],
    [86400 * 7, "week"],
    [86400, "day"],
    [3600, "hour"],
    [60, "minute"],
  ];
  for (const [size, name] of units) {
    const n = Math.floor(s / size);
    if (n >= 1) {
      return n === 1 ? `${name === "hour" ? "An" : "A"} ${name} ago` : `${n} ${name}s ago`;
    }
  }
  return "Less than a minute ago";
}

function sized(bytes: number, base: number, units: string[], precision: number): string {
  let size = bytes;
  let i = 0;
  while (size >= base && i < units.length - 1) {
    size /= base;
    i++;
  }
  return `${Number(size.toPrecision(precision))}${units[i]}`;
}

/**
 * A size as docker prints it (`units.HumanSizeWithPrecision`): decimal units.
 *
 * @param bytes A size in bytes.
 * @param precision Significant digits (default 4, docker's `HumanSize`; `stats` uses 3).
 * @returns Such as `0B`, `999B`, `4.096kB`, `12.35MB`.
 *
 * @example
 * ```ts
 * import { humanSize } from "./table.ts";
 * console.assert(humanSize(4096) === "4.096kB");
 * console.assert(humanSize(0) === "0B");
 * console.assert(humanSize(1_234_567, 3) === "1.23MB");
 * ```
 */
export function humanSize(bytes: number, precision = 4): string {
  return sized(bytes, 1000, ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"], precision);
}

/**
 * A size as docker prints memory (`units.BytesSize`): binary units, four
 * significant digits.
 *
 * @param bytes A size in bytes.
 * @returns Such as `0B`, `1.5KiB`, `15.52GiB`.
 *
 * @example
 * ```ts
 * import { bytesSize } from "./table.ts";
 * console.assert(bytesSize(1536) === "1.5KiB" && bytesSize(0) === "0B");
 * ```
 */
export function bytesSize(bytes: number): string {
  return sized(bytes, 1024, ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"], 4);
}
