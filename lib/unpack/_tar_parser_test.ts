import assert from "node:assert/strict";
import { type TarEntry, TarParser, type TarParserOptions, type TarVisitor } from "./_tar_parser.ts";
import { concat, makeTar, paxData, tarHeader } from "./_test_tar.ts";
import { UnpackError } from "./unpack_error.ts";

interface Seen {
  entry: TarEntry;
  /** [offset, text] pieces as delivered, merged when contiguous. */
  data: [number, string][];
  ended: boolean;
}

function read(
  archive: Uint8Array,
  chunk = 65536,
  options: TarParserOptions = {},
): { seen: Seen[]; done: boolean } {
  const seen: Seen[] = [];
  const visitor: TarVisitor = {
    entry: (entry) => seen.push({ entry, data: [], ended: false }),
    data(bytes, offset) {
      const data = seen.at(-1)!.data;
      const last = data.at(-1);
      const text = new TextDecoder().decode(bytes);
      if (last && last[0] + last[1].length === offset) last[1] += text;
      else data.push([offset, text]);
    },
    end: () => {
      seen.at(-1)!.ended = true;
    },
  };
  const parser = new TarParser(visitor, options);
  for (let at = 0; at < archive.length; at += chunk) {
    parser.push(archive.subarray(at, at + chunk));
  }
  parser.finish();
  return { seen, done: parser.done };
}

function summary(seen: Seen[]) {
  return seen.map((s) => ({
    name: s.entry.name,
    type: s.entry.type,
    data: s.data,
    ended: s.ended,
  }));
}

Deno.test("TarParser reads entries the same whatever the chunk size", () => {
  const archive = makeTar([
    { name: "d/", type: "5", mode: 0o755 },
    { name: "d/a", data: "x".repeat(1000) },
    { name: "d/empty" },
    { name: "d/b", data: "hello" },
  ]);
  const expected = summary(read(archive).seen);
  assert.deepEqual(expected.map((e) => e.name), ["d/", "d/a", "d/empty", "d/b"]);
  assert.deepEqual(expected[1].data, [[0, "x".repeat(1000)]]);
  assert.deepEqual(expected[2].data, []);
  assert.ok(expected.every((e) => e.ended));
  for (const chunk of [1, 7, 511, 512, 513, 4096]) {
    assert.deepEqual(summary(read(archive, chunk).seen), expected, `chunk ${chunk}`);
  }
});

Deno.test("TarParser reads the header fields", () => {
  const { seen } = read(makeTar([
    { name: "f", mode: 0o4755, uid: 1000, gid: 1001, mtime: 1234, data: "abc" },
    { name: "l", type: "2", linkname: "/target" },
    { name: "c", type: "3", patch: { 336: 0x31, 344: 0x33 } }, // devmajor 1, devminor 3
  ]));
  const [f, l, c] = seen.map((s) => s.entry);
  assert.equal(f.type, "file");
  assert.equal(f.mode, 0o4755);
  assert.equal(f.uid, 1000);
  assert.equal(f.gid, 1001);
  assert.equal(f.mtimeNs, 1234_000_000_000n);
  assert.equal(f.size, 3);
  assert.equal(l.type, "symlink");
  assert.equal(l.linkname, "/target");
  assert.equal(c.type, "char");
  assert.deepEqual([c.devmajor, c.devminor], [1, 3]);
});

Deno.test("TarParser applies GNU long names and links to the next entry only", () => {
  const long = "n".repeat(300);
  const target = "t".repeat(200);
  const archive = makeTar([
    { name: "././@LongLink", type: "L", data: long + "\0", format: "gnu" },
    { name: "././@LongLink", type: "K", data: target + "\0", format: "gnu" },
    { name: long.slice(0, 100), type: "2", linkname: target.slice(0, 100), format: "gnu" },
    { name: "short", format: "gnu" },
  ]);
  const [a, b] = read(archive).seen.map((s) => s.entry);
  assert.equal(a.name, long);
  assert.equal(a.linkname, target);
  assert.equal(b.name, "short");
  assert.equal(b.linkname, "");
});

