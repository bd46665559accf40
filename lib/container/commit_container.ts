/**
 * `nook commit`: a container's changes become a new image. The worker writes
 * the changes as a layer tar (with OCI whiteouts for deletions and opaque
 * directories) as root in the user namespace; here it is hashed (diff id),
 * gzip'ed and hashed again into a blob, stored and unpacked like any pulled
 * layer, and the image's config gets the layer, a history entry and the
 * `--change`s. With no changes at all the image gets no layer, only the
 * history entry (`empty_layer`), as docker does.
 *
 * The config is the image's with the container's own settings on top, as
 * docker does (its command, entrypoint, `-e` variables, `-w`, `-u`, labels),
 * then the `--change`s. A running container is committed as it is at that
 * moment, without pausing it.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { NookError, UsageError } from "../errors/mod.ts";
import { checkStored } from "../image/_check_stored.ts";
import { applyChanges } from "../image/image_changes.ts";
import type { ContainerConfig } from "../image/image_config.ts";
import { mergeEnv } from "../runtime/env_spec.ts";
import type { ContainerRecord } from "../records/container_record.ts";
import { findContainer } from "./find_container.ts";
import { chainIds, type ImageConfig } from "../image/image_config.ts";
import { readImageConfig } from "../image/read_image_config.ts";
import { readImageManifest } from "../image/read_image_manifest.ts";
import { storeLayer } from "../image/store_layer.ts";
import { gzip } from "../image/stream_compression.ts";
import { parseReference } from "../reference/mod.ts";
import {
  DOCKER_CONFIG,
  DOCKER_LAYER,
  DOCKER_MANIFEST,
  OCI_CONFIG,
  OCI_LAYER_GZIP,
  OCI_MANIFEST,
  sha256Digest,
} from "../registry/mod.ts";
import {
  blobPath,
  type ImageRecord,
  putImage,
  storeLayout,
  updateIndex,
  writeFileAtomic,
} from "../store/mod.ts";
import { containerFilesystem } from "./container_filesystem.ts";
import { startFilesWorker } from "./start_files_worker.ts";
import { sys } from "../sys/mod.ts";
import { hashing } from "../image/hashing.ts";

/** Options of {@linkcode commitContainer}. */
export interface CommitOptions {
  /** Name of the new image (`repository[:tag]`); default: none. */
  reference?: string;
  /** The commit message (`-m`): the config's and the history entry's comment. */
  message?: string;
  /** The author (`-a`). */
  author?: string;
  /** `--change` instructions (`CMD ["sh"]`, `ENV A=1`, ...). */
  changes?: string[];
  /** Warnings (of the worker and the unpacker). */
  onWarning?: (message: string) => void;
}

/** The size of an empty tar: its two zero blocks. */
const EMPTY_TAR_BYTES = 1024;

/** The image's config with what the container was created with on top (docker's commit). */
function withContainerSettings(config: ContainerConfig, record: ContainerRecord): ContainerConfig {
  const o = record.config;
  const out: ContainerConfig = { ...config };
  if (o.entrypoint !== undefined) {
    out.Entrypoint = o.entrypoint.length === 1 && o.entrypoint[0] === "" ? [] : [...o.entrypoint];
    if (!o.command?.length) out.Cmd = [];
  }
  if (o.command?.length) out.Cmd = [...o.command];
  if (o.env.length) out.Env = mergeEnv(config.Env ?? [], o.env);
  if (o.workdir !== undefined) out.WorkingDir = o.workdir;
  if (o.user !== undefined) out.User = o.user;
  if (Object.keys(o.labels).length) out.Labels = { ...config.Labels, ...o.labels };
  return out;
}

/** The staged layer blob, to store. */
function stagedBlob(path: string): ReadableStream<Uint8Array> {
  const stream = sys.readStream(path);
  if (!stream) throw new NookError(`The staged layer '${path}' is missing`);
  return stream;
}

/** The layer blob of the container's changes, staged in `path`. */
async function writeLayerBlob(
  fs: ReturnType<typeof containerFilesystem>,
  path: string,
  onWarning?: (message: string) => void,
): Promise<{ diffId: string; digest: string; size: number; tarBytes: number }> {
  const worker = await startFilesWorker(
    { op: "layer", top: fs.top, lowers: fs.lowers, copy: fs.driver === "vfs" },
    { onWarning },
  );
  worker.closeInput();
  const diffHash = createHash("sha256");
  const blobHash = createHash("sha256");
  const tar = { bytes: 0 };
  let size = 0;
  const out = sys.writeStream(path, { createNew: true, mode: 0o600 }).getWriter();
  try {
    for await (const chunk of gzip(hashing(worker.output, diffHash, tar))) {
      blobHash.update(chunk);
      size += chunk.length;
      await out.write(chunk);
    }
    await out.close();
  } catch (err) {
    await out.abort(err).catch(() => {}); // closes the file
    await worker.abort();
    throw err;
  }
  await worker.finish();
  return {
    diffId: `sha256:${diffHash.digest("hex")}`,
    digest: `sha256:${blobHash.digest("hex")}`,
    size,
    tarBytes: tar.bytes,
  };
}

