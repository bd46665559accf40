/**
 * `ReadableStream.from()` for the library's types: the npm package's
 * declarations are built against TypeScript's DOM types, which lack it.
 *
 * @module
 */

/**
 * A byte stream that reads `source`; cancelling it ends the iteration.
 *
 * @param source The chunks.
 * @returns The stream.
 *
 * @example
 * ```ts
 * import { iterableStream } from "./iterable_stream.ts";
 * const stream = iterableStream([new Uint8Array([104, 105])]);
 * console.assert((await new Response(stream).text()) === "hi");
 * ```
 */
export function iterableStream<T>(source: AsyncIterable<T> | Iterable<T>): ReadableStream<T> {
  let it: AsyncIterator<T> | Iterator<T> | undefined;
  return new ReadableStream<T>({
    async pull(controller) {
      it ??= Symbol.asyncIterator in source
        ? (source as AsyncIterable<T>)[Symbol.asyncIterator]()
        : (source as Iterable<T>)[Symbol.iterator]();
      const r = await it.next();
      if (r.done) controller.close();
      else controller.enqueue(r.value);
    },
    async cancel(reason) {
      await it?.return?.(reason);
    },
  }, { highWaterMark: 0 });
}
