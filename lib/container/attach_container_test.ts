import assert from "node:assert/strict";
import { DetachScanner } from "./attach_container.ts";

const bytes = (...b: number[]) => new Uint8Array(b);

Deno.test("DetachScanner holds a possible start of the sequence back and detaches on the whole of it", () => {
  const d = new DetachScanner(bytes(16, 17)); // ctrl-p, ctrl-q
  assert.deepEqual(d.scan(bytes(97, 16)), { out: bytes(97), detached: false });
  // Across chunks: ctrl-p then a plain byte lets both through.
  assert.deepEqual(d.scan(bytes(98)), { out: bytes(16, 98), detached: false });
  // ctrl-p ctrl-p ctrl-q: the first goes through, the rest detaches.
  assert.deepEqual(d.scan(bytes(16, 16, 17, 99)), { out: bytes(16), detached: true });
});

Deno.test("DetachScanner with no keys never detaches and passes everything", () => {
  const d = new DetachScanner(bytes());
  assert.deepEqual(d.scan(bytes(16, 17)), { out: bytes(16, 17), detached: false });
});
