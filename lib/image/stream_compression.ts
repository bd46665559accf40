/**
 * Compression of whole streams: tell gzip and zstd from a plain tar by their
 * first bytes, decompress, and gzip. Through node:zlib (the fastest
 * (de)compressor Deno has, see `lib/unpack/_decompress.ts`), imported only
 * when a stream needs it.
 *
 * @module
 */
import { NookError } from "../errors/mod.ts";

/** How a stream is compressed. */
export type StreamCompression = "gzip" | "zstd" | "none";

/** A stream and what its first bytes say it is. */
export interface SniffedStream {
  /** The compression. */
  compression: StreamCompression;
  /** The whole stream again, first bytes included. */
  stream: ReadableStream<Uint8Array>;
}

const MAGIC: [StreamCompression | "bzip2" | "xz", number[]][] = [
  ["gzip", [0x1f, 0x8b]],
  ["zstd", [0x28, 0xb5, 0x2f, 0xfd]],
  ["bzip2", [0x42, 0x5a, 0x68]],
  ["xz", [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
];

/**
 * The compression of some leading bytes.
 *
 * @param head The first bytes of a stream (6 are enough).
 * @returns gzip, zstd or none.
 * @throws {NookError} For bzip2 and xz, which nook does not read.
 *
 * @example
 * ```ts
 * import { compressionOfBytes } from "./stream_compression.ts";
 * console.assert(compressionOfBytes(new Uint8Array([0x1f, 0x8b, 8])) === "gzip");
 * ```
 */
export function compressionOfBytes(head: Uint8Array): StreamCompression {
  for (const [kind, magic] of MAGIC) {
    if (head.length >= magic.length && magic.every((b, i) => head[i] === b)) {
      if (kind === "bzip2" || kind === "xz") {
        throw new NookError(`Cannot read a ${kind}-compressed archive: decompress it first`);
      }
      return kind;
    }
  }
  return "none";
}

/**
 * Looks at the first bytes of a stream to tell its compression.
 *
 * @param stream The stream.
 * @returns Its compression and the same bytes as a new stream.
 * @throws {NookError} For bzip2 and xz.
 *
 * @example
 * ```ts ignore
 * const { compression, stream } = await sniffCompression(Deno.stdin.readable);
 * ```
 */
export async function sniffCompression(
  stream: ReadableStream<Uint8Array>,
): Promise<SniffedStream> {
  const reader = stream.getReader();
  const head: Uint8Array[] = [];
  let length = 0;
  let ended = false;
  while (length < 6) {
    const { value, done } = await reader.read();
    if (done) {
      ended = true;
      break;
    }
    head.push(value);
    length += value.length;
  }
  const first = new Uint8Array(length);
  let at = 0;
  for (const part of head) {
    first.set(part, at);
    at += part.length;
  }
  let compression: StreamCompression;
  try {
    compression = compressionOfBytes(first);
  } catch (err) {
    await reader.cancel().catch(() => {});
    throw err;
  }
  const again = new ReadableStream<Uint8Array>({
    start(controller) {
      if (first.length) controller.enqueue(first);
      if (ended) controller.close();
    },
    async pull(controller) {
      const { value, done } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
  return { compression, stream: again };
}

import { decompress as decompressLayer } from "../unpack/mod.ts";
import { iterableStream } from "../unpack/iterable_stream.ts";

type Zlib = typeof import("node:zlib");
type ZlibStream = ReturnType<Zlib["createGunzip"]>;

/** Feeds `input` through a node:zlib transform and yields its output. */
async function* throughZlib(
  input: AsyncIterable<Uint8Array>,
  make: (zlib: Zlib) => ZlibStream,
): AsyncGenerator<Uint8Array> {
  const zlib = await import("node:zlib");
  const stream = make(zlib);
  const drained = () =>
    new Promise<void>((resolve) => {
      const done = () => {
        stream.off("drain", done);
        stream.off("close", done);
        resolve();
      };
      stream.on("drain", done);
      stream.on("close", done);
    });
  (async () => {
    try {
      for await (const chunk of input) {
        if (stream.destroyed) return;
        if (!stream.write(chunk)) await drained();
      }
      stream.end();
    } catch (err) {
      stream.destroy(err instanceof Error ? err : new Error(String(err)));
    }
  })();
  try {
    for await (const chunk of stream) yield chunk as Uint8Array;
  } finally {
    stream.destroy();
  }
}

/**
 * Decompresses a stream.
 *
 * @param input The compressed bytes.
 * @param compression How they are compressed ("none" passes them through).
 * @returns The decompressed bytes.
 *
 * @example
 * ```ts ignore
 * for await (const chunk of decompress(blob.readable, "gzip")) hash.update(chunk);
 * ```
 */
export function decompress(
  input: AsyncIterable<Uint8Array>,
  compression: StreamCompression,
): AsyncIterable<Uint8Array> {
  if (compression === "none") return input;
  // The unpacker's decompressor: node:zlib, chosen and measured there.
  return decompressLayer(iterableStream(input), compression);
}

/**
 * Gzips a stream.
 *
 * @param input The bytes.
 * @returns The gzip stream's bytes.
 *
 * @example
 * ```ts
 * import { decompress, gzip } from "./stream_compression.ts";
 * const text = new TextEncoder().encode("hello");
 * const back = await Array.fromAsync(decompress(gzip([text]), "gzip"));
 * console.assert(new TextDecoder().decode(back[0]) === "hello");
 * ```
 */
export function gzip(
  input: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
): AsyncIterable<Uint8Array> {
  return throughZlib(
    (async function* () {
      yield* input;
    })(),
    (zlib) => zlib.createGzip({ chunkSize: 256 * 1024 }) as unknown as ZlibStream,
  );
}
