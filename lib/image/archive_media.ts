/**
 * Names shared by image archives: the media type docker gives an
 * uncompressed layer, and the annotations that name an image in an OCI
 * layout's `index.json`.
 *
 * @module
 */

/** Docker's media type of an uncompressed layer (docker-archive layers stored as they are). */
export const DOCKER_LAYER_TAR = "application/vnd.docker.image.rootfs.diff.tar";
/** Docker's media type of a zstd layer. */
export const DOCKER_LAYER_ZSTD = "application/vnd.docker.image.rootfs.diff.tar.zstd";
/** The OCI annotation naming an image in a layout's index (podman writes the full name). */
export const REF_NAME = "org.opencontainers.image.ref.name";
/** containerd's (and docker's) annotation with the image's full name. */
export const CONTAINERD_NAME = "io.containerd.image.name";
