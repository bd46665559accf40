/**
 * Garbage collection of the store: change the image index, then free the
 * blobs (manifests, configs, compressed layers) and unpacked layers that the
 * change left unreferenced, all decided under the index lock.
 *
 * Only what the change dropped is a candidate, never the whole store: a pull
 * in progress writes blobs and layers before it adds its image to the index,
 * and a sweep of everything unreferenced would delete them under its feet.
 *
 * Containers mount the unpacked layers of their image as overlay lower
 * directories. When an image is removed while containers still use it
 * (`rmi -f`), its layers are kept under a hold in `layer-holds.json`, one
 * per container; a hold lasts while its container exists, and the next
 * collection after the container is gone frees the layers.
 *
 * @module
 */
import { writeFileAtomic } from "./atomic_write.ts";
import { type ImageIndex, namesHistory, readIndex } from "./image_index.ts";
import { blobPath, layerPath, type StoreLayout } from "./layout.ts";
import { withLock } from "./lock.ts";
import { treeSize } from "./tree_size.ts";
import { sys } from "../sys/sys.ts";

/** Layers kept for a container whose image was removed. */
export interface LayerHold {
  /** The container's id. */
  container: string;
  /** Chain ids of the layers it mounts, bottom first. */
  chainIds: string[];
}

/** What a collection freed. */
export interface GarbageReport {
  /** Digests of the blobs removed. */
  blobs: string[];
  /** Chain ids of the unpacked layers removed. */
  layers: string[];
  /** Bytes freed (what the user could see of them: unreadable directories count as empty). */
  bytes: number;
  /** Removals that failed; the index is changed all the same. */
  warnings: string[];
}

/** Options of {@linkcode collectGarbage}. */
export interface CollectGarbageOptions<T> {
  /**
   * Edits the index and the layer holds in place, under the lock; its result
   * is returned. Throwing leaves both untouched.
   */
  change: (index: ImageIndex, holds: LayerHold[]) => T;
  /**
   * Removes an unpacked layer's directory (it holds files of subordinate ids:
   * pass `removeTree` of `lib/layers`).
   */
  removeTree: (path: string) => Promise<void>;
  /** Whether a container exists; the holds of containers that do not are dropped. */
  containerExists: (id: string) => boolean;
}

/** The file of the layer holds. */
function holdsPath(layout: StoreLayout): string {
  return `${layout.root}/layer-holds.json`;
}

/**
 * The layer holds (empty when there are none).
 *
 * @param layout The store.
 * @returns The holds.
 *
 * @example
 * ```ts
 * import { storeLayout } from "./layout.ts";
 * import { readLayerHolds } from "./collect_garbage.ts";
 * const dir = Deno.makeTempDirSync();
 * console.assert(readLayerHolds(storeLayout(dir)).length === 0);
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export function readLayerHolds(layout: StoreLayout): LayerHold[] {
  const text = sys.readText(holdsPath(layout));
  if (text === null) return [];
  const doc = JSON.parse(text);
  return Array.isArray(doc?.holds) ? doc.holds as LayerHold[] : [];
}

interface References {
  blobs: Set<string>;
  layers: Set<string>;
}

function references(index: ImageIndex, holds: readonly LayerHold[]): References {
  const blobs = new Set<string>();
  const layers = new Set<string>();
  for (const image of index.images) {
    blobs.add(image.id);
    blobs.add(image.manifestDigest);
    for (const digest of image.layerDigests) blobs.add(digest);
    for (const chain of image.chainIds) layers.add(chain);
  }
  for (const hold of holds) for (const chain of hold.chainIds) layers.add(chain);
  return { blobs, layers };
}

/**
 * Changes the index (and layer holds) under the index lock, then frees what
 * the change left unreferenced: blobs are deleted under the lock; layer
 * directories are renamed into `layers/incoming/` under the lock (so no pull
 * can see a half-removed layer) and removed after it is released.
 *
 * @param layout The store.
 * @param options The change, the tree remover, which containers exist.
 * @returns What `change` returned and what was freed.
 * @throws Whatever `change` throws (nothing is changed then).
 *
 * @example Remove every image without a name
 * ```ts ignore
 * const { freed } = await collectGarbage(layout, {
 *   change: (index) => { index.images = index.images.filter((i) => i.names.length > 0); },
 *   removeTree,
 *   containerExists: () => false,
 * });
 * console.log(`${freed.bytes} bytes freed`);
 * ```
 */
export async function collectGarbage<T>(
  layout: StoreLayout,
  options: CollectGarbageOptions<T>,
): Promise<{ result: T; freed: GarbageReport }> {
  const freed: GarbageReport = { blobs: [], layers: [], bytes: 0, warnings: [] };
  const { result, doomed } = await withLock(layout.indexLock, () => {
    const index = readIndex(layout);
    const holds = readLayerHolds(layout);
    const before = references(index, holds);
    const hadHolds = holds.length > 0;
    const result = options.change(index, holds);
    const live = holds.filter((h) => h.chainIds.length > 0 && options.containerExists(h.container));
    const after = references(index, live);
    for (const image of index.images) image.namesHistory = namesHistory(image);
    writeFileAtomic(layout.index, JSON.stringify(index, null, 2) + "\n");
    if (hadHolds || live.length > 0) {
      writeFileAtomic(
        holdsPath(layout),
        JSON.stringify({ version: 1, holds: live }, null, 2) + "\n",
      );
    }
    for (const digest of before.blobs) {
      if (after.blobs.has(digest)) continue;
      let path = digest;
      try {
        path = blobPath(layout, digest);
        const size = sys.lstat(path)?.size;
        if (size === undefined) continue; // gone already
        sys.remove(path);
        freed.blobs.push(digest);
        freed.bytes += size;
      } catch (err) {
        if ((err as { code?: string }).code !== "ENOENT") {
          freed.warnings.push(`Cannot remove blob '${path}': ${(err as Error).message}`);
        }
      }
    }
    const doomed: [string, string][] = [];
    for (const chain of before.layers) {
      if (after.layers.has(chain)) continue;
      let path = chain;
      const grave = `${layout.incomingLayers}/${chain.slice(7, 19)}.gc.${sys.pid()}.${
        crypto.randomUUID().slice(0, 8)
      }`;
      try {
        path = layerPath(layout, chain);
        sys.rename(path, grave);
        doomed.push([chain, grave]);
      } catch (err) {
        if ((err as { code?: string }).code !== "ENOENT") {
          freed.warnings.push(`Cannot remove layer '${path}': ${(err as Error).message}`);
        }
      }
    }
    return { result, doomed };
  });
  for (const [chain, grave] of doomed) {
    const size = treeSize(grave);
    try {
      await options.removeTree(grave);
      freed.layers.push(chain);
      freed.bytes += size;
    } catch (err) {
      freed.warnings.push(`Cannot remove layer '${grave}': ${(err as Error).message}`);
    }
  }
  return { result, freed };
}
