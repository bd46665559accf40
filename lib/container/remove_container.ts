/**
 * `rm`: remove a container's files (upper dir owned by subordinate ids
 * included, through the user namespace) and its runtime directory; `-f`
 * stops a running one first.
 *
 * @module
 */
import { containerEvent } from "./container_event.ts";
import { removeCgroup } from "../cgroups/make_container_cgroup.ts";
import { killCgroup } from "../cgroups/kill_all.ts";
import { EXIT_STATE_INVALID, NookError } from "../errors/mod.ts";
import { removeTree } from "../layers/remove_tree.ts";
import { sys } from "../sys/mod.ts";
import { userNetworkName } from "../config/network_config.ts";
import {
  containerDir,
  containerRunDir,
  containersRoot,
  readRecord,
  withRecordsLock,
} from "../records/container_record.ts";
import { containerStatus } from "../records/container_state.ts";
import { signalProcess, stopContainer } from "./signal_container.ts";

/** Options of {@linkcode removeContainer}. */
export interface RemoveOptions {
  /** Stop it first when running (SIGKILL at once, unless `stopTimeout` says otherwise). */
  force?: boolean;
  /**
   * With `force`: seconds a running one gets after its stop signal before SIGKILL
   * (podman's `rm -t`; default 0).
   */
  stopTimeout?: number;
}

/**
 * Removes a container.
 *
 * @param id The container id.
 * @param options `force` to stop a running one, `stopTimeout` to give it time.
 * @returns False when it did not exist.
 * @throws {NookError} When it runs and `force` is not set (exit code 2, podman's).
 *
 * @example
 * ```ts ignore
 * await removeContainer(id, { force: true });
 * ```
 */
export async function removeContainer(id: string, options: RemoveOptions = {}): Promise<boolean> {
  const record = readRecord(id);
  if (record) {
    const s = containerStatus(id);
    if (s.status === "running" || s.status === "restarting") {
      if (!options.force) {
        throw new NookError(
          `You cannot remove a running container ${id.slice(0, 12)} (${record.name}): ` +
            "stop it first, or use 'rm -f'",
          { exitCode: EXIT_STATE_INVALID },
        );
      }
      await stopContainer(record, options.stopTimeout ?? 0);
    }
    // A process that outlived its monitor would run on unseen once the record is gone.
    if (s.status === "unknown" && s.pid > 0) signalProcess(s.pid, s.pidStart, "SIGKILL");
    const network = userNetworkName(record.config.network);
    if (network !== undefined) {
      // Ports it still holds (it ended by itself) are withdrawn while its record says which.
      const { syncNetworkPorts } = await import("../network/network_attach.ts");
      await syncNetworkPorts(network).catch(() => {});
    }
    // Its monitor removes it when it ends; not one that was killed, nor a dead nook's.
    if (record.cgroup) await removeCgroup(record.cgroup);
    // And so would anything left in its cgroup (after its monitor died, or a double fork).
    if (record.cgroup !== undefined) await killCgroup(record.cgroup);
  }
  // Out of sight at once (under the lock, so a name is free when rm returns), then removed.
  const dir = containerDir(id);
  const gone = `${containersRoot()}/.removing-${id}-${sys.pid()}`;
  const moved = await withRecordsLock(() => {
    if (!sys.lstat(dir)) return false;
    sys.rename(dir, gone);
    return true;
  });
  sys.remove(containerRunDir(id));
  const network = record ? userNetworkName(record.config.network) : undefined;
  if (network !== undefined) {
    const { refreshNetworkHosts, releaseNetwork } = await import("../network/network_attach.ts");
    await refreshNetworkHosts(network).catch(() => {}); // drop its name from the others' hosts
    await releaseNetwork(network).catch(() => {});
  }
  if (moved && record) await containerEvent(record, "destroy");
  if (moved) await removeTree(gone);
  return moved;
}

/**
 * Removes what interrupted removals left (`.removing-*` of dead nook processes).
 *
 * @example
 * ```ts ignore
 * await removeLeftovers();
 * ```
 */
export async function removeLeftovers(): Promise<void> {
  for (const name of sys.readDir(containersRoot())) {
    const m = /^\.removing-[0-9a-f]{64}-(\d+)$/.exec(name);
    if (m && !sys.lstat(`/proc/${m[1]}`)) await removeTree(`${containersRoot()}/${name}`);
  }
}
