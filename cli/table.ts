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
