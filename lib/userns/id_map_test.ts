import assert from "node:assert/strict";
import { isMapped, planIdMaps } from "./id_map.ts";

const range = [{ start: 100000, count: 65536 }];

Deno.test("planIdMaps() maps root to the user and 1..N to the range", () => {
  const p = planIdMaps({ uid: 1000, gid: 1001, subuids: range, subgids: range });
  assert.equal(p.mode, "subid");
  assert.deepEqual(p.uid, [{ inside: 0, outside: 1000, count: 1 }, {
    inside: 1,
    outside: 100000,
    count: 65536,
  }]);
  assert.deepEqual(p.gid[0], { inside: 0, outside: 1001, count: 1 });
  assert.equal(p.user, 0);
});

Deno.test("planIdMaps() with keepId puts the user at its own id and the range around it", () => {
  const p = planIdMaps({ uid: 1000, gid: 1000, subuids: range, subgids: range, keepId: true });
  assert.deepEqual(p.uid, [
    { inside: 0, outside: 100000, count: 1000 },
    { inside: 1000, outside: 1000, count: 1 },
    { inside: 1001, outside: 101000, count: 64536 },
  ]);
  assert.equal(p.user, 1000);
  assert.ok(isMapped(p.uid, 0) && isMapped(p.uid, 65536) && !isMapped(p.uid, 65537));
});

Deno.test("planIdMaps() falls back to the single mapping without a range", () => {
  const p = planIdMaps({ uid: 1000, gid: 1000, subuids: [], subgids: range });
  assert.equal(p.mode, "single");
  assert.deepEqual(p.uid, [{ inside: 0, outside: 1000, count: 1 }]);
  const k = planIdMaps({ uid: 1000, gid: 1000, subuids: [], subgids: [], keepId: true });
  assert.deepEqual(k.uid, [{ inside: 1000, outside: 1000, count: 1 }]);
});

Deno.test("planIdMaps() uses several ranges in order", () => {
  const p = planIdMaps({
    uid: 5,
    gid: 5,
    subuids: [{ start: 200, count: 10 }, { start: 500, count: 5 }],
    subgids: range,
  });
  assert.deepEqual(p.uid.slice(1), [{ inside: 1, outside: 200, count: 10 }, {
    inside: 11,
    outside: 500,
    count: 5,
  }]);
});
