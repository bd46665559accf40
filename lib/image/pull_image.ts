/**
 * Pulling an image: reference -> registry (manifest, platform) -> blobs
 * (verified into the store) -> layers (unpacked as root in the user namespace
 * while they download) -> the image index. Layers download in parallel
 * (bounded); a layer already unpacked is not fetched again; an interrupted
 * pull leaves only incoming files, which the next pull replaces.
 *
 * @module
 */
import { imageEvent } from "./image_event.ts";
import { NookError } from "../errors/mod.ts";
import {
  formatReference,
  parseReference,
  type Reference,
  validateDigest,
} from "../reference/mod.ts";
import { type ImageManifest, RegistryClient, type RegistryClientOptions } from "../registry/mod.ts";
import { ingestBlob } from "../store/ingest_blob.ts";
import {
  blobPath,
  type ImageRecord,
  layerPath,
  putImage,
  type StoreLayout,
  storeLayout,
  updateIndex,
  writeFileAtomic,
} from "../store/mod.ts";
import { chainIds, type ImageConfig } from "./image_config.ts";
import { storeLayer } from "./store_layer.ts";
import { sys } from "../sys/sys.ts";

/** What a pull reports as it goes. */
export type PullEvent =
  | { kind: "resolved"; reference: string; digest: string; layers: number }
  | {
    kind: "layer";
    digest: string;
    state: "exists" | "downloading" | "done";
    received: number;
    total: number;
  }
  | { kind: "done"; id: string };

/** Options of {@linkcode pullImage}. */
export interface PullOptions {
  /** `os/arch[/variant]` (default: this machine's). */
  platform?: string;
  /** Registry client settings (TLS, cert dir, credentials). */
  registry?: RegistryClientOptions;
  /** Progress events. */
  onProgress?: (event: PullEvent) => void;
  /** Warnings (e.g. owners squashed under the single mapping). */
  onWarning?: (message: string) => void;
  /** At most this many layers at once (default 3). */
  parallel?: number;
  /** The store (default: nook's data directory). */
  layout?: StoreLayout;
  /**
   * Aborts the pull: the downloads stop, the promise rejects with the
   * signal's reason, and the image is not named (layers already complete
   * stay in the store, to be reused; nothing partial is kept).
   */
  signal?: AbortSignal;
}

type Descriptor = ImageManifest["layers"][number];

async function readBlob(
  layout: StoreLayout,
  client: RegistryClient,
  ref: Reference,
  desc: Descriptor,
  signal?: AbortSignal,
): Promise<Uint8Array> {
  const path = blobPath(layout, desc.digest);
  const stored = sys.readBytes(path);
  if (stored) return stored;
  const { body } = await client.getBlob(ref, desc.digest, { signal });
  await ingestBlob(layout, desc.digest, body, { size: desc.size });
  const bytes = sys.readBytes(path);
  if (!bytes) {
    throw new NookError(`Blob '${desc.digest}' is gone from the store right after its download`);
  }
  return bytes;
}

async function fetchLayer(
  layout: StoreLayout,
  client: RegistryClient,
  ref: Reference,
  desc: Descriptor,
  diffId: string,
  chainId: string,
  options: PullOptions,
): Promise<void> {
  await storeLayer(layout, { ...desc, diffId, chainId }, {
    fetch: async () => (await client.getLayer(ref, desc, { signal: options.signal })).body,
    noSync: true, // the unpacked layer is what runs; a blob lost to a crash is fetched again
    onProgress: (state, received) =>
      options.onProgress?.({
        kind: "layer",
        digest: desc.digest,
        state,
        received,
        total: desc.size,
      }),
    onWarning: options.onWarning,
  });
}

/** Runs `fn` over `items` with at most `limit` at a time. */
async function bounded<T>(
  items: T[],
  limit: number,
  fn: (item: T, i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * Pulls an image into the store.
 *
 * @param reference A docker reference (`busybox`, `host:5000/repo:tag`, `repo@sha256:...`).
 * @param options Platform, registry settings, progress.
 * @returns The image's record in the index.
 * @throws {NookError} When the registry, a digest or an unpack fails; nothing half-done is committed.
 * @throws The signal's reason (an `AbortError` `DOMException` by default) when `signal` aborts.
 *
 * @example
 * ```ts ignore
 * const image = await pullImage("127.0.0.1:5000/busybox:latest");
 * console.log(image.id);
 * ```
 */
export async function pullImage(
  reference: string,
  options: PullOptions = {},
): Promise<ImageRecord> {
  const ref = parseReference(reference);
  const layout = options.layout ?? storeLayout();
  const client = new RegistryClient(options.registry ?? {});
  const { signal } = options;
  signal?.throwIfAborted();
  const got = await client.getManifest(ref, { platform: options.platform, signal });
  const manifest = got.manifest;
  validateDigest(got.digest);
  const config = JSON.parse(
    new TextDecoder().decode(await readBlob(layout, client, ref, manifest.config, signal)),
  ) as ImageConfig;
  const diffIds = config.rootfs?.diff_ids ?? [];
  if (diffIds.length !== manifest.layers.length) {
    throw new NookError(
      `Image '${reference}' is inconsistent: ${manifest.layers.length} layers but ${diffIds.length} diff ids`,
    );
  }
  diffIds.forEach(validateDigest);
  const chains = await chainIds(diffIds);
  options.onProgress?.({
    kind: "resolved",
    reference: formatReference(ref),
    digest: got.digest,
    layers: chains.length,
  });
  await bounded(
    manifest.layers,
    options.parallel ?? 3,
    (desc, i) => fetchLayer(layout, client, ref, desc, diffIds[i], chains[i], options),
  );
  signal?.throwIfAborted();
  writeFileAtomic(blobPath(layout, got.digest), got.bytes);
  const repo = `${ref.registry}/${ref.repository}`;
  const record: ImageRecord = {
    id: manifest.config.digest,
    manifestDigest: got.digest,
    manifestMediaType: got.mediaType,
    names: [],
    repoDigests: [`${repo}@${got.index?.digest ?? got.digest}`],
    chainIds: chains,
    layerDigests: manifest.layers.map((l) => l.digest),
    size: manifest.layers.reduce((n, l) => n + l.size, 0),
    pulled: new Date().toISOString(),
  };
  const name = ref.tag ? `${repo}:${ref.tag}` : null;
  await updateIndex(layout, (index) => {
    // An rmi or prune running meanwhile may have freed what this pull found "already there".
    for (
      const path of [
        blobPath(layout, record.id),
        ...chains.map((c) => `${layerPath(layout, c)}/diff`),
      ]
    ) {
      if (sys.stat(path) === null) {
        throw new NookError(
          `Pull of '${reference}' raced with an image removal ('${path}' is gone); pull again`,
        );
      }
    }
    putImage(index, record, name);
  });
  options.onProgress?.({ kind: "done", id: record.id });
  await imageEvent(layout, "pull", formatReference(ref));
  return { ...record, names: name ? [name] : [] };
}
