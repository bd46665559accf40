/**
 * The one wrapper of node:zlib's streaming transforms (gunzip, zstd
 * decompression, gzip): a byte stream in, an async iteration of the output
 * out, with back-pressure both ways.
 *
 * node:zlib is the fastest (de)compressor Deno has. Measured on a 196 MB
 * layer (the issue): node:zlib 0.87 s, fflate 1.18 s, DecompressionStream
 * 1.79 s. Measured again here (Deno 2.9.6, 175 MB tar of /usr/include and
 * /usr/lib/python3.11, 37 MB gzip'ed, decompression alone): node:zlib
 * 0.32-0.35 s, DecompressionStream 0.51-0.55 s, fflate 1.2-1.3 s, `gzip -dc`
 * 0.81 s.
 *
 * zstd goes through node:zlib's `createZstdDecompress`, which Deno 2.9 has
 * (Node added it in 23.8), so no npm package is needed. The same tar as a
 * 29 MB .zst: node:zlib 0.28-0.30 s, fzstd 0.1.1 (pure JavaScript) 0.75 s,
 * `zstd -dc` 0.16 s.
 *
 * Output chunks of 256 KiB: 64 KiB made a whole unpack 15% slower, 1 MiB
 * gained nothing.
 *
 * node:zlib is imported dynamically, only when a stream needs it: the first
 * `node:` import costs Deno 15-20 ms of start-up, which `nook run` must not
 * pay.
 *
 * @module
 */

/** What the transform does. */
export type ZlibTransform = "gunzip" | "zstd-decompress" | "gzip";

/** Size of the output chunks: big writes, few calls. */
const CHUNK = 256 * 1024;

/**
 * The output of a node:zlib transform fed with `input`.
 *
 * @param input The bytes to transform; read to its end, or cancelled when the
 *   output is not read to its end.
 * @param transform Which transform.
 * @param signal Cancels the reading; the output then fails with its reason.
 * @returns The output, in chunks of up to 256 KiB.
 * @throws {Error} node:zlib's error on corrupt input (a bad header or CRC, a
 *   truncated stream).
 *
 * @example Gzip and gunzip a few bytes
 * ```ts
 * import { throughZlib } from "./zlib_stream.ts";
 * const gz = await Array.fromAsync(throughZlib(ReadableStream.from([new Uint8Array([104, 105])]), "gzip"));
 * const back = await Array.fromAsync(throughZlib(ReadableStream.from(gz), "gunzip"));
 * console.assert(new TextDecoder().decode(back[0]) === "hi");
 * ```
 */
export async function* throughZlib(
  input: ReadableStream<Uint8Array>,
  transform: ZlibTransform,
  signal?: AbortSignal,
): AsyncGenerator<Uint8Array> {
  const reader = input.getReader();
  const onAbort = () => reader.cancel(signal?.reason).catch(() => {});
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const zlib = await import("node:zlib");
    const options = { chunkSize: CHUNK };
    const stream = transform === "gunzip"
      ? zlib.createGunzip(options)
      : transform === "zstd-decompress"
      ? zlib.createZstdDecompress(options)
      : zlib.createGzip(options);
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
    // Feed the transform while its output is read below.
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
