import { deepStrictEqual, strictEqual } from "node:assert";
import { detectCgroups } from "./detect_cgroups.ts";
import { fakeHost } from "./fake_host.ts";

const V1_SELF = "9:name=systemd:/\n4:memory:/user.slice\n1:cpu:/\n";

Deno.test("detectCgroups() finds v2 and this process's cgroup", async () => {
  const dir = "/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service/app.slice/a.scope";
  const host = fakeHost({
    uid: 1000,
    files: {
      "/sys/fs/cgroup/cgroup.controllers": "cpuset cpu io memory hugetlb pids rdma misc\n",
      "/proc/self/cgroup": "0::/user.slice/user-1000.slice/user@1000.service/app.slice/a.scope\n",
      [`${dir}/cgroup.controllers`]: "cpu memory pids\n",
    },
    stats: {
      [dir]: { isFile: false, isDirectory: true, uid: 1000, mode: 0o755 },
      [`${dir}/cgroup.procs`]: { uid: 1000, mode: 0o644 },
    },
  });
  deepStrictEqual(await detectCgroups(host), {
    mode: "v2",
    mount: "/sys/fs/cgroup",
    path: "/user.slice/user-1000.slice/user@1000.service/app.slice/a.scope",
    dir,
    controllers: ["cpu", "memory", "pids"],
    writable: true,
  });
});

Deno.test("detectCgroups() sees a root-owned v2 session scope as not writable", async () => {
  const dir = "/sys/fs/cgroup/user.slice/user-1000.slice/session-3.scope";
  const host = fakeHost({
    uid: 1000,
    files: {
      "/sys/fs/cgroup/cgroup.controllers": "cpu memory pids\n",
      "/proc/self/cgroup": "0::/user.slice/user-1000.slice/session-3.scope\n",
      [`${dir}/cgroup.controllers`]: "cpu memory pids\n",
      [`${dir}/cgroup.procs`]: "",
    },
  });
  const info = await detectCgroups(host);
  strictEqual(info.mode, "v2");
  strictEqual(info.writable, false);
});

Deno.test("detectCgroups() detects hybrid from an empty cgroup2 at unified", async () => {
  const host = fakeHost({
    files: {
      "/sys/fs/cgroup/unified/cgroup.controllers": "",
      "/proc/self/cgroup": `${V1_SELF}0::/user.slice\n`,
    },
  });
  const info = await detectCgroups(host);
  strictEqual(info.mode, "hybrid");
  strictEqual(info.mount, "/sys/fs/cgroup/unified");
  strictEqual(info.path, "/user.slice");
  strictEqual(info.dir, "/sys/fs/cgroup/unified/user.slice");
  deepStrictEqual(info.controllers, []);
});

Deno.test("detectCgroups() detects v1 only", async () => {
  const info = await detectCgroups(fakeHost({ files: { "/proc/self/cgroup": V1_SELF } }));
  deepStrictEqual(info, {
    mode: "v1",
    mount: null,
    path: null,
    dir: null,
    controllers: [],
    writable: false,
  });
});

Deno.test("detectCgroups() reports none without a cgroup filesystem", async () => {
  strictEqual((await detectCgroups(fakeHost())).mode, "none");
});

Deno.test("detectCgroups() maps the root cgroup to the mount point", async () => {
  const host = fakeHost({
    uid: 0,
    files: {
      "/sys/fs/cgroup/cgroup.controllers": "cpu memory pids\n",
      "/proc/self/cgroup": "0::/\n",
      "/sys/fs/cgroup/cgroup.procs": "1\n",
    },
  });
  const info = await detectCgroups(host);
  strictEqual(info.dir, "/sys/fs/cgroup");
  deepStrictEqual(info.controllers, ["cpu", "memory", "pids"]);
  strictEqual(info.writable, true);
});
