/**
 * `system reset` (podman's): every container (stopped first), network and
 * image goes, and with them the store's state: the data directory is
 * emptied. The runtime directory is the user's, shared by every store
 * (NOOK_ROOT) without a NOOK_RUNROOT: what this store's containers and
 * networks had there goes with them, the rest stays.
 *
 * @module
 */
import { removeContainer } from "../container/remove_container.ts";
import { removeTree } from "../layers/remove_tree.ts";
import { removeNetwork } from "../network/network_api.ts";
import { listNetworks } from "../network/network_record.ts";
import { dataDir } from "../paths/mod.ts";
import { listRecords } from "../records/container_record.ts";
import { sys } from "../sys/mod.ts";

/** What {@linkcode resetStore} removed. */
export interface ResetResult {
  /** The containers' ids. */
  containers: string[];
  /** The networks' names. */
  networks: string[];
}

/**
 * Removes every container, network and image, and empties the data directory.
 *
 * @returns The containers and networks removed.
 * @throws {NookError} When a directory cannot be removed.
 *
 * @example
 * ```ts ignore
 * await resetStore();
 * ```
 */
export async function resetStore(): Promise<ResetResult> {
  const containers: string[] = [];
  for (const r of listRecords()) {
    if (await removeContainer(r.id, { force: true, stopTimeout: 0 })) containers.push(r.id);
  }
  const networks: string[] = [];
  for (const n of listNetworks()) {
    await removeNetwork(n.name);
    networks.push(n.name);
  }
  // Images, layers (files of subordinate ids: removed in the user namespace), the journal.
  const dir = dataDir();
  if (sys.stat(dir)?.isDirectory) {
    for (const name of sys.readDir(dir)) await removeTree(`${dir}/${name}`);
  }
  return { containers, networks };
}
