import assert from "node:assert/strict";
import {
  checksumMatches,
  isZeroBlock,
  parseHeader,
  parseNumeric,
  parseString,
} from "./_tar_header.ts";
import { tarHeader } from "./_test_tar.ts";
import { UnpackError } from "./unpack_error.ts";

const field = (text: string) => new TextEncoder().encode(text);

Deno.test("parseNumeric() reads octal padded with spaces and NULs", () => {
  assert.equal(parseNumeric(field("0000644\0"), "mode"), 0o644);
  assert.equal(parseNumeric(field("  644 \0"), "mode"), 0o644);
  assert.equal(parseNumeric(field("\0\0\0\0"), "mode"), 0);
  assert.equal(parseNumeric(field("77777777777\0"), "size"), 8 ** 11 - 1);
});

Deno.test("parseNumeric() reads base-256, positive and negative", () => {
  assert.equal(
    parseNumeric(new Uint8Array([0x80, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0]), "size"),
    2 ** 33,
  );
  assert.equal(
    parseNumeric(
      new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfc, 0x18]),
      "mtime",
    ),
    -1000,
  );
  assert.equal(
    parseNumeric(new Uint8Array([0x80, 0, 0, 0, 0, 0x2d, 0xc6, 0xc0]), "uid"),
    3_000_000,
  );
});

Deno.test("parseNumeric() refuses garbage and values past 2^53", () => {
  assert.throws(() => parseNumeric(field("12x4"), "size"), /'size' holds '12x4'/);
  assert.throws(() => parseNumeric(field("9"), "size"), UnpackError);
  assert.throws(
    () =>
      parseNumeric(
        new Uint8Array([0x80, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
        "size",
      ),
    /too large/,
  );
});

Deno.test("parseString() stops at the first NUL", () => {
  assert.equal(parseString(field("abc\0def")), "abc");
  assert.equal(parseString(field("abc")), "abc");
});

Deno.test("checksumMatches() checks the sum, unsigned or signed", () => {
  const block = tarHeader({ name: "a" });
  assert.ok(checksumMatches(block));
  block[0] = 0x62;
  assert.ok(!checksumMatches(block));
  // A high byte summed as signed, as old tars did.
  const signed = tarHeader({ name: "\u00e9", badChecksum: true });
  let sum = 0;
  for (let i = 0; i < 512; i++) {
    const c = i >= 148 && i < 156 ? 0x20 : signed[i];
    sum += c < 128 ? c : c - 256;
  }
  signed.set(field(sum.toString(8).padStart(6, "0") + "\0 "), 148);
  assert.ok(checksumMatches(signed));
});

Deno.test("isZeroBlock() tells the end-of-archive block", () => {
  assert.ok(isZeroBlock(new Uint8Array(512)));
  assert.ok(!isZeroBlock(tarHeader({ name: "a" })));
});

Deno.test("parseHeader() joins the ustar prefix, not in GNU or v7 headers", () => {
  const prefix = { 345: 0x70, 346: 0x2f, 347: 0x71 }; // "p/q"
  assert.equal(parseHeader(tarHeader({ name: "n", patch: prefix }), 0).name, "p/q/n");
  assert.equal(parseHeader(tarHeader({ name: "n", patch: prefix, format: "gnu" }), 0).name, "n");
  assert.equal(parseHeader(tarHeader({ name: "n", patch: prefix, format: "v7" }), 0).name, "n");
});

Deno.test("parseHeader() reads the fields", () => {
  const h = parseHeader(
    tarHeader({
      name: "f",
      mode: 0o104755,
      uid: 5,
      gid: 6,
      data: "abc",
      mtime: 99,
      type: "2",
      linkname: "t",
    }),
    0,
  );
  assert.deepEqual(
    { ...h },
    {
      name: "f",
      mode: 0o4755,
      uid: 5,
      gid: 6,
      size: 3,
      mtime: 99,
      typeflag: "2",
      linkname: "t",
      devmajor: 0,
      devminor: 0,
    },
  );
});

Deno.test("parseHeader() refuses a bad checksum, saying where", () => {
  assert.throws(
    () => parseHeader(tarHeader({ name: "a", badChecksum: true }), 1024),
    /Corrupt layer: bad tar header checksum at byte 1024/,
  );
});
