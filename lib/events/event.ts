/**
 * An event as docker's API reports it (`events.Message`), the shape of each
 * line of nook's event journal.
 *
 * @module
 */

/** The kinds of object events are about, as docker names them. */
export const EVENT_TYPES = ["container", "image", "network", "volume"] as const;

/** One of {@linkcode EVENT_TYPES}. */
export type EventType = typeof EVENT_TYPES[number];

/** What an event is about: the object's id and facts about it. */
export interface EventActor {
  /** The container's or network's id, the image's id or reference. */
  ID: string;
  /** Facts by name ("name", "image", "exitCode", labels, ...); all values are strings. */
  Attributes: Record<string, string>;
}

/** One event. */
export interface NookEvent {
  /** What kind of object. */
  Type: EventType;
  /** What happened ("create", "start", "die", "pull", ...). */
  Action: string;
  /** The object. */
  Actor: EventActor;
  /** Always "local" (docker's swarm has "swarm"). */
  scope: "local";
  /** Seconds since the epoch. */
  time: number;
  /** Nanoseconds since the epoch, exact (a bigint: a number would round it). */
  timeNano: bigint;
}
