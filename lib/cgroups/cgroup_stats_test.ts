// The counters `stats` reads, against directories standing in for cgroups.
import assert from "node:assert/strict";
import { fakeCgroup } from "./_fake_cgroup.ts";
import { readCgroupStats } from "./cgroup_stats.ts";

const FULL = {
  "cpu.stat": "usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\n",
  "memory.current": "10485760\n",
  "memory.stat": "anon 6291456\nfile 4194304\ninactive_file 2097152\nactive_file 2097152\n",
  "memory.max": "67108864\n",
  "pids.current": "7\n",
  "io.stat": "8:0 rbytes=4096 wbytes=1000 rios=1 wios=2 dbytes=0 dios=0\n" +
    "8:16 rbytes=904 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n",
  "cgroup.threads": "1\n2\n",
};

Deno.test("readCgroupStats() reads each controller's file", async () => {
  await fakeCgroup(FULL, (dir) => {
    assert.deepEqual(readCgroupStats(dir), {
      cpuUsageUsec: 2_500_000,
      memoryUsage: 10485760 - 2097152, // less the inactive file cache, as docker
      memoryLimit: 67108864,
      pids: 7,
      ioReadBytes: 5000,
      ioWriteBytes: 1000,
    });
  });
  await fakeCgroup({ ...FULL, "memory.max": "max\n" }, (dir) => {
    const s = readCgroupStats(dir);
    assert.equal(s.memoryUsage, 10485760 - 2097152);
    assert.ok(!("memoryLimit" in s), "no limit: the caller takes the host's memory");
  });
});

Deno.test("readCgroupStats() leaves out what a hybrid host's cgroup2 lacks, and counts threads for tasks", async () => {
  // cpu.stat and the core files only; tasks from cgroup.threads, a cgroup below it included.
  await fakeCgroup({
    "cpu.stat": "usage_usec 42\n",
    "cgroup.threads": "10\n11\n12\n",
    "sub/cgroup.threads": "13\n",
  }, (dir) => {
    assert.deepEqual(readCgroupStats(dir), { cpuUsageUsec: 42, pids: 4 });
  });
  assert.deepEqual(readCgroupStats("/nonexistent/cgroup"), {});
});