Deno.test("TarParser applies PAX records to the next entry only", () => {
  const archive = makeTar([
    {
      name: "short",
      data: "data",
      pax: {
        path: "a/very/long/name",
        linkpath: "ignored for a file",
        uid: "3000000",
        gid: "3000001",
        mtime: "1234567890.123456789",
        atime: "1234567891.5",
        uname: "someone",
        "SCHILY.xattr.user.a": "1",
        "SCHILY.xattr.security.capability": new Uint8Array([1, 0, 0, 2, 0xff]),
      },
    },
    { name: "next" },
  ]);
  const [a, b] = read(archive).seen;
  assert.equal(a.entry.name, "a/very/long/name");
  assert.equal(a.entry.uid, 3000000);
  assert.equal(a.entry.gid, 3000001);
  assert.equal(a.entry.mtimeNs, 1234567890123456789n);
  assert.equal(a.entry.atimeNs, 1234567891500000000n);
  assert.deepEqual(a.entry.xattrs, [
    ["user.a", new TextEncoder().encode("1")],
    ["security.capability", new Uint8Array([1, 0, 0, 2, 0xff])],
  ]);
  assert.deepEqual(a.data, [[0, "data"]]);
  assert.equal(b.entry.name, "next");
  assert.equal(b.entry.uid, 0);
  assert.deepEqual(b.entry.xattrs, []);
});

Deno.test("TarParser takes a PAX size over the header's", () => {
  const archive = makeTar([{ name: "f", size: 0, data: "0123456789", pax: { size: "10" } }]);
  assert.deepEqual(read(archive).seen[0].data, [[0, "0123456789"]]);
});

Deno.test("TarParser ignores global PAX headers", () => {
  const data = paxData({ path: "global", comment: "git archive" });
  const archive = concat([
    tarHeader({ name: "pax_global_header", type: "g", data }),
    new Uint8Array(Math.ceil(data.length / 512) * 512).fill(0).map((_, i) => data[i] ?? 0),
    makeTar([{ name: "f" }]),
  ]);
  assert.deepEqual(read(archive).seen.map((s) => s.entry.name), ["f"]);
});

Deno.test("TarParser gives header-only types no data, as Go does", () => {
  // A directory whose size field says 512: the next block is the next header.
  const archive = concat([
    tarHeader({ name: "d/", type: "5", size: 512 }),
    makeTar([{ name: "d/f", data: "x" }]),
  ]);
  const { seen } = read(archive);
  assert.deepEqual(seen.map((s) => [s.entry.name, s.entry.size]), [["d/", 0], ["d/f", 1]]);
});

Deno.test("TarParser reads old type flags: NUL, '7' and NUL with a trailing slash", () => {
  const { seen } = read(makeTar([
    { name: "old", type: "\0", format: "v7", data: "v7" },
    { name: "olddir/", type: "\0", format: "v7" },
    { name: "contiguous", type: "7" },
  ]));
  assert.deepEqual(seen.map((s) => s.entry.type), ["file", "directory", "file"]);
});

Deno.test("TarParser refuses types it does not unpack, naming the entry", () => {
  assert.throws(
    () => read(makeTar([{ name: "vol", type: "V" }])),
    (err) =>
      err instanceof UnpackError && err.entry === "vol" && /tar type 'V' is not/.test(err.message),
  );
});

Deno.test("TarParser passes over types it does not know when told to skip them, data and all", () => {
  const archive = makeTar([
    { name: "vol", type: "V", data: "y".repeat(700) },
    { name: "long", type: "L", data: "named-by-L" },
    { name: "odd", type: "Z" },
    { name: "f", data: "x" },
  ]);
  for (const chunk of [1, 100, 65536]) {
    const { seen } = read(archive, chunk, { unknownTypes: "skip" });
    assert.deepEqual(summary(seen), [{ name: "f", type: "file", data: [[0, "x"]], ended: true }]);
  }
});

Deno.test("TarParser stops at the end marker and ignores what follows", () => {
  const archive = concat([
    makeTar([{ name: "f" }]),
    new Uint8Array(10240),
    tarHeader({ name: "g" }),
  ]);
  const { seen, done } = read(archive);
  assert.equal(done, true);
  assert.deepEqual(seen.map((s) => s.entry.name), ["f"]);
});

Deno.test("TarParser accepts an archive without end marker that ends between entries", () => {
  const { seen, done } = read(makeTar([{ name: "f", data: "x" }], false));
  assert.equal(done, false);
  assert.equal(seen.length, 1);
});

Deno.test("TarParser refuses an archive cut inside an entry or a header", () => {
  const archive = makeTar([{ name: "f", data: "x".repeat(2000) }], false);
  assert.throws(
    () => read(archive.subarray(0, 1000)),
    /Corrupt layer: the archive ends inside entry 'f'/,
  );
  assert.throws(() => read(archive.subarray(0, 100)), /the archive ends early, at byte 0/);
  const pax = makeTar([{ name: "f", pax: { path: "g" } }], false);
  assert.throws(() => read(pax.subarray(0, 1024)), /the archive ends early, at byte 1024/);
});

