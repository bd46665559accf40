/**
 * Loading images from an archive: a docker-archive (`docker save` output:
 * `manifest.json`, configs, layer tars), an oci-archive (an OCI image layout
 * in a tar) or an OCI layout directory. The steps:
 *
 * 1. stage: every file is copied into `blobs/incoming/` and hashed;
 * 2. verify: manifests, configs and layers are checked against their
 *    digests, sizes and the configs' diff ids, before anything is stored;
 * 3. unpack: each new layer is unpacked in `layers/incoming/` as root in the
 *    user namespace (the unpacker checks compressed layers' diff ids);
 * 4. commit: blobs are renamed into `blobs/sha256/`, layers into `layers/`,
 *    and the images registered with their names.
 *
 * A failure in 1-3 commits nothing. A docker-archive has no registry
 * manifest: nook writes a Docker schema 2 manifest for it, whose layers are
 * the archive's layer tars as they are (uncompressed ones become blobs of
 * type `application/vnd.docker.image.rootfs.diff.tar`).
 *
 * @module
 */
import { imageEvent } from "./image_event.ts";
import { NookError } from "../errors/mod.ts";
import { sys } from "../sys/mod.ts";
import { parseReference, validateDigest } from "../reference/mod.ts";
import {
  DOCKER_CONFIG,
  DOCKER_LAYER,
  DOCKER_MANIFEST,
  hostPlatform,
  type ImageManifest,
  isIndexMediaType,
  selectPlatform,
} from "../registry/mod.ts";
import type { Descriptor, ImageIndex } from "../registry/manifest.ts";
import { DigestMismatchError } from "../store/ingest_blob.ts";
import {
  blobPath,
  type ImageRecord,
  putImage,
  readIndex,
  type StoreLayout,
  storeLayout,
  updateIndex,
  writeFileAtomic,
} from "../store/mod.ts";
import { ArchiveFiles, type StagedFile } from "./_archive_files.ts";
import { checkStored } from "./_check_stored.ts";
import { CONTAINERD_NAME, DOCKER_LAYER_TAR, DOCKER_LAYER_ZSTD, REF_NAME } from "./archive_media.ts";
import { chainIds, type ImageConfig } from "./image_config.ts";
import { type LayerDescriptor, layerExists, type StagedLayer, stageLayer } from "./store_layer.ts";
import { compressionOfBytes, sniffCompression } from "./stream_compression.ts";
import { decompress } from "../unpack/decompress.ts";
import { iterableStream } from "../unpack/iterable_stream.ts";
import { TarFormatError } from "../unpack/tar_format_error.ts";

/** Options of {@linkcode loadArchive}. */
export interface LoadOptions {
  /** The store (default: nook's data directory). */
  layout?: StoreLayout;
  /** Progress messages ("Loading layer ..."). */
  onProgress?: (message: string) => void;
  /** Warnings of the unpacker. */
  onWarning?: (message: string) => void;
  /** Layers unpacked at once (default 3). */
  parallel?: number;
}

/** An image that was loaded. */
export interface LoadedImage {
  /** Its id (config digest). */
  id: string;
  /** The names it got (`registry/repository:tag`), maybe none. */
  names: string[];
}

interface PlannedLayer extends LayerDescriptor {
  file: StagedFile;
}

interface PlannedImage {
  names: string[];
  config: StagedFile;
  manifest: { bytes: Uint8Array; digest: string; mediaType: string };
  layers: PlannedLayer[];
}

function fail(message: string): never {
  throw new NookError(`Cannot load: ${message}`);
}

function hexOf(file: StagedFile): string {
  return file.digest.slice(7);
}

