/**
 * The subordinate id ranges of the current user.
 *
 * @module
 */
import type { Host } from "./host.ts";
import { parseSubidFile, type SubidRange } from "./parse_subid_file.ts";

/** Which file: `"uid"` reads `/etc/subuid`, `"gid"` reads `/etc/subgid`. */
export type SubidKind = "uid" | "gid";

/**
 * The path of the subordinate id file of a kind.
 *
 * @param kind `"uid"` or `"gid"`.
 * @returns `/etc/subuid` or `/etc/subgid`.
 *
 * @example
 * ```ts
 * import { subidFile } from "./subid_ranges.ts";
 * console.assert(subidFile("gid") === "/etc/subgid");
 * ```
 */
export function subidFile(kind: SubidKind): string {
  return `/etc/sub${kind}`;
}

/**
 * The ranges `/etc/subuid` or `/etc/subgid` gives the current user, matched
 * by user name or uid as shadow-utils does.
 *
 * @param host The host to read.
 * @param kind `"uid"` or `"gid"`.
 * @returns The ranges, empty when the file is missing or has none for the user.
 *
 * @example
 * ```ts
 * import { fakeHost } from "./fake_host.ts";
 * import { subidRanges } from "./subid_ranges.ts";
 * const host = fakeHost({ user: "alice", files: { "/etc/subgid": "alice:100000:65536\n" } });
 * console.assert((await subidRanges(host, "gid"))[0].start === 100000);
 * console.assert((await subidRanges(host, "uid")).length === 0);
 * ```
 */
export async function subidRanges(host: Host, kind: SubidKind): Promise<SubidRange[]> {
  const text = await host.readTextFile(subidFile(kind));
  return text === null ? [] : parseSubidFile(text, host.userName(), host.uid());
}
