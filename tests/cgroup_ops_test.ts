// The cgroup operations of lib/cgroups on real cgroups made below the subtree
// scripts/test.sh delegates to the test user (NOOK_TEST_CGROUP): freeze and
// thaw seen in cgroup.events, kill-all of double-forked processes (a frozen
// cgroup too), and the counters `stats` reads. Skipped without the subtree.
import assert from "node:assert/strict";
import { readCgroupStats } from "../lib/cgroups/cgroup_stats.ts";
import { freezeCgroup, isFrozen, thawCgroup } from "../lib/cgroups/freeze.ts";
import { isPopulated, killCgroup } from "../lib/cgroups/kill_all.ts";
import { readOomKilled } from "../lib/cgroups/memory_events.ts";
import {
  cgroupEvent,
  cgroupTest,
  makeCgroup,
  procsOf,
  running,
  startIn,
  type TestCgroup,
} from "./cgroup_helpers.ts";
import { sleep, until } from "./helpers.ts";

/** CPU time of a cgroup, in µs. */
function cpuUsec(dir: string): number {
  return readCgroupStats(dir).cpuUsageUsec!;
}

async function withCgroup(root: string, name: string, fn: (cg: TestCgroup) => Promise<void>) {
  const cg = makeCgroup(root, name);
  try {
    await fn(cg);
  } finally {
    await cg.remove();
  }
}

cgroupTest(
  "freezeCgroup() and thawCgroup() stop and resume a cgroup's processes, as cgroup.events says",
  async (root) => {
    await withCgroup(root, "freeze", async ({ dir }) => {
      const busy = await startIn(dir, "while :; do :; done");
      assert.equal(cgroupEvent(dir, "frozen"), 0);
      assert.equal(isFrozen(dir), false);

      await freezeCgroup(dir);
      assert.equal(cgroupEvent(dir, "frozen"), 1, "frozen when freezeCgroup() returns");
      assert.equal(isFrozen(dir), true);
      const before = cpuUsec(dir);
      await sleep(300);
      assert.ok(cpuUsec(dir) - before < 20_000, "a frozen busy loop uses no CPU");
      assert.ok(running(busy.pid), "frozen is not dead");

      await thawCgroup(dir);
      assert.equal(cgroupEvent(dir, "frozen"), 0);
      assert.equal(isFrozen(dir), false);
      const thawed = cpuUsec(dir);
      await sleep(300);
      assert.ok(cpuUsec(dir) - thawed > 50_000, "the busy loop runs again");

      await killCgroup(dir);
      assert.equal((await busy.status).signal, "SIGKILL");
    });
  },
);

cgroupTest(
  "killCgroup() ends every process of a cgroup, double-forked ones included, and waits until it is empty",
  async (root) => {
    await withCgroup(root, "kill", async ({ dir }) => {
      // Two daemons that left the shell's process tree (reparented away from it), and the shell.
      const sh = await startIn(dir, "(sleep 1000 &); (sleep 1000 &); exec sleep 1000", 3);
      const pids = procsOf(dir);
      assert.equal(pids.length, 3);
      assert.equal(isPopulated(dir), true);

      await killCgroup(dir);
      assert.equal(cgroupEvent(dir, "populated"), 0, "empty when killCgroup() returns");
      assert.equal(isPopulated(dir), false);
      assert.deepEqual(procsOf(dir), []);
      await until("the double-forked sleeps to be gone", () => pids.every((p) => !running(p)));
      assert.equal((await sh.status).signal, "SIGKILL");
      await killCgroup(dir); // nothing left: at once
    });
  },
);

cgroupTest(
  "killCgroup() kills a frozen cgroup, and the processes of a cgroup below it",
  async (root) => {
    await withCgroup(root, "kill-frozen", async ({ dir }) => {
      const sub = `${dir}/inner`;
      Deno.mkdirSync(sub); // removed with `dir`
      const outer = await startIn(dir, "exec sleep 1000");
      const inner = await startIn(sub, "(sleep 1000 &); exec sleep 1000", 2);
      await freezeCgroup(dir);
      // (At once, unless the subshell was still forking: a new task thaws its cgroup until it
      // is frozen too.)
      await until("the cgroup below to be frozen with it", () => cgroupEvent(sub, "frozen") === 1);
      await killCgroup(dir, { timeoutMs: 5000 });
      assert.equal(cgroupEvent(dir, "populated"), 0);
      assert.equal(cgroupEvent(sub, "populated"), 0);
      assert.equal((await outer.status).signal, "SIGKILL");
      assert.equal((await inner.status).signal, "SIGKILL");
    });
  },
);

cgroupTest(
  "readCgroupStats() on a real cgroup: CPU time grows while a process burns it; tasks are counted",
  async (root) => {
    await withCgroup(root, "stats", async ({ dir }) => {
      const idle = readCgroupStats(dir);
      assert.equal(
        idle.cpuUsageUsec,
        0,
        "cpu.stat is there (every cgroup2 has it) and starts at 0",
      );
      assert.equal(idle.pids, 0);
      await startIn(dir, "while :; do :; done");
      const first = readCgroupStats(dir);
      await sleep(500);
      const second = readCgroupStats(dir);
      const used = second.cpuUsageUsec! - first.cpuUsageUsec!;
      assert.ok(used > 150_000, `the loop used ${used} µs of CPU in 500 ms`);
      assert.equal(second.pids, 1, "one task: the shell's loop");
      // The memory controller is absent on a hybrid host's cgroup2; where it is there, no OOM.
      const controllers = Deno.readTextFileSync(`${dir}/cgroup.controllers`).split(/\s+/);
      assert.equal("memoryUsage" in second, controllers.includes("memory"));
      assert.equal(readOomKilled(dir), controllers.includes("memory") ? false : null);
      await killCgroup(dir);
    });
  },
);
