/**
 * Plans a container's uid and gid maps: root inside is you outside, and the
 * rest of the ids come from your /etc/subuid and /etc/subgid ranges. Without a
 * range, only your own id is mapped (the "single mapping").
 *
 * @module
 */

/** A range of host ids, as a line of /etc/subuid gives it. */
export interface IdRange {
  /** First host id. */
  start: number;
  /** How many ids. */
  count: number;
}

/** One line of /proc/PID/uid_map: `inside outside count`. */
export interface IdMapping {
  /** First id inside the namespace. */
  inside: number;
  /** First id outside. */
  outside: number;
  /** How many ids. */
  count: number;
}

/** The maps of one user namespace. */
export interface IdMapPlan {
  /** "subid": written by newuidmap/newgidmap; "single": your own ids only. */
  mode: "subid" | "single";
  /** The uid map. */
  uid: IdMapping[];
  /** The gid map. */
  gid: IdMapping[];
  /** uid the container's processes have by default. */
  user: number;
  /** gid the container's processes have by default. */
  group: number;
}

/** Options of {@linkcode planIdMaps}. */
export interface PlanIdMapsOptions {
  /** Your uid. */
  uid: number;
  /** Your gid. */
  gid: number;
  /** Your /etc/subuid ranges. */
  subuids: IdRange[];
  /** Your /etc/subgid ranges. */
  subgids: IdRange[];
  /** Map your ids to the same ids inside (podman's `--userns=keep-id`). */
  keepId?: boolean;
  /** Force the single mapping even where ranges exist. */
  single?: boolean;
}

/** Fills inside ids [from, to) from the ranges, skipping `skip`. */
function fill(ranges: IdRange[], skip: number): IdMapping[] {
  const out: IdMapping[] = [];
  let inside = 0;
  for (const r of ranges) {
    let outside = r.start;
    let left = r.count;
    while (left > 0) {
      if (inside === skip) inside++;
      const room = inside < skip ? Math.min(left, skip - inside) : left;
      out.push({ inside, outside, count: room });
      inside += room;
      outside += room;
      left -= room;
    }
  }
  return out;
}

function one(own: number, ranges: IdRange[], keep: boolean, single: boolean): IdMapping[] {
  const inside = keep ? own : 0;
  const self = { inside, outside: own, count: 1 };
  if (single) return [self];
  return [self, ...fill(ranges, inside)].sort((a, b) => a.inside - b.inside);
}

/**
 * Plans the uid and gid maps.
 *
 * @param options Your ids, your ranges, and the mapping mode.
 * @returns The maps, and the ids the container runs as by default.
 *
 * @example Root inside is you; 1..65536 come from the range
 * ```ts
 * import { planIdMaps } from "./id_map.ts";
 * const plan = planIdMaps({
 *   uid: 1000, gid: 1000,
 *   subuids: [{ start: 100000, count: 65536 }],
 *   subgids: [{ start: 100000, count: 65536 }],
 * });
 * console.assert(plan.uid[0].outside === 1000 && plan.uid[1].inside === 1);
 * ```
 */
export function planIdMaps(options: PlanIdMapsOptions): IdMapPlan {
  const keep = options.keepId ?? false;
  const single = options.single || options.subuids.length === 0 || options.subgids.length === 0;
  return {
    mode: single ? "single" : "subid",
    uid: one(options.uid, options.subuids, keep, single),
    gid: one(options.gid, options.subgids, keep, single),
    user: keep ? options.uid : 0,
    group: keep ? options.gid : 0,
  };
}

/**
 * Whether an id is mapped inside the namespace.
 *
 * @param maps The uid or gid map.
 * @param id An id inside the namespace.
 * @returns True when some line covers it.
 *
 * @example
 * ```ts
 * import { isMapped } from "./id_map.ts";
 * console.assert(isMapped([{ inside: 0, outside: 1000, count: 1 }], 0));
 * console.assert(!isMapped([{ inside: 0, outside: 1000, count: 1 }], 1));
 * ```
 */
export function isMapped(maps: IdMapping[], id: number): boolean {
  return maps.some((m) => id >= m.inside && id < m.inside + m.count);
}

/**
 * The id inside a user namespace that a host id maps to.
 *
 * @param maps The uid or gid map.
 * @param host An id outside (on the host).
 * @returns The id inside, or null where no line maps it.
 *
 * @example
 * ```ts
 * import { insideId } from "./id_map.ts";
 * console.assert(insideId([{ inside: 0, outside: 1000, count: 1 }], 1000) === 0);
 * console.assert(insideId([{ inside: 0, outside: 1000, count: 1 }], 1001) === null);
 * ```
 */
export function insideId(maps: IdMapping[], host: number): number | null {
  const m = maps.find((m) => host >= m.outside && host < m.outside + m.count);
  return m ? m.inside + (host - m.outside) : null;
}
