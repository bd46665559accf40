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
 * Progress comes as `PullEvent`s to `onProgress`: one `resolved`
 * (the manifest digest and layer count), `layer` events per layer
 * (`exists`, or `downloading` with bytes received of total, then `done`), and
 * a final `done` with the image id. `signal` aborts the pull: it rejects with
 * the signal's reason and names no image; complete layers stay for reuse.
 *
 * @param options Platform, registry settings (TLS, cert dir), progress, warnings, signal.
 * @returns The image's record: id, names, digests, layers.
 * @throws {NookError} When the registry, a digest or an unpack fails; nothing half-done is committed.
 * @throws The signal's reason (an `AbortError` by default) when `signal` aborts.
 *
 * @example
 * ```ts ignore
 * import { pull } from "./pull.ts";
 * const image = await pull("127.0.0.1:5000/busybox:latest", {
 *   registry: { tlsVerify: false },
 *   signal: AbortSignal.timeout(60_000),
 *   onProgress: (e) => e.kind === "layer" && console.log(e.digest, e.state, e.received, e.total),
 * });
 * ```
 */
export async function pull(reference: string, options: PullOptions = {}): Promise<ImageRecord> {
  const { pullImage } = await import("./pull_image.ts");
  return await pullImage(reference, options);
}
