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

const join = (type: number, kind: string) => ({
  what: `the ${kind} namespace of container a`,
  path: `/proc/42/ns/${kind}`,
  type,
  pid: 42,
  startTime: "777",
  maps: { uid: [], gid: [], setgroups: true },
  userns: "user:[1]",
  shm: kind === "ipc" ? { mountNs: "/proc/42/ns/mnt", path: "/dev/shm" } : undefined,
});

Deno.test("planContainer() shares the host's pid, ipc and uts namespaces: no clone flag, host files", () => {
  const s = spec({ pidNs: "host", ipcNs: "host", utsNs: "host" });
  const flags = planContainer(s).program.cloneFlags;
  for (const f of [CloneFlag.NEWPID, CloneFlag.NEWIPC, CloneFlag.NEWUTS]) {
    assert.equal(flags & f, 0);
  }
  assert.ok(flags & CloneFlag.NEWUSER && flags & CloneFlag.NEWNS);
  // A rootless mount of a new proc for the host's pid namespace is refused: the host's, bound.
  assert.ok(at(s, "bind /proc on /proc") >= 0);
  assert.equal(at(s, "mount proc"), -1);
  assert.ok(at(s, "bind /proc on /proc") < at(s, "mask /proc/kcore"), "masks still apply");
  assert.ok(at(s, "bind /dev/shm on /dev/shm") >= 0);
  assert.equal(planContainer(s).program.steps[at(s, "bind /dev/mqueue")].flags, 1, "optional");
  assert.equal(at(s, "set the hostname"), -1);
});

Deno.test("planContainer() sizes /dev/shm by --shm-size (64 MiB by default)", () => {
  const data = (s: ContainerSpec) =>
    planContainer(s).program.steps[at(s, "mount tmpfs on /dev/shm")].s?.[3];
  assert.equal(data(spec()), "mode=1777,size=65536k");
  assert.equal(data(spec({ shmSize: 1024 * 1024 })), "mode=1777,size=1024k");
  assert.equal(data(spec({ shmSize: 1000 })), "mode=1777,size=1000");
});

Deno.test("planContainer() joins pid and ipc namespaces, then clones without NEWPID/NEWIPC", () => {
  const s = spec({
    pidNs: "join",
    ipcNs: "join",
    nsJoins: [join(CloneFlag.NEWPID, "pid"), join(CloneFlag.NEWIPC, "ipc")],
  });
  const { program, describe } = planContainer(s);
  assert.equal(program.cloneFlags, 0, "the first process makes no namespace: it joins");
  const joins = program.steps.filter((x) => x.op === Op.JOIN_NS);
  assert.deepEqual(joins.map((x) => x.n), [[42, CloneFlag.NEWPID], [42, CloneFlag.NEWIPC]]);
  assert.deepEqual(joins[0].s, ["/proc/42/ns/pid", "777"]);
  const clone = program.steps.find((x) => x.op === Op.CLONE)!;
  const flags = Number(clone.n![0]);
  assert.equal(flags & (CloneFlag.NEWPID | CloneFlag.NEWIPC | CloneFlag.NEWUSER), 0);
  assert.ok(flags & CloneFlag.NEWNS && flags & CloneFlag.NEWUTS && flags & CloneFlag.NEWNET);
  assert.ok(
    describe.indexOf("join the pid namespace of container a") < at(s, "start the container's"),
  );
  // A proc of the joined pid namespace (the clone is in it); the target's /dev/shm.
  assert.ok(at(s, "mount proc on /proc") >= 0);
  const shm = program.steps[at(s, "mount the /dev/shm of the ipc namespace of container a")];
  assert.equal(shm.op, Op.SHARE_MOUNT);
  assert.deepEqual(shm.s, ["/proc/42/ns/mnt", "/dev/shm", "/dev/shm"]);
  assert.ok(at(s, "mount mqueue on /dev/mqueue") >= 0);
});

Deno.test("planContainer() binds --tz's zone file on /etc/localtime", () => {
  const s = spec({ localtime: "/run/x/localtime" });
  assert.ok(at(s, "bind /run/x/localtime on /etc/localtime") > at(s, "bind /x/resolv.conf"));
  assert.equal(at(spec(), "bind /run/x/localtime"), -1);
});

Deno.test("planContainer() with an anchor joins its user namespace, then clones the container in the others", () => {
  for (const ownCgroup of [false, true]) {
    const s = spec({ anchor: { pid: 42, startTime: "777" }, ownCgroup });
    const { program, describe } = planContainer(s);
    assert.equal(program.cloneFlags, 0, "the program's own child makes no namespace");
    const j = at(s, "join the user namespace of process 42");
    const c = at(s, "start the container's first process");
    assert.deepEqual(program.steps[j].s, ["/proc/42/ns/user", "777"]);
    assert.deepEqual(program.steps[j].n, [42, CloneFlag.NEWUSER]);
    assert.equal(program.steps[j].op, Op.JOIN_NS);
    assert.equal(program.steps[c].op, Op.CLONE);
    // All the others, the cgroup one too: the clone is made inside the container's cgroup.
    assert.equal(
      program.steps[c].n?.[0],
      CloneFlag.NEWNS | CloneFlag.NEWPID | CloneFlag.NEWUTS | CloneFlag.NEWIPC |
        CloneFlag.NEWCGROUP | CloneFlag.NEWNET,
    );
    assert.ok(!describe.includes("enter a new cgroup namespace"));
    assert.ok(j < c && c < at(s, "make the mounts private"));
    assert.equal(describe[c + 1], "set the parent-death signal");
    assert.ok(ops(s).includes(Op.LOOPBACK_UP), "its own network namespace, lo up");
  }
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
