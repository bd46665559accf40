/**
 * A pass-through stream stage that hashes and counts what flows through it
 * (a layer's digest and size while it is written).
 *
 * @module
 */
import type { createHash } from "node:crypto";

/**
 * Yields `input` unchanged, feeding every chunk to `hash` and adding its size to `count`.
 *
 * @param input The bytes.
 * @param hash A node:crypto hash.
 * @param count Where the byte count goes.
 * @returns The same bytes.
 *
 * @example
 * ```ts
 * import { createHash } from "node:crypto";
 * import { hashing } from "./hashing.ts";
 * const hash = createHash("sha256");
 * const count = { bytes: 0 };
 * for await (const _ of hashing([new Uint8Array(3)], hash, count));
 * console.assert(count.bytes === 3);
 * ```
 */
export async function* hashing(
  input: AsyncIterable<Uint8Array>,
  hash: ReturnType<typeof createHash>,
  count: { bytes: number },
): AsyncGenerator<Uint8Array> {
  for await (const chunk of input) {
    hash.update(chunk);
    count.bytes += chunk.length;
    yield chunk;
  }
}
