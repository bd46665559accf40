/**
 * Reading a container's log (k8s-file lines the monitor writes:
 * `TIME STREAM F|P TEXT`), rotated files first, with docker's `--tail`,
 * `--since`, `--until`, and following while the container runs.
 *
 * @module
 */
import { UsageError } from "../errors/mod.ts";
import { sys, type SysConn } from "../sys/mod.ts";
import { containerStatus } from "../records/container_state.ts";
import type { ContainerRecord } from "../records/container_record.ts";
import { logPath } from "./launch_container.ts";

/** One record of the log. */
export interface LogEntry {
  /** RFC 3339 time with nanoseconds (UTC). */
  time: string;
  /** Which stream wrote it. */
  stream: "stdout" | "stderr";
  /** True when the line goes on in the next record (no newline after `text`). */
  partial: boolean;
  /** The text, without the newline. */
  text: string;
}

/** Options of {@linkcode readLogs} and {@linkcode followLogs}. */
export interface LogOptions {
  /** Only the last N lines (of both streams). */
  tail?: number;
  /** Only records at or after this time (ms since the epoch). */
  since?: number;
  /** Only records before this time (ms since the epoch). */
  until?: number;
}

/**
 * Parses one log line.
 *
 * @param line `TIME STREAM F|P TEXT`.
 * @returns The entry, or null for a malformed line.
 *
 * @example
 * ```ts
 * import { parseLogLine } from "./container_logs.ts";
 * const e = parseLogLine("2026-01-01T00:00:00.000000001Z stderr F oops")!;
 * console.assert(e.stream === "stderr" && e.text === "oops" && !e.partial);
 * ```
 */
export function parseLogLine(line: string): LogEntry | null {
  const m = /^(\S+) (stdout|stderr) ([FP]) (.*)$/s.exec(line);
  if (!m) return null;
  return { time: m[1], stream: m[2] as LogEntry["stream"], partial: m[3] === "P", text: m[4] };
}

/**
 * Parses docker's `--since`/`--until`: RFC 3339 times, dates, unix seconds,
 * or durations before now ("10m", "1h30m", "45s").
 *
 * @param value The flag's value.
 * @param now The present in ms (for tests).
 * @returns Milliseconds since the epoch.
 * @throws {UsageError} When it is none of those.
 *
 * @example
 * ```ts
 * import { parseLogTime } from "./container_logs.ts";
 * console.assert(parseLogTime("10s", 100_000) === 90_000);
 * console.assert(parseLogTime("1700000000") === 1_700_000_000_000);
 * ```
 */
export function parseLogTime(value: string, now = Date.now()): number {
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const d = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?$/.exec(value);
  if (d && value !== "") {
    return now - ((Number(d[1] ?? 0) * 60 + Number(d[2] ?? 0)) * 60 + Number(d[3] ?? 0)) * 1000;
  }
  const t = Date.parse(value);
  if (!Number.isNaN(t)) return t;
  throw new UsageError(
    `Invalid time '${value}': use an RFC 3339 time, unix seconds, or a duration such as 10m`,
  );
}

function entryMs(e: LogEntry): number {
  return Date.parse(e.time.replace(/\.(\d{3})\d*Z$/, ".$1Z"));
}

function logFiles(id: string): string[] {
  const base = logPath(id);
  const dir = base.slice(0, base.lastIndexOf("/"));
  const name = base.slice(base.lastIndexOf("/") + 1);
  const rotated = sys.readDir(dir)
    .map((f) => new RegExp(`^${name.replace(".", "\\.")}\\.(\\d+)$`).exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => b - a)
    .map((n) => `${base}.${n}`);
  return [...rotated, base];
}

function parseText(text: string): LogEntry[] {
  const out: LogEntry[] = [];
  for (const line of text.split("\n")) {
    const e = line ? parseLogLine(line) : null;
    if (e) out.push(e);
  }
  return out;
}

