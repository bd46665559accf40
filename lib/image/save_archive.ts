/**
 * Saving images to an archive:
 *
 * - docker-archive, what `docker save` wrote before docker 25 and what
 *   `docker load`, podman and skopeo read: `<diff-id-hex>.tar` (each layer
 *   uncompressed, so its sha256 is its diff id), `<config-hex>.json`,
 *   `manifest.json` (`Config`, `RepoTags`, `Layers`) and `repositories`;
 * - oci-archive: an OCI image layout in a tar: `oci-layout`, `index.json`
 *   (each name as `org.opencontainers.image.ref.name` and
 *   `io.containerd.image.name`) and `blobs/sha256/<hex>`. Docker schema 2
 *   manifests are rewritten with OCI media types (same config and layers).
 *
 * Everything is checked (images found, blobs present) before the first byte
 * is produced, so a failing save writes nothing.
 *
 * @module
 */
import { imageEvent } from "./image_event.ts";
import { createHash } from "node:crypto";
import { NookError, UsageError } from "../errors/mod.ts";
import { familiarName, parseReference } from "../reference/mod.ts";
import {
  DOCKER_MANIFEST,
  type ImageManifest,
  OCI_CONFIG,
  OCI_INDEX,
  OCI_LAYER,
  OCI_LAYER_GZIP,
  OCI_LAYER_ZSTD,
  OCI_MANIFEST,
} from "../registry/mod.ts";
import { blobPath, type StoreLayout, storeLayout } from "../store/mod.ts";
import { sys } from "../sys/mod.ts";
import { compressionOf } from "../unpack/compression.ts";
import type { ImageConfig } from "./image_config.ts";
import { CONTAINERD_NAME, REF_NAME } from "./archive_media.ts";
import { readImageManifest } from "./read_image_manifest.ts";
import { resolveImages } from "./resolve_images.ts";
import { decompress } from "../unpack/decompress.ts";
import { type TarWriteEntry, writeTar } from "./tar_writer.ts";

/** The archive formats. */
export type ArchiveFormat = "docker-archive" | "oci-archive";

/** Options of {@linkcode saveArchive}. */
export interface SaveOptions {
  /** The format (default docker-archive). */
  format?: ArchiveFormat;
  /** The store (default: nook's data directory). */
  layout?: StoreLayout;
}

interface SavedImage {
  id: string;
  names: string[];
  manifest: ImageManifest;
  manifestBytes: Uint8Array;
  config: ImageConfig;
}

const enc = new TextEncoder();

function json(value: unknown): Uint8Array {
  return enc.encode(JSON.stringify(value));
}

/** A file of the store as a stream; the save checked that it is there. */
function storeFile(path: string): ReadableStream<Uint8Array> {
  const stream = sys.readStream(path);
  if (!stream) {
    throw new NookError(`Cannot save: '${path}' left the store during the save; save again`);
  }
  return stream;
}

async function* fileData(path: string): AsyncGenerator<Uint8Array> {
  yield* storeFile(path);
}

function fileEntry(name: string, path: string, size: number): TarWriteEntry {
  return { name, type: "file", mode: 0o644, size, data: fileData(path) };
}

function blobEntry(layout: StoreLayout, digest: string, size: number): TarWriteEntry {
  return fileEntry(`blobs/sha256/${digest.slice(7)}`, blobPath(layout, digest), size);
}

