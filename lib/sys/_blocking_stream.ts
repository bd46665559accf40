/**
 * A stream of blocking reads, for the `blockingReads` option of `Sys.stdinStream()`.
 *
 * @module
 */

/**
 * A stream whose every pull is one blocking read of up to `size` bytes into a new buffer (no
 * copy); `read` returns the count, 0 at the end.
 *
 * @param read Reads into the buffer.
 * @param size The largest chunk.
 * @returns The stream.
 *
 * @example
 * ```ts ignore
 * import { blockingStream } from "./_blocking_stream.ts";
 * const stdin = blockingStream((buf) => Deno.stdin.readSync(buf) ?? 0, 1 << 20);
 * ```
 */
export function blockingStream(
  read: (buf: Uint8Array) => number,
  size: number,
): ReadableStream<Uint8Array> {
  return new ReadableStream({
    pull(controller) {
      const buf = new Uint8Array(size);
      const n = read(buf);
      if (n === 0) controller.close();
      else controller.enqueue(buf.subarray(0, n));
    },
  }, { highWaterMark: 0 }); // a read only when one is asked for: no read ahead of the reader's
}
