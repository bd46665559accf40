/**
 * Reads the current user's subordinate id ranges from /etc/subuid and
 * /etc/subgid, matching by user name or uid as shadow-utils does.
 *
 * @module
 */
import { parseSubidFile } from "../host/parse_subid_file.ts";
import { sys } from "../sys/mod.ts";
import type { IdRange } from "./id_map.ts";

/**
 * The name of uid `uid` in the host's /etc/passwd, else $USER.
 *
 * @param uid A host uid.
 * @returns The name, or null when unknown.
 *
 * @example
 * ```ts
 * import { hostUserName } from "./own_ranges.ts";
 * console.assert(hostUserName(0) === "root");
 * ```
 */
export function hostUserName(uid: number): string | null {
  for (const line of (sys.readText("/etc/passwd") ?? "").split("\n")) {
    const f = line.split(":");
    if (f.length > 2 && Number(f[2]) === uid && f[2] !== "") return f[0];
  }
  return sys.env("USER") ?? null;
}

/**
 * This user's ranges.
 *
 * @returns The uid and gid ranges (each may be empty).
 *
 * @example
 * ```ts
 * import { ownRanges } from "./own_ranges.ts";
 * const { subuids } = ownRanges();
 * console.assert(Array.isArray(subuids));
 * ```
 */
export function ownRanges(): { subuids: IdRange[]; subgids: IdRange[] } {
  const uid = sys.uid();
  const name = hostUserName(uid);
  return {
    subuids: parseSubidFile(sys.readText("/etc/subuid") ?? "", name, uid),
    subgids: parseSubidFile(sys.readText("/etc/subgid") ?? "", name, uid),
  };
}
