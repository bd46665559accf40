/**
 * Which cgroup hierarchy the host has, and what this user may do in it.
 *
 * @module
 */
import type { Host } from "./host.ts";
import { canAccess } from "./_access.ts";

/**
 * `"v2"`: the unified hierarchy at /sys/fs/cgroup. `"hybrid"`: v1 controllers
 * with a cgroup2 (without controllers) at /sys/fs/cgroup/unified. `"v1"`:
 * v1 controllers only. `"none"`: no cgroup filesystem found.
 */
export type CgroupMode = "v2" | "hybrid" | "v1" | "none";

/** What {@linkcode detectCgroups} found. */
export interface CgroupInfo {
  /** The hierarchy. */
  mode: CgroupMode;
  /** Where cgroup2 is mounted, `null` when it is not. */
  mount: string | null;
  /** This process's cgroup2 path (the `0::` line of /proc/self/cgroup), or `null`. */
  path: string | null;
  /** `mount` joined with `path`: the directory of this process's cgroup, or `null`. */
  dir: string | null;
  /** Controllers available in `dir` (its `cgroup.controllers`). */
  controllers: string[];
  /** This user may create cgroups below `dir` and move processes into them. */
  writable: boolean;
}

const ROOT = "/sys/fs/cgroup";
const UNIFIED = "/sys/fs/cgroup/unified";

/** The cgroup2 path of this process, from the text of /proc/self/cgroup. */
function ownPath(text: string | null): string | null {
  for (const line of (text ?? "").split("\n")) {
    if (line.startsWith("0::")) return line.slice(3).replace(/ \(deleted\)$/, "");
  }
  return null;
}

/** Whether /proc/self/cgroup lists a v1 hierarchy ("N:controllers:path", N > 0). */
function hasV1(text: string | null): boolean {
  return (text ?? "").split("\n").some((line) => /^[1-9][0-9]*:[^:]+:/.test(line));
}

/**
 * Detects the cgroup hierarchy: v2 when /sys/fs/cgroup/cgroup.controllers
 * exists, hybrid when /sys/fs/cgroup/unified/cgroup.controllers does, else v1
 * when /proc/self/cgroup names v1 hierarchies. For a cgroup2 it finds this
 * process's cgroup, its controllers and whether the user may write it.
 *
 * @param host The host to read.
 * @returns What was found; nothing is changed.
 *
 * @example A hybrid host
 * ```ts
 * import { detectCgroups } from "./detect_cgroups.ts";
 * import { fakeHost } from "./fake_host.ts";
 * const host = fakeHost({
 *   files: {
 *     "/sys/fs/cgroup/unified/cgroup.controllers": "",
 *     "/proc/self/cgroup": "4:memory:/\n1:cpu:/\n0::/\n",
 *   },
 * });
 * console.assert((await detectCgroups(host)).mode === "hybrid");
 * ```
 */
export async function detectCgroups(host: Host): Promise<CgroupInfo> {
  const [v2, unified, self] = await Promise.all([
    host.readTextFile(`${ROOT}/cgroup.controllers`),
    host.readTextFile(`${UNIFIED}/cgroup.controllers`),
    host.readTextFile("/proc/self/cgroup"),
  ]);
  const mode: CgroupMode = v2 !== null
    ? "v2"
    : unified !== null
    ? "hybrid"
    : hasV1(self)
    ? "v1"
    : "none";
  const mount = mode === "v2" ? ROOT : mode === "hybrid" ? UNIFIED : null;
  const path = mount === null ? null : ownPath(self);
  if (mount === null || path === null) {
    return { mode, mount, path, dir: null, controllers: [], writable: false };
  }
  const dir = path === "/" ? mount : `${mount}${path}`;
  const [controllersText, dirWritable, procsWritable] = await Promise.all([
    host.readTextFile(`${dir}/cgroup.controllers`),
    canAccess(host, dir, { write: true }),
    canAccess(host, `${dir}/cgroup.procs`, { write: true }),
  ]);
  const controllers = (controllersText ?? "").trim().split(/\s+/).filter((c) => c !== "");
  return { mode, mount, path, dir, controllers, writable: dirWritable && procsWritable };
}
