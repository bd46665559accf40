import assert from "node:assert/strict";
import { UsageError } from "../errors/mod.ts";
import { checkLimits, parseBytes, parseCgroupsMode, parseLimitFlags } from "./parse_limits.ts";

const HOST = { cpuCount: 4, cpusOnline: "0-3", memsOnline: "0" };
const MB = 1024 * 1024;

function fails(fn: () => unknown, message: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof UsageError, `a UsageError, not ${e}`);
    assert.equal((e as Error).message, message);
    return true;
  });
}

Deno.test("parseBytes() reads docker's sizes", () => {
  assert.equal(parseBytes("1024"), 1024);
  assert.equal(parseBytes("64m"), 64 * MB);
  assert.equal(parseBytes("64MB"), 64 * MB);
  assert.equal(parseBytes("1.5g"), 1.5 * 1024 * MB);
  assert.equal(parseBytes("2KiB"), 2048);
  assert.equal(parseBytes("1t"), 1024 ** 4);
  for (const bad of ["", "m", "-1", "1x", "1 mb b"]) assert.equal(parseBytes(bad), null, bad);
});

Deno.test("parseLimitFlags() parses every flag", () => {
  const l = parseLimitFlags({
    memory: "64m",
    memoryReservation: "32m",
    memorySwap: "128m",
    cpus: "1.5",
    cpuShares: "512",
    cpusetCpus: "0-1,3",
    cpusetMems: "0",
    pidsLimit: "100",
    blkioWeight: "300",
    deviceReadBps: ["/dev/sda:1mb"],
    deviceWriteBps: ["/dev/sdb:512k"],
  }, HOST);
  assert.deepEqual(l, {
    memory: 64 * MB,
    memoryReservation: 32 * MB,
    memorySwap: 128 * MB,
    cpus: 1.5,
    cpuShares: 512,
    cpusetCpus: "0-1,3",
    cpusetMems: "0",
    pidsLimit: 100,
    blkioWeight: 300,
    deviceReadBps: [{ path: "/dev/sda", rate: MB }],
    deviceWriteBps: [{ path: "/dev/sdb", rate: 512 * 1024 }],
  });
});

Deno.test("parseLimitFlags() leaves out docker's 'unset' values and reads 'unlimited' ones", () => {
  assert.deepEqual(
    parseLimitFlags({ memory: "0", cpus: "0", cpuShares: "0", blkioWeight: "0" }, HOST),
    {},
  );
  assert.deepEqual(parseLimitFlags({ memorySwap: "-1", pidsLimit: "0" }, HOST), {
    memorySwap: -1,
    pidsLimit: -1,
  });
  assert.equal(parseLimitFlags({ pidsLimit: "-1" }, HOST).pidsLimit, -1);
});

Deno.test("parseLimitFlags() clamps --cpu-shares to 2..262144 as dockerd does", () => {
  assert.equal(parseLimitFlags({ cpuShares: "1" }, HOST).cpuShares, 2);
  assert.equal(parseLimitFlags({ cpuShares: "-5" }, HOST).cpuShares, 2);
  assert.equal(parseLimitFlags({ cpuShares: "999999" }, HOST).cpuShares, 262144);
});

Deno.test("parseLimitFlags() refuses bad values with docker's words", () => {
  fails(
    () => parseLimitFlags({ memory: "lots" }, HOST),
    "Invalid argument 'lots' for --memory: invalid size: 'lots'",
  );
  fails(
    () => parseLimitFlags({ cpus: "many" }, HOST),
    "Invalid argument 'many' for --cpus: failed to parse many as a rational number",
  );
  fails(
    () => parseLimitFlags({ cpus: "8" }, HOST),
    "Range of CPUs is from 0.01 to 4.00, as there are only 4 CPUs available",
  );
  fails(
    () => parseLimitFlags({ cpus: "0.001" }, HOST),
    "Range of CPUs is from 0.01 to 4.00, as there are only 4 CPUs available",
  );
  fails(
    () => parseLimitFlags({ blkioWeight: "5" }, HOST),
    "Range of blkio weight is from 10 to 1000",
  );
  fails(
    () => parseLimitFlags({ pidsLimit: "ten" }, HOST),
    "Invalid argument 'ten' for --pids-limit: give a whole number",
  );
  fails(() => parseLimitFlags({ cpusetCpus: "1-0" }, HOST), "Invalid value 1-0 for cpuset cpus");
  fails(
    () => parseLimitFlags({ cpusetCpus: "2-5" }, HOST),
    "Requested CPUs are not available - requested 2-5, available: 0-3",
  );
  fails(
    () => parseLimitFlags({ cpusetMems: "1" }, HOST),
    "Requested memory nodes are not available - requested 1, available: 0",
  );
  fails(
    () => parseLimitFlags({ deviceReadBps: ["/dev/sda"] }, HOST),
    "Invalid argument '/dev/sda' for --device-read-bps: bad format: /dev/sda",
  );
  fails(
    () => parseLimitFlags({ deviceWriteBps: ["sda:1mb"] }, HOST),
    "Invalid argument 'sda:1mb' for --device-write-bps: bad format for device path: sda:1mb",
  );
  assert.throws(
    () => parseLimitFlags({ deviceReadBps: ["/dev/sda:fast"] }, HOST),
    /invalid rate for device: \/dev\/sda:fast\. The correct format is <device-path>:<number>/,
  );
});

Deno.test("checkLimits() checks memory limits together as dockerd does", () => {
  fails(() => checkLimits({ memory: 4 * MB }), "Minimum memory limit allowed is 6MB");
  fails(() => checkLimits({ memoryReservation: MB }), "Minimum memory reservation allowed is 6MB");
  fails(
    () => checkLimits({ memorySwap: 64 * MB }),
    "You should always set the Memory limit when using Memoryswap limit, see usage",
  );
  fails(
    () => checkLimits({ memory: 64 * MB, memorySwap: 32 * MB }),
    "Minimum memoryswap limit should be larger than memory limit, see usage",
  );
  fails(
    () => checkLimits({ memory: 32 * MB, memoryReservation: 64 * MB }),
    "Minimum memory limit can not be less than memory reservation limit, see usage",
  );
  checkLimits({ memory: 64 * MB, memorySwap: -1, memoryReservation: 32 * MB });
  checkLimits({ memory: 64 * MB, memorySwap: 64 * MB });
});

Deno.test("parseCgroupsMode() takes enabled, disabled and required", () => {
  assert.equal(parseCgroupsMode(undefined), "enabled");
  assert.equal(parseCgroupsMode("enabled"), "enabled");
  assert.equal(parseCgroupsMode("disabled"), "disabled");
  assert.equal(parseCgroupsMode("required"), "required");
  fails(
    () => parseCgroupsMode("split"),
    "Invalid --cgroups 'split': use enabled, disabled or required",
  );
});
