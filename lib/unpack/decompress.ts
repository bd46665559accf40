/**
 * Decompressing a layer (or any) stream: gzip and zstd through node:zlib
 * ({@linkcode throughZlib}, which says why node:zlib), plain bytes passed on
 * with one read ahead.
 *
 * @module
 */
import type { Compression } from "./compression.ts";
import { throughZlib } from "./zlib_stream.ts";

/**
 * The decompressed bytes of `input`.
 *
 * @param input The compressed stream; it is read to its end (or cancelled).
 * @param compression Its compression.
 * @param signal Cancels the reading.
 * @returns The bytes, in chunks.
 * @throws {Error} node:zlib's error on corrupt input.
 *
 * @example Decompress a gzip stream
 * ```ts
 * import { decompress } from "./decompress.ts";
 * import { throughZlib } from "./zlib_stream.ts";
 * const gz = ReadableStream.from(throughZlib(ReadableStream.from([new Uint8Array([104, 105])]), "gzip"));
 * const back = await Array.fromAsync(decompress(gz, "gzip"));
 * console.assert(new TextDecoder().decode(back[0]) === "hi");
 * ```
 */
export async function* decompress(
  input: ReadableStream<Uint8Array>,
  compression: Compression,
  signal?: AbortSignal,
): AsyncGenerator<Uint8Array> {
  if (compression !== "none") {
    yield* throughZlib(input, compression === "gzip" ? "gunzip" : "zstd-decompress", signal);
    return;
  }
  const reader = input.getReader();
  const onAbort = () => reader.cancel(signal?.reason).catch(() => {});
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    // One read ahead: the next chunk arrives while this one is written out.
    let next = reader.read();
    while (true) {
      const { value, done } = await next;
      if (done) return;
      next = reader.read();
      next.catch(() => {}); // handled when awaited; not unhandled if we stop first
      yield value;
    }
  } finally {
    signal?.removeEventListener("abort", onAbort);
    reader.cancel().catch(() => {});
  }
}
