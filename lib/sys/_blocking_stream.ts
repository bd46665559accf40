/**
 * A stream of blocking reads, for the `blockingReads` option of `Sys.stdinStream()`.
 *
 * @module
 */

/**
 * A stream whose every pull is one blocking read of up to `size` bytes; `read` returns the
 * count, 0 at the end. With `reuse` buffers, the chunks are views into that many buffers used in
 * turn (a chunk's bytes are overwritten by the read `reuse` chunks later): for a reader that is
 * done with each chunk by then, it saves the page faults of a new buffer per read. Without it,
 * each read gets a new buffer.
 *
 * @param read Reads into the buffer.
 * @param size The largest chunk.
 * @param reuse How many buffers to use in turn (0: a new one each time).
 * @returns The stream.
 *
 * @example
 * ```ts ignore
 * import { blockingStream } from "./_blocking_stream.ts";
 * const stdin = blockingStream((buf) => Deno.stdin.readSync(buf) ?? 0, 1 << 20, 0);
 * ```
 */
export function blockingStream(
  read: (buf: Uint8Array) => number,
  size: number,
  reuse: number,
): ReadableStream<Uint8Array> {
  const pool: Uint8Array[] = [];
  let turn = 0;
  return new ReadableStream({
    pull(controller) {
      let buf: Uint8Array;
      if (reuse > 0) {
        buf = pool[turn] ??= new Uint8Array(size);
        turn = (turn + 1) % reuse;
      } else buf = new Uint8Array(size);
      const n = read(buf);
      if (n === 0) controller.close();
      else controller.enqueue(buf.subarray(0, n));
    },
  }, { highWaterMark: 0 }); // a read only when one is asked for: no read ahead of the reader's
}
