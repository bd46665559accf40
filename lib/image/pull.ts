/**
 * `pull()` for the library: loads the pull machinery (which brings `node:`
 * modules for hashing and decompression) only when called.
 *
 * @module
 */
import type { ImageRecord } from "../store/mod.ts";
import type { PullOptions } from "./pull_image.ts";

/**
 * Pulls an image into nook's store.
 *
 * @param reference A docker reference (`busybox`, `host:5000/repo:tag`, `repo@sha256:...`).
 * @param options Platform, registry settings (TLS, cert dir), progress and warnings.
 * @returns The image's record: id, names, digests, layers.
 * @throws {NookError} When the registry, a digest or an unpack fails; nothing half-done is committed.
 *
 * @example
 * ```ts ignore
 * import { pull } from "./pull.ts";
 * const image = await pull("127.0.0.1:5000/busybox:latest", { registry: { tlsVerify: false } });
 * ```
 */
export async function pull(reference: string, options: PullOptions = {}): Promise<ImageRecord> {
  const { pullImage } = await import("./pull_image.ts");
  return await pullImage(reference, options);
}
