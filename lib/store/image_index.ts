/**
 * The image index: which names point at which manifest, and each image's
 * config. One JSON file, replaced atomically under a lock, so concurrent pulls
 * both land.
 *
 * @module
 */
import { writeFileAtomic } from "./atomic_write.ts";
import type { StoreLayout } from "./layout.ts";
import { withLock } from "./lock.ts";
import { sys } from "../sys/sys.ts";

/** One image in the index. */
export interface ImageRecord {
  /** Image id: the digest of its config. */
  id: string;
  /** Digest of the manifest it was pulled by. */
  manifestDigest: string;
  /** Media type of that manifest. */
  manifestMediaType: string;
  /** Full references that name it (`docker.io/library/busybox:latest`). */
  names: string[];
  /** Repository digests (`docker.io/library/busybox@sha256:...`). */
  repoDigests: string[];
  /** Chain ids of its layers, bottom first. */
  chainIds: string[];
  /** Digests of its compressed layer blobs, bottom first. */
  layerDigests: string[];
  /** Unpacked size in bytes. */
  size: number;
  /** When the image was pulled, ISO 8601. */
  pulled: string;
  /**
   * Every name it had, the current ones first, then the earlier ones newest first
   * (podman's `NamesHistory`); kept by {@linkcode updateIndex}. Absent in older indexes.
   */
  namesHistory?: string[];
}

/** The index file. */
export interface ImageIndex {
  /** Format version. */
  version: 1;
  /** The images. */
  images: ImageRecord[];
}

/**
 * Reads the index (empty when there is none).
 *
 * @param layout The store.
 * @returns The index.
 *
 * @example
 * ```ts ignore
 * const { images } = readIndex(layout);
 * ```
 */
export function readIndex(layout: StoreLayout): ImageIndex {
  const text = sys.readText(layout.index);
  return text === null ? { version: 1, images: [] } : JSON.parse(text) as ImageIndex;
}

/**
 * An image's names history after a change: its names now, then the earlier
 * ones, each once (podman's rule, so a removed tag stays listed).
 *
 * @param image The image, its names as changed.
 * @returns The history.
 *
 * @example
 * ```ts
 * import { namesHistory } from "./image_index.ts";
 * const h = namesHistory({ names: ["a:1"], namesHistory: ["a:1", "b:1"] });
 * console.assert(h.join() === "a:1,b:1");
 * console.assert(namesHistory({ names: ["c:1"], namesHistory: h }).join() === "c:1,a:1,b:1");
 * ```
 */
export function namesHistory(image: Pick<ImageRecord, "names" | "namesHistory">): string[] {
  return [...new Set([...image.names, ...image.namesHistory ?? []])];
}

/**
 * Changes the index under its lock and writes it atomically; each image's
 * names history takes in its names as they are then.
 *
 * @param layout The store.
 * @param change Edits the index in place; its result is returned.
 * @returns What `change` returned.
 *
 * @example
 * ```ts ignore
 * await updateIndex(layout, (index) => { index.images.push(record); });
 * ```
 */
export function updateIndex<T>(layout: StoreLayout, change: (index: ImageIndex) => T): Promise<T> {
  return withLock(layout.indexLock, () => {
    const index = readIndex(layout);
    const result = change(index);
    for (const image of index.images) image.namesHistory = namesHistory(image);
    writeFileAtomic(layout.index, JSON.stringify(index, null, 2) + "\n");
    return result;
  });
}

/**
 * Adds or updates an image and points `name` at it (taking the name from any
 * other image that had it, as docker does).
 *
 * @param index The index to edit.
 * @param record The image.
 * @param name A full reference, or null for a pull by digest only.
 *
 * @example
 * ```ts ignore
 * putImage(index, record, "docker.io/library/busybox:latest");
 * ```
 */
export function putImage(index: ImageIndex, record: ImageRecord, name: string | null): void {
  if (name) {
    for (const img of index.images) img.names = img.names.filter((n) => n !== name);
  }
  const existing = index.images.find((i) => i.id === record.id);
  if (existing) {
    existing.names = [...new Set([...existing.names, ...(name ? [name] : [])])];
    existing.repoDigests = [...new Set([...existing.repoDigests, ...record.repoDigests])];
    existing.manifestDigest = record.manifestDigest;
    existing.manifestMediaType = record.manifestMediaType;
  } else {
    index.images.push({ ...record, names: name ? [name] : [] });
  }
}
