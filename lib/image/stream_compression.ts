/**
 * Compression of whole streams: tell gzip and zstd from a plain tar by their
 * first bytes, and gzip. Decompressing is `decompress()` of
 * `lib/unpack/decompress.ts`; both go through the one node:zlib wrapper,
 * {@linkcode throughZlib}.
 *
 * @module
 */
import { NookError } from "../errors/mod.ts";
import type { Compression } from "../unpack/compression.ts";
import { iterableStream } from "../unpack/iterable_stream.ts";
import { throughZlib } from "../unpack/zlib_stream.ts";

/** A stream and what its first bytes say it is. */
export interface SniffedStream {
  /** The compression. */
  compression: Compression;
  /** The whole stream again, first bytes included. */
  stream: ReadableStream<Uint8Array>;
}

const MAGIC: [Compression | "bzip2" | "xz", number[]][] = [
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
export function compressionOfBytes(head: Uint8Array): Compression {
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
  let compression: Compression;
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
/**
 * Gzips a stream.
 *
 * @param input The bytes.
 * @returns The gzip stream's bytes.
 *
 * @example
 * ```ts
 * import { gzip } from "./stream_compression.ts";
 * import { decompress } from "../unpack/decompress.ts";
 * import { iterableStream } from "../unpack/iterable_stream.ts";
 * const text = new TextEncoder().encode("hello");
 * const back = await Array.fromAsync(decompress(iterableStream(gzip([text])), "gzip"));
 * console.assert(new TextDecoder().decode(back[0]) === "hello");
 * ```
 */
export function gzip(
  input: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
): AsyncIterable<Uint8Array> {
  return throughZlib(iterableStream(input), "gzip");
}
