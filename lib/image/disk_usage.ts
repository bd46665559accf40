/**
 * How much disk the store uses (docker's `system df`): images (their blobs
 * and unpacked layers, each counted once however many images share it) and
 * containers (their directories), with what removing the unused ones would
 * free.
 *
 * @module
 */
import { readLayerHolds } from "../store/collect_garbage.ts";
import { blobPath, layerPath, readIndex, type StoreLayout } from "../store/mod.ts";
import { treeSize } from "../store/tree_size.ts";
import { isContainerRunning, listContainers } from "./list_containers.ts";
import { sys } from "../sys/sys.ts";

/** One row of `system df`. */
export interface UsageRow {
  /** How many there are. */
  total: number;
  /** How many are in use (images: used by a container; containers: running). */
  active: number;
  /** Bytes on disk. */
  size: number;
  /** Bytes that removing the unused ones would free. */
  reclaimable: number;
}

/** The rows of `system df`. */
export interface DiskUsage {
  /** Images. */
  images: UsageRow;
  /** Containers. */
  containers: UsageRow;
  /** Volumes (none yet). */
  volumes: UsageRow;
}

/** Options of {@linkcode diskUsage}. */
export interface DiskUsageOptions {
  /** Whether a container is running (default: its nook process is alive). */
  isRunning?: (id: string) => boolean;
}

/**
 * Measures the store. Sizes are what the user can see: directories of
 * subordinate ids that the user cannot read count as empty.
 *
 * @param layout The store.
 * @param options How to tell running containers.
 * @returns Images, containers and volumes.
 *
 * @example
 * ```ts
 * import { storeLayout } from "../store/mod.ts";
 * import { diskUsage } from "./disk_usage.ts";
 * const dir = Deno.makeTempDirSync();
 * console.assert(diskUsage(storeLayout(dir)).images.total === 0);
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export function diskUsage(layout: StoreLayout, options: DiskUsageOptions = {}): DiskUsage {
  const isRunning = options.isRunning ?? isContainerRunning;
  const { images } = readIndex(layout);
  const containers = listContainers(layout);
  const used = new Set(containers.map((c) => c.image));

  const sizes = new Map<string, number>();
  /** Measures a blob (a file) or a layer (a tree) once; a malformed digest in the index is 0. */
  const measure = (key: string, where: () => string, tree: boolean) => {
    if (sizes.has(key)) return;
    let size = 0;
    try {
      size = tree ? treeSize(where()) : fileSize(where());
    } catch {
      // blobPath()/layerPath() refused the digest
    }
    sizes.set(key, size);
  };
  const all = new Set<string>();
  const kept = new Set<string>();
  for (const image of images) {
    const keys: string[] = [];
    for (const digest of [image.id, image.manifestDigest, ...image.layerDigests]) {
      measure(`blob:${digest}`, () => blobPath(layout, digest), false);
      keys.push(`blob:${digest}`);
    }
    for (const chain of image.chainIds) {
      measure(`layer:${chain}`, () => layerPath(layout, chain), true);
      keys.push(`layer:${chain}`);
    }
    for (const key of keys) {
      all.add(key);
      if (used.has(image.id)) kept.add(key);
    }
  }
  for (const hold of readLayerHolds(layout)) {
    for (const chain of hold.chainIds) {
      measure(`layer:${chain}`, () => layerPath(layout, chain), true);
      all.add(`layer:${chain}`);
      kept.add(`layer:${chain}`);
    }
  }
  const sum = (keys: Set<string>) => [...keys].reduce((n, k) => n + (sizes.get(k) ?? 0), 0);
  const imageSize = sum(all);

  let containerSize = 0;
  let idle = 0;
  let running = 0;
  for (const c of containers) {
    const size = treeSize(c.dir);
    containerSize += size;
    if (isRunning(c.id)) running++;
    else idle += size;
  }
  return {
    images: {
      total: images.length,
      active: images.filter((i) => used.has(i.id)).length,
      size: imageSize,
      reclaimable: imageSize - sum(kept),
    },
    containers: {
      total: containers.length,
      active: running,
      size: containerSize,
      reclaimable: idle,
    },
    volumes: { total: 0, active: 0, size: 0, reclaimable: 0 },
  };
}

function fileSize(path: string): number {
  try {
    return sys.lstat(path)?.size ?? 0;
  } catch {
    return 0;
  }
}
