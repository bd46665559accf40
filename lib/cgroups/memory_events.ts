/**
 * `memory.events` of a cgroup: how often the memory controller throttled,
 * hit the limit, ran out of memory and killed (`oom_kill`), for `inspect`'s
 * OOMKilled.
 *
 * @module
 */
import { parseFlatKeyed, readFlatKeyed } from "./_cgroup_file.ts";

/** The counters of `memory.events` (cgroup v2, hierarchical: below-cgroups count too). */
export interface MemoryEvents {
  /** Times usage went over memory.low while it was protected. */
  low: number;
  /** Times usage went over memory.high and processes were throttled. */
  high: number;
  /** Times usage was about to go over memory.max. */
  max: number;
  /** Times the cgroup ran out of memory (the OOM killer was invoked). */
  oom: number;
  /** Processes the OOM killer killed. */
  oomKill: number;
  /** Times the whole cgroup was killed at once (memory.oom.group). */
  oomGroupKill: number;
}

/**
 * Parses the text of `memory.events`.
 *
 * @param text The file's text.
 * @returns The counters (absent ones are 0).
 *
 * @example
 * ```ts
 * import { parseMemoryEvents } from "./memory_events.ts";
 * const e = parseMemoryEvents("low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\noom_group_kill 0\n");
 * console.assert(e.max === 3 && e.oomKill === 1);
 * ```
 */
export function parseMemoryEvents(text: string): MemoryEvents {
  return fromKeys(parseFlatKeyed(text));
}

function fromKeys(f: Record<string, number>): MemoryEvents {
  return {
    low: f.low ?? 0,
    high: f.high ?? 0,
    max: f.max ?? 0,
    oom: f.oom ?? 0,
    oomKill: f.oom_kill ?? 0,
    oomGroupKill: f.oom_group_kill ?? 0,
  };
}

/**
 * Reads a cgroup's `memory.events`.
 *
 * @param dir The cgroup directory.
 * @returns The counters, or null when the cgroup does not exist or has no
 *   memory controller.
 *
 * @example
 * ```ts ignore
 * readMemoryEvents(dir)?.oomKill;
 * ```
 */
export function readMemoryEvents(dir: string): MemoryEvents | null {
  const f = readFlatKeyed(`${dir}/memory.events`);
  return f === null ? null : fromKeys(f);
}

/**
 * Whether the OOM killer killed a process of a cgroup (`oom_kill` above 0
 * in `memory.events`): docker's State.OOMKilled. Read it before the cgroup
 * is removed.
 *
 * @param dir The cgroup directory.
 * @returns True or false, or null when the cgroup does not exist or has no
 *   memory controller (nothing is known).
 *
 * @example
 * ```ts ignore
 * const oomKilled = readOomKilled(record.cgroup) ?? false;
 * ```
 */
export function readOomKilled(dir: string): boolean | null {
  const e = readMemoryEvents(dir);
  return e === null ? null : e.oomKill > 0;
}
