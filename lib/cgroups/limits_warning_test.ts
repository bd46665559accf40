import assert from "node:assert/strict";
import type { CgroupInfo } from "../host/detect_cgroups.ts";
import type { Unapplied } from "./apply_limits.ts";
import { type CgroupPlacement, UNIFY_FIX } from "./cgroup_placement.ts";
import { unappliedProblem } from "./limits_warning.ts";

function placement(mode: CgroupInfo["mode"], blocked: string[] = []): CgroupPlacement {
  const mount = mode === "hybrid" ? "/sys/fs/cgroup/unified" : "/sys/fs/cgroup";
  return {
    ok: true,
    info: { mode, mount, path: "/x", dir: `${mount}/x`, controllers: [], writable: true },
    delegated: `${mount}/x`,
    base: `${mount}/x/nook`,
    source: "nook's own cgroup",
    controllers: [],
    blocked,
  };
}

const missing = (limit: Unapplied["limit"], controller: string): Unapplied => ({
  limit,
  controller,
  why: "controller",
});

Deno.test("unappliedProblem() names the flags and the hybrid mode behind them", () => {
  const p = unappliedProblem(placement("hybrid"), [
    missing("memory", "memory"),
    missing("cpus", "cpu"),
  ]);
  assert.equal(
    p.what,
    "--memory, --cpus: the cgroup2 at /sys/fs/cgroup/unified has no memory and cpu controllers: " +
      "this host mounts cgroups in hybrid mode, where the controllers belong to the v1 hierarchies",
  );
  assert.equal(p.fix, UNIFY_FIX);
});

Deno.test("unappliedProblem() tells controllers that are not delegated from blocked ones", () => {
  const v2 = unappliedProblem(placement("v2"), [missing("pidsLimit", "pids")]);
  assert.equal(
    v2.what,
    "--pids-limit: the pids controller is not delegated to you in /sys/fs/cgroup/x " +
      "(nook's own cgroup)",
  );
  assert.match(v2.fix, /Delegate=cpu cpuset io memory pids/);
  assert.match(v2.fix, /--cgroup-parent/);
  const busy = unappliedProblem(placement("v2", ["pids"]), [missing("pidsLimit", "pids")]);
  assert.match(busy.what, /holds processes itself, so cgroup v2 lets it hand no pids controller/);
  assert.match(busy.fix, /holds no process itself/);
});

Deno.test("unappliedProblem() names a file the kernel lacks", () => {
  const p = unappliedProblem(placement("v2"), [
    { limit: "memorySwap", controller: "memory", why: "file", file: "memory.swap.max" },
  ]);
  assert.equal(p.what, "--memory-swap: this kernel's cgroups have no memory.swap.max");
});
