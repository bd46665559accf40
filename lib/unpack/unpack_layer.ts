/**
 * Unpacks an OCI or Docker image layer into a directory that overlayfs can use
 * as a lower layer.
 *
 * @module
 */
import { decompress } from "./decompress.ts";
import { diffIdHasher } from "./_diff_id.ts";
import { loadFsShim, lstatKind, readDirNames, realPath } from "./_fs.ts";
import { LayerWriter } from "./_layer_writer.ts";
import { TarParser } from "./_tar_parser.ts";
import type { Compression } from "./compression.ts";
import { UnpackError } from "./unpack_error.ts";

/** Options of {@linkcode unpackLayer}. */
export interface UnpackOptions {
  /** How the stream is compressed (see {@linkcode compressionOf}). */
  compression: Compression;
  /**
   * `"keep"`: every entry gets the tar's uid and gid (lchown); run as root in
   * a user namespace with subordinate id maps. `"squash"`: everything stays
   * owned by the current user, and one warning says so when the layer has
   * entries owned by others.
   */
  owners: "keep" | "squash";
  /** Receives warnings (squashed owners, skipped devices, attributes not set). */
  onWarning?: (message: string) => void;
  /** Stops the unpacking; the promise then rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * Compute the layer's diff id (the sha256 of the uncompressed tar, all of
   * it) into {@linkcode UnpackStats.diffId}. It costs about 0.1 s per 175 MB.
   */
  computeDiffId?: boolean;
}

/** What {@linkcode unpackLayer} did. */
export interface UnpackStats {
  /** Entries of the archive (extended headers not counted). */
  entries: number;
  /** Regular files written. */
  files: number;
  /** Bytes of file data written. */
  bytes: number;
  /** Character and block devices skipped. */
  skippedDevices: number;
  /** `.wh.NAME` entries turned into overlay whiteouts. */
  whiteouts: number;
  /** `.wh..wh..opq` entries turned into opaque directories. */
  opaqueDirs: number;
  /** `sha256:<hex>` of the uncompressed stream, with `computeDiffId`. */
  diffId?: string;
}

const COMPRESSIONS: readonly string[] = ["gzip", "zstd", "none"];
const OWNERS: readonly string[] = ["keep", "squash"];

/**
 * Unpacks a layer (a tar stream, maybe compressed) into `dest`, an existing
 * empty directory.
 *
 * It reads ustar, PAX and GNU archives (long names, xattrs, fractional times,
 * sparse files), creates directories, files with their setuid, setgid and
 * sticky bits, symlinks, hardlinks and fifos, skips devices (one warning),
 * and turns OCI whiteouts into overlayfs ones: `.wh.NAME` becomes a character
 * device 0:0 named NAME, and `.wh..wh..opq` sets `user.overlay.opaque=y` on
 * its directory (mount the overlay with `userxattr`). Later entries replace
 * earlier ones of the same name; directories merge. Directory modes and times
 * are set at the end.
 *
 * No entry can write outside `dest`: names climbing out of it (`../x`, and
 * `/../x`) are refused, absolute names are taken relative to it (as docker
 * does), and every path is checked component by component with lstat, so an
 * entry or a hardlink going through a symlink, even one the layer made, is
 * refused. Nothing follows symlinks (lchown, lutimes, O_EXCL creation).
 *
 * On failure `dest` holds part of the layer; the caller removes it.
 *
 * @param input The layer blob; it is read to its end, so that a digest
 *   computed on the side covers all of it.
 * @param dest An existing, empty directory.
 * @param options Compression, owners, warnings, cancellation, diff id.
 * @returns What was unpacked.
 * @throws {TypeError} On an unknown `compression` or `owners`.
 * @throws {UnpackError} When `dest` is not an empty directory, an entry is
 *   unsafe (the message names it), the archive is corrupt, or a write fails.
 *
 * @example Unpack a gzip'ed layer blob
 * ```ts ignore
 * import { compressionOf, unpackLayer } from "./mod.ts";
 * const blob = await Deno.open("/path/to/blob");
 * const stats = await unpackLayer(blob.readable, "/path/to/empty/dir", {
 *   compression: compressionOf("application/vnd.oci.image.layer.v1.tar+gzip"),
 *   owners: "squash",
 *   onWarning: (message) => console.warn(message),
 * });
 * console.log(`${stats.files} files, ${stats.bytes} bytes`);
 * ```
 */
export async function unpackLayer(
  input: ReadableStream<Uint8Array>,
  dest: string,
  options: UnpackOptions,
): Promise<UnpackStats> {
  const { compression, owners, signal } = options;
  if (!COMPRESSIONS.includes(compression)) {
    throw new TypeError(
      `Cannot unpack layer: compression '${compression}' is not one of ${COMPRESSIONS.join(", ")}`,
    );
  }
  if (!OWNERS.includes(owners)) {
    throw new TypeError(
      `Cannot unpack layer: owners '${owners}' is not one of ${OWNERS.join(", ")}`,
    );
  }
  signal?.throwIfAborted();
  const root = layerRoot(dest);
  loadFsShim();
  const writer = new LayerWriter(root, {
    keepOwners: owners === "keep",
    onWarning: options.onWarning ?? (() => {}),
  });
  const parser = new TarParser(writer);
  const hasher = options.computeDiffId ? await diffIdHasher() : null;
  try {
    try {
      for await (const chunk of decompress(input, compression, signal)) {
        hasher?.update(chunk);
        // After the end-of-archive blocks, read on: the decompressor checks its
        // trailer, and the diff id covers the whole stream.
        if (!parser.done) parser.push(chunk);
      }
    } catch (err) {
      if (err instanceof UnpackError || signal?.aborted) throw err;
      throw new UnpackError(
        `Cannot read layer (compression '${compression}'): ${(err as Error)?.message ?? err}`,
        { cause: err },
      );
    }
    signal?.throwIfAborted();
    parser.finish();
    writer.finish();
    if (hasher) writer.stats.diffId = hasher.digest();
  } catch (err) {
    writer.abort();
    signal?.throwIfAborted();
    throw err;
  }
  return writer.stats;
}

function layerRoot(dest: string): string {
  let root: string;
  try {
    root = realPath(dest);
  } catch (err) {
    throw new UnpackError(`Cannot unpack layer into '${dest}': ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (lstatKind(root) !== "directory") {
    throw new UnpackError(`Cannot unpack layer into '${dest}': it is not a directory`);
  }
  if (readDirNames(root).length) {
    throw new UnpackError(`Cannot unpack layer into '${dest}': it is not empty`);
  }
  return root;
}
