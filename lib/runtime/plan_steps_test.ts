import assert from "node:assert/strict";
import { Op, StepFlag } from "../../shim/protocol.ts";
import { planIdMaps } from "../userns/mod.ts";
import { capabilitySet } from "./capabilities.ts";
import type { ContainerSpec } from "./container_spec.ts";
import { CloneFlag } from "./defaults.ts";
import type { ExecSpec } from "./exec_spec.ts";
import { planContainer, planExec } from "./plan_steps.ts";

const range = [{ start: 100000, count: 65536 }];

function spec(over: Partial<ContainerSpec> = {}): ContainerSpec {
  return {
    rootfs: "/r",
    argv: ["sh", "-c", "true"],
    env: ["PATH=/bin:/usr/bin", "HOME=/root"],
    cwd: "/work",
    user: { uid: 0, gid: 0, groups: [0, 10], home: "/root" },
    hostname: "h",
    network: "none",
    mounts: [],
    initLayer: { hostname: "/x/hostname", hosts: "/x/hosts", resolvConf: "/x/resolv.conf" },
    readOnly: false,
    tty: false,
    interactive: false,
    init: false,
    capabilities: capabilitySet(),
    lastCap: 40,
    idMap: planIdMaps({ uid: 1000, gid: 1000, subuids: range, subgids: range }),
    dieWithParent: true,
    ...over,
  };
}

const ops = (s: ContainerSpec) => planContainer(s).program.steps.map((x) => x.op);
const at = (s: ContainerSpec, what: string) =>
  planContainer(s).describe.findIndex((d) => d.startsWith(what));

Deno.test("planContainer() makes every namespace, the network one unless host", () => {
  const all = CloneFlag.NEWUSER | CloneFlag.NEWNS | CloneFlag.NEWPID | CloneFlag.NEWUTS |
    CloneFlag.NEWIPC |
    CloneFlag.NEWCGROUP;
  assert.equal(planContainer(spec()).program.cloneFlags, all | CloneFlag.NEWNET);
  assert.equal(planContainer(spec({ network: "host" })).program.cloneFlags, all);
  assert.ok(ops(spec()).includes(Op.LOOPBACK_UP));
  assert.ok(!ops(spec({ network: "host" })).includes(Op.LOOPBACK_UP));
});

Deno.test("planContainer() binds the host's /sys with the host network, mounts sysfs otherwise", () => {
  assert.ok(at(spec(), "mount sysfs on /sys") >= 0);
  assert.ok(at(spec({ network: "host" }), "bind /sys on /sys") >= 0);
  assert.equal(at(spec({ network: "host" }), "mount sysfs"), -1);
});

Deno.test("planContainer() masks after user mounts, pivots after masks, drops caps before ids", () => {
  const s = spec({
    mounts: [{ type: "bind", source: "/h", target: "/proc/kcore", readOnly: false }],
  });
  assert.ok(at(s, "bind /h on /proc/kcore") < at(s, "mask /proc/kcore"));
  assert.ok(at(s, "make /proc/sys read-only") < at(s, "pivot_root"));
  assert.ok(at(s, "reduce the capability") < at(s, "set uid"));
  assert.ok(at(s, "set gid") < at(s, "set uid"));
  assert.ok(at(s, "set uid") < at(s, "exec"));
  assert.equal(ops(s).at(-1), Op.EXEC);
});

Deno.test("planContainer() sets groups only where setgroups is allowed (subid maps)", () => {
  assert.ok(ops(spec()).includes(Op.SETGROUPS));
  const single = planIdMaps({ uid: 1000, gid: 1000, subuids: [], subgids: [] });
  assert.ok(!ops(spec({ idMap: single })).includes(Op.SETGROUPS));
});

Deno.test("planContainer() asks devpts for gid=5 only when gid 5 is mapped", () => {
  const data = (s: ContainerSpec) => planContainer(s).program.steps[at(s, "mount devpts")].s?.[3];
  assert.match(String(data(spec())), /gid=5/);
  const single = planIdMaps({ uid: 1000, gid: 1000, subuids: [], subgids: [] });
  assert.doesNotMatch(String(data(spec({ idMap: single }))), /gid=5/);
});

