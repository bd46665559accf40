/**
 * Media types of Docker schema 2 and OCI images.
 *
 * @module
 */

/** Docker schema 2 image manifest. */
export const DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
/** Docker schema 2 manifest list. */
export const DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
/** Docker schema 1 manifest (unsupported, as in current docker). */
export const DOCKER_MANIFEST_V1 = "application/vnd.docker.distribution.manifest.v1+json";
/** Signed Docker schema 1 manifest (unsupported). */
export const DOCKER_MANIFEST_V1_SIGNED =
  "application/vnd.docker.distribution.manifest.v1+prettyjws";
/** Docker image config. */
export const DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
/** Docker gzip layer. */
export const DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip";
/** Docker foreign layer: the blob normally lives at the descriptor's `urls`. */
export const DOCKER_FOREIGN_LAYER = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
/** OCI image manifest. */
export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
/** OCI image index. */
export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
/** OCI image config. */
export const OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
/** OCI uncompressed layer. */
export const OCI_LAYER = "application/vnd.oci.image.layer.v1.tar";
/** OCI gzip layer. */
export const OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
/** OCI zstd layer. */
export const OCI_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd";
/** Prefix of OCI non-distributable layers (deprecated in image-spec 1.1, like foreign layers). */
export const OCI_NONDISTRIBUTABLE_PREFIX =
  "application/vnd.oci.image.layer.nondistributable.v1.tar";

/** What `getManifest()` asks for, in the order of preference. */
export const MANIFEST_ACCEPT = [OCI_INDEX, DOCKER_MANIFEST_LIST, OCI_MANIFEST, DOCKER_MANIFEST];

/**
 * Whether a media type is a list of manifests (OCI index, Docker manifest list).
 *
 * @param mediaType A media type.
 * @returns True for an index.
 *
 * @example
 * ```ts
 * import { isIndexMediaType, OCI_INDEX } from "./media_types.ts";
 * console.assert(isIndexMediaType(OCI_INDEX));
 * ```
 */
export function isIndexMediaType(mediaType: string): boolean {
  return mediaType === OCI_INDEX || mediaType === DOCKER_MANIFEST_LIST;
}

/**
 * Whether a media type is an image manifest (OCI or Docker schema 2).
 *
 * @param mediaType A media type.
 * @returns True for an image manifest.
 *
 * @example
 * ```ts
 * import { DOCKER_MANIFEST, isManifestMediaType } from "./media_types.ts";
 * console.assert(isManifestMediaType(DOCKER_MANIFEST));
 * ```
 */
export function isManifestMediaType(mediaType: string): boolean {
  return mediaType === OCI_MANIFEST || mediaType === DOCKER_MANIFEST;
}

/**
 * Whether a layer is foreign / non-distributable: registries need not hold
 * it, and its descriptor's `urls` say where it lives.
 *
 * @param mediaType A layer's media type.
 * @returns True for Docker foreign and OCI non-distributable layers.
 *
 * @example
 * ```ts
 * import { DOCKER_FOREIGN_LAYER, isForeignLayer } from "./media_types.ts";
 * console.assert(isForeignLayer(DOCKER_FOREIGN_LAYER));
 * ```
 */
export function isForeignLayer(mediaType: string): boolean {
  return mediaType === DOCKER_FOREIGN_LAYER || mediaType.startsWith(OCI_NONDISTRIBUTABLE_PREFIX);
}
