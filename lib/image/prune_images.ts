/**
 * Removing images nobody needs (docker's `image prune`): those without a
 * name, or with `all` every image no container uses, and what they alone
 * held on disk.
 *
 * @module
 */
import { removalEvents } from "./removal_events.ts";
import { removeTree } from "../layers/remove_tree.ts";
import { collectGarbage, type GarbageReport } from "../store/collect_garbage.ts";
import { type StoreLayout, storeLayout } from "../store/mod.ts";
import { displayName } from "./display_name.ts";
import { containerExists, listContainers } from "./list_containers.ts";

/** Options of {@linkcode pruneImages}. */
export interface PruneImagesOptions {
  /** Also images with names, when no container uses them (default false: only dangling ones). */
  all?: boolean;
  /** The store (default: nook's data directory). */
  layout?: StoreLayout;
  /** Removes layer directories (default `removeTree` of `lib/layers`; tests replace it). */
  removeTree?: (path: string) => Promise<void>;
}

/** What {@linkcode pruneImages} removed. */
export interface PruneImagesResult {
  /** Names and repository digests removed, familiar. */
  untagged: string[];
  /** Ids of the images deleted, then chain ids of the layers freed. */
  deleted: string[];
  /** What was freed on disk. */
  freed: GarbageReport;
}

/**
 * Removes dangling images (no name), or with `all` every image that no
 * container uses, and frees what only they referenced.
 *
 * @param options Which images, the store.
 * @returns What was untagged, deleted and freed.
 *
 * @example
 * ```ts ignore
 * const { freed } = await pruneImages({ all: true });
 * console.log(`Total reclaimed space: ${freed.bytes}`);
 * ```
 */
export async function pruneImages(options: PruneImagesOptions = {}): Promise<PruneImagesResult> {
  const layout = options.layout ?? storeLayout();
  const { result, freed } = await collectGarbage(layout, {
    removeTree: options.removeTree ?? removeTree,
    containerExists: (id) => containerExists(layout, id),
    change: (index) => {
      const used = new Set(listContainers(layout).map((c) => c.image));
      const victims = index.images.filter((i) =>
        !used.has(i.id) && (options.all || i.names.length === 0)
      );
      index.images = index.images.filter((i) => !victims.includes(i));
      return {
        untagged: victims.flatMap((i) => [...i.names, ...i.repoDigests]).map(displayName),
        deleted: victims.map((i) => i.id),
        names: victims.map((i) => [...i.names, ...i.repoDigests]),
      };
    },
  });
  for (const [k, id] of result.deleted.entries()) {
    await removalEvents(layout, id, result.names[k], [id]);
  }
  return { untagged: result.untagged, deleted: [...result.deleted, ...freed.layers], freed };
}