Deno.test("planContainer() adds read-only root, pty, init and /dev/null stdin as asked", () => {
  assert.ok(ops(spec({ readOnly: true })).includes(Op.REMOUNT_RO));
  assert.ok(!ops(spec()).includes(Op.REMOUNT_RO));
  assert.ok(ops(spec({ tty: true })).includes(Op.PTY));
  assert.ok(at(spec(), "open /dev/null as stdin") >= 0);
  assert.equal(at(spec({ interactive: true }), "open /dev/null as stdin"), -1);
  const s = spec({ init: true });
  assert.equal(at(s, "start the init process") + 1, at(s, "exec"));
});

Deno.test("planContainer() searches the container's PATH for a bare command only", () => {
  const exec = (s: ContainerSpec) => planContainer(s).program.steps.at(-1)!;
  assert.equal(exec(spec()).s?.[1], "/bin:/usr/bin");
  assert.equal(exec(spec({ argv: ["/bin/sh"] })).s?.[1], null);
  assert.deepEqual(exec(spec()).n, [3, 2]);
});

function execSpec(over: Partial<ExecSpec> = {}): ExecSpec {
  return {
    pid: 4242,
    pidfd: 7,
    namespaces: CloneFlag.NEWUSER | CloneFlag.NEWNS | CloneFlag.NEWPID,
    argv: ["ps"],
    env: ["PATH=/bin"],
    cwd: "/tmp",
    user: { uid: 1000, gid: 1000, groups: [1000, 2000], home: "/home/tester" },
    setgroups: true,
    tty: false,
    interactive: false,
    stdoutFd: 9,
    stderrFd: "null",
    capabilities: capabilitySet(),
    lastCap: 40,
    dieWithParent: true,
    ...over,
  };
}

const execOps = (s: ExecSpec) => planExec(s).program.steps.map((x) => x.op);
const execAt = (s: ExecSpec, what: string) =>
  planExec(s).describe.findIndex((d) => d.startsWith(what));

Deno.test("planExec() makes no namespace and joins the container's through the pidfd", () => {
  const plan = planExec(execSpec());
  assert.equal(plan.program.cloneFlags, 0);
  const setns = plan.program.steps[execAt(execSpec(), "join the namespaces of process 4242")];
  assert.deepEqual(setns.n, [7, CloneFlag.NEWUSER | CloneFlag.NEWNS | CloneFlag.NEWPID]);
  for (const op of [Op.MOUNT, Op.BIND, Op.MKDIR, Op.PIVOT_ROOT, Op.SETHOSTNAME]) {
    assert.ok(!execOps(execSpec()).includes(op), `op ${op}`);
  }
});

Deno.test("planExec() opens stdio before setns, forks before the session, ids, chdir and exec", () => {
  const s = execSpec({ tty: true });
  const order = [
    "open /dev/null as fd 2",
    "join the namespaces",
    "set the parent-death signal",
    "fork into the container's pid namespace",
    "start a new session",
    "allocate a pty",
    "reduce the capability bounding set",
    "set the supplementary groups 1000,2000",
    "set gid 1000",
    "set uid 1000",
    "set no_new_privs",
    "set the parent-death signal of the command",
    "change to the working directory /tmp",
    "close inherited file descriptors",
    'exec "ps"',
  ].map((what) => execAt(s, what));
  assert.ok(order.every((i) => i >= 0), JSON.stringify(order));
  assert.deepEqual(order, [...order].sort((a, b) => a - b));
  assert.equal(execAt(execSpec(), "open /dev/null as stdin"), 0);
  assert.equal(execAt(execSpec(), "redirect fd 1"), 1);
  assert.equal(execOps(execSpec()).filter((op) => op === Op.INIT).length, 1);
});

Deno.test("planExec() leaves out groups, stdin and nook's death as the spec says", () => {
  assert.ok(!execOps(execSpec({ setgroups: false })).includes(Op.SETGROUPS));
  assert.equal(execAt(execSpec({ interactive: true }), "open /dev/null as stdin"), -1);
  const detached = execSpec({ dieWithParent: false });
  assert.equal(execAt(detached, "set the parent-death signal of the command") >= 0, true);
  assert.equal(execOps(detached).filter((op) => op === Op.PDEATHSIG).length, 1);
});

