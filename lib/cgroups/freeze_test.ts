// The freezer's failures, against directories standing in for cgroups
// (tests/cgroup_ops_test.ts freezes real ones).
import assert from "node:assert/strict";
import { NookError } from "../errors/mod.ts";
import { fakeCgroup } from "./_fake_cgroup.ts";
import { freezeCgroup, isFrozen, thawCgroup } from "./freeze.ts";

const EVENTS = (frozen: number) => `populated 1\nfrozen ${frozen}\n`;

Deno.test("freezeCgroup() fails clearly without a cgroup or without cgroup.freeze", async () => {
  await assert.rejects(
    freezeCgroup("/nonexistent/cgroup"),
    (e) =>
      e instanceof NookError &&
      e.message === "Cannot freeze cgroup '/nonexistent/cgroup': it does not exist",
  );
  await fakeCgroup({ "cgroup.events": EVENTS(0) }, async (dir) => {
    await assert.rejects(
      freezeCgroup(dir),
      (e) =>
        e instanceof NookError &&
        e.message === `Cannot freeze cgroup '${dir}': it has no cgroup.freeze`,
    );
  });
});

Deno.test("freezeCgroup() that the kernel does not finish in time thaws the cgroup again", async () => {
  await fakeCgroup({ "cgroup.events": EVENTS(0), "cgroup.freeze": "0\n" }, async (dir) => {
    const t0 = Date.now();
    await assert.rejects(
      freezeCgroup(dir, { timeoutMs: 200 }),
      (e) =>
        e instanceof NookError &&
        e.message.startsWith(
          `Cannot freeze cgroup '${dir}': cgroup.events still says 'frozen 0' after 200 ms`,
        ) && e.message.endsWith("it was thawed again"),
    );
    assert.ok(Date.now() - t0 >= 200, "it waited for the timeout");
    assert.equal(Deno.readTextFileSync(`${dir}/cgroup.freeze`), "0");
    assert.equal(isFrozen(dir), false);
  });
});

Deno.test("thawCgroup() writes 0 and waits for 'frozen 0'; isFrozen() reads cgroup.events", async () => {
  await fakeCgroup({ "cgroup.events": EVENTS(1), "cgroup.freeze": "1\n" }, async (dir) => {
    assert.equal(isFrozen(dir), true);
    await assert.rejects(thawCgroup(dir, { timeoutMs: 50 }), /still says 'frozen 1' after 50 ms$/);
    assert.equal(Deno.readTextFileSync(`${dir}/cgroup.freeze`), "0", "it asked for the thaw");
  });
  assert.equal(isFrozen("/nonexistent/cgroup"), false);
});
