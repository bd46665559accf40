/**
 * Appending to the event journal: `<data>/events.jsonl`, one JSON line an
 * event, written by the library where the action happens (and by the C
 * monitor, shim/monitor, for a detached container's death). Each line is one
 * write(2) with O_APPEND, so concurrent writers never interleave (a line is
 * kept under PIPE_BUF, 4096 bytes, by dropping labels when needed). Above
 * {@linkcode JOURNAL_ROTATE_BYTES} the file is renamed to `events.jsonl.1`
 * under a lock (readers read both).
 *
 * @module
 */
import { dataDir } from "../paths/mod.ts";
import { sys } from "../sys/sys.ts";
import type { EventType, NookEvent } from "./event.ts";

/** Above this size the journal is rotated to `events.jsonl.1`. */
export const JOURNAL_ROTATE_BYTES = 4 << 20;

/** Lines are kept below this size, so one write with O_APPEND is atomic (PIPE_BUF). */
export const MAX_LINE_BYTES = 4096;

/**
 * The journal of a store.
 *
 * @param root The data directory (default: nook's, NOOK_ROOT).
 * @returns The file (`<root>/events.jsonl`; it may not exist yet).
 *
 * @example
 * ```ts
 * import { eventsPath } from "./record_event.ts";
 * console.assert(eventsPath("/d") === "/d/events.jsonl");
 * ```
 */
export function eventsPath(root: string = dataDir()): string {
  return `${root}/events.jsonl`;
}

/** What happened, for {@linkcode recordEvent}. */
export interface EventInput {
  /** What kind of object. */
  type: EventType;
  /** What happened. */
  action: string;
  /** The object's id. */
  id: string;
  /** Facts about it (values as text). */
  attributes?: Record<string, string>;
}

/** Options of {@linkcode recordEvent} and {@linkcode formatEventLine}. */
export interface RecordEventOptions {
  /** The journal (default: {@linkcode eventsPath}). */
  path?: string;
  /** The time, ns since the epoch (default: now). */
  timeNano?: bigint;
}

/** Now, in ns since the epoch (to the microsecond: the runtimes' clock has no more). */
function nowNano(): bigint {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000)) * 1000n;
}

/**
 * The journal line of an event: docker's message as JSON, with `timeNano`
 * exact, and no longer than {@linkcode MAX_LINE_BYTES} (labels are dropped,
 * then values cut, when it would be).
 *
 * @param input The event.
 * @param timeNano Its time.
 * @returns The line, with its newline.
 *
 * @example
 * ```ts
 * import { formatEventLine } from "./record_event.ts";
 * const line = formatEventLine({ type: "image", action: "tag", id: "sha256:ab" }, 1_500_000_000_123_456_789n);
 * console.assert(line.endsWith('"time":1500000000,"timeNano":1500000000123456789}\n'));
 * ```
 */
export function formatEventLine(input: EventInput, timeNano: bigint): string {
  const text = (attributes: Record<string, string>) =>
    JSON.stringify({
      Type: input.type,
      Action: input.action,
      Actor: { ID: input.id, Attributes: attributes },
      scope: "local",
      time: Number(timeNano / 1_000_000_000n),
    }).slice(0, -1) + `,"timeNano":${timeNano}}\n`;
  const all = input.attributes ?? {};
  let line = text(all);
  if (new TextEncoder().encode(line).length < MAX_LINE_BYTES) return line;
  // Too long for one atomic append: keep docker's own attributes, cut to fit.
  const own = ["name", "image", "exitCode", "signal", "oldName", "container", "type"];
  const kept: Record<string, string> = {};
  for (const k of own) if (all[k] !== undefined) kept[k] = all[k].slice(0, 256);
  line = text(kept);
  return line;
}

/**
 * Appends an event to the journal. Never throws: an event that cannot be
 * written (a store being removed) must not fail the action it reports.
 *
 * @param input The event.
 * @param options The journal and the time (default: the store's, now).
 * @returns The event as written, or null when it could not be.
 *
 * @example
 * ```ts
 * import { recordEvent } from "./record_event.ts";
 * const dir = Deno.makeTempDirSync();
 * await recordEvent({ type: "network", action: "create", id: "n1", attributes: { name: "net" } }, {
 *   path: `${dir}/events.jsonl`,
 * });
 * console.assert(Deno.readTextFileSync(`${dir}/events.jsonl`).includes('"Action":"create"'));
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export async function recordEvent(
  input: EventInput,
  options: RecordEventOptions = {},
): Promise<NookEvent | null> {
  const path = options.path ?? eventsPath();
  const timeNano = options.timeNano ?? nowNano();
  try {
    sys.writeFile(path, formatEventLine(input, timeNano), { append: true, mode: 0o600 });
    if ((sys.stat(path)?.size ?? 0) > JOURNAL_ROTATE_BYTES) await rotate(path);
  } catch {
    return null; // no store (removed meanwhile) or a full disk: the action itself went on
  }
  return {
    Type: input.type,
    Action: input.action,
    Actor: { ID: input.id, Attributes: { ...input.attributes } },
    scope: "local",
    time: Number(timeNano / 1_000_000_000n),
    timeNano,
  };
}

/** Renames a full journal to `.1`, once: the lock and the second look keep a racer from doing it again. */
async function rotate(path: string): Promise<void> {
  const release = await sys.lock(`${path}.lock`);
  try {
    if ((sys.stat(path)?.size ?? 0) > JOURNAL_ROTATE_BYTES) sys.rename(path, `${path}.1`);
  } finally {
    release();
  }
}