/**
 * Commits a container's changes as a new image.
 *
 * @param ref The container (id, id prefix or name).
 * @param options Name, message, author, changes.
 * @returns The new image's record (its `id` is what `docker commit` prints).
 * @throws {UsageError} On an unknown container, a bad name or a bad `--change`.
 * @throws {NookError} When the container's files or image cannot be read, or
 *   the layer cannot be stored.
 *
 * @example
 * ```ts ignore
 * import { commitContainer } from "./commit_container.ts";
 * const image = await commitContainer("f45a27", { reference: "me/app:1", changes: ["CMD sh"] });
 * console.log(image.id);
 * ```
 */
export async function commitContainer(
  ref: string,
  options: CommitOptions = {},
): Promise<ImageRecord> {
  let name: string | null = null;
  if (options.reference !== undefined) {
    const parsed = parseReference(options.reference);
    if (parsed.digest) {
      throw new UsageError(`Cannot name an image '${options.reference}': it holds a digest`);
    }
    name = `${parsed.registry}/${parsed.repository}:${parsed.tag ?? "latest"}`;
  }
  const fs = containerFilesystem(ref);
  const layout = storeLayout();
  const base = readImageConfig(layout, fs.image) as ImageConfig & {
    author?: string;
    comment?: string;
  };
  const containerConfig = applyChanges(
    withContainerSettings(base.config ?? {}, findContainer(ref)),
    options.changes ?? [],
  );
  const { manifest: baseManifest } = readImageManifest(layout, fs.image);
  const docker = fs.image.manifestMediaType === DOCKER_MANIFEST;

  const staging = `${layout.incomingBlobs}/commit-${sys.pid()}-${crypto.randomUUID().slice(0, 8)}`;
  try {
    const blob = await writeLayerBlob(fs, staging, options.onWarning);
    const empty = blob.tarBytes <= EMPTY_TAR_BYTES;
    const diffIds = [...base.rootfs.diff_ids, ...(empty ? [] : [blob.diffId])];
    const chains = await chainIds(diffIds);
    const layerType = docker ? DOCKER_LAYER : OCI_LAYER_GZIP;
    if (!empty) {
      try {
        await storeLayer(layout, {
          digest: blob.digest,
          mediaType: layerType,
          size: blob.size,
          diffId: blob.diffId,
          chainId: chains[chains.length - 1],
        }, {
          fetch: () => new Promise((resolve) => resolve(stagedBlob(staging))),
          keepBlob: true,
          onWarning: options.onWarning,
        });
      } catch (err) {
        if (!(err instanceof NookError)) throw err;
        throw new NookError(
          `Cannot commit container ${fs.id.slice(0, 12)}: ${err.message}`,
          { cause: err },
        );
      }
    }

    const created = new Date().toISOString();
    const command = Array.isArray(fs.record.command) ? fs.record.command.join(" ") : "";
    const config: ImageConfig & { author?: string; comment?: string } = {
      ...base,
      created,
      config: containerConfig,
      rootfs: { type: "layers", diff_ids: diffIds },
      history: [
        ...(base.history ?? []),
        {
          created,
          created_by: command,
          ...(options.author ? { author: options.author } : {}),
          ...(options.message ? { comment: options.message } : {}),
          ...(empty ? { empty_layer: true } : {}),
        },
      ],
    };
    delete config.author;
    delete config.comment;
    if (options.author) config.author = options.author;
    if (options.message) config.comment = options.message;
    const configBytes = new TextEncoder().encode(JSON.stringify(config));
    const configDigest = await sha256Digest(configBytes);
    writeFileAtomic(blobPath(layout, configDigest), configBytes);
    const layers = [
      ...baseManifest.layers.map(({ mediaType, digest, size }) => ({ mediaType, digest, size })),
      ...(empty ? [] : [{ mediaType: layerType, digest: blob.digest, size: blob.size }]),
    ];
    const manifestType = docker ? DOCKER_MANIFEST : OCI_MANIFEST;
    const manifest = {
      schemaVersion: 2,
      mediaType: manifestType,
      config: {
        mediaType: docker ? DOCKER_CONFIG : OCI_CONFIG,
        digest: configDigest,
        size: configBytes.length,
      },
      layers,
    };
    const manifestBytes = new TextEncoder().encode(JSON.stringify(manifest));
    const manifestDigest = await sha256Digest(manifestBytes);
    writeFileAtomic(blobPath(layout, manifestDigest), manifestBytes);
    const record: ImageRecord = {
      id: configDigest,
      manifestDigest,
      manifestMediaType: manifestType,
      names: [],
      repoDigests: [],
      chainIds: chains,
      layerDigests: [...fs.image.layerDigests, ...(empty ? [] : [blob.digest])],
      size: fs.image.size + (empty ? 0 : blob.size),
      pulled: created,
    };
    await updateIndex(layout, (index) => {
      checkStored(layout, record.id, record.chainIds, `The commit of ${fs.id.slice(0, 12)}`);
      putImage(index, record, name);
    });
    return { ...record, names: name ? [name] : [] };
  } finally {
    try {
      sys.remove(staging);
    } catch {
      // a staged blob that cannot be removed does not fail the commit
    }
  }
}
