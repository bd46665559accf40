// makeContainerCgroup() and applyLimits() against a directory tree standing in
// for cgroupfs: which files get which values, for every flag.
import assert from "node:assert/strict";
import { NookError, UsageError } from "../errors/mod.ts";
import type { CgroupInfo } from "../host/detect_cgroups.ts";
import { applyLimits } from "./apply_limits.ts";
import type { CgroupPlacement } from "./cgroup_placement.ts";
import { makeContainerCgroup, removeCgroup } from "./make_container_cgroup.ts";
import type { ResourceLimits } from "./resource_limits.ts";

const MB = 1024 * 1024;
const ID = "c0ffee".padEnd(64, "0");
const deviceNumbers = (path: string) =>
  ({ "/dev/sda": { major: 8, minor: 0 }, "/dev/vdb": { major: 252, minor: 16 } })[path]!;

const EVERY_FLAG: ResourceLimits = {
  memory: 64 * MB,
  memoryReservation: 32 * MB,
  memorySwap: 128 * MB,
  cpus: 0.5,
  cpuShares: 512,
  cpusetCpus: "0",
  cpusetMems: "0",
  pidsLimit: 32,
  blkioWeight: 100,
  deviceReadBps: [{ path: "/dev/sda", rate: MB }],
  deviceWriteBps: [{ path: "/dev/sda", rate: 2 * MB }, { path: "/dev/vdb", rate: 3 * MB }],
};

/** A delegated cgroup in a temp dir: its cgroup.controllers, an empty subtree_control. */
function fakeTree(controllers: string): { root: string; delegated: string } {
  const root = Deno.makeTempDirSync({ prefix: "nook-fake-cgroupfs-" });
  const delegated = `${root}/user.slice/user@1000.service`;
  Deno.mkdirSync(delegated, { recursive: true });
  Deno.writeTextFileSync(`${delegated}/cgroup.controllers`, controllers);
  Deno.writeTextFileSync(`${delegated}/cgroup.subtree_control`, "");
  Deno.writeTextFileSync(`${delegated}/cgroup.procs`, "");
  return { root, delegated };
}

function placement(delegated: string, controllers: string[], base = `${delegated}/nook`) {
  const info: CgroupInfo = {
    mode: "v2",
    mount: "/sys/fs/cgroup",
    path: "/",
    dir: "/sys/fs/cgroup",
    controllers: [],
    writable: true,
  };
  return {
    ok: true,
    info,
    delegated,
    base,
    source: "user@1000.service",
    controllers,
    blocked: [],
  } satisfies CgroupPlacement;
}

/** Every file of a directory with its contents. */
function contents(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of Deno.readDirSync(dir)) {
    if (e.isFile) out[e.name] = Deno.readTextFileSync(`${dir}/${e.name}`);
  }
  return out;
}

