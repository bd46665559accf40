import assert from "node:assert/strict";
import { Op } from "../../shim/protocol.ts";
import { planVfsCopy } from "./vfs.ts";

Deno.test("planVfsCopy() copies each layer bottom first, with only the rootfs writable", () => {
  const plan = planVfsCopy(["/l/1", "/l/2", "/l/3"], "/c/rootfs");
  const copies = plan.program.steps.filter((s) => s.op === Op.COPY_LAYER);
  assert.deepEqual(copies.map((s) => s.s), [
    ["/l/1", "/c/rootfs"],
    ["/l/2", "/c/rootfs"],
    ["/l/3", "/c/rootfs"],
  ]);
  const ops = plan.program.steps.map((s) => s.op);
  assert.ok(ops.indexOf(Op.MOUNT_ATTR) < ops.indexOf(Op.COPY_LAYER));
  assert.equal(plan.describe.length, plan.program.steps.length);
  assert.equal(plan.describe.at(-1), "copy layer 3 of 3 (/l/3) into /c/rootfs");
});
