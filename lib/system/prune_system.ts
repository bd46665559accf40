/**
 * `system prune`: what docker removes, in docker's order: stopped
 * containers, then networks no container is on, then dangling images (every
 * image no container uses, with `all`), so that what the removed containers
 * held goes too. nook keeps no build cache and no named volumes (a
 * container's anonymous volumes go with it).
 *
 * @module
 */
import { removeContainer } from "../container/remove_container.ts";
import { pruneImages } from "../image/prune_images.ts";
import { pruneNetworks } from "../network/network_api.ts";
import { containerDir, listRecords } from "../records/container_record.ts";
import { containerStatus } from "../records/container_state.ts";
import { treeSize } from "../store/tree_size.ts";

/** Options of {@linkcode pruneSystem}. */
export interface PruneSystemOptions {
  /** Remove every image no container uses, not only dangling ones. */
  all?: boolean;
}

/** What {@linkcode pruneSystem} removed. */
export interface PruneSystemResult {
  /** The containers' ids. */
  containers: string[];
  /** The networks' names. */
  networks: string[];
  /** The names taken off images. */
  untagged: string[];
  /** The images' ids and the layers freed. */
  deleted: string[];
  /** Bytes freed (containers' directories and the images' files). */
  reclaimed: number;
  /** What could not be removed, in words. */
  warnings: string[];
}

/**
 * Removes stopped containers, unused networks and dangling (or, with `all`, unused) images.
 *
 * @param options `all` for every unused image.
 * @returns What went, and the bytes freed.
 *
 * @example
 * ```ts ignore
 * const { reclaimed } = await pruneSystem({ all: true });
 * ```
 */
export async function pruneSystem(options: PruneSystemOptions = {}): Promise<PruneSystemResult> {
  const containers: string[] = [];
  let reclaimed = 0;
  for (const r of listRecords()) {
    const s = containerStatus(r.id).status;
    if (s === "running" || s === "restarting") continue;
    const size = treeSize(containerDir(r.id));
    if (await removeContainer(r.id)) {
      containers.push(r.id);
      reclaimed += size;
    }
  }
  const networks = await pruneNetworks();
  const images = await pruneImages({ all: options.all });
  return {
    containers,
    networks,
    untagged: images.untagged,
    deleted: images.deleted,
    reclaimed: reclaimed + images.freed.bytes,
    warnings: images.freed.warnings,
  };
}
