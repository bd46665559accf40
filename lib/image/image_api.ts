/**
 * The image functions of the library API (`mod.ts`): list, inspect, load,
 * save and import, over the store the CLI uses. The CLI's image commands
 * call these and only print.
 *
 * @module
 */
import { UsageError } from "../errors/mod.ts";
import { type ImageRecord, readIndex, type StoreLayout, storeLayout } from "../store/mod.ts";
import { sys } from "../sys/mod.ts";
import { findImage } from "./find_image.ts";
import { type ImageInspect, inspectImage as inspectStored } from "./inspect_image.ts";
import type { ImportOptions } from "./import_rootfs.ts";
import type { LoadedImage, LoadOptions } from "./load_archive.ts";
import { iterableStream } from "../unpack/iterable_stream.ts";
import { NoSuchImageError } from "./no_such_image.ts";
import type { ArchiveFormat } from "./save_archive.ts";

/** Options of {@linkcode listImages} and {@linkcode inspectImage}. */
export interface ImageStoreOptions {
  /** The store (default: nook's data directory). */
  layout?: StoreLayout;
}

/**
 * Lists the images in the store (what `nook images` shows).
 *
 * @param options The store.
 * @returns Each image's record: id, names (`registry/repository:tag`), digests, size.
 *
 * @example
 * ```ts ignore
 * import { listImages } from "@nook/nook";
 * for (const image of listImages()) console.log(image.id.slice(7, 19), image.names.join(", "));
 * ```
 */
export function listImages(options: ImageStoreOptions = {}): ImageRecord[] {
  return readIndex(options.layout ?? storeLayout()).images;
}

/**
 * Inspects one image (what `nook image inspect` prints, docker's shape).
 *
 * @param reference A name (`busybox`, `host:5000/x:1`), an id or an id prefix.
 * @param options The store.
 * @returns Its id, names, config, layers and size.
 * @throws {NoSuchImageError} When no image matches.
 * @throws {UsageError} When an id prefix matches several images.
 *
 * @example
 * ```ts ignore
 * import { inspectImage } from "@nook/nook";
 * console.log(inspectImage("busybox").Config.Cmd);
 * ```
 */
export function inspectImage(reference: string, options: ImageStoreOptions = {}): ImageInspect {
  const layout = options.layout ?? storeLayout();
  const image = findImage(layout, reference);
  if (!image) throw new NoSuchImageError(reference);
  return inspectStored(layout, image);
}

/**
 * Loads the images of a `docker save` or OCI archive (`nook load`): a tar file
 * (plain, gzip or zstd), an OCI layout directory, or a stream of the tar.
 * Nothing is named until every blob and layer is stored and verified.
 *
 * @param source A path (file or directory) or the archive's bytes.
 * @param options Progress and warning callbacks, the store.
 * @returns The images loaded, with the names they got.
 * @throws {NookError} When the path is missing or the archive is not one nook can read.
 * @throws {DigestMismatchError} When a blob or layer does not match its digest.
 *
 * @example
 * ```ts ignore
 * import { loadImages } from "@nook/nook";
 * const [image] = await loadImages("busybox.tar");
 * console.log(image.names);
 * ```
 */
export async function loadImages(
  source: string | ReadableStream<Uint8Array>,
  options: LoadOptions = {},
): Promise<LoadedImage[]> {
  let input: string | ReadableStream<Uint8Array> = source;
  if (typeof source === "string") {
    const info = sys.stat(source);
    if (!info) throw new UsageError(`Cannot load '${source}': no such file or directory`);
    if (!info.isDirectory) {
      const stream = sys.readStream(source);
      if (!stream) throw new UsageError(`Cannot load '${source}': no such file or directory`);
      input = stream;
    }
  }
  const { loadArchive } = await import("./load_archive.ts");
  return await loadArchive(input, options);
}

/** Options of {@linkcode saveImages}. */
export interface SaveImagesOptions {
  /** The format (default docker-archive, what `docker load` reads; or oci-archive). */
  format?: ArchiveFormat;
  /** The store (default: nook's data directory). */
  layout?: StoreLayout;
}

/**
 * Saves images to an archive (`nook save`), as a stream of the tar's bytes.
 * Use {@linkcode saveImagesToFile} to write a file.
 *
 * @param references Names or ids; each name is kept in the archive.
 * @param options The format, the store.
 * @returns The archive's bytes.
 * @throws {NoSuchImageError} When a reference names no image.
 * @throws {UsageError} When the format is unknown or no reference is given.
 *
 * @example
 * ```ts ignore
 * import { saveImages } from "@nook/nook";
 * const tar = await saveImages(["busybox"], { format: "oci-archive" });
 * await tar.pipeTo(someWritableStream);
 * ```
 */
export async function saveImages(
  references: readonly string[],
  options: SaveImagesOptions = {},
): Promise<ReadableStream<Uint8Array>> {
  const { saveArchive } = await import("./save_archive.ts");
  return iterableStream(saveArchive(references, options));
}

/**
 * Saves images to an archive file: written beside it under a temporary
 * name and renamed into place at the end, so `path` never holds half an
 * archive.
 *
 * @param references Names or ids.
 * @param path The archive to write (replaced if present).
 * @param options The format, the store.
 * @throws {NoSuchImageError} When a reference names no image.
 * @throws {NookError} When the file cannot be written.
 *
 * @example
 * ```ts ignore
 * import { saveImagesToFile } from "@nook/nook";
 * await saveImagesToFile(["busybox"], "/tmp/busybox.tar");
 * ```
 */
export async function saveImagesToFile(
  references: readonly string[],
  path: string,
  options: SaveImagesOptions = {},
): Promise<void> {
  const bytes = await saveImages(references, options);
  const partial = `${path}.part-${sys.pid()}`;
  const file = sys.createFile(partial, 0o644);
  if (!file) {
    await bytes.cancel();
    throw new UsageError(`Cannot write '${path}': '${partial}' is in the way; remove it`);
  }
  try {
    for await (const chunk of bytes) file.write(chunk);
    file.close();
    sys.rename(partial, path);
  } catch (err) {
    try {
      file.close();
    } catch { /* already closed */ }
    sys.remove(partial);
    throw err;
  }
}

/**
 * Makes an image from a root filesystem (`nook import`): a tarball (plain,
 * gzip or zstd, path or stream) or a directory.
 *
 * @param source A path (tarball or directory) or a tar stream.
 * @param options A name (`repository[:tag]`), Dockerfile `changes` (`CMD ["sh"]`), a message.
 * @returns The new image's record.
 * @throws {UsageError} On a bad name or change.
 * @throws {NookError} When the source cannot be read or is not a tar.
 *
 * @example
 * ```ts ignore
 * import { importImage } from "@nook/nook";
 * const image = await importImage("/tmp/rootfs", { reference: "me/rootfs:1", changes: ["CMD sh"] });
 * ```
 */
export async function importImage(
  source: string | ReadableStream<Uint8Array>,
  options: ImportOptions = {},
): Promise<ImageRecord> {
  const { importRootfs } = await import("./import_rootfs.ts");
  return await importRootfs(source, options);
}
