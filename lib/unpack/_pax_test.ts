import assert from "node:assert/strict";
import { parsePax, paxInteger, paxText, paxTimeNs, SPARSE_MAP } from "./_pax.ts";
import { concat, paxData } from "./_test_tar.ts";
import { UnpackError } from "./unpack_error.ts";

Deno.test("parsePax() reads records, keeping binary values as bytes", () => {
  const value = new Uint8Array([0xff, 0x00, 0x0a, 0x3d]);
  const records = parsePax(paxData({ path: "a/b", "SCHILY.xattr.user.x": value }));
  assert.equal(paxText(records.get("path")!), "a/b");
  assert.deepEqual(records.get("SCHILY.xattr.user.x"), value);
});

Deno.test("parsePax() keeps the last of repeated keys and allows NUL padding", () => {
  const data = new Uint8Array([...paxData({ path: "a" }), ...paxData({ path: "b" }), 0, 0]);
  assert.equal(paxText(parsePax(data).get("path")!), "b");
});

Deno.test("parsePax() joins GNU sparse 0.0 offset/numbytes pairs into a map", () => {
  const records = parsePax(concat([
    paxData({ "GNU.sparse.size": "9" }),
    paxData({ "GNU.sparse.offset": "0", "GNU.sparse.numbytes": "1" }),
    paxData({ "GNU.sparse.offset": "8", "GNU.sparse.numbytes": "1" }),
  ]));
  assert.equal(paxText(records.get(SPARSE_MAP)!), "0,1,8,1");
});

Deno.test("parsePax() refuses malformed records", () => {
  const bad = ["x", "5 a=b\n", "99 a=b\n", "6 =b\n\n", "7 ab\n\n\n", "7 a=bc\n\n"];
  for (const text of bad) {
    assert.throws(() => parsePax(new TextEncoder().encode(text)), UnpackError, text);
  }
  const order = paxData({ "GNU.sparse.numbytes": "1" });
  assert.throws(() => parsePax(order), /out of order/);
});

Deno.test("paxTimeNs() reads fractions to the nanosecond, and negative times", () => {
  const enc = (t: string) => new TextEncoder().encode(t);
  assert.equal(paxTimeNs(enc("1234567890.123456789"), "mtime"), 1234567890123456789n);
  assert.equal(paxTimeNs(enc("1.5"), "mtime"), 1500000000n);
  assert.equal(paxTimeNs(enc("7"), "mtime"), 7000000000n);
  assert.equal(paxTimeNs(enc("1.1234567891"), "mtime"), 1123456789n);
  assert.equal(paxTimeNs(enc("-1.5"), "mtime"), -1500000000n);
  assert.throws(() => paxTimeNs(enc("soon"), "mtime"), /'mtime' is 'soon', not a time/);
});

Deno.test("paxInteger() reads decimal numbers and refuses others", () => {
  const enc = (t: string) => new TextEncoder().encode(t);
  assert.equal(paxInteger(enc("8589934592"), "size"), 8589934592);
  assert.throws(() => paxInteger(enc("-1"), "size"), /'size' is '-1', not a number/);
  assert.throws(() => paxInteger(enc("99999999999999999"), "size"), UnpackError);
});
