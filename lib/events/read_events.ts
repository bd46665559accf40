/**
 * Reading the event journal (`events.jsonl.1`, then `events.jsonl`), and
 * following it as it grows: a reader keeps its descriptor and reads on from
 * where it was, and reopens the file when it was rotated.
 *
 * @module
 */
import { sys } from "../sys/sys.ts";
import type { NookEvent } from "./event.ts";
import { EVENT_TYPES } from "./event.ts";

/**
 * One journal line as an event, with `timeNano` exact.
 *
 * @param line The line (without its newline).
 * @returns The event, or null for a line that is not one (a torn or foreign line).
 *
 * @example
 * ```ts
 * import { parseEventLine } from "./read_events.ts";
 * const e = parseEventLine('{"Type":"image","Action":"tag","Actor":{"ID":"x","Attributes":{}},"scope":"local","time":1,"timeNano":1000000000123456789}');
 * console.assert(e?.timeNano === 1000000000123456789n);
 * ```
 */
export function parseEventLine(line: string): NookEvent | null {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(line);
  } catch {
    return null;
  }
  const actor = raw.Actor as { ID?: unknown; Attributes?: unknown } | undefined;
  const nano = /"timeNano":(\d+)[,}]/.exec(line)?.[1];
  if (
    !EVENT_TYPES.includes(raw.Type as NookEvent["Type"]) || typeof raw.Action !== "string" ||
    typeof actor?.ID !== "string" || nano === undefined
  ) {
    return null;
  }
  const attributes: Record<string, string> = {};
  for (const [k, v] of Object.entries((actor.Attributes ?? {}) as Record<string, unknown>)) {
    attributes[k] = String(v);
  }
  const timeNano = BigInt(nano);
  return {
    Type: raw.Type as NookEvent["Type"],
    Action: raw.Action,
    Actor: { ID: actor.ID, Attributes: attributes },
    scope: "local",
    time: Number(timeNano / 1_000_000_000n),
    timeNano,
  };
}

/** Options of {@linkcode followEvents}. */
export interface FollowEventsOptions {
  /** Keep reading as the journal grows (default false: end at its end). */
  follow?: boolean;
  /** Stop following at this time, ns since the epoch. */
  untilNano?: bigint;
  /** Stop following when aborted. */
  signal?: AbortSignal;
  /** How often to look for more, in ms (default 100). */
  pollMs?: number;
  /** The current time in ns (default: the clock); for tests. */
  now?: () => bigint;
}

const dec = new TextDecoder();

/** Reads one file from its start; the reader stays open to read what is appended later. */
class JournalReader {
  #file: ReturnType<typeof sys.openRead>;
  #rest = "";
  readonly ino: number;

  constructor(readonly path: string) {
    this.ino = sys.stat(path)?.ino ?? -1;
    this.#file = sys.openRead(path);
  }

  /** The whole lines read since the last call (a part line waits for its end). */
  async lines(): Promise<string[]> {
    if (!this.#file) return [];
    const buf = new Uint8Array(65536);
    let text = this.#rest;
    for (;;) {
      const n = await this.#file.read(buf);
      if (n === null || n === 0) break;
      text += dec.decode(buf.subarray(0, n), { stream: true });
    }
    const at = text.lastIndexOf("\n");
    this.#rest = text.slice(at + 1);
    return at < 0 ? [] : text.slice(0, at).split("\n");
  }

  close(): void {
    this.#file?.close();
    this.#file = null;
  }
}

function nowNano(): bigint {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000)) * 1000n;
}

/**
 * The journal's events in order: what it holds, then (with `follow`) each
 * event as it is appended, until `untilNano` passes or `signal` aborts.
 *
 * @param path The journal (`events.jsonl`; its `.1` is read first).
 * @param options Follow, until, abort.
 * @returns The events.
 *
 * @example
 * ```ts
 * import { followEvents } from "./read_events.ts";
 * import { recordEvent } from "./record_event.ts";
 * const dir = Deno.makeTempDirSync();
 * const path = `${dir}/events.jsonl`;
 * await recordEvent({ type: "image", action: "tag", id: "x" }, { path });
 * const seen = [];
 * for await (const e of followEvents(path)) seen.push(e.Action);
 * console.assert(seen.join() === "tag");
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export async function* followEvents(
  path: string,
  options: FollowEventsOptions = {},
): AsyncGenerator<NookEvent> {
  const now = options.now ?? nowNano;
  const parse = function* (lines: string[]) {
    for (const line of lines) {
      const e = line === "" ? null : parseEventLine(line);
      if (e) yield e;
    }
  };
  const old = new JournalReader(`${path}.1`);
  yield* parse(await old.lines());
  old.close();
  let reader = new JournalReader(path);
  try {
    for (;;) {
      yield* parse(await reader.lines());
      if (!options.follow || options.signal?.aborted) return;
      if (options.untilNano !== undefined && now() > options.untilNano) return;
      const ino = sys.stat(path)?.ino ?? -1;
      if (ino !== reader.ino) {
        // Rotated (or made): what the old file got last, then the new one.
        yield* parse(await reader.lines());
        reader.close();
        reader = new JournalReader(path);
        continue;
      }
      await sleep(options.pollMs ?? 100, options.signal);
    }
  } finally {
    reader.close();
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
  });
}