Deno.test("planContainer() joins a network, then clones the container in its other namespaces", () => {
  const join = {
    what: "the network of container web",
    path: "/proc/42/ns/net",
    pid: 42,
    startTime: "777",
    maps: { uid: [], gid: [], setgroups: true },
  };
  const s = spec({ network: "join", join });
  const { program, describe } = planContainer(s);
  // The program's own child makes no namespace: it joins, then clones.
  assert.equal(program.cloneFlags, 0);
  const j = at(s, "join the network of container web");
  const c = at(s, "start the container's first process");
  assert.deepEqual(program.steps[j].s, ["/proc/42/ns/net", "777"]);
  assert.deepEqual(program.steps[j].n, [42, CloneFlag.NEWNET]);
  assert.equal(program.steps[c].op, Op.CLONE);
  assert.equal(
    program.steps[c].n?.[0],
    CloneFlag.NEWNS | CloneFlag.NEWPID | CloneFlag.NEWUTS | CloneFlag.NEWIPC | CloneFlag.NEWCGROUP,
  );
  assert.ok(j < c && c < at(s, "make the mounts private"));
  // The clone clears the parent-death signal: set again right after it.
  assert.equal(describe[c + 1], "set the parent-death signal");
  // Its network is shared: lo is left as it is, sysfs is of that namespace.
  assert.ok(!ops(s).includes(Op.LOOPBACK_UP));
  assert.ok(at(s, "mount sysfs on /sys") > c);
  assert.ok(at(s, "set the hostname") > c);
  assert.throws(() => planContainer(spec({ network: "join" })), TypeError);
});

Deno.test("planContainer() with its own cgroup makes the cgroup namespace in the child, first", () => {
  const plan = planContainer(spec({ ownCgroup: true }));
  assert.equal(plan.program.cloneFlags & CloneFlag.NEWCGROUP, 0);
  const i = plan.describe.indexOf("enter a new cgroup namespace");
  assert.ok(i >= 0 && i < at(spec({ ownCgroup: true }), "make the mounts private"));
  assert.deepEqual(plan.program.steps[i], { op: Op.UNSHARE, n: [CloneFlag.NEWCGROUP] });
  // Without one, the clone makes it, as before.
  assert.ok(planContainer(spec()).program.cloneFlags & CloneFlag.NEWCGROUP);
  assert.ok(!planContainer(spec()).describe.includes("enter a new cgroup namespace"));
});

Deno.test("planContainer() keeps fds 3 to 3+N-1 with preserveFds, closes from 3 without", () => {
  const close = (s: ContainerSpec) =>
    planContainer(s).program.steps.find((x) => x.op === Op.CLOSE_FDS);
  assert.equal(close(spec())?.n, undefined, "the shim's default: from fd 3");
  assert.deepEqual(close(spec({ preserveFds: 2 }))?.n, [5]);
  assert.ok(at(spec({ preserveFds: 2 }), "close inherited file descriptors from 5 on") >= 0);
});

Deno.test("planContainer() binds the marker file on /run/.containerenv and /.dockerenv, optional steps, and a passwd copy", () => {
  const s = spec({ containerEnv: "/x/containerenv", passwd: "/x/passwd" });
  const { program, describe } = planContainer(s);
  for (const target of ["/run/.containerenv", "/.dockerenv"]) {
    const i = describe.indexOf(`bind /x/containerenv on ${target}`);
    assert.ok(i >= 0, target);
    assert.equal(program.steps[i].flags, StepFlag.OPTIONAL, "a read-only rootfs dir skips it");
    assert.ok(i < at(s, "pivot_root"));
  }
  assert.ok(at(s, "bind /x/passwd on /etc/passwd") > at(s, "bind /x/resolv.conf"));
  const plain = planContainer(spec()).describe;
  assert.ok(!plain.some((d) => /containerenv|dockerenv|\/etc\/passwd/.test(d)));
});