Deno.test("makeContainerCgroup() enables the controllers down to a leaf with every flag's file", () => {
  const all = ["cpuset", "cpu", "io", "memory", "pids"];
  const { root, delegated } = fakeTree("cpuset cpu io memory pids hugetlb\n");
  try {
    const made = makeContainerCgroup(placement(delegated, all), ID, EVERY_FLAG, { deviceNumbers });
    assert.equal(made.dir, `${delegated}/nook/${ID}`);
    assert.deepEqual(made.controllers, all);
    assert.deepEqual(made.unapplied, []);
    // One write per subtree_control, in the delegated cgroup and in nook's below it.
    const enable = "+cpuset +cpu +io +memory +pids";
    assert.equal(Deno.readTextFileSync(`${delegated}/cgroup.subtree_control`), enable);
    assert.deepEqual(contents(`${delegated}/nook`), { "cgroup.subtree_control": enable });
    assert.deepEqual(contents(made.dir), {
      "memory.max": String(64 * MB),
      "memory.low": String(32 * MB),
      "memory.swap.max": String(64 * MB),
      "cpu.max": "50000 100000",
      "cpu.weight": "20",
      "cpuset.mems": "0",
      "cpuset.cpus": "0",
      "pids.max": "32",
      "io.weight": "910",
      // io.max takes one device per write: the last one stays in a plain file.
      "io.max": `252:16 wbps=${3 * MB}`,
    });
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

Deno.test("makeContainerCgroup() writes only what its controllers carry and reports the rest", () => {
  const { root, delegated } = fakeTree("pids\n");
  try {
    const made = makeContainerCgroup(placement(delegated, ["pids"]), ID, {
      memory: 64 * MB,
      cpus: 1,
      pidsLimit: 8,
    });
    assert.deepEqual(contents(made.dir), { "pids.max": "8" });
    assert.deepEqual(made.unapplied, [
      { limit: "memory", controller: "memory", why: "controller" },
      { limit: "cpus", controller: "cpu", why: "controller" },
    ]);
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

Deno.test("makeContainerCgroup() puts the leaf right in a --cgroup-parent and keeps what is enabled", () => {
  const { root, delegated } = fakeTree("memory pids\n");
  Deno.writeTextFileSync(`${delegated}/cgroup.subtree_control`, "memory pids\n");
  try {
    const made = makeContainerCgroup(placement(delegated, ["memory", "pids"], delegated), ID, {
      pidsLimit: -1,
    });
    assert.equal(made.dir, `${delegated}/${ID}`);
    // Nothing to enable: the file is left as it was.
    assert.equal(Deno.readTextFileSync(`${delegated}/cgroup.subtree_control`), "memory pids\n");
    assert.deepEqual(contents(made.dir), { "pids.max": "max" });
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

Deno.test("makeContainerCgroup() leaves no leaf behind when a limit cannot be applied", () => {
  const { root, delegated } = fakeTree("io\n");
  try {
    const noDevice = () => {
      throw new UsageError("Cannot limit the I/O of '/dev/sdz': no such device");
    };
    assert.throws(
      () =>
        makeContainerCgroup(placement(delegated, ["io"]), ID, EVERY_FLAG, {
          deviceNumbers: noDevice,
        }),
      UsageError,
    );
    assert.equal(existsDir(`${delegated}/nook/${ID}`), false);
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

Deno.test("applyLimits() says which file refused which value", () => {
  const dir = Deno.makeTempDirSync({ prefix: "nook-fake-cgroup-" });
  try {
    // A directory where the kernel's file would be: the write fails, and not with ENOENT.
    Deno.mkdirSync(`${dir}/cpu.max`);
    assert.throws(
      () => applyLimits(dir, { cpus: 1 }, { controllers: ["cpu"] }),
      (e: unknown) =>
        e instanceof NookError &&
        (e as Error).message.startsWith(
          `Cannot set cpu.max of the container's cgroup ${dir} to '100000 100000': `,
        ),
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

function existsDir(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

Deno.test("applyLimits() writes --blkio-weight to io.bfq.weight where BFQ has it", () => {
  const dir = Deno.makeTempDirSync({ prefix: "nook-fake-cgroup-" });
  try {
    Deno.writeTextFileSync(`${dir}/cgroup.controllers`, "io memory\n");
    Deno.writeTextFileSync(`${dir}/io.bfq.weight`, "default 100\n");
    const missed = applyLimits(dir, { blkioWeight: 300, pidsLimit: 3 });
    assert.equal(Deno.readTextFileSync(`${dir}/io.bfq.weight`), "300");
    assert.equal(Deno.readTextFileSync(`${dir}/cgroup.controllers`), "io memory\n");
    assert.deepEqual(missed, [{ limit: "pidsLimit", controller: "pids", why: "controller" }]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("removeCgroup() removes an empty cgroup and is fine with one that is gone", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "nook-fake-cgroup-" });
  assert.equal(await removeCgroup(dir), true);
  assert.equal(await removeCgroup(dir), true);
});