/** A layer's tar, uncompressed into a temp file and checked against its diff id. */
async function uncompressedLayer(
  layout: StoreLayout,
  desc: { digest: string; mediaType: string },
  diffId: string,
): Promise<{ path: string; size: number }> {
  const path = `${layout.incomingBlobs}/save-${sys.pid()}-${crypto.randomUUID().slice(0, 8)}`;
  const out = sys.writeStream(path, { createNew: true, mode: 0o600 }).getWriter();
  const hash = createHash("sha256");
  let size = 0;
  try {
    const blob = storeFile(blobPath(layout, desc.digest));
    const compression = compressionOf(desc.mediaType);
    for await (const chunk of decompress(blob, compression)) {
      hash.update(chunk);
      size += chunk.length;
      await out.write(chunk);
    }
    await out.close();
  } catch (err) {
    await out.abort(err).catch(() => {});
    removeQuietly(path);
    throw err;
  }
  const got = `sha256:${hash.digest("hex")}`;
  if (got !== diffId) {
    removeQuietly(path);
    throw new NookError(
      `Layer ${desc.digest} is corrupt in the store: its diff id is ${got}, the config says ${diffId}`,
    );
  }
  return { path, size };
}

/** Removes a temp file; a failure only leaves it for the sweep of `blobs/incoming`. */
function removeQuietly(path: string): void {
  try {
    sys.remove(path);
  } catch {
    // best effort
  }
}

async function* dockerEntries(
  layout: StoreLayout,
  images: SavedImage[],
): AsyncGenerator<TarWriteEntry> {
  const written = new Set<string>();
  const manifest = [];
  const repositories: Record<string, Record<string, string>> = {};
  for (const image of images) {
    const diffIds = image.config.rootfs.diff_ids;
    const layers: string[] = [];
    for (const [i, desc] of image.manifest.layers.entries()) {
      const name = `${diffIds[i].slice(7)}.tar`;
      layers.push(name);
      if (written.has(name)) continue;
      written.add(name);
      if (compressionOf(desc.mediaType) === "none") {
        yield fileEntry(name, blobPath(layout, desc.digest), desc.size);
        continue;
      }
      const tar = await uncompressedLayer(layout, desc, diffIds[i]);
      try {
        yield fileEntry(name, tar.path, tar.size);
      } finally {
        removeQuietly(tar.path);
      }
    }
    const configName = `${image.id.slice(7)}.json`;
    if (!written.has(configName)) {
      written.add(configName);
      yield fileEntry(configName, blobPath(layout, image.id), image.manifest.config.size);
    }
    const tags = image.names.map((n) => familiarName(parseReference(n)));
    manifest.push({ Config: configName, RepoTags: tags.length ? tags : null, Layers: layers });
    for (const tag of tags) {
      const at = tag.lastIndexOf(":");
      repositories[tag.slice(0, at)] ??= {};
      repositories[tag.slice(0, at)][tag.slice(at + 1)] = layers[layers.length - 1]?.slice(0, 64) ??
        "";
    }
  }
  yield { name: "manifest.json", type: "file", data: json(manifest) };
  if (Object.keys(repositories).length) {
    yield { name: "repositories", type: "file", data: json(repositories) };
  }
}

const OCI_LAYER_TYPES: Record<string, string> = {
  none: OCI_LAYER,
  gzip: OCI_LAYER_GZIP,
  zstd: OCI_LAYER_ZSTD,
};

/** The image's manifest with OCI media types (as stored when it is one already). */
function ociManifest(image: SavedImage): { bytes: Uint8Array; manifest: ImageManifest } {
  const m = image.manifest;
  if ((m.mediaType ?? OCI_MANIFEST) !== DOCKER_MANIFEST) {
    return { bytes: image.manifestBytes, manifest: m };
  }
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, digest: m.config.digest, size: m.config.size },
    layers: m.layers.map((l) => ({
      mediaType: OCI_LAYER_TYPES[compressionOf(l.mediaType)],
      digest: l.digest,
      size: l.size,
      ...(l.urls ? { urls: l.urls } : {}),
    })),
  };
  return { bytes: json(manifest), manifest };
}

