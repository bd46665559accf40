import { deepStrictEqual, strictEqual } from "node:assert";
import { fakeHost } from "./fake_host.ts";
import { hostInfo } from "./host_info.ts";

Deno.test("hostInfo() gathers user, ranges, mapping, drivers and helpers", async () => {
  const host = fakeHost({
    uid: 1000,
    gid: 1000,
    user: "alice",
    kernel: "6.1.0-18-amd64",
    files: { "/etc/subuid": "alice:100000:65536\n" },
    executables: {
      "fuse-overlayfs": "/usr/bin/fuse-overlayfs",
      slirp4netns: "/usr/bin/slirp4netns",
    },
    stats: { "/dev/fuse": { isFile: false, isCharDevice: true, mode: 0o666 } },
  });
  const info = await hostInfo(host);
  deepStrictEqual(info.user, { name: "alice", uid: 1000, gid: 1000 });
  deepStrictEqual(info.subuid, [{ start: 100000, count: 65536 }]);
  deepStrictEqual(info.subgid, []);
  strictEqual(info.idMapping, "single");
  strictEqual(info.idMappingReason, "no range in /etc/subgid");
  deepStrictEqual(info.storageDrivers, ["overlay", "fuse-overlayfs", "vfs"]);
  deepStrictEqual(info.networkHelpers, [{ name: "slirp4netns", path: "/usr/bin/slirp4netns" }]);
  strictEqual(info.runtimeDir, "/tmp/nook-1000");
  strictEqual(info.cgroups.mode, "none");
});

Deno.test("hostInfo() leaves kernel overlay out before 5.11", async () => {
  deepStrictEqual((await hostInfo(fakeHost({ kernel: "5.10.0" }))).storageDrivers, ["vfs"]);
});
