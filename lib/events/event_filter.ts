/**
 * `events --filter KEY=VALUE`, as docker applies them: values of one key
 * are alternatives, different keys must all match. Keys: `type`, `event`,
 * `container`, `image`, `network`, `volume`, `label`, `scope`.
 *
 * @module
 */
import { UsageError } from "../errors/mod.ts";
import type { NookEvent } from "./event.ts";

/** The keys {@linkcode parseEventFilters} takes. */
export const EVENT_FILTER_KEYS = [
  "type",
  "event",
  "container",
  "image",
  "network",
  "volume",
  "label",
  "scope",
] as const;

/** Filters by key: the values given for it. */
export type EventFilters = Map<string, string[]>;

/**
 * Parses `--filter` values.
 *
 * @param values Each "KEY=VALUE".
 * @returns The values by key.
 * @throws {UsageError} On a value without "=" or an unknown key.
 *
 * @example
 * ```ts
 * import { parseEventFilters } from "./event_filter.ts";
 * const f = parseEventFilters(["type=container", "event=start", "event=die"]);
 * console.assert(f.get("event")?.join() === "start,die");
 * ```
 */
export function parseEventFilters(values: readonly string[]): EventFilters {
  const out: EventFilters = new Map();
  for (const v of values) {
    const at = v.indexOf("=");
    const key = at < 0 ? v : v.slice(0, at).toLowerCase();
    if (at < 0 || !(EVENT_FILTER_KEYS as readonly string[]).includes(key)) {
      throw new UsageError(
        `Invalid filter '${v}': use KEY=VALUE with KEY one of ${EVENT_FILTER_KEYS.join(", ")}`,
      );
    }
    out.set(key, [...out.get(key) ?? [], v.slice(at + 1)]);
  }
  return out;
}

/** An image name without its tag ("busybox:1" -> "busybox"; a registry's port stays). */
function stripTag(name: string): string {
  const at = name.lastIndexOf(":");
  return at > name.lastIndexOf("/") ? name.slice(0, at) : name;
}

/** The id or name of the event's object of `type`, matched exactly or by prefix (docker's FuzzyMatch). */
function fuzzy(e: NookEvent, type: string, values: readonly string[]): boolean {
  if (e.Type !== type) return false;
  const name = e.Actor.Attributes.name;
  return values.some((v) => e.Actor.ID.startsWith(v) || (name !== undefined && name.startsWith(v)));
}

function matchImage(e: NookEvent, values: readonly string[]): boolean {
  const name = e.Actor.Attributes[e.Type === "image" ? "name" : "image"] ?? "";
  const candidates = [e.Actor.ID, name, stripTag(e.Actor.ID), stripTag(name)];
  return values.some((v) => candidates.includes(v));
}

function matchLabel(e: NookEvent, values: readonly string[]): boolean {
  return values.every((v) => {
    const at = v.indexOf("=");
    const key = at < 0 ? v : v.slice(0, at);
    const value = e.Actor.Attributes[key];
    return value !== undefined && (at < 0 || value === v.slice(at + 1));
  });
}

/**
 * Whether an event passes the filters.
 *
 * @param e The event.
 * @param filters From {@linkcode parseEventFilters}.
 * @returns True when every key given matches.
 *
 * @example
 * ```ts
 * import { eventMatches, parseEventFilters } from "./event_filter.ts";
 * const e = { Type: "container", Action: "start", scope: "local", time: 0, timeNano: 0n,
 *   Actor: { ID: "abc123", Attributes: { name: "web", image: "busybox:latest" } } } as const;
 * console.assert(eventMatches(e, parseEventFilters(["container=web", "image=busybox"])));
 * console.assert(!eventMatches(e, parseEventFilters(["event=die"])));
 * ```
 */
export function eventMatches(e: NookEvent, filters: EventFilters): boolean {
  for (const [key, values] of filters) {
    const ok = key === "type"
      ? values.includes(e.Type)
      : key === "event"
      ? values.some((v) => e.Action === v || e.Action.startsWith(`${v}: `))
      : key === "scope"
      ? values.includes(e.scope)
      : key === "image"
      ? matchImage(e, values)
      : key === "label"
      ? matchLabel(e, values)
      : fuzzy(e, key, values);
    if (!ok) return false;
  }
  return true;
}
