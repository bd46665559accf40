/**
 * A container's own cgroup, from its record.
 *
 * @module
 */
import type { ContainerRecord } from "../records/container_record.ts";
import { sys } from "../sys/mod.ts";

/**
 * The directory of a container's own cgroup while it exists: it is made at
 * each start (when the host delegates cgroups) and removed when the
 * container ends.
 *
 * @param record The container's record.
 * @returns The directory, or null when the container has no cgroup now.
 *
 * @example
 * ```ts
 * import { containerCgroupDir } from "./container_cgroup_dir.ts";
 * console.assert(containerCgroupDir({ cgroup: "/nonexistent/nook/0" } as never) === null);
 * ```
 */
export function containerCgroupDir(record: Pick<ContainerRecord, "cgroup">): string | null {
  const dir = record.cgroup;
  return dir && sys.stat(dir)?.isDirectory ? dir : null;
}
