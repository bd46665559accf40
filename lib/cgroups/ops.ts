/**
 * Operations on a container's cgroup v2 directory: freeze and thaw, kill
 * every process, read the memory events and the resource counters.
 *
 * @module
 */
export * from "./freeze.ts";
export * from "./kill_all.ts";
export * from "./memory_events.ts";
export * from "./cgroup_stats.ts";