function select(entries: LogEntry[], options: LogOptions): LogEntry[] {
  let out = entries;
  if (options.since !== undefined) out = out.filter((e) => entryMs(e) >= options.since!);
  if (options.until !== undefined) out = out.filter((e) => entryMs(e) < options.until!);
  if (options.tail !== undefined && options.tail >= 0) {
    // Count whole lines: a partial record belongs to the line it starts.
    let lines = 0, at = out.length;
    while (at > 0 && lines < options.tail + 1) {
      at--;
      if (!out[at].partial) lines++;
    }
    if (lines === options.tail + 1) at++;
    out = out.slice(at);
  }
  return out;
}

/**
 * Checks that a container keeps a log: one made with `--log-driver none` has
 * none, which `logs` says instead of printing nothing (as docker does).
 *
 * @param record The container's record.
 * @throws {UsageError} With docker's words, naming the container and its driver.
 *
 * @example
 * ```ts ignore
 * checkLogsReadable(findContainer("web"));
 * ```
 */
export function checkLogsReadable(record: Pick<ContainerRecord, "name" | "config">): void {
  if (record.config.log.driver === "none") {
    throw new UsageError(
      `configured logging driver does not support reading: container ${record.name} was ` +
        "created with --log-driver none, so it keeps no log (recreate it without that to have one)",
    );
  }
}

/**
 * Reads a container's log as it is now.
 *
 * @param id The container id.
 * @param options Tail and time window.
 * @returns The entries, oldest first.
 *
 * @example
 * ```ts ignore
 * for (const e of readLogs(id, { tail: 10 })) console.log(e.text);
 * ```
 */
export function readLogs(id: string, options: LogOptions = {}): LogEntry[] {
  return select(parseText(logFiles(id).map((f) => sys.readText(f) ?? "").join("")), options);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Reads a container's log and then what it writes, until it stops running
 * (or `signal` aborts).
 *
 * @param id The container id.
 * @param options Tail and time window; `signal` ends the following.
 * @returns The entries, as they come.
 *
 * @example
 * ```ts ignore
 * for await (const e of followLogs(id)) console.log(e.text);
 * ```
 */
export async function* followLogs(
  id: string,
  options: LogOptions & { signal?: AbortSignal } = {},
): AsyncGenerator<LogEntry> {
  const path = logPath(id);
  const before = logFiles(id).slice(0, -1).map((f) => sys.readText(f) ?? "").join("");
  let file: Pick<SysConn, "read" | "close"> | null = null;
  let ino: number | null = null;
  let pending = "";
  let first = true;
  const until = options.until;
  const readNew = async (): Promise<LogEntry[]> => {
    const st = sys.stat(path);
    if (st && (file === null || st.ino !== ino)) { // rotated: a new file
      file?.close();
      file = sys.openRead(path);
      ino = st.ino;
    }
    if (!file) return [];
    let text = "";
    const buf = new Uint8Array(65536);
    for (;;) {
      const n = await file.read(buf);
      if (n === null || n === 0) break;
      text += new TextDecoder().decode(buf.subarray(0, n));
    }
    text = pending + text;
    const cut = text.lastIndexOf("\n") + 1;
    pending = text.slice(cut);
    return parseText(text.slice(0, cut));
  };
  try {
    while (!options.signal?.aborted) {
      const running = ["running", "restarting"].includes(containerStatus(id).status);
      let entries = await readNew();
      if (first) {
        entries = select([...parseText(before), ...entries], options);
        first = false;
      } else {
        entries = select(entries, { since: options.since, until });
      }
      for (const e of entries) yield e;
      if (!running) {
        // One more read: what it wrote between the read and the status check.
        for (const e of select(await readNew(), { since: options.since, until })) yield e;
        return;
      }
      if (until !== undefined && Date.now() >= until) return;
      await sleep(100);
    }
  } finally {
    (file as Pick<SysConn, "read" | "close"> | null)?.close();
  }
}
