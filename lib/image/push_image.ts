/**
 * Pushing an image: its layer blobs and config (each skipped when the
 * registry has it, mounted from another repository of the same registry the
 * image came from when it can be, else uploaded: monolithic, or in chunks
 * with `chunked` or from `chunkThreshold` bytes on), then its manifest byte
 * for byte, so the pushed digest is the stored one.
 *
 * @module
 */
import { imageEvent } from "./image_event.ts";
import { sys } from "../sys/mod.ts";
import { NookError, UsageError } from "../errors/mod.ts";
import { parseReference, type Reference } from "../reference/mod.ts";
import {
  OCI_MANIFEST,
  RegistryClient,
  type RegistryClientOptions,
  sha256Digest,
} from "../registry/mod.ts";
import type { Descriptor } from "../registry/manifest.ts";
import { blobPath, type StoreLayout, storeLayout, updateIndex } from "../store/mod.ts";
import { findImage } from "./find_image.ts";
import { NoSuchImageError } from "./no_such_image.ts";
import { readImageManifest } from "./read_image_manifest.ts";

/** What a push reports as it goes. */
export type PushEvent =
  | { kind: "start"; repository: string }
  | {
    kind: "blob";
    digest: string;
    size: number;
    state: "exists" | "mounted" | "pushing" | "pushed";
    from?: string;
  }
  | { kind: "done"; tag: string; digest: string; size: number };

/** Options of {@linkcode pushImage}. */
export interface PushOptions {
  /** Registry client settings (TLS, cert dir, credentials). */
  registry?: RegistryClientOptions;
  /** Upload every blob in chunks (`PATCH`es), not in one `PUT`. */
  chunked?: boolean;
  /** Blobs of at least this many bytes go in chunks (default 256 MiB). */
  chunkThreshold?: number;
  /** Chunk size (default the client's, 8 MiB). */
  chunkSize?: number;
  /** Progress events. */
  onProgress?: (event: PushEvent) => void;
  /** The store (default: nook's data directory). */
  layout?: StoreLayout;
}

/** What was pushed. */
export interface PushResult {
  /** The destination, `registry/repository:tag`. */
  reference: string;
  /** The manifest's digest. */
  digest: string;
  /** The manifest's size. */
  size: number;
}

const DEFAULT_THRESHOLD = 256 << 20;

function fullReference(text: string): Reference {
  const ref = parseReference(text);
  if (ref.digest) {
    throw new UsageError(`Cannot push to '${text}': give a tag, not a digest`);
  }
  return ref;
}

/** A repository of the same registry that holds the image, to mount blobs from. */
function mountSource(names: string[], dest: Reference): string | undefined {
  for (const name of names) {
    try {
      const ref = parseReference(name.replace(/@sha256:[0-9a-f]{64}$/, ""));
      if (ref.registry === dest.registry && ref.repository !== dest.repository) {
        return ref.repository;
      }
    } catch {
      // not a reference
    }
  }
  return undefined;
}

/**
 * Pushes a stored image to a registry.
 *
 * @param image Name, id or id prefix of the image.
 * @param destination Where to push (`registry/repository[:tag]`); default: the image's name.
 * @param options Registry settings, chunking, progress.
 * @returns The destination, digest and size of the pushed manifest.
 * @throws {UsageError} When there is no such image, or no destination for an id.
 * @throws {NookError} When a blob is missing from the store.
 * @throws {RegistryError} When the registry refuses.
 *
 * @example
 * ```ts ignore
 * const { digest } = await pushImage("busybox", "127.0.0.1:5000/me/busybox:1", { chunked: true });
 * ```
 */
export async function pushImage(
  image: string,
  destination?: string,
  options: PushOptions = {},
): Promise<PushResult> {
  const layout = options.layout ?? storeLayout();
  const record = findImage(layout, image);
  if (!record) throw new NoSuchImageError(image);
  let target = destination;
  if (target === undefined) {
    const normalized = (() => {
      try {
        const ref = parseReference(image);
        return `${ref.registry}/${ref.repository}:${ref.tag ?? "latest"}`;
      } catch {
        return null;
      }
    })();
    if (!normalized || !record.names.includes(normalized)) {
      throw new UsageError(
        `Cannot push '${image}': it is not a name of the image; give a destination ` +
          "(nook push IMAGE REGISTRY/REPOSITORY[:TAG])",
      );
    }
    target = normalized;
  }
  const dest = fullReference(target);
  const { bytes, manifest } = readImageManifest(layout, record);
  if ((await sha256Digest(bytes)) !== record.manifestDigest) {
    throw new NookError(`The manifest ${record.manifestDigest} is corrupt in the store`);
  }
  const blobs: Descriptor[] = [...manifest.layers, manifest.config];
  const missingBlob = (digest: string) =>
    new NookError(
      `Cannot push '${image}': the blob ${digest} is not in the store (its layer came ` +
        "with another image); pull the image again",
    );
  for (const blob of blobs) {
    if (sys.stat(blobPath(layout, blob.digest)) === null) throw missingBlob(blob.digest);
  }
  const progress = options.onProgress ?? (() => {});
  progress({ kind: "start", repository: `${dest.registry}/${dest.repository}` });
  using client = new RegistryClient(options.registry ?? {});
  const from = mountSource([...record.repoDigests, ...record.names], dest);
  const threshold = options.chunkThreshold ?? DEFAULT_THRESHOLD;
  const seen = new Set<string>();
  for (const blob of blobs) {
    if (seen.has(blob.digest)) continue;
    seen.add(blob.digest);
    const event = { kind: "blob" as const, digest: blob.digest, size: blob.size };
    if (await client.blobExists(dest, blob.digest)) {
      progress({ ...event, state: "exists" });
      continue;
    }
    progress({ ...event, state: "pushing" });
    const stream = sys.readStream(blobPath(layout, blob.digest));
    if (stream === null) throw missingBlob(blob.digest);
    const result = await client.uploadBlob(dest, blob.digest, blob.size, stream, {
      chunked: options.chunked || blob.size >= threshold,
      chunkSize: options.chunkSize,
      mountFrom: from,
    });
    progress({ ...event, state: result.mounted ? "mounted" : "pushed", from });
  }
  const mediaType = record.manifestMediaType || manifest.mediaType || OCI_MANIFEST;
  const digest = await client.putManifest(dest, mediaType, bytes);
  const repoDigest = `${dest.registry}/${dest.repository}@${digest}`;
  await updateIndex(layout, (index) => {
    const stored = index.images.find((i) => i.id === record.id);
    if (stored && !stored.repoDigests.includes(repoDigest)) stored.repoDigests.push(repoDigest);
  });
  progress({ kind: "done", tag: dest.tag ?? "latest", digest, size: bytes.length });
  await imageEvent(layout, "push", `${dest.registry}/${dest.repository}:${dest.tag ?? "latest"}`);
  return {
    reference: `${dest.registry}/${dest.repository}:${dest.tag}`,
    digest,
    size: bytes.length,
  };
}
