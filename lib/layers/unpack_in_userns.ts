/**
 * Unpacks a layer as root inside the user's user namespace, so that the
 * owners in the tar become subordinate ids on the host. nook re-executes
 * itself there (`_unpack-layer`, started by {@linkcode startUsernsWorker}) and
 * reads the layer from a pipe while the parent is still downloading it.
 * Beneath the unpacker's own checks, the kernel enforces the boundary: in the
 * child's mount namespace every mount is read-only except the new layer
 * directory, so no tar entry can change anything outside it.
 *
 * @module
 */
import { chooseIdMaps } from "../userns/mod.ts";
import { startUsernsWorker } from "./start_userns_worker.ts";

/** Options of {@linkcode startUnpack}. */
export interface StartUnpackOptions {
  /** "gzip", "zstd" or "none". */
  compression: string;
  /** Expected diff id (sha256 of the uncompressed tar), checked by the child. */
  diffId: string;
  /** Receives the child's warnings. */
  onWarning?: (message: string) => void;
}

/** A running unpack: feed it the layer's bytes, then wait for it. */
export interface Unpacker {
  /** Sends the next chunk of the (compressed) layer. */
  write(chunk: Uint8Array): Promise<void>;
  /** Ends the input and waits for the child; throws its error. */
  finish(): Promise<void>;
  /** Kills the child (after a failed download). */
  abort(): Promise<void>;
}

/**
 * Starts an unpack child that writes a layer into `dest` (an empty directory).
 *
 * @param dest The layer directory.
 * @param options Compression, diff id, warnings.
 * @returns The unpacker.
 *
 * @example
 * ```ts ignore
 * const u = await startUnpack(dir, { compression: "gzip", diffId });
 * for await (const chunk of body) await u.write(chunk);
 * await u.finish();
 * ```
 */
export async function startUnpack(dest: string, options: StartUnpackOptions): Promise<Unpacker> {
  const idMaps = chooseIdMaps({ onWarning: () => {} });
  const owners = idMaps.mode === "subid" ? "keep" : "squash";
  const worker = await startUsernsWorker({
    args: ["_unpack-layer", dest, options.compression, options.diffId, owners],
    name: "the layer unpacker",
    writable: dest,
    idMaps,
    onWarning: options.onWarning,
  });
  return {
    async write(chunk) {
      if (!(await worker.write(chunk))) await worker.finish(); // it stopped: say why
    },
    finish: () => worker.finish(),
    abort: () => worker.abort(),
  };
}
