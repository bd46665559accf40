/**
 * The times `events --since` and `--until` take, as docker reads them: a Go
 * duration back from now (`10m`, `1h30m`, `0s`), a Unix time (`1700000000`,
 * `1700000000.5`), or an RFC 3339 date and time (`2024-05-01`,
 * `2024-05-01T10:00`, `2024-05-01T10:00:00.5Z`, `...+02:00`; local time
 * without a zone).
 *
 * @module
 */
import { UsageError } from "../errors/mod.ts";

const UNIT_NS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  "µs": 1e3,
  "μs": 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/**
 * A Go duration (`time.ParseDuration`) in nanoseconds.
 *
 * @param text The duration ("1h30m", "-1.5s", "300ms").
 * @returns The nanoseconds, or null when it is not one.
 *
 * @example
 * ```ts
 * import { parseGoDuration } from "./event_time.ts";
 * console.assert(parseGoDuration("1m30s") === 90e9 && parseGoDuration("10") === null);
 * ```
 */
export function parseGoDuration(text: string): number | null {
  const m = /^([-+]?)((?:\d*\.?\d*(?:ns|us|µs|μs|ms|s|m|h))+)$/.exec(text);
  if (!m) return text === "0" ? 0 : null;
  let total = 0;
  for (const [, num, unit] of m[2].matchAll(/(\d*\.?\d*)(ns|us|µs|μs|ms|s|m|h)/g)) {
    if (num === "" || num === ".") return null;
    total += Number(num) * UNIT_NS[unit];
  }
  return m[1] === "-" ? -total : total;
}

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?)?(Z|z|[+-]\d{2}:\d{2})?$/;

/**
 * A `--since`/`--until` value as a time.
 *
 * @param value What was given.
 * @param nowNano The time durations count back from, ns since the epoch.
 * @param flag The flag, for the message.
 * @returns The time, ns since the epoch.
 * @throws {UsageError} When it is neither a duration, a Unix time nor a date.
 *
 * @example
 * ```ts
 * import { parseEventTime } from "./event_time.ts";
 * const now = 1_700_000_000_000_000_000n;
 * console.assert(parseEventTime("10m", now, "--since") === now - 600_000_000_000n);
 * console.assert(parseEventTime("1700000000.5", now, "--since") === 1_700_000_000_500_000_000n);
 * console.assert(parseEventTime("2023-11-14T22:13:20Z", now, "--until") === now);
 * ```
 */
export function parseEventTime(value: string, nowNano: bigint, flag: string): bigint {
  const d = value === "0" ? null : parseGoDuration(value);
  if (d !== null) return nowNano - BigInt(Math.round(d));
  const unix = /^(\d+)(?:\.(\d{1,9}))?$/.exec(value);
  if (unix) return BigInt(unix[1]) * 1_000_000_000n + BigInt((unix[2] ?? "").padEnd(9, "0"));
  const m = DATE_TIME.exec(value);
  const inRange = m && +m[2] >= 1 && +m[2] <= 12 && +m[3] >= 1 && +m[3] <= 31 &&
    +(m[4] ?? 0) <= 23 && +(m[5] ?? 0) <= 59 && +(m[6] ?? 0) <= 59;
  if (m && inRange) {
    const [, y, mo, d, h = "0", mi = "0", s = "0", frac = "", zone] = m;
    const parts = [+y, +mo - 1, +d, +h, +mi, +s] as const;
    let ms: number;
    if (zone === undefined) {
      ms = new Date(...parts).getTime(); // local time, as docker reads a time without a zone
    } else {
      ms = Date.UTC(...parts);
      if (!/^[zZ]$/.test(zone)) {
        const sign = zone[0] === "-" ? -1 : 1;
        ms -= sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000;
      }
    }
    if (!Number.isNaN(ms)) return BigInt(ms) * 1_000_000n + BigInt(frac.padEnd(9, "0"));
  }
  throw new UsageError(
    `Invalid ${flag} '${value}': expected a duration (10m, 1h30m), a Unix time (1700000000) ` +
      "or a date and time (2006-01-02, 2006-01-02T15:04:05, 2006-01-02T15:04:05Z)",
  );
}
