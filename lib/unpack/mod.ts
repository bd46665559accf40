/**
 * Image layers to directories: {@linkcode unpackLayer} turns an OCI or Docker
 * layer (a tar stream, gzip'ed, zstd'ed or not) into a directory that
 * overlayfs uses as a lower layer, with OCI whiteouts turned into overlay ones
 * and no entry able to write outside it.
 *
 * @example Unpack a layer blob
 * ```ts ignore
 * import { compressionOf, unpackLayer } from "./mod.ts";
 * const blob = await Deno.open("/path/to/blob");
 * await unpackLayer(blob.readable, "/path/to/empty/dir", {
 *   compression: compressionOf("application/vnd.oci.image.layer.v1.tar+gzip"),
 *   owners: "keep",
 * });
 * ```
 *
 * @module
 */
export * from "./unpack_layer.ts";
export * from "./extract_tar.ts";
export * from "./compression.ts";
export * from "./unpack_error.ts";
export * from "./tar_format_error.ts";
export * from "./read_tar.ts";
export { decompress } from "./decompress.ts";
export * from "./zlib_stream.ts";