async function sha256(bytes: Uint8Array): Promise<string> {
  const sum = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
  return "sha256:" + Array.from(sum, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function* ociEntries(
  layout: StoreLayout,
  images: SavedImage[],
): AsyncGenerator<TarWriteEntry> {
  yield { name: "oci-layout", type: "file", data: json({ imageLayoutVersion: "1.0.0" }) };
  yield { name: "blobs", type: "directory" };
  yield { name: "blobs/sha256", type: "directory" };
  const written = new Set<string>();
  const index = [];
  for (const image of images) {
    const { bytes, manifest } = ociManifest(image);
    const digest = await sha256(bytes);
    for (const desc of [...manifest.layers, manifest.config]) {
      if (written.has(desc.digest)) continue;
      written.add(desc.digest);
      yield blobEntry(layout, desc.digest, desc.size);
    }
    if (!written.has(digest)) {
      written.add(digest);
      yield { name: `blobs/sha256/${digest.slice(7)}`, type: "file", data: bytes };
    }
    const { os, architecture, variant } = image.config;
    const base = {
      mediaType: manifest.mediaType ?? OCI_MANIFEST,
      digest,
      size: bytes.length,
      platform: { architecture, os, ...(variant ? { variant } : {}) },
    };
    if (image.names.length === 0) index.push(base);
    for (const name of image.names) {
      index.push({ ...base, annotations: { [CONTAINERD_NAME]: name, [REF_NAME]: name } });
    }
  }
  yield {
    name: "index.json",
    type: "file",
    data: json({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: index }),
  };
}

/**
 * Prepares an archive of images. The images and their blobs are checked
 * now; the archive's bytes come as the result is read.
 *
 * @param words Names or ids of the images (each image is saved once).
 * @param options Format and store.
 * @returns The archive's bytes.
 * @throws {UsageError} When a word names no image, or the format is unknown.
 * @throws {NookError} When a blob an image needs is not in the store.
 *
 * @example
 * ```ts ignore
 * const bytes = saveArchive(["busybox"], { format: "oci-archive" });
 * await ReadableStream.from(bytes).pipeTo((await Deno.create("busybox.tar")).writable);
 * ```
 */
export function saveArchive(
  words: readonly string[],
  options: SaveOptions = {},
): AsyncIterable<Uint8Array> {
  const format = options.format ?? "docker-archive";
  if (format !== "docker-archive" && format !== "oci-archive") {
    throw new UsageError(`Invalid format '${format}': use docker-archive or oci-archive`);
  }
  if (words.length === 0) throw new UsageError("No image to save");
  const layout = options.layout ?? storeLayout();
  const images: SavedImage[] = [];
  for (const { image, names } of resolveImages(layout, words)) {
    const { bytes, manifest } = readImageManifest(layout, image);
    const configText = sys.readText(blobPath(layout, image.id));
    if (configText === null) {
      const short = image.id.slice(7, 19);
      throw new NookError(
        `Cannot save image ${short}: its config is not in the store; pull the image again`,
      );
    }
    const config = JSON.parse(configText) as ImageConfig;
    const diffIds = config.rootfs?.diff_ids ?? [];
    if (diffIds.length !== manifest.layers.length) {
      throw new NookError(`Image ${image.id.slice(7, 19)} is inconsistent in the store`);
    }
    for (const desc of manifest.layers) {
      if (sys.stat(blobPath(layout, desc.digest)) === null) {
        throw new NookError(
          `Cannot save image ${image.id.slice(7, 19)}: the blob ${desc.digest} of one of its ` +
            "layers is not in the store (the layer came with another image); pull the image again",
        );
      }
      compressionOf(desc.mediaType);
    }
    images.push({ id: image.id, names, manifest, manifestBytes: bytes, config });
  }
  const entries = format === "docker-archive"
    ? dockerEntries(layout, images)
    : ociEntries(layout, images);
  return withSaveEvents(writeTar(entries), layout, images);
}

/** The archive's bytes, then a `save` event for each image once it was all written. */
async function* withSaveEvents(
  bytes: AsyncIterable<Uint8Array>,
  layout: StoreLayout,
  images: readonly SavedImage[],
): AsyncGenerator<Uint8Array> {
  yield* bytes;
  for (const image of images) {
    for (const name of image.names.length ? image.names : [image.id]) {
      await imageEvent(layout, "save", image.id, name);
    }
  }
}
