/**
 * How nook maps ids into a container's user namespace on this host.
 *
 * @module
 */
import type { Host } from "./host.ts";
import type { SubidRange } from "./parse_subid_file.ts";
import { subidFile, subidRanges } from "./subid_ranges.ts";
import { inspectIdmapHelper } from "./_idmap_helper.ts";

/** Map the user's subordinate ranges with the setuid helpers. */
export interface SubidMapping {
  mode: "subid";
  /** Ranges from /etc/subuid, mapped after the user's own uid. */
  uidRanges: SubidRange[];
  /** Ranges from /etc/subgid, mapped after the user's own gid. */
  gidRanges: SubidRange[];
  /** Absolute path of newuidmap. */
  newuidmap: string;
  /** Absolute path of newgidmap. */
  newgidmap: string;
}

/** Map only the user's own uid and gid (to root in the container). */
export interface SingleMapping {
  mode: "single";
  /** Why subordinate ids are not used, e.g. "no range in /etc/subuid". */
  reason: string;
}

/** The id mapping nook can set up: {@linkcode SubidMapping} or {@linkcode SingleMapping}. */
export type IdMapping = SubidMapping | SingleMapping;

/**
 * Decides the id mapping: subordinate ranges via newuidmap/newgidmap when the
 * user has ranges in both /etc/subuid and /etc/subgid and both helpers are
 * usable, else a single mapping of the user's own ids.
 *
 * @param host The host to read.
 * @returns The mapping with the ranges and helper paths, or why it is single.
 *
 * @example
 * ```ts
 * import { fakeHost } from "./fake_host.ts";
 * import { idMapping } from "./id_mapping.ts";
 * const mapping = await idMapping(fakeHost());
 * console.assert(mapping.mode === "single");
 * ```
 */
export async function idMapping(host: Host): Promise<IdMapping> {
  const [uidRanges, gidRanges, uidHelper, gidHelper] = await Promise.all([
    subidRanges(host, "uid"),
    subidRanges(host, "gid"),
    inspectIdmapHelper(host, "newuidmap"),
    inspectIdmapHelper(host, "newgidmap"),
  ]);
  if (uidRanges.length === 0) return { mode: "single", reason: `no range in ${subidFile("uid")}` };
  if (gidRanges.length === 0) return { mode: "single", reason: `no range in ${subidFile("gid")}` };
  for (const helper of [uidHelper, gidHelper]) {
    if (!helper.usable || helper.path === null) {
      return { mode: "single", reason: `${helper.name} is ${helper.detail}` };
    }
  }
  return {
    mode: "subid",
    uidRanges,
    gidRanges,
    newuidmap: uidHelper.path!,
    newgidmap: gidHelper.path!,
  };
}
