/**
 * One layer into the store: its blob (verified as it streams in) and its
 * unpacked directory `layers/<chain-hex>/{diff,layer.json}`, unpacked as
 * root in the user namespace by {@linkcode startUnpack} (which checks the
 * diff id). Unpacking happens in `layers/incoming/` and is committed by a
 * rename, so a failed layer leaves nothing behind. Pull, load and import all
 * store layers through here.
 *
 * @module
 */
import { NookError } from "../errors/mod.ts";
import { removeTree, spreadLayers, startUnpack } from "../layers/mod.ts";
import { ingestBlob } from "../store/ingest_blob.ts";
import { blobPath, layerPath, type StoreLayout, writeFileAtomic } from "../store/mod.ts";
import { compressionOf } from "../unpack/compression.ts";
import { sys } from "../sys/sys.ts";

/** A layer: its blob's descriptor and its ids. */
export interface LayerDescriptor {
  /** Digest of the blob (compressed or not). */
  digest: string;
  /** Media type of the blob. */
  mediaType: string;
  /** Size of the blob in bytes. */
  size: number;
  /** sha256 of the uncompressed tar, from the image config. */
  diffId: string;
  /** Chain id of the layer stack up to this layer. */
  chainId: string;
}

/** Where a layer's unpacking stands. */
export type LayerState = "exists" | "downloading" | "done";

/** Options of {@linkcode stageLayer}. */
export interface StageLayerOptions {
  /** Warnings of the unpacker (e.g. owners squashed under the single mapping). */
  onWarning?: (message: string) => void;
}

/** Options of {@linkcode storeLayer}. */
export interface StoreLayerOptions extends StageLayerOptions {
  /**
   * Opens the blob's bytes when the store does not hold the blob: they are
   * verified into the store while they unpack.
   */
  fetch?: () => Promise<ReadableStream<Uint8Array>>;
  /**
   * Bring the blob into the store (with `fetch`) even when the layer is
   * unpacked already, so that the image can be pushed or saved (default false).
   */
  keepBlob?: boolean;
  /** Skip the fsync of a fetched blob (see `IngestOptions.noSync`). */
  noSync?: boolean;
  /** Progress: the state and the bytes received so far. */
  onProgress?: (state: LayerState, received: number) => void;
}

/** A layer unpacked in `layers/incoming/`, waiting to be committed or discarded. */
export interface StagedLayer {
  /** The layer. */
  layer: LayerDescriptor;
  /** Renames it to `layers/<chain-hex>` (keeping another process's copy when one landed first). */
  commit(): Promise<void>;
  /** Removes it. */
  discard(): Promise<void>;
}

function exists(path: string): boolean {
  return sys.stat(path) !== null;
}

/**
 * Whether a layer is unpacked in the store.
 *
 * @param layout The store.
 * @param chainId Its chain id.
 * @returns True when `layers/<chain-hex>/diff` exists.
 *
 * @example
 * ```ts ignore
 * if (!layerExists(layout, chainId)) await storeLayer(layout, layer, { fetch });
 * ```
 */
export function layerExists(layout: StoreLayout, chainId: string): boolean {
  return exists(`${layerPath(layout, chainId)}/diff`);
}

/**
 * Unpacks a layer into `layers/incoming/`: `feed` sends the blob's bytes
 * (compressed as its media type says) to the unpacker, which checks the diff
 * id when they end.
 *
 * @param layout The store.
 * @param layer The layer.
 * @param feed Writes the blob's bytes with the function it is given.
 * @param options Warnings.
 * @returns The staged layer; commit or discard it.
 * @throws {NookError} When the media type is not a layer's, the bytes are not
 *   a valid layer, or the diff id differs; nothing is left behind.
 *
 * @example
 * ```ts ignore
 * const staged = await stageLayer(layout, layer, async (write) => {
 *   for await (const chunk of (await Deno.open(path)).readable) await write(chunk);
 * });
 * await staged.commit();
 * ```
 */
export async function stageLayer(
  layout: StoreLayout,
  layer: LayerDescriptor,
  feed: (write: (chunk: Uint8Array) => Promise<void>) => Promise<void>,
  options: StageLayerOptions = {},
): Promise<StagedLayer> {
  let compression: string;
  try {
    compression = compressionOf(layer.mediaType);
  } catch {
    throw new NookError(`Unsupported layer media type '${layer.mediaType}'`);
  }
  const staging = `${layout.incomingLayers}/${layer.chainId.slice(7, 19)}.${sys.pid()}.${
    crypto.randomUUID().slice(0, 8)
  }`;
  spreadLayers(layout.incomingLayers);
  sys.mkdirp(`${staging}/diff`, 0o755);
  let unpacker;
  try {
    unpacker = await startUnpack(`${staging}/diff`, {
      compression,
      diffId: layer.diffId,
      onWarning: options.onWarning,
    });
  } catch (err) {
    await removeTree(staging).catch(() => {});
    throw err;
  }
  try {
    await feed((chunk) => unpacker.write(chunk));
    await unpacker.finish();
    writeFileAtomic(
      `${staging}/layer.json`,
      JSON.stringify({
        chainId: layer.chainId,
        diffId: layer.diffId,
        digest: layer.digest,
        mediaType: layer.mediaType,
        size: layer.size,
      }) + "\n",
    );
  } catch (err) {
    await unpacker.abort();
    await removeTree(staging).catch(() => {});
    throw err;
  }
  return {
    layer,
    async commit() {
      try {
        sys.rename(staging, layerPath(layout, layer.chainId));
      } catch {
        // another process committed the same layer first: keep theirs
        await removeTree(staging);
      }
    },
    discard: () => removeTree(staging),
  };
}

/**
 * Stores a layer: nothing when it is unpacked already (unless `keepBlob` and
 * the blob is missing); else its blob (from the store, or from `fetch`,
 * verified into the store on the way) is unpacked and committed.
 *
 * @param layout The store.
 * @param layer The layer.
 * @param options Where the bytes come from, progress, warnings.
 * @returns "exists" when the layer was there, "done" when it was stored.
 * @throws {NookError} When the blob is needed but neither stored nor
 *   fetchable, its bytes do not match its digest, or the unpack fails.
 *
 * @example
 * ```ts ignore
 * await storeLayer(layout, layer, { fetch: async () => (await client.getLayer(ref, desc)).body });
 * ```
 */
export async function storeLayer(
  layout: StoreLayout,
  layer: LayerDescriptor,
  options: StoreLayerOptions = {},
): Promise<"exists" | "done"> {
  const blob = blobPath(layout, layer.digest);
  const report = options.onProgress ?? (() => {});
  const ingest = async (tee?: (chunk: Uint8Array) => Promise<void>) => {
    if (!options.fetch) {
      throw new NookError(`Cannot store layer ${layer.digest}: its blob is not in the store`);
    }
    await ingestBlob(layout, layer.digest, await options.fetch(), {
      size: layer.size,
      tee,
      noSync: options.noSync,
      onProgress: (n) => report("downloading", n),
    });
  };
  if (layerExists(layout, layer.chainId)) {
    if (options.keepBlob && !exists(blob)) await ingest();
    report("exists", layer.size);
    return "exists";
  }
  report("downloading", 0);
  const staged = await stageLayer(layout, layer, async (write) => {
    const stored = sys.readStream(blob); // null: not in the store yet
    if (stored) {
      for await (const chunk of stored) await write(chunk);
    } else {
      await ingest(write);
    }
  }, options);
  await staged.commit();
  report("done", layer.size);
  return "done";
}