async function sha256(bytes: Uint8Array): Promise<string> {
  const sum = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
  return "sha256:" + Array.from(sum, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A full name (`registry/repository:tag`) from what an archive says, or null. */
function fullName(text: string): string {
  const ref = parseReference(text);
  if (!ref.tag || ref.digest) fail(`'${text}' is not a name with a tag`);
  return `${ref.registry}/${ref.repository}:${ref.tag}`;
}

/** Checks that a file stored under a digest name (`blobs/sha256/<hex>`) has that digest. */
function checkNamedBlob(file: StagedFile): void {
  const m = /(?:^|\/)blobs\/sha256\/([0-9a-f]{64})$/.exec(file.name) ??
    /^([0-9a-f]{64})\.json$/.exec(file.name);
  if (m && m[1] !== hexOf(file)) {
    throw new DigestMismatchError(
      `Blob digest mismatch: '${file.name}' in the archive has digest ${file.digest}`,
    );
  }
}

function readConfig(file: StagedFile, image: string): ImageConfig {
  const config = ArchiveFiles.readJson(file).value as ImageConfig;
  if (typeof config !== "object" || config === null || !Array.isArray(config.rootfs?.diff_ids)) {
    fail(`the config of ${image} has no rootfs.diff_ids`);
  }
  config.rootfs.diff_ids.forEach(validateDigest);
  return config;
}

/** The images of a docker-archive, from its `manifest.json`. */
async function planDocker(files: ArchiveFiles): Promise<PlannedImage[]> {
  const { value } = ArchiveFiles.readJson((await files.get("manifest.json"))!);
  if (!Array.isArray(value)) fail("manifest.json is not a list of images");
  const plans: PlannedImage[] = [];
  for (const entry of value as Record<string, unknown>[]) {
    if (typeof entry?.Config !== "string" || !Array.isArray(entry.Layers)) {
      fail("an entry of manifest.json has no Config or Layers");
    }
    const tags = Array.isArray(entry.RepoTags) ? entry.RepoTags as string[] : [];
    const label = tags[0] ? `'${tags[0]}'` : `'${entry.Config}'`;
    const configFile = await files.get(entry.Config);
    if (!configFile) fail(`'${entry.Config}' named in manifest.json is not in the archive`);
    checkNamedBlob(configFile);
    const diffIds = readConfig(configFile, label).rootfs.diff_ids;
    const layerNames = entry.Layers as string[];
    if (diffIds.length !== layerNames.length) {
      fail(`image ${label} has ${layerNames.length} layers but its config lists ${diffIds.length}`);
    }
    const chains = await chainIds(diffIds);
    const layers: PlannedLayer[] = [];
    for (const [i, name] of layerNames.entries()) {
      const file = await files.get(name);
      if (!file) fail(`layer '${name}' of image ${label} is not in the archive`);
      checkNamedBlob(file);
      const compression = compressionOfBytes(await ArchiveFiles.head(file, 6));
      if (compression === "none" && file.digest !== diffIds[i]) {
        throw new DigestMismatchError(
          `Cannot load image ${label}: layer '${name}' does not match the image config ` +
            `(its diff id is ${file.digest}, the config says ${diffIds[i]})`,
        );
      }
      const mediaType = compression === "none"
        ? DOCKER_LAYER_TAR
        : compression === "gzip"
        ? DOCKER_LAYER
        : DOCKER_LAYER_ZSTD;
      layers.push({
        file,
        digest: file.digest,
        size: file.size,
        mediaType,
        diffId: diffIds[i],
        chainId: chains[i],
      });
    }
    const manifest = {
      schemaVersion: 2,
      mediaType: DOCKER_MANIFEST,
      config: { mediaType: DOCKER_CONFIG, size: configFile.size, digest: configFile.digest },
      layers: layers.map((l) => ({ mediaType: l.mediaType, size: l.size, digest: l.digest })),
    };
    const bytes = new TextEncoder().encode(JSON.stringify(manifest, null, 3));
    plans.push({
      names: tags.map(fullName),
      config: configFile,
      manifest: { bytes, digest: await sha256(bytes), mediaType: DOCKER_MANIFEST },
      layers,
    });
  }
  return plans;
}

/** The staged blob a descriptor points at, checked against its digest and size. */
async function blobOf(files: ArchiveFiles, desc: Descriptor, what: string): Promise<StagedFile> {
  if (typeof desc?.digest !== "string" || typeof desc.size !== "number") {
    fail(`${what} has no digest or size`);
  }
  validateDigest(desc.digest);
  const file = await files.get(`blobs/sha256/${desc.digest.slice(7)}`);
  if (!file) fail(`${what} ${desc.digest} is not in the archive`);
  if (file.digest !== desc.digest) {
    throw new DigestMismatchError(
      `Blob digest mismatch: expected ${desc.digest}, got ${file.digest} (${what})`,
    );
  }
  if (file.size !== desc.size) {
    throw new DigestMismatchError(
      `Blob ${desc.digest} has ${file.size} bytes, expected ${desc.size} (${what})`,
    );
  }
  return file;
}

/** The name an OCI index entry gives its image, or null. */
function ociName(desc: Descriptor): string | null {
  const full = desc.annotations?.[CONTAINERD_NAME];
  if (full) return fullName(full);
  const ref = desc.annotations?.[REF_NAME];
  // A bare tag ("latest", as umoci and docker write it) names no repository.
  if (!ref || !/[/:]/.test(ref)) return null;
  try {
    return fullName(ref);
  } catch {
    return null;
  }
}

/** The images of an OCI layout, from its `index.json`. */
async function planOci(files: ArchiveFiles): Promise<PlannedImage[]> {
  const index = ArchiveFiles.readJson((await files.get("index.json"))!).value as ImageIndex;
  if (!Array.isArray(index?.manifests)) fail("index.json has no manifests");
  const byDigest = new Map<string, PlannedImage>();
  for (const top of index.manifests) {
    let desc = top;
    let file = await blobOf(files, desc, "a manifest of index.json");
    let read = ArchiveFiles.readJson(file);
    let doc = read.value as ImageManifest & ImageIndex;
    for (let depth = 0; isIndexMediaType(doc.mediaType ?? desc.mediaType); depth++) {
      if (depth > 4 || !Array.isArray(doc.manifests)) fail(`index ${desc.digest} is malformed`);
      const entry = selectPlatform(doc.manifests, hostPlatform());
      if (!entry) fail(`index ${desc.digest} has no image for this machine's platform`);
      desc = entry;
      file = await blobOf(files, desc, "a manifest");
      read = ArchiveFiles.readJson(file);
      doc = read.value as ImageManifest & ImageIndex;
    }
    const name = ociName(top);
    const seen = byDigest.get(desc.digest);
    if (seen) {
      if (name && !seen.names.includes(name)) seen.names.push(name);
      continue;
    }
    if (!doc.config || !Array.isArray(doc.layers)) fail(`${desc.digest} is not an image manifest`);
    const config = await blobOf(files, doc.config, "config");
    const diffIds = readConfig(config, desc.digest).rootfs.diff_ids;
    if (diffIds.length !== doc.layers.length) {
      fail(
        `image ${desc.digest} has ${doc.layers.length} layers but its config lists ${diffIds.length}`,
      );
    }
    const chains = await chainIds(diffIds);
    const layers: PlannedLayer[] = [];
    for (const [i, layer] of doc.layers.entries()) {
      layers.push({
        file: await blobOf(files, layer, "layer"),
        digest: layer.digest,
        size: layer.size,
        mediaType: layer.mediaType,
        diffId: diffIds[i],
        chainId: chains[i],
      });
    }
    byDigest.set(desc.digest, {
      names: name ? [name] : [],
      config,
      manifest: {
        bytes: read.bytes,
        digest: desc.digest,
        mediaType: doc.mediaType ?? desc.mediaType,
      },
      layers,
    });
  }
  return [...byDigest.values()];
}

/** Runs `fn` over `items`, at most `limit` at once; the first failure wins. */
async function bounded<T>(items: T[], limit: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (next < items.length && !failed) {
      const item = items[next++];
      try {
        await fn(item);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  const results = await Promise.allSettled(
    Array.from({ length: Math.min(limit, items.length) }, worker),
  );
  const rejected = results.find((r) => r.status === "rejected");
  if (rejected) throw (rejected as PromiseRejectedResult).reason;
}

function commitBlob(layout: StoreLayout, file: StagedFile): void {
  const final = blobPath(layout, file.digest);
  if (sys.stat(final) !== null) return; // the store has it already
  try {
    sys.syncFile(file.path); // a blob under its digest's name must hold all of it
    sys.rename(file.path, final);
  } catch (err) {
    // Renamed already for another image of this archive.
    if ((err as { code?: string }).code !== "ENOENT") throw err;
  }
}

/**
 * Loads the images of an archive into the store.
 *
 * @param source A tar stream (docker-archive or oci-archive, maybe gzip'ed)
 *   or the path of a directory (an OCI layout or an unpacked docker-archive).
 * @param options Store, progress, warnings.
 * @returns The loaded images, in archive order.
 * @throws {NookError} When the archive is malformed or a file is missing.
 * @throws {DigestMismatchError} When a blob or layer does not match its digest or diff id.
 *
 * @example
 * ```ts ignore
 * const file = await Deno.open("busybox.tar");
 * for (const image of await loadArchive(file.readable)) console.log(image.names);
 * ```
 */
export async function loadArchive(
  source: ReadableStream<Uint8Array> | string,
  options: LoadOptions = {},
): Promise<LoadedImage[]> {
  const layout = options.layout ?? storeLayout();
  const staging = `${layout.incomingBlobs}/load-${sys.pid()}-${crypto.randomUUID().slice(0, 8)}`;
  if (!sys.mkdir(staging, 0o700)) {
    throw new NookError(`Cannot load: the staging directory '${staging}' exists; load again`);
  }
  const progress = options.onProgress ?? (() => {});
  try {
    let files: ArchiveFiles;
    if (typeof source === "string") {
      files = ArchiveFiles.fromDirectory(source, staging);
    } else {
      const sniffed = await sniffCompression(source);
      const tar = sniffed.compression === "none"
        ? sniffed.stream
        : iterableStream(decompress(sniffed.stream, sniffed.compression));
      try {
        files = await ArchiveFiles.fromTar(tar, staging);
      } catch (err) {
        if (!(err instanceof TarFormatError)) throw err;
        fail(`the input is not a valid tar archive (${err.reason})`);
      }
    }
    let plans: PlannedImage[];
    if (await files.has("manifest.json")) plans = await planDocker(files);
    else if (await files.has("index.json")) plans = await planOci(files);
    else {
      fail(
        "the archive has neither manifest.json (docker-archive) nor index.json (OCI layout)",
      );
    }
    if (plans.length === 0) fail("the archive holds no image");

    // An image the store has already only gets the names.
    const known = new Set(readIndex(layout).images.map((i) => i.id));
    const fresh = plans.filter((p) => !known.has(p.config.digest));
    const todo = new Map<string, PlannedLayer>();
    for (const plan of fresh) {
      for (const layer of plan.layers) {
        if (!todo.has(layer.chainId) && !layerExists(layout, layer.chainId)) {
          todo.set(layer.chainId, layer);
        }
      }
    }
    const staged: StagedLayer[] = [];
    try {
      await bounded([...todo.values()], options.parallel ?? 3, async (layer) => {
        progress(`Loading layer ${layer.digest.slice(7, 19)} (${layer.size} bytes)`);
        staged.push(
          await stageLayer(layout, layer, async (write) => {
            const stream = sys.readStream(layer.file.path);
            if (!stream) throw new NookError(`Cannot load: '${layer.file.path}' is gone`);
            for await (const chunk of stream) await write(chunk);
          }, { onWarning: options.onWarning }),
        );
      });
    } catch (err) {
      for (const s of staged) await s.discard().catch(() => {});
      throw err;
    }

    for (const plan of fresh) {
      commitBlob(layout, plan.config);
      for (const layer of plan.layers) commitBlob(layout, layer.file);
      writeFileAtomic(blobPath(layout, plan.manifest.digest), plan.manifest.bytes);
    }
    for (const s of staged) await s.commit();
    const pulled = new Date().toISOString();
    await updateIndex(layout, (index) => {
      for (const plan of plans) {
        const record: ImageRecord = index.images.find((i) => i.id === plan.config.digest) ?? {
          id: plan.config.digest,
          manifestDigest: plan.manifest.digest,
          manifestMediaType: plan.manifest.mediaType,
          names: [],
          repoDigests: [],
          chainIds: plan.layers.map((l) => l.chainId),
          layerDigests: plan.layers.map((l) => l.digest),
          size: plan.layers.reduce((n, l) => n + l.size, 0),
          pulled,
        };
        checkStored(layout, record.id, record.chainIds, "The load");
        if (plan.names.length === 0) putImage(index, record, null);
        for (const name of plan.names) putImage(index, record, name);
      }
    });
    for (const p of plans) {
      for (const name of p.names.length ? p.names : [p.config.digest]) {
        await imageEvent(layout, "load", p.config.digest, name);
      }
    }
    return plans.map((p) => ({ id: p.config.digest, names: p.names }));
  } finally {
    try {
      sys.remove(staging);
    } catch {
      // best effort: an incoming file is swept later
    }
  }
}
