import assert from "node:assert/strict";
import { fakeHost } from "../host/fake_host.ts";
import type { HostStat } from "../host/host.ts";
import { DELEGATE_FIX, findCgroupPlacement, UNIFY_FIX } from "./cgroup_placement.ts";

const V2 = "/sys/fs/cgroup";
const UNIFIED = "/sys/fs/cgroup/unified";
const SERVICE = "/user.slice/user-1000.slice/user@1000.service";

/** A cgroup directory as systemd delegates it: the dir and its cgroup.procs owned by uid 1000. */
function delegated(dir: string): Record<string, Partial<HostStat>> {
  return {
    [dir]: { isFile: false, isDirectory: true, uid: 1000, mode: 0o755 },
    [`${dir}/cgroup.procs`]: { uid: 1000, mode: 0o644 },
  };
}

/** A root-owned cgroup directory. */
function rootOwned(dir: string): Record<string, Partial<HostStat>> {
  return { [dir]: { isFile: false, isDirectory: true, uid: 0, mode: 0o755 } };
}

interface Layout {
  mount?: string;
  own: string;
  files?: Record<string, string>;
  stats?: Record<string, Partial<HostStat>>;
  env?: Record<string, string>;
}

function host(l: Layout) {
  const mount = l.mount ?? V2;
  return fakeHost({
    uid: 1000,
    env: l.env,
    files: {
      [`${mount}/cgroup.controllers`]: mount === V2 ? "cpuset cpu io memory pids\n" : "",
      [`${mount}/cgroup.procs`]: "1\n",
      "/proc/self/cgroup": mount === V2 ? `0::${l.own}\n` : `4:memory:/\n0::${l.own}\n`,
      ...l.files,
    },
    stats: { ...rootOwned(mount), ...l.stats },
  });
}

Deno.test("findCgroupPlacement() takes user@UID.service for nook running under it", async () => {
  const dir = `${V2}${SERVICE}`;
  const p = await findCgroupPlacement(host({
    own: `${SERVICE}/app.slice/term.scope`,
    files: { [`${dir}/cgroup.controllers`]: "cpu memory pids\n", [`${dir}/cgroup.procs`]: "" },
    stats: { ...delegated(dir), ...delegated(`${dir}/app.slice/term.scope`) },
  }));
  assert.ok(p.ok, JSON.stringify(p));
  assert.equal(p.delegated, dir);
  assert.equal(p.base, `${dir}/nook`);
  assert.equal(p.source, "user@1000.service");
  assert.deepEqual(p.controllers, ["cpu", "memory", "pids"]);
});

Deno.test("findCgroupPlacement() refuses user@UID.service from a session nook cannot move out of", async () => {
  const dir = `${V2}${SERVICE}`;
  const p = await findCgroupPlacement(host({
    own: "/user.slice/user-1000.slice/session-2.scope",
    files: { [`${dir}/cgroup.controllers`]: "cpu memory pids\n" },
    stats: { ...delegated(dir), ...rootOwned(`${V2}/user.slice/user-1000.slice`) },
  }));
  assert.ok(!p.ok);
  assert.match(
    p.reason,
    /^nook runs in cgroup \/user\.slice\/user-1000\.slice\/session-2\.scope, outside .*user@1000\.service: moving a process between them needs write access to the cgroup\.procs of \/user\.slice\/user-1000\.slice/,
  );
  assert.equal(p.fix, DELEGATE_FIX);
  assert.match(p.fix, /systemd-run --user --scope nook/);
});

Deno.test("findCgroupPlacement() takes the topmost writable cgroup above nook's own", async () => {
  const top = `${UNIFIED}/nook-test-u`;
  const p = await findCgroupPlacement(host({
    mount: UNIFIED,
    own: "/nook-test-u/tests",
    files: { [`${top}/cgroup.controllers`]: "hugetlb\n", [`${top}/cgroup.procs`]: "" },
    stats: { ...delegated(top), ...delegated(`${top}/tests`) },
  }));
  assert.ok(p.ok, JSON.stringify(p));
  assert.equal(p.info.mode, "hybrid");
  assert.equal(p.delegated, top);
  assert.equal(p.base, `${top}/nook`);
  assert.equal(p.source, "nook's own cgroup");
  assert.deepEqual(p.controllers, ["hugetlb"]);
});