Deno.test("TarParser refuses a header after a single zero block", () => {
  const archive = concat([new Uint8Array(512), makeTar([{ name: "f" }])]);
  assert.throws(() => read(archive), /a header follows the end-of-archive block at byte 512/);
});

Deno.test("TarParser refuses a negative size and a huge extended header", () => {
  const negative = tarHeader({
    name: "f",
    patch: {
      124: 0xff,
      125: 0xff,
      126: 0xff,
      127: 0xff,
      128: 0xff,
      129: 0xff,
      130: 0xff,
      131: 0xff,
      132: 0xff,
      133: 0xff,
      134: 0xff,
      135: 0xff,
    },
  });
  assert.throws(() => read(negative), /entry 'f' has a negative size/);
  const huge = tarHeader({ name: "x", type: "x", size: 2 << 20 });
  assert.throws(() => read(huge), /extended header of 2097152 bytes/);
});

Deno.test("TarParser places old GNU sparse data, with an extension block", () => {
  // Six segments: four in the header, two in one extension block.
  const segments = [[0, 2], [10, 2], [20, 2], [30, 2], [40, 2], [50, 2]];
  const header = tarHeader({ name: "s", type: "S", format: "gnu", size: 12, badChecksum: true });
  const put = (block: Uint8Array, at: number, value: number, width: number) =>
    block.set(new TextEncoder().encode(value.toString(8).padStart(width - 1, "0")), at);
  segments.slice(0, 4).forEach(([o, l], i) => {
    put(header, 386 + i * 24, o, 12);
    put(header, 386 + i * 24 + 12, l, 12);
  });
  header[482] = 1;
  put(header, 483, 60, 12);
  header.fill(0x20, 148, 156);
  const sum = header.reduce((a, b) => a + b, 0);
  header.set(new TextEncoder().encode(sum.toString(8).padStart(6, "0") + "\0 "), 148);
  const extension = new Uint8Array(512);
  segments.slice(4).forEach(([o, l], i) => {
    put(extension, i * 24, o, 12);
    put(extension, i * 24 + 12, l, 12);
  });
  const data = new Uint8Array(512);
  data.set(new TextEncoder().encode("aabbccddeeff"));
  const archive = concat([header, extension, data, new Uint8Array(1024)]);
  for (const chunk of [1, 100, 65536]) {
    const [s] = read(archive, chunk).seen;
    assert.equal(s.entry.sparse, true);
    assert.equal(s.entry.size, 60);
    assert.deepEqual(s.data, [[0, "aa"], [10, "bb"], [20, "cc"], [30, "dd"], [40, "ee"], [
      50,
      "ff",
    ]]);
  }
});

Deno.test("TarParser reads PAX sparse 1.0: the real name, size and map in the data", () => {
  const map = new Uint8Array(512);
  map.set(new TextEncoder().encode("2\n5\n3\n100\n2\n"));
  const body = concat([map, new TextEncoder().encode("abcde")]);
  const archive = makeTar([{
    name: "GNUSparseFile.1/s",
    data: body,
    pax: {
      "GNU.sparse.major": "1",
      "GNU.sparse.minor": "0",
      "GNU.sparse.name": "real/name",
      "GNU.sparse.realsize": "200",
    },
  }]);
  for (const chunk of [1, 512, 65536]) {
    const [s] = read(archive, chunk).seen;
    assert.equal(s.entry.name, "real/name");
    assert.equal(s.entry.size, 200);
    assert.deepEqual(s.data, [[5, "abc"], [100, "de"]]);
  }
});

Deno.test("TarParser reads PAX sparse 0.1 maps and checks them", () => {
  const ok = makeTar([{
    name: "s",
    data: "xy",
    pax: {
      "GNU.sparse.major": "0",
      "GNU.sparse.minor": "1",
      "GNU.sparse.map": "3,1,9,1",
      "GNU.sparse.size": "10",
    },
  }]);
  assert.deepEqual(read(ok).seen[0].data, [[3, "x"], [9, "y"]]);
  const bad = makeTar([{
    name: "s",
    data: "xy",
    pax: { "GNU.sparse.map": "3,1,9,5", "GNU.sparse.size": "10" },
  }]);
  assert.throws(() => read(bad), /sparse file 's' has a segment of 5 bytes at 9 that does not fit/);
});
