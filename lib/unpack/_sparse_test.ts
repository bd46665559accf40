import assert from "node:assert/strict";
import { checkSparseMap, parseSparseMapText, SparseMap10Reader } from "./_sparse.ts";
import { UnpackError } from "./unpack_error.ts";

function blocks(text: string): Uint8Array[] {
  const bytes = new TextEncoder().encode(text);
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += 512) {
    const block = new Uint8Array(512);
    block.set(bytes.subarray(at, at + 512));
    out.push(block);
  }
  return out;
}

Deno.test("parseSparseMapText() reads offset,length pairs", () => {
  assert.deepEqual(parseSparseMapText("0,10,100,5", "f"), [
    { offset: 0, length: 10 },
    { offset: 100, length: 5 },
  ]);
  assert.deepEqual(parseSparseMapText("", "f"), []);
  assert.throws(() => parseSparseMapText("0,10,100", "f"), /odd number/);
  assert.throws(() => parseSparseMapText("0,x", "f"), /'x' in its map/);
});

Deno.test("SparseMap10Reader reads a 1.0 map across blocks", () => {
  const lines = ["200"];
  for (let i = 0; i < 200; i++) lines.push(String(i * 1000), "10");
  const [first, ...rest] = blocks(lines.join("\n") + "\n");
  const reader = new SparseMap10Reader("f");
  assert.equal(reader.push(first), null);
  let map = null;
  for (const block of rest) map = reader.push(block);
  assert.ok(map);
  assert.equal(map.segments.length, 200);
  assert.deepEqual(map.segments[199], { offset: 199000, length: 10 });
  assert.equal(map.mapBytes, (rest.length + 1) * 512);
});

Deno.test("SparseMap10Reader refuses huge maps", () => {
  const reader = new SparseMap10Reader("f");
  assert.throws(() => reader.push(blocks("99999999\n")[0]), /has 99999999 segments/);
});

Deno.test("checkSparseMap() accepts ordered segments that add up", () => {
  checkSparseMap([{ offset: 0, length: 5 }, { offset: 10, length: 5 }], 20, 10, "f");
  checkSparseMap([{ offset: 20, length: 0 }], 20, 0, "f");
});

Deno.test("checkSparseMap() refuses overlaps, overflows and wrong totals", () => {
  const cases = [
    { map: [{ offset: 0, length: 10 }, { offset: 5, length: 1 }], size: 20, stored: 11 },
    { map: [{ offset: 15, length: 10 }], size: 20, stored: 10 },
    { map: [{ offset: 0, length: 10 }], size: 20, stored: 11 },
    { map: [{ offset: 0, length: -1 }], size: 20, stored: -1 },
  ];
  for (const { map, size, stored } of cases) {
    assert.throws(() => checkSparseMap(map, size, stored, "f"), UnpackError);
  }
});
