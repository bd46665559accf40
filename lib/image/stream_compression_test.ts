import assert from "node:assert/strict";
import { NookError } from "../errors/mod.ts";
import { decompress } from "../unpack/decompress.ts";
import { compressionOfBytes, gzip, sniffCompression } from "./stream_compression.ts";

const text = new TextEncoder().encode("some layer bytes ".repeat(1000));

async function collect(input: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks = await Array.fromAsync(input);
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** A stream that hands out `bytes` one byte at a time. */
function trickle(bytes: Uint8Array): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(c) {
      if (at >= bytes.length) return c.close();
      c.enqueue(bytes.slice(at, ++at));
    },
  });
}

Deno.test("sniffCompression() tells gzip from a plain stream and gives every byte back", async () => {
  const gz = await collect(gzip([text]));
  assert.equal(gz[0], 0x1f); // gzip() wrote gzip
  assert.ok(gz.length < text.length / 10);
  const sniffed = await sniffCompression(trickle(gz));
  assert.equal(sniffed.compression, "gzip");
  assert.deepEqual(await collect(decompress(sniffed.stream, "gzip")), text);
  const plain = await sniffCompression(trickle(text.slice(0, 3)));
  assert.equal(plain.compression, "none");
  assert.deepEqual(await collect(plain.stream), text.slice(0, 3));
  assert.equal((await sniffCompression(trickle(new Uint8Array(0)))).compression, "none");
});

Deno.test("compressionOfBytes() knows zstd and refuses bzip2 and xz", () => {
  assert.equal(compressionOfBytes(new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 0])), "zstd");
  assert.throws(() => compressionOfBytes(new TextEncoder().encode("BZh91AY")), NookError);
  assert.throws(
    () => compressionOfBytes(new Uint8Array([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0])),
    /xz-compressed/,
  );
});
