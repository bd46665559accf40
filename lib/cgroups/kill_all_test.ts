// killCgroup() against directories standing in for cgroups (tests/cgroup_ops_test.ts
// kills real ones).
import assert from "node:assert/strict";
import { NookError } from "../errors/mod.ts";
import { fakeCgroup } from "./_fake_cgroup.ts";
import { isPopulated, killCgroup } from "./kill_all.ts";
import { cgroupPids, signalCgroupProcesses } from "./_signal_procs.ts";

Deno.test("killCgroup() has nothing to do for a missing or empty cgroup", async () => {
  await killCgroup("/nonexistent/cgroup");
  assert.equal(isPopulated("/nonexistent/cgroup"), false);
  await fakeCgroup({ "cgroup.events": "populated 0\nfrozen 0\n", "cgroup.kill": "" }, async (d) => {
    await killCgroup(d);
    assert.equal(Deno.readTextFileSync(`${d}/cgroup.kill`), "", "an empty cgroup is left alone");
  });
});

Deno.test("killCgroup() writes cgroup.kill and fails clearly when processes are left in time", async () => {
  // The (fake) kernel never empties it.
  await fakeCgroup({ "cgroup.events": "populated 1\nfrozen 0\n", "cgroup.kill": "" }, async (d) => {
    assert.equal(isPopulated(d), true);
    await assert.rejects(
      killCgroup(d, { timeoutMs: 100 }),
      (e) =>
        e instanceof NookError &&
        e.message.startsWith(`Cannot kill the processes of cgroup '${d}': processes`) &&
        e.message.includes("left after 100 ms"),
    );
    assert.equal(Deno.readTextFileSync(`${d}/cgroup.kill`), "1");
  });
});

// Without a delegated subtree (a host without cgroup2, or not run through scripts/test.sh as root):
// skipped, by design, with the reason in its name, which scripts/test.sh lists. lib/ does not
// import tests/helpers.ts testNeeds().
const delegated = Deno.env.get("NOOK_TEST_CGROUP");

Deno.test({
  name:
    "signalCgroupProcesses(), repeated until the cgroup is empty, ends double-forked processes" +
    (delegated ? "" : " (skipped: NOOK_TEST_CGROUP is unset, see tests/cgroup_helpers.ts)"),
  ignore: !delegated,
  async fn() {
    // What killCgroup() does on kernels without cgroup.kill (before 5.14), on a real cgroup.
    const dir = `${delegated}/fallback-${Deno.pid}`;
    Deno.mkdirSync(dir);
    const events = () => Deno.readTextFileSync(`${dir}/cgroup.events`);
    try {
      const sh = new Deno.Command("sh", {
        args: ["-c", 'echo $$ >"$0/cgroup.procs" && (sleep 1000 &) && exec sleep 1000', dir],
      }).spawn();
      for (let i = 0; cgroupPids(dir).length < 2; i++) {
        assert.ok(i < 500, "the shell and its daemon are in the cgroup");
        await new Promise((r) => setTimeout(r, 10));
      }
      for (let round = 0; /populated 1/.test(events()); round++) {
        assert.ok(round < 500, `still populated: ${cgroupPids(dir)}`);
        signalCgroupProcesses(dir, "SIGKILL");
        await new Promise((r) => setTimeout(r, 10));
      }
      assert.deepEqual(cgroupPids(dir), []);
      assert.equal((await sh.status).signal, "SIGKILL");
    } finally {
      Deno.writeTextFileSync(`${dir}/cgroup.kill`, "1");
      while (/populated 1/.test(events())) await new Promise((r) => setTimeout(r, 10));
      Deno.removeSync(dir);
    }
  },
});
