/**
 * `push()` for the library: loads the push machinery (registry client,
 * hashing) only when called.
 *
 * @module
 */
import type { PushOptions, PushResult } from "./push_image.ts";

/**
 * Pushes a stored image to a registry (`nook push`).
 *
 * Blobs the registry has are skipped, blobs of another repository of the
 * same registry are mounted, the others are uploaded (in chunks with
 * `chunked`); progress comes as `PushEvent`s to `onProgress`.
 *
 * @param image Name, id or id prefix of the stored image.
 * @param destination `registry/repository[:tag]`; default: the image's own name.
 * @param options Registry settings (TLS, cert dir, credentials), chunking, progress.
 * @returns The destination, the manifest's digest and size.
 * @throws {NoSuchImageError} When the store has no such image.
 * @throws {UsageError} When an id is given without a destination, or the destination has a digest.
 * @throws {RegistryError} When the registry refuses.
 *
 * @example
 * ```ts ignore
 * import { push } from "./push.ts";
 * const { digest } = await push("busybox", "127.0.0.1:5000/me/busybox:1", {
 *   registry: { tlsVerify: false },
 * });
 * ```
 */
export async function push(
  image: string,
  destination?: string,
  options: PushOptions = {},
): Promise<PushResult> {
  const { pushImage } = await import("./push_image.ts");
  return await pushImage(image, destination, options);
}
