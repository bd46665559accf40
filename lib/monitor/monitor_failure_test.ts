import assert from "node:assert/strict";
import { HostError, NookError } from "../errors/mod.ts";
import { type FailureContext, monitorFailure } from "./monitor_failure.ts";
import type { MonitorFailure } from "./monitor_protocol.ts";

const container: FailureContext = {
  what: "container web",
  whose: "the container's",
  cgroup: "/sys/fs/cgroup/nook/web",
  step: (f) => new NookError(`step ${f.step} op ${f.op} errno ${f.errno}`),
};

async function message(report: MonitorFailure, context = container): Promise<string> {
  const err = await monitorFailure(report, context);
  assert.ok(err instanceof NookError, String(err));
  return err.message;
}

Deno.test("monitorFailure() words each kind the monitor reports, naming what did not start", async () => {
  assert.equal(
    await message({ kind: "cgroup", errno: 2 }),
    new HostError(
      "Cannot open the container's cgroup /sys/fs/cgroup/nook/web: No such file or directory",
    ).message,
  );
  for (const report of [{ kind: "cgroup", errno: 2 }, { kind: "map", text: "x" }] as const) {
    assert.ok(await monitorFailure(report, container) instanceof HostError, report.kind);
  }
  assert.equal(
    await message({ kind: "map", text: "'/usr/bin/newuidmap' failed: write to uid_map failed" }),
    new HostError(
      "Cannot map the container's ids: '/usr/bin/newuidmap' failed: write to uid_map failed",
    ).message,
  );
  assert.equal(
    await message({
      kind: "other",
      text: "cannot read the program /run/p: No such file or directory",
    }),
    "Cannot start container web: cannot read the program /run/p: No such file or directory",
  );
  assert.equal(
    await message({ kind: "unreadable", text: "", exitCode: 1 }),
    "Cannot start container web: the monitor ended without a report (exit code 1)",
  );
  assert.equal(
    await message({ kind: "unreadable", text: "fail bogus 1", exitCode: 1 }),
    "Cannot start container web: the monitor's report 'fail bogus 1' is not one this nook reads; " +
      "rebuild the monitor with 'deno task build'",
  );
  assert.equal(
    await message({ kind: "clone", errno: 1 }),
    "Cannot start container web: clone: Operation not permitted",
  );
  assert.equal(
    await message({ kind: "net", failure: { kind: "spawn", errno: 2 } }),
    "Cannot start container web: its network helper failed: it did not start: No such file or directory",
  );
  assert.equal(
    await message({ kind: "net", failure: { kind: "request", index: 0, reply: "no" } }),
    "Cannot start container web: its network helper failed: it refused request 0: no",
  );
});

Deno.test("monitorFailure() leaves steps, clones and helper failures to the caller's words", async () => {
  const seen: string[] = [];
  const context: FailureContext = {
    ...container,
    step: (f) => (seen.push(`step ${f.step}`), new NookError("a step")),
    clone: (errno) => Promise.resolve((seen.push(`clone ${errno}`), new NookError("a clone"))),
    net: (f) => (seen.push(`net ${f.kind}`), new NookError("the helper")),
  };
  assert.equal(await message({ kind: "step", step: 4, op: 5, errno: 1 }, context), "a step");
  assert.equal(await message({ kind: "clone", errno: 28 }, context), "a clone");
  assert.equal(
    await message({ kind: "net", failure: { kind: "ready", errno: 110 } }, context),
    "the helper",
  );
  assert.deepEqual(seen, ["step 4", "clone 28", "net ready"]);
});
