/**
 * Reads a stored image's manifest: the bytes its digest covers, and the
 * parsed document.
 *
 * @module
 */
import { NookError } from "../errors/mod.ts";
import type { ImageManifest } from "../registry/manifest.ts";
import { blobPath, type ImageRecord, type StoreLayout } from "../store/mod.ts";
import { sys } from "../sys/sys.ts";

/** A stored manifest. */
export interface StoredManifest {
  /** The manifest byte for byte. */
  bytes: Uint8Array;
  /** The parsed manifest. */
  manifest: ImageManifest;
}

/**
 * The manifest of a stored image.
 *
 * @param layout The store.
 * @param image Its record.
 * @returns Bytes and parsed manifest.
 * @throws {NookError} When the manifest blob is missing or is not an image manifest.
 *
 * @example
 * ```ts ignore
 * const { manifest } = readImageManifest(layout, record);
 * console.log(manifest.layers.length);
 * ```
 */
export function readImageManifest(layout: StoreLayout, image: ImageRecord): StoredManifest {
  let bytes: Uint8Array;
  try {
    const read = sys.readBytes(blobPath(layout, image.manifestDigest));
    if (!read) throw new Error("no such file");
    bytes = read;
  } catch (err) {
    throw new NookError(
      `The manifest ${image.manifestDigest} of image ${image.id.slice(7, 19)} is not in the store`,
      { cause: err },
    );
  }
  const manifest = JSON.parse(new TextDecoder().decode(bytes)) as ImageManifest;
  if (!manifest?.config?.digest || !Array.isArray(manifest.layers)) {
    throw new NookError(`The manifest ${image.manifestDigest} is not an image manifest`);
  }
  return { bytes, manifest };
}
