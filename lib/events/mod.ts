/**
 * Events: the journal of what happened to containers, images and networks
 * (`nook events`), appended where the action happens and read or followed.
 *
 * @module
 */
export * from "./event.ts";
export * from "./record_event.ts";
export * from "./read_events.ts";
export * from "./event_filter.ts";
export * from "./event_time.ts";