Deno.test("findCgroupPlacement() hands down only enabled controllers from a cgroup with processes", async () => {
  const top = `${V2}/mine`;
  const p = await findCgroupPlacement(host({
    own: "/mine",
    files: {
      [`${top}/cgroup.controllers`]: "cpu memory pids\n",
      [`${top}/cgroup.subtree_control`]: "pids\n",
      [`${top}/cgroup.procs`]: "4242\n",
    },
    stats: delegated(top),
  }));
  assert.ok(p.ok);
  assert.deepEqual(p.controllers, ["pids"]);
  assert.deepEqual(p.blocked, ["cpu", "memory"]);
});

Deno.test("findCgroupPlacement() takes --cgroup-parent over NOOK_CGROUP_PARENT, as a path or a directory", async () => {
  const a = `${UNIFIED}/nook-test-u/a`;
  const b = `${UNIFIED}/nook-test-u/b`;
  const layout: Layout = {
    mount: UNIFIED,
    own: "/nook-test-u/tests",
    env: { NOOK_CGROUP_PARENT: b },
    files: { [`${a}/cgroup.controllers`]: "", [`${b}/cgroup.controllers`]: "" },
    stats: { ...delegated(`${UNIFIED}/nook-test-u`), ...delegated(a), ...delegated(b) },
  };
  const byEnv = await findCgroupPlacement(host(layout));
  assert.ok(byEnv.ok);
  assert.equal(byEnv.base, b);
  assert.equal(byEnv.source, "NOOK_CGROUP_PARENT");
  const byFlag = await findCgroupPlacement(host(layout), { parent: "/nook-test-u/a/" });
  assert.ok(byFlag.ok);
  assert.equal(byFlag.delegated, a);
  assert.equal(byFlag.base, a, "containers' cgroups go right in the parent given");
  assert.equal(byFlag.source, "--cgroup-parent");
});

Deno.test("findCgroupPlacement() says why a cgroup parent cannot be used", async () => {
  const p = await findCgroupPlacement(
    host({ own: "/", stats: rootOwned(`${V2}/system.slice`) }),
    { parent: "/system.slice" },
  );
  assert.ok(!p.ok);
  assert.equal(
    p.reason,
    `the cgroup parent ${V2}/system.slice (--cgroup-parent) cannot be used: ${V2}/system.slice ` +
      "is not delegated to you (you may not make cgroups in it)",
  );
  assert.match(p.fix, /^give --cgroup-parent a cgroup2 directory delegated to you/);
  assert.equal(p.explicit, true);
  const gone = await findCgroupPlacement(host({ own: "/" }), { parent: "/nowhere" });
  assert.ok(!gone.ok && gone.reason.endsWith(`${V2}/nowhere does not exist`));
});

Deno.test("findCgroupPlacement() finds nothing on a hybrid host that delegates nothing", async () => {
  const p = await findCgroupPlacement(host({ mount: UNIFIED, own: "/" }));
  assert.ok(!p.ok);
  assert.equal(
    p.reason,
    "your cgroup / is not delegated to you (this host mounts cgroups in hybrid mode: v1 " +
      `controllers, cgroup2 at ${UNIFIED}), and there is no user@1000.service`,
  );
  assert.ok(p.fix.startsWith(UNIFY_FIX) && p.fix.endsWith(DELEGATE_FIX));
  assert.equal(p.explicit, false);
});

Deno.test("findCgroupPlacement() finds nothing on v1", async () => {
  const p = await findCgroupPlacement(fakeHost({ files: { "/proc/self/cgroup": "4:memory:/\n" } }));
  assert.ok(!p.ok);
  assert.equal(p.reason, "this host has only cgroup v1 hierarchies, and nook uses cgroup v2");
  assert.equal(p.fix, UNIFY_FIX);
});
