/**
 * Making an image from a root filesystem (`nook import`): a tarball (plain,
 * gzip or zstd; a file, a stream or an http(s) URL) or a directory (archived
 * by nook, see `directory_entries.ts`) becomes one gzip layer, an OCI config
 * (`rootfs.diff_ids`, the `--change`s, a history entry with the message) and
 * an OCI manifest. The layer is unpacked through the same user-namespace
 * unpacker as pulled layers, then the image is registered.
 *
 * @module
 */
import { imageEvent } from "./image_event.ts";
import { createHash } from "node:crypto";
import { NookError, UsageError } from "../errors/mod.ts";
import { parseReference } from "../reference/mod.ts";
import {
  hostPlatform,
  OCI_CONFIG,
  OCI_LAYER_GZIP,
  OCI_MANIFEST,
  sha256Digest,
} from "../registry/mod.ts";
import {
  blobPath,
  type ImageRecord,
  putImage,
  type StoreLayout,
  storeLayout,
  updateIndex,
  writeFileAtomic,
} from "../store/mod.ts";
import { sys } from "../sys/mod.ts";
import { chooseIdMaps } from "../userns/mod.ts";
import { checkStored } from "./_check_stored.ts";
import { directoryEntries } from "./directory_entries.ts";
import { applyChanges } from "./image_changes.ts";
import type { ImageConfig } from "./image_config.ts";
import { storeLayer } from "./store_layer.ts";
import { gzip, sniffCompression } from "./stream_compression.ts";
import { decompress } from "../unpack/decompress.ts";
import { writeTar } from "./tar_writer.ts";
import { hashing } from "./hashing.ts";

/** Options of {@linkcode importRootfs}. */
export interface ImportOptions {
  /** Name of the new image (`repository[:tag]`); default: none. */
  reference?: string;
  /** `--change` instructions (`CMD ["sh"]`, `ENV A=1`, ...). */
  changes?: string[];
  /** The history comment (`-m`). */
  message?: string;
  /** How the source is named in the history (default: the path, or "-" for a stream). */
  sourceLabel?: string;
  /** Warnings of the unpacker. */
  onWarning?: (message: string) => void;
  /** The store (default: nook's data directory). */
  layout?: StoreLayout;
}

async function tarballStream(
  stream: ReadableStream<Uint8Array>,
): Promise<AsyncIterable<Uint8Array>> {
  const sniffed = await sniffCompression(stream);
  return decompress(sniffed.stream, sniffed.compression);
}

/** The uncompressed tar of a source. */
async function sourceTar(
  source: string | ReadableStream<Uint8Array>,
): Promise<AsyncIterable<Uint8Array>> {
  if (typeof source !== "string") return await tarballStream(source);
  if (/^https?:\/\//.test(source)) {
    const res = await fetch(source);
    if (!res.ok || !res.body) {
      await res.body?.cancel();
      throw new NookError(`Cannot import '${source}': HTTP ${res.status} ${res.statusText}`);
    }
    return await tarballStream(res.body);
  }
  let stream: ReadableStream<Uint8Array> | null = null;
  try {
    if (sys.stat(source)?.isDirectory) {
      const maps = chooseIdMaps({ onWarning: () => {} });
      return writeTar(directoryEntries(source, { uidMap: maps.uid, gidMap: maps.gid }));
    }
    stream = sys.readStream(source);
  } catch (err) {
    throw new NookError(`Cannot import '${source}': ${(err as Error).message}`, { cause: err });
  }
  if (!stream) throw new NookError(`Cannot import '${source}': no such file or directory`);
  return await tarballStream(stream);
}

/**
 * Imports a root filesystem as a one-layer image.
 *
 * @param source A tarball or directory path, an http(s) URL, or a tar stream.
 * @param options Name, changes, message.
 * @returns The new image's record.
 * @throws {UsageError} On a bad name or `--change`.
 * @throws {NookError} When the source cannot be read or is not a tar.
 *
 * @example
 * ```ts ignore
 * const image = await importRootfs("/tmp/rootfs", { reference: "me/rootfs:1", changes: ["CMD sh"] });
 * console.log(image.id);
 * ```
 */
