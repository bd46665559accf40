/**
 * Check that the user has subordinate ids.
 *
 * @module
 */
import type { Check } from "./check.ts";
import type { Host } from "./host.ts";
import type { SubidRange } from "./parse_subid_file.ts";
import { subidFile, type SubidKind, subidRanges } from "./subid_ranges.ts";

/** Ids an image may use: 0 to 65534 (65535 is "nobody" in many images, unused). */
const FULL_COUNT = 65536;
/** Where useradd starts allocating (SUB_UID_MIN in login.defs). */
const SUBID_MIN = 100000;

/**
 * Formats a range as `"100000-165535"`.
 *
 * @param range The range.
 * @returns First and last id joined by `-`.
 *
 * @example
 * ```ts
 * import { formatSubidRange } from "./check_subid.ts";
 * console.assert(formatSubidRange({ start: 100000, count: 65536 }) === "100000-165535");
 * ```
 */
export function formatSubidRange(range: SubidRange): string {
  return `${range.start}-${range.start + range.count - 1}`;
}

/** The first id past every range any user has in the file, at least SUBID_MIN. */
function freeStart(text: string | null): number {
  let start = SUBID_MIN;
  for (const line of (text ?? "").split("\n")) {
    const match = /^[^:#]+:([0-9]+):([0-9]+)$/.exec(line.trim());
    if (match) start = Math.max(start, Number(match[1]) + Number(match[2]));
  }
  return start;
}

/**
 * Checks that `/etc/subuid` (or `/etc/subgid`) gives the user a range, by name
 * or uid as shadow-utils matches. Without one nook maps only the user's own
 * id into containers, a warning; fewer than 65536 ids is also a warning.
 *
 * @param host The host to read.
 * @param kind `"uid"` for the `subuid` check, `"gid"` for `subgid`.
 * @returns The `subuid` or `subgid` check.
 *
 * @example
 * ```ts
 * import { checkSubid } from "./check_subid.ts";
 * import { fakeHost } from "./fake_host.ts";
 * const host = fakeHost({ user: "alice", files: { "/etc/subuid": "alice:100000:65536\n" } });
 * console.assert((await checkSubid(host, "uid")).status === "ok");
 * console.assert((await checkSubid(host, "gid")).status === "warn");
 * ```
 */
export async function checkSubid(host: Host, kind: SubidKind): Promise<Check> {
  const file = subidFile(kind);
  const base = { id: `sub${kind}`, title: `Subordinate ${kind}s (${file})` };
  const [text, ranges] = await Promise.all([host.readTextFile(file), subidRanges(host, kind)]);
  const user = host.userName();
  const total = ranges.reduce((sum, range) => sum + range.count, 0);
  if (ranges.length > 0 && total >= FULL_COUNT) {
    return { ...base, status: "ok", detail: ranges.map(formatSubidRange).join(", ") };
  }
  const start = freeStart(text);
  const wanted = formatSubidRange({ start, count: FULL_COUNT });
  const fix = user === null
    ? `echo '${host.uid()}:${start}:${FULL_COUNT}' | sudo tee -a ${file}`
    : `sudo usermod --add-sub${kind}s ${wanted} ${user}`;
  const who = user === null ? `uid ${host.uid()}` : `'${user}' (uid ${host.uid()})`;
  const fallback = `nook maps only your own ${kind} into containers`;
  if (ranges.length > 0) {
    return {
      ...base,
      status: "warn",
      detail: `only ${total} ids for ${who} (${ranges.map(formatSubidRange).join(", ")}); ` +
        `images with files owned by ids up to 65534 need ${FULL_COUNT}`,
      fix,
    };
  }
  const detail = text === null
    ? `${file} does not exist: ${fallback}`
    : `no range for ${who} in ${file}: ${fallback}`;
  return { ...base, status: "warn", detail, fix };
}
