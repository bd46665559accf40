/**
 * Brings a blob into the store: stream it to `blobs/incoming/`, hash and count
 * as it goes, and commit it (rename) only when digest and size match. A
 * mismatch deletes the partial data and names both digests; an interrupted
 * download leaves only an incoming file, never a committed blob.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { NookError } from "../errors/mod.ts";
import { blobPath, type StoreLayout } from "./layout.ts";
import { sys } from "../sys/sys.ts";

/** Options of {@linkcode ingestBlob}. */
export interface IngestOptions {
  /** Expected size in bytes (-1: unknown). */
  size: number;
  /** Called with the bytes received so far. */
  onProgress?: (received: number) => void;
  /** Receives every chunk too (e.g. to unpack while downloading). */
  tee?: (chunk: Uint8Array) => Promise<void> | void;
  /** Skip the fsync (for data that can be fetched again, such as layer blobs). */
  noSync?: boolean;
}

/** A blob whose content does not match its digest or size. */
export class DigestMismatchError extends NookError {
  /** @param message Both digests or sizes. */
  constructor(message: string) {
    super(message);
    this.name = "DigestMismatchError";
  }
}

/**
 * Streams a blob into the store, verified.
 *
 * @param layout The store.
 * @param digest The expected digest.
 * @param body The blob's bytes.
 * @param options Expected size, progress, tee.
 * @returns The committed blob's path.
 * @throws {DigestMismatchError} When the bytes do not match; nothing is committed.
 *
 * @example
 * ```ts ignore
 * await ingestBlob(layout, digest, response.body!, { size });
 * ```
 */
export async function ingestBlob(
  layout: StoreLayout,
  digest: string,
  body: ReadableStream<Uint8Array>,
  options: IngestOptions,
): Promise<string> {
  const final = blobPath(layout, digest);
  const partial = `${layout.incomingBlobs}/${digest.slice(7)}.${sys.pid()}.${
    crypto.randomUUID().slice(0, 8)
  }`;
  const file = sys.createFile(partial, 0o600);
  if (!file) throw new Error(`Cannot create '${partial}': it exists`);
  const hash = createHash("sha256");
  let received = 0;
  let ok = false;
  try {
    for await (const chunk of body) {
      hash.update(chunk);
      received += chunk.length;
      file.write(chunk);
      if (options.tee) await options.tee(chunk);
      options.onProgress?.(received);
      if (options.size >= 0 && received > options.size) {
        throw new DigestMismatchError(
          `Blob ${digest} is larger than the ${options.size} bytes its descriptor says`,
        );
      }
    }
    const got = `sha256:${hash.digest("hex")}`;
    if (options.size >= 0 && received !== options.size) {
      throw new DigestMismatchError(
        `Blob ${digest} has ${received} bytes, expected ${options.size}`,
      );
    }
    if (got !== digest) {
      throw new DigestMismatchError(`Blob digest mismatch: expected ${digest}, got ${got}`);
    }
    if (!options.noSync) file.sync();
    ok = true;
  } finally {
    file.close();
    if (ok) sys.rename(partial, final);
    else {
      try {
        sys.remove(partial);
      } catch {
        // best effort: an incoming file is swept later
      }
    }
  }
  return final;
}
