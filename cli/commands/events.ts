/**
 * `nook events` (and `nook system events`): what happened to containers,
 * images and networks, from the store's event journal, as docker prints it.
 * It follows the journal until Ctrl-C, or until `--until`; `--stream=false`
 * (podman's) ends after the past.
 *
 * @module
 */
import { UsageError } from "../../lib/errors/mod.ts";
import {
  eventMatches,
  eventsPath,
  followEvents,
  type NookEvent,
  parseEventFilters,
  parseEventTime,
} from "../../lib/events/mod.ts";
import { sys } from "../../lib/sys/mod.ts";
import { type FlagSpec, helpText, parseArgs } from "../args.ts";

const FLAGS: FlagSpec[] = [
  {
    name: "filter",
    short: "f",
    type: "list",
    value: "filter",
    help: "Filter output (type=, event=, container=, image=, network=, label=)",
  },
  {
    name: "format",
    type: "string",
    value: "string",
    help:
      "'json' or a Go template ({{.Type}} {{.Action}} {{.Actor.ID}} {{.Actor.Attributes}} {{.Time}} {{.TimeNano}})",
  },
  {
    name: "since",
    type: "string",
    value: "string",
    help: "Show events since this time (2006-01-02T15:04:05, a Unix time, or a duration back: 10m)",
  },
  {
    name: "until",
    type: "string",
    value: "string",
    help: "Stream events until this time (same forms)",
  },
  {
    name: "stream",
    type: "bool",
    help: "Keep waiting for events (default true; --stream=false ends after the past)",
  },
  { name: "help", type: "bool", help: "Print usage" },
]; // deno-fmt-ignore

const USAGE = "nook events [OPTIONS]";
const SUMMARY = "Get real time events from containers, images and networks.\n\n" +
  "Without --since only new events are shown; it follows until Ctrl-C (or until --until).";

function nowNano(): bigint {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000)) * 1000n;
}

/** `2006-01-02T15:04:05.000000000+07:00` in local time, as docker prints an event's time. */
function eventTimeText(timeNano: bigint): string {
  const ms = Number(timeNano / 1_000_000n);
  const offset = -new Date(ms).getTimezoneOffset();
  const local = new Date(ms + offset * 60_000);
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  const zone = offset === 0
    ? "Z"
    : `${offset < 0 ? "-" : "+"}${p(Math.floor(Math.abs(offset) / 60))}:${
      p(Math.abs(offset) % 60)
    }`;
  const ns = String(timeNano % 1_000_000_000n).padStart(9, "0");
  return `${local.getUTCFullYear()}-${p(local.getUTCMonth() + 1)}-${p(local.getUTCDate())}T` +
    `${p(local.getUTCHours())}:${p(local.getUTCMinutes())}:${
      p(local.getUTCSeconds())
    }.${ns}${zone}`;
}

/** docker's default line: TIME TYPE ACTION ID (k=v, ...), attributes sorted by name. */
function defaultLine(e: NookEvent): string {
  const attrs = Object.entries(e.Actor.Attributes).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)
    .map(([k, v]) => `${k}=${v}`).join(", ");
  return `${eventTimeText(e.timeNano)} ${e.Type} ${e.Action} ${e.Actor.ID}` +
    (attrs ? ` (${attrs})` : "") + "\n";
}

/**
 * An event as docker's `events.Message`: its JSON fields (`status`, `id` and
 * `from` only for containers and images, as docker keeps them), and for
 * templates its Go field names (`.Type .Action .Actor .Time .TimeNano
 * .Status .ID .From .Scope`) and podman's `.Name`, `.Image`, `.Attributes`.
 */
function eventRow(e: NookEvent): Record<string, unknown> {
  const legacy = e.Type === "container" || e.Type === "image";
  // A Map is a Go map to the templates: a missing key is "<no value>", not an error.
  const attributes = new Map(Object.entries(e.Actor.Attributes));
  const actor = { ID: e.Actor.ID, Attributes: attributes };
  const row: Record<string, unknown> = {
    ...(legacy ? { status: e.Action, id: e.Actor.ID } : {}),
    ...(e.Type === "container" && e.Actor.Attributes.image !== undefined
      ? { from: e.Actor.Attributes.image }
      : {}),
    Type: e.Type,
    Action: e.Action,
    Actor: actor,
    scope: e.scope,
    time: e.time,
    timeNano: e.timeNano,
  };
  const hidden = (value: unknown) => ({ value, enumerable: false });
  Object.defineProperties(row, {
    Status: hidden(e.Action),
    ID: hidden(e.Actor.ID),
    From: hidden(e.Type === "container" ? e.Actor.Attributes.image ?? "" : ""),
    Scope: hidden(e.scope),
    Time: hidden(e.time),
    TimeNano: hidden(e.timeNano),
    Name: hidden(e.Actor.Attributes.name ?? ""),
    Image: hidden(e.Type === "image" ? e.Actor.ID : e.Actor.Attributes.image ?? ""),
    Attributes: hidden(attributes),
  });
  return row;
}

/**
 * Runs `nook events`.
 *
 * @param args The flags.
 * @returns 0 when it ends (`--until` passed, `--stream=false`, Ctrl-C).
 * @throws {UsageError} On a bad flag, time, filter or template.
 *
 * @example
 * ```ts ignore
 * await main(["--since", "10m", "--until", "0s", "--format", "{{.Action}}"]);
 * ```
 */
export async function main(args: string[]): Promise<number> {
  const p = parseArgs(args, FLAGS, { command: "events", stopAtPositional: false });
  if (p.bools.help) {
    sys.stdout(helpText(USAGE, SUMMARY, FLAGS));
    return 0;
  }
  if (p.rest.length > 0) {
    throw new UsageError(`'nook events' takes no arguments, got '${p.rest[0]}'`);
  }
  const now = nowNano();
  const since = p.strings.since === undefined
    ? undefined
    : parseEventTime(p.strings.since, now, "--since");
  const until = p.strings.until === undefined
    ? undefined
    : parseEventTime(p.strings.until, now, "--until");
  const filters = parseEventFilters(p.lists.filter);
  const stream = p.bools.stream ?? true;
  // Without --since (and without --until, which shows the past up to it), only new events.
  const from = since ?? (until === undefined && stream ? now : undefined);
  let render: (e: NookEvent) => string = defaultLine;
  const format = p.strings.format;
  if (format !== undefined && format.trim() === "json") {
    const { goJson } = await import("../../lib/template/_value.ts");
    render = (e) => goJson(eventRow(e)) + "\n";
  } else if (format !== undefined && format !== "") {
    const { compileFormat } = await import("../format_rows.ts");
    const run = compileFormat(format);
    render = (e) => run(eventRow(e)) + "\n";
  }
  const stop = new AbortController();
  const off = ["SIGINT", "SIGTERM"].map((s) => sys.onSignal(s, () => stop.abort()));
  try {
    const follow = stream && (until === undefined || until > now);
    const events = followEvents(eventsPath(), { follow, untilNano: until, signal: stop.signal });
    for await (const e of events) {
      if (from !== undefined && e.timeNano < from) continue;
      if (until !== undefined && e.timeNano > until) continue;
      if (!eventMatches(e, filters)) continue;
      sys.stdout(render(e));
    }
  } finally {
    for (const f of off) f();
  }
  return 0;
}