export async function importRootfs(
  source: string | ReadableStream<Uint8Array>,
  options: ImportOptions = {},
): Promise<ImageRecord> {
  let name: string | null = null;
  if (options.reference !== undefined) {
    const ref = parseReference(options.reference);
    if (ref.digest) throw new UsageError(`Cannot name an image '${options.reference}': a digest`);
    name = `${ref.registry}/${ref.repository}:${ref.tag ?? "latest"}`;
  }
  const containerConfig = applyChanges({}, options.changes ?? []);
  const label = options.sourceLabel ?? (typeof source === "string" ? source : "-");
  const layout = options.layout ?? storeLayout();

  const staging = `${layout.incomingBlobs}/import-${sys.pid()}-${crypto.randomUUID().slice(0, 8)}`;
  const diffHash = createHash("sha256");
  const blobHash = createHash("sha256");
  const tarBytes = { bytes: 0 };
  let size = 0;
  try {
    const out = sys.writeStream(staging, { createNew: true, mode: 0o600 }).getWriter();
    try {
      for await (const chunk of gzip(hashing(await sourceTar(source), diffHash, tarBytes))) {
        blobHash.update(chunk);
        size += chunk.length;
        await out.write(chunk);
      }
      await out.close();
    } catch (err) {
      await out.abort(err).catch(() => {});
      throw err;
    }
    if (tarBytes.bytes === 0) throw new NookError(`Cannot import '${label}': it is empty`);
    const diffId = `sha256:${diffHash.digest("hex")}`;
    const layer = {
      digest: `sha256:${blobHash.digest("hex")}`,
      mediaType: OCI_LAYER_GZIP,
      size,
      diffId,
      chainId: diffId,
    };
    try {
      await storeLayer(layout, layer, {
        fetch: () => {
          const stream = sys.readStream(staging);
          if (!stream) throw new NookError(`Cannot import '${label}': '${staging}' is gone`);
          return Promise.resolve(stream);
        },
        keepBlob: true,
        onWarning: options.onWarning,
      });
    } catch (err) {
      if (!(err instanceof NookError)) throw err;
      const why = err.message.charAt(0).toLowerCase() + err.message.slice(1);
      throw new NookError(`Cannot import '${label}': ${why}`, { cause: err });
    }

    const created = new Date().toISOString();
    const platform = hostPlatform();
    const config: ImageConfig = {
      created,
      architecture: platform.architecture,
      os: platform.os,
      ...(platform.variant ? { variant: platform.variant } : {}),
      config: containerConfig,
      rootfs: { type: "layers", diff_ids: [diffId] },
      history: [{
        created,
        created_by: `nook import ${label}`,
        ...(options.message ? { comment: options.message } : {}),
      }],
    };
    const configBytes = new TextEncoder().encode(JSON.stringify(config));
    const configDigest = await sha256Digest(configBytes);
    writeFileAtomic(blobPath(layout, configDigest), configBytes);
    const manifest = {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: configDigest, size: configBytes.length },
      layers: [{ mediaType: OCI_LAYER_GZIP, digest: layer.digest, size }],
    };
    const manifestBytes = new TextEncoder().encode(JSON.stringify(manifest));
    const manifestDigest = await sha256Digest(manifestBytes);
    writeFileAtomic(blobPath(layout, manifestDigest), manifestBytes);
    const record: ImageRecord = {
      id: configDigest,
      manifestDigest,
      manifestMediaType: OCI_MANIFEST,
      names: [],
      repoDigests: [],
      chainIds: [diffId],
      layerDigests: [layer.digest],
      size,
      pulled: created,
    };
    await updateIndex(layout, (index) => {
      checkStored(layout, record.id, record.chainIds, `The import of '${label}'`);
      putImage(index, record, name);
    });
    await imageEvent(layout, "import", record.id, name ?? record.id);
    return { ...record, names: name ? [name] : [] };
  } finally {
    try {
      sys.remove(staging);
    } catch {
      // best effort: an incoming file is swept later
    }
  }
}
