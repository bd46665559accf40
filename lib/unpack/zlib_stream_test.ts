import assert from "node:assert/strict";
import { concat } from "./_test_tar.ts";
import { decompress } from "./decompress.ts";
import { throughZlib } from "./zlib_stream.ts";

/** Bytes that compress, but not to nothing: 8 MiB of words picked at random (seeded). */
function sample(): Uint8Array {
  const words = Array.from({ length: 256 }, (_, i) => `w${i * 7919}`);
  let x = 2463534242;
  const next = () => { // xorshift32
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
  const text = Array.from({ length: 1 << 20 }, () => words[next() % 256]).join(" ");
  return new TextEncoder().encode(text);
}

async function collect(
  input: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
): Promise<Uint8Array> {
  return concat(await Array.fromAsync(input));
}

/** A stream of `bytes` in chunks of `size`, counting what was pulled. */
function chunked(bytes: Uint8Array, size: number) {
  const state = { pulled: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>({
    pull(c) {
      if (state.pulled >= bytes.length) return c.close();
      c.enqueue(bytes.slice(state.pulled, state.pulled + size));
      state.pulled += size;
    },
    cancel() {
      state.cancelled = true;
    },
  }, { highWaterMark: 0 });
  return { stream, state };
}

async function tool(args: string[], input: Uint8Array): Promise<Uint8Array> {
  const child = new Deno.Command(args[0], {
    args: args.slice(1),
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  const w = child.stdin.getWriter();
  const written = w.write(input).then(() => w.close()); // while the output is read
  const out = await child.output();
  await written;
  assert.equal(out.code, 0);
  return out.stdout;
}

Deno.test("throughZlib() gzips what gzip -d reads back, and gunzips what gzip writes", async () => {
  const data = sample();
  const gz = await collect(throughZlib(chunked(data, 1000).stream, "gzip"));
  assert.ok(gz.length < data.length / 4);
  assert.deepEqual(await tool(["gzip", "-dc"], gz), data);
  const theirs = await tool(["gzip", "-c"], data);
  for (const size of [997, 65536, theirs.length]) {
    const back = await collect(throughZlib(chunked(theirs, size).stream, "gunzip"));
    assert.deepEqual(back, data, `chunks of ${size}`);
  }
});

Deno.test("throughZlib() decompresses what zstd writes, in chunks of at most 256 KiB", async () => {
  const data = sample();
  const zst = await tool(["zstd", "-c", "-q"], data);
  const chunks = await Array.fromAsync(throughZlib(chunked(zst, 65536).stream, "zstd-decompress"));
  assert.ok(chunks.every((c) => c.length <= 256 * 1024));
  assert.ok(chunks.length >= data.length / (256 * 1024));
  assert.deepEqual(await collect(chunks), data);
});

Deno.test("throughZlib() fails on a bad CRC and on a truncated stream", async () => {
  const data = sample();
  const gz = await tool(["gzip", "-c"], data);
  const bad = gz.slice();
  bad[bad.length - 6] ^= 0xff; // the CRC
  await assert.rejects(collect(throughZlib(chunked(bad, 4096).stream, "gunzip")));
  const cut = gz.slice(0, gz.length >> 1);
  await assert.rejects(collect(throughZlib(chunked(cut, 4096).stream, "gunzip")));
});

Deno.test("throughZlib() reads its input only as fast as its output is read, and cancels it", async () => {
  const data = sample();
  const { stream, state } = chunked(data, 65536);
  const it = throughZlib(stream, "gzip")[Symbol.asyncIterator]();
  await it.next();
  await new Promise((r) => setTimeout(r, 50));
  assert.ok(state.pulled < data.length, `pulled all ${state.pulled} bytes for one output chunk`);
  await it.return(undefined);
  await new Promise((r) => setTimeout(r, 10));
  assert.ok(state.cancelled);
});

Deno.test("decompress() passes plain bytes on and stops on its signal", async () => {
  const data = sample();
  assert.deepEqual(await collect(decompress(chunked(data, 100_000).stream, "none")), data);
  const gz = await tool(["gzip", "-c"], data);
  const controller = new AbortController();
  const { stream, state } = chunked(gz, 1024);
  const it = decompress(stream, "gzip", controller.signal)[Symbol.asyncIterator]();
  await it.next();
  controller.abort(new Error("stop here"));
  await assert.rejects(
    (async () => {
      while (!(await it.next()).done);
    })(),
    /stop here/,
  );
  assert.ok(state.cancelled);
});
