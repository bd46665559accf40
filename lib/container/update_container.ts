/**
 * `update`: change a container's resource limits. They go into its record
 * (every later start applies them) and, while it runs in a cgroup of its
 * own, into that cgroup at once.
 *
 * @module
 */
import { applyLimits } from "../cgroups/apply_limits.ts";
import { findCgroupPlacement } from "../cgroups/cgroup_placement.ts";
import { containerCgroupDir } from "../cgroups/container_cgroup_dir.ts";
import { unappliedProblem } from "../cgroups/limits_warning.ts";
import { checkLimits } from "../cgroups/parse_limits.ts";
import { limitNames, LIMITS, type ResourceLimits } from "../cgroups/resource_limits.ts";
import { realHost } from "../host/real_host.ts";
import { sys } from "../sys/mod.ts";
import {
  type ContainerRecord,
  readRecord,
  withRecordsLock,
  writeRecord,
} from "../records/container_record.ts";
import { containerStatus } from "../records/container_state.ts";

/** Options of {@linkcode updateContainer}. */
export interface UpdateOptions {
  /** Receives the warning about limits stored but not applied now. */
  onWarning?: (message: string) => void;
}

/**
 * Updates a container's limits: those given replace its own, the others stay.
 *
 * @param record The container.
 * @param limits The new limits.
 * @param options Warnings.
 * @returns The limits the container has now.
 * @throws {UsageError} When the limits do not fit together (e.g. memory above memory-swap).
 * @throws {NookError} When the kernel refuses a value for the running container (nothing changes).
 *
 * @example
 * ```ts ignore
 * await updateContainer(record, { memory: 256 << 20 });
 * ```
 */
export async function updateContainer(
  record: ContainerRecord,
  limits: ResourceLimits,
  options: UpdateOptions = {},
): Promise<ResourceLimits> {
  const warn = options.onWarning ?? ((m: string) => sys.stderr(`nook: ${m}\n`));
  const merged: ResourceLimits = { ...record.config.resources, ...limits };
  checkLimits(merged);
  const running = ["running", "restarting"].includes(containerStatus(record.id).status);
  const dir = running ? containerCgroupDir(record) : null;
  if (dir) {
    const unapplied = applyLimits(dir, merged).filter((u) => limitNames(limits).includes(u.limit));
    if (unapplied.length > 0) {
      const placement = await findCgroupPlacement(realHost(), {
        parent: record.config.cgroupParent,
      });
      const what = placement.ok
        ? unappliedProblem(placement, unapplied).what
        : unapplied.map((u) => `${LIMITS[u.limit].flag}: no ${u.controller} controller`).join(
          ", ",
        );
      warn(`limits stored but not applied to the running container ${record.name}: ${what}`);
    }
  } else if (running && limitNames(limits).length > 0) {
    warn(
      `limits stored but not applied to the running container ${record.name}: it has no cgroup ` +
        "of its own (see the warning when it started, or 'nook info'); they apply from its next " +
        "start where the host delegates cgroups",
    );
  }
  return await withRecordsLock(() => {
    const now = readRecord(record.id) ?? record;
    writeRecord({ ...now, config: { ...now.config, resources: merged } });
    return merged;
  });
}
