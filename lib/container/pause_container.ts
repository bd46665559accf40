/**
 * `pause` and `unpause`: freeze and thaw every process of a running
 * container through its own cgroup's freezer (`cgroup.freeze`).
 *
 * @module
 */
import { containerEvent } from "./container_event.ts";
import { freezeCgroup, thawCgroup } from "../cgroups/freeze.ts";
import { HostError, UsageError } from "../errors/mod.ts";
import type { ContainerRecord } from "../records/container_record.ts";
import { containerStatus } from "../records/container_state.ts";

/** The container's cgroup, once it is known to run and to have one. */
function runningCgroup(record: ContainerRecord, verb: string): { dir: string; paused: boolean } {
  const s = containerStatus(record.id);
  if (s.status !== "running") {
    throw new UsageError(`Container ${record.name} is not running (status ${s.status})`);
  }
  if (record.cgroup === undefined) {
    throw new HostError(
      `Cannot ${verb} container ${record.name}: freezing needs a cgroup v2 of the container's ` +
        "own, and nook made none for it (it ran with --cgroups=disabled, or this host delegates " +
        "no cgroup v2 subtree to your user: under systemd, user@UID.service with Delegate=yes, " +
        "or name one with --cgroup-parent)",
    );
  }
  return { dir: record.cgroup, paused: s.paused };
}

/**
 * Freezes every process of a running container (`docker pause`); it stays
 * "running", shown as paused, until {@linkcode unpauseContainer}.
 *
 * @param record The container.
 * @throws {UsageError} When it is not running or already paused.
 * @throws {HostError} When it has no cgroup of its own (no delegation).
 * @throws {NookError} When the freezer fails or does not finish in time.
 *
 * @example
 * ```ts ignore
 * await pauseContainer(findContainer("web"));
 * ```
 */
export async function pauseContainer(record: ContainerRecord): Promise<void> {
  const { dir, paused } = runningCgroup(record, "pause");
  if (paused) throw new UsageError(`Container ${record.name} is already paused`);
  await freezeCgroup(dir);
  await containerEvent(record, "pause");
}

/**
 * Thaws a paused container (`docker unpause`).
 *
 * @param record The container.
 * @throws {UsageError} When it is not running or not paused.
 * @throws {HostError} When it has no cgroup of its own (no delegation).
 * @throws {NookError} When the freezer fails or does not finish in time.
 *
 * @example
 * ```ts ignore
 * await unpauseContainer(findContainer("web"));
 * ```
 */
export async function unpauseContainer(record: ContainerRecord): Promise<void> {
  const { dir, paused } = runningCgroup(record, "unpause");
  if (!paused) throw new UsageError(`Container ${record.name} is not paused`);
  await thawCgroup(dir);
  await containerEvent(record, "unpause");
}
