import assert from "node:assert/strict";
import { UsageError } from "../errors/mod.ts";
import { blockDeviceNumbers, cpuWeight, ioWeight, limitWrites } from "./limit_writes.ts";

const MB = 1024 * 1024;
const devices: Record<string, { major: number; minor: number }> = {
  "/dev/sda": { major: 8, minor: 0 },
  "/dev/sdb": { major: 8, minor: 16 },
};
const deviceNumbers = (path: string) => devices[path];

/** The writes as "file=value" strings. */
function files(...args: Parameters<typeof limitWrites>): string[] {
  return limitWrites(args[0], { deviceNumbers, ...args[1] }).map((w) => `${w.file}=${w.value}`);
}

Deno.test("limitWrites() maps each flag to its cgroup v2 file as runc does", () => {
  assert.deepEqual(files({ memory: 64 * MB, memorySwap: 96 * MB }), [
    `memory.max=${64 * MB}`,
    `memory.swap.max=${32 * MB}`,
  ]);
  assert.deepEqual(files({ memoryReservation: 32 * MB }), [`memory.low=${32 * MB}`]);
  assert.deepEqual(files({ memory: 64 * MB, memorySwap: -1 }), [
    `memory.max=${64 * MB}`,
    "memory.swap.max=max",
  ]);
  assert.deepEqual(files({ cpus: 1.5 }), ["cpu.max=150000 100000"]);
  assert.deepEqual(files({ cpus: 0.01 }), ["cpu.max=1000 100000"]);
  assert.deepEqual(files({ cpuShares: 1024 }), ["cpu.weight=39"]);
  assert.deepEqual(files({ cpusetCpus: "0-1", cpusetMems: "0" }), [
    "cpuset.mems=0",
    "cpuset.cpus=0-1",
  ]);
  assert.deepEqual(files({ pidsLimit: 100 }), ["pids.max=100"]);
  assert.deepEqual(files({ pidsLimit: -1 }), ["pids.max=max"]);
  assert.deepEqual(files({ blkioWeight: 500 }), ["io.weight=4950"]);
  assert.deepEqual(files({ blkioWeight: 500 }, { bfq: true }), ["io.bfq.weight=500"]);
  assert.deepEqual(
    files({
      deviceReadBps: [{ path: "/dev/sda", rate: MB }, { path: "/dev/sdb", rate: 2 * MB }],
      deviceWriteBps: [{ path: "/dev/sda", rate: 512 * 1024 }],
    }),
    [`io.max=8:0 rbps=${MB} wbps=${512 * 1024}`, `io.max=8:16 rbps=${2 * MB}`],
  );
  assert.deepEqual(files({ deviceWriteBps: [{ path: "/dev/sda", rate: 0 }] }), [
    "io.max=8:0 wbps=max",
  ]);
});

Deno.test("limitWrites() implies as much swap as memory without --memory-swap (docker's default)", () => {
  const writes = limitWrites({ memory: 64 * MB });
  assert.deepEqual(writes.map((w) => [w.file, w.value, w.optional ?? false]), [
    ["memory.max", String(64 * MB), false],
    ["memory.swap.max", String(64 * MB), true],
  ]);
});

Deno.test("limitWrites() names each write's controller and limits", () => {
  const writes = limitWrites({ memory: 64 * MB, memorySwap: 128 * MB, cpus: 1, pidsLimit: 5 });
  assert.deepEqual(writes.map((w) => [w.file, w.controller, w.limits.join()]), [
    ["memory.max", "memory", "memory"],
    ["memory.swap.max", "memory", "memorySwap,memory"],
    ["cpu.max", "cpu", "cpus"],
    ["pids.max", "pids", "pidsLimit"],
  ]);
  assert.deepEqual(limitWrites({}), []);
});

Deno.test("cpuWeight() and ioWeight() convert as runc does", () => {
  assert.deepEqual([2, 512, 1024, 262144].map(cpuWeight), [1, 20, 39, 10000]);
  assert.deepEqual([10, 100, 1000].map(ioWeight), [1, 910, 10000]);
});

Deno.test("blockDeviceNumbers() reads a block device and refuses anything else", () => {
  assert.throws(() => blockDeviceNumbers("/dev/null"), (e: unknown) => {
    assert.ok(e instanceof UsageError);
    assert.equal((e as Error).message, "Cannot limit the I/O of '/dev/null': not a block device");
    return true;
  });
  assert.throws(() => blockDeviceNumbers("/dev/nook-none"), /no such device/);
  const block = [...Deno.readDirSync("/dev")].find((e) => {
    try {
      return Deno.statSync(`/dev/${e.name}`).isBlockDevice;
    } catch {
      return false;
    }
  });
  if (block) {
    const path = `/dev/${block.name}`;
    const sysfs = Deno.readTextFileSync(`/sys/class/block/${block.name}/dev`).trim();
    const { major, minor } = blockDeviceNumbers(path);
    assert.equal(`${major}:${minor}`, sysfs, path);
  }
});
