/**
 * Which decompressor a layer's media type needs.
 *
 * @module
 */

/** How a layer blob is compressed. */
export type Compression = "gzip" | "zstd" | "none";

const BY_MEDIA_TYPE: Readonly<Record<string, Compression>> = {
  "application/vnd.oci.image.layer.v1.tar": "none",
  "application/vnd.oci.image.layer.v1.tar+gzip": "gzip",
  "application/vnd.oci.image.layer.v1.tar+zstd": "zstd",
  "application/vnd.oci.image.layer.nondistributable.v1.tar": "none",
  "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip": "gzip",
  "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd": "zstd",
  "application/vnd.docker.image.rootfs.diff.tar": "none",
  "application/vnd.docker.image.rootfs.diff.tar.gzip": "gzip",
  "application/vnd.docker.image.rootfs.diff.tar.zstd": "zstd",
  "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip": "gzip",
};

/**
 * The compression of a layer, from its OCI or Docker media type: the OCI
 * `tar`, `tar+gzip` and `tar+zstd` layers (also their deprecated
 * `nondistributable` variants), and Docker's `rootfs.diff.tar.gzip` and
 * `rootfs.foreign.diff.tar.gzip`. Media type parameters (`; charset=...`) are
 * ignored.
 *
 * @param mediaType The layer descriptor's `mediaType`.
 * @returns `"gzip"`, `"zstd"` or `"none"`.
 * @throws {RangeError} When the media type is not a layer type nook knows.
 *
 * @example Pick the decompressor of an OCI layer
 * ```ts
 * import { compressionOf } from "./compression.ts";
 * console.assert(compressionOf("application/vnd.oci.image.layer.v1.tar+zstd") === "zstd");
 * console.assert(
 *   compressionOf("application/vnd.docker.image.rootfs.diff.tar.gzip") === "gzip",
 * );
 * ```
 */
export function compressionOf(mediaType: string): Compression {
  const bare = mediaType.split(";")[0].trim().toLowerCase();
  if (!Object.hasOwn(BY_MEDIA_TYPE, bare)) {
    throw new RangeError(`Cannot unpack layer of media type '${mediaType}': not a layer type`);
  }
  return BY_MEDIA_TYPE[bare];
}
