/**
 * Parser of `/etc/subuid` and `/etc/subgid`.
 *
 * @module
 */

/** A range of subordinate ids: `count` ids from `start`. */
export interface SubidRange {
  /** First id of the range. */
  start: number;
  /** Number of ids, at least 1. */
  count: number;
}

/** The highest valid id plus one: `(uid_t)-1` is not an id. */
const ID_LIMIT = 0xffff_ffff;
const DECIMAL = /^[0-9]+$/;

/**
 * The ranges `/etc/subuid` or `/etc/subgid` gives a user. Like shadow-utils,
 * a line applies when its owner is the user name or the decimal uid.
 * Blank lines, `#` comments and malformed lines (not three fields, numbers
 * that are not decimal, an empty range, a range past the last id) are
 * skipped.
 *
 * @param text Contents of the file: lines of `owner:start:count`.
 * @param user The user name, or `null` when the uid has none.
 * @param uid The user's uid.
 * @returns The ranges in file order; empty when there are none.
 *
 * @example Ranges by name and by uid
 * ```ts
 * import { parseSubidFile } from "./parse_subid_file.ts";
 * const text = "alice:100000:65536\n# old\n1000:200000:1000\nbob:165536:65536\n";
 * const ranges = parseSubidFile(text, "alice", 1000);
 * console.assert(ranges.length === 2);
 * console.assert(ranges[0].start === 100000 && ranges[0].count === 65536);
 * ```
 */
export function parseSubidFile(text: string, user: string | null, uid: number): SubidRange[] {
  const ranges: SubidRange[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const fields = line.split(":");
    if (fields.length !== 3) continue;
    const [owner, startText, countText] = fields;
    const byName = user !== null && owner === user;
    const byUid = DECIMAL.test(owner) && Number(owner) === uid;
    if (!byName && !byUid) continue;
    if (!DECIMAL.test(startText) || !DECIMAL.test(countText)) continue;
    const start = Number(startText);
    const count = Number(countText);
    if (count < 1 || start + count > ID_LIMIT) continue;
    ranges.push({ start, count });
  }
  return ranges;
}
