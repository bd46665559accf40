/**
 * Decompresses a layer stream.
 *
 * gzip goes through node:zlib's streaming gunzip, the fastest decompressor
 * Deno has. Measured on a 196 MB layer (the issue): node:zlib 0.87 s, fflate
 * 1.18 s, DecompressionStream 1.79 s. Measured again here (Deno 2.9.6, 175 MB
 * tar of /usr/include and /usr/lib/python3.11, 37 MB gzip'ed, decompression
 * alone): node:zlib 0.32-0.35 s, DecompressionStream 0.51-0.55 s, fflate
 * 1.2-1.3 s, `gzip -dc` 0.81 s.
 *
 * zstd goes through node:zlib's `createZstdDecompress`, which Deno 2.9 has
 * (Node added it in 23.8), so no npm package is needed. The same tar as a
 * 29 MB .zst: node:zlib 0.28-0.30 s, fzstd 0.1.1 (pure JavaScript) 0.75 s,
 * `zstd -dc` 0.16 s.
 *
 * Output chunks of 256 KiB: 64 KiB made a whole unpack 15% slower, 1 MiB
 * gained nothing.
 *
 * node:zlib is imported dynamically, only when a compressed layer is read: the
 * first `node:` import costs Deno 15-20 ms of start-up, which `nook run` must
 * not pay.
 *
 * @module
 */
import type { Compression } from "./compression.ts";

/** Size of the decompressed chunks: big writes, few calls. */
const CHUNK = 256 * 1024;

/**
 * The decompressed bytes of `input`.
 *
 * @param input The compressed stream; it is read to its end (or cancelled).
 * @param compression Its compression.
 * @param signal Cancels the reading.
 * @returns The bytes, in chunks.
 */
export async function* decompress(
  input: ReadableStream<Uint8Array>,
  compression: Compression,
  signal?: AbortSignal,
): AsyncGenerator<Uint8Array> {
  const reader = input.getReader();
  const onAbort = () => reader.cancel(signal?.reason).catch(() => {});
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    if (compression === "none") {
      // One read ahead: the next chunk arrives while this one is written out.
      let next = reader.read();
      while (true) {
        const { value, done } = await next;
        if (done) return;
        next = reader.read();
        next.catch(() => {}); // handled when awaited; not unhandled if we stop first
        yield value;
      }
    }
    const zlib = await import("node:zlib");
    const stream = compression === "gzip"
      ? zlib.createGunzip({ chunkSize: CHUNK })
      : zlib.createZstdDecompress({ chunkSize: CHUNK });
    const waitForDrain = () =>
      new Promise<void>((resolve) => {
        const done = () => {
          stream.off("drain", done);
          stream.off("close", done);
          resolve();
        };
        stream.on("drain", done);
        stream.on("close", done);
      });
    // Feed the decompressor while its output is read below.
    (async () => {
      try {
        while (!stream.destroyed) {
          const { value, done } = await reader.read();
          if (done) {
            if (signal?.aborted) throw signal.reason;
            stream.end();
            return;
          }
          if (!stream.write(value)) await waitForDrain();
        }
      } catch (err) {
        stream.destroy(err instanceof Error ? err : new Error(String(err)));
      }
    })();
    try {
      for await (const chunk of stream) yield chunk as Uint8Array;
    } finally {
      stream.destroy();
    }
  } finally {
    signal?.removeEventListener("abort", onAbort);
    reader.cancel().catch(() => {});
  }
}
