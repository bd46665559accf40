/**
 * Where the store keeps things under the data directory:
 *
 *     blobs/sha256/<hex>      verified manifests, configs, compressed layers
 *     blobs/incoming/         downloads in progress
 *     layers/<chain-hex>/     an unpacked layer: diff/ and layer.json
 *     layers/incoming/        layers being unpacked
 *     images.json             image names -> manifest digest (under images.lock)
 *
 * @module
 */
import { dataDir } from "../paths/mod.ts";
import { validateDigest } from "../reference/mod.ts";
import { sys } from "../sys/sys.ts";

/** The paths of one store. */
export interface StoreLayout {
  /** The data directory. */
  root: string;
  /** Verified blobs. */
  blobs: string;
  /** Partial downloads. */
  incomingBlobs: string;
  /** Unpacked layers. */
  layers: string;
  /** Layers being unpacked. */
  incomingLayers: string;
  /** The image index. */
  index: string;
  /** The lock of the image index. */
  indexLock: string;
}

/**
 * The layout under `root` (default: nook's data directory), created on first use.
 *
 * @param root The data directory.
 * @returns The paths.
 *
 * @example
 * ```ts
 * import { storeLayout } from "./layout.ts";
 * const dir = Deno.makeTempDirSync();
 * console.assert(storeLayout(dir).blobs === `${dir}/blobs/sha256`);
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export function storeLayout(root: string = dataDir()): StoreLayout {
  const layout = {
    root,
    blobs: `${root}/blobs/sha256`,
    incomingBlobs: `${root}/blobs/incoming`,
    layers: `${root}/layers`,
    incomingLayers: `${root}/layers/incoming`,
    index: `${root}/images.json`,
    indexLock: `${root}/images.lock`,
  };
  for (const dir of [layout.blobs, layout.incomingBlobs, layout.incomingLayers]) {
    sys.mkdirp(dir, 0o700);
  }
  return layout;
}

/**
 * The file of a blob; the digest is checked before it becomes a file name.
 *
 * @param layout The store.
 * @param digest `sha256:<64 hex>`.
 * @returns The path.
 * @throws {UsageError} On a malformed digest.
 *
 * @example
 * ```ts ignore
 * blobPath(layout, "sha256:" + "a".repeat(64));
 * ```
 */
export function blobPath(layout: StoreLayout, digest: string): string {
  validateDigest(digest);
  return `${layout.blobs}/${digest.slice(7)}`;
}

/**
 * The directory of an unpacked layer, by chain id.
 *
 * @param layout The store.
 * @param chainId `sha256:<64 hex>`.
 * @returns The path.
 *
 * @example
 * ```ts ignore
 * layerPath(layout, chainId);
 * ```
 */
export function layerPath(layout: StoreLayout, chainId: string): string {
  validateDigest(chainId);
  return `${layout.layers}/${chainId.slice(7)}`;
}
