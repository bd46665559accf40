import { strictEqual } from "node:assert";
import { checkCgroups } from "./check_cgroups.ts";
import { fakeHost } from "./fake_host.ts";

const SCOPE = "/user.slice/user-1000.slice/user@1000.service/app.slice/a.scope";
const DIR = `/sys/fs/cgroup${SCOPE}`;

function v2Host(controllers: string, owner: number) {
  return fakeHost({
    uid: 1000,
    files: {
      "/sys/fs/cgroup/cgroup.controllers": "cpu io memory pids\n",
      "/proc/self/cgroup": `0::${SCOPE}\n`,
      [`${DIR}/cgroup.controllers`]: controllers,
    },
    stats: {
      [DIR]: { isFile: false, isDirectory: true, uid: owner, mode: 0o755 },
      [`${DIR}/cgroup.procs`]: { uid: owner, mode: 0o644 },
    },
  });
}

Deno.test("checkCgroups() warns on hybrid with the unified-hierarchy fix", async () => {
  const host = fakeHost({
    files: {
      "/sys/fs/cgroup/unified/cgroup.controllers": "",
      "/proc/self/cgroup": "4:memory:/\n1:cpu:/\n0::/\n",
    },
  });
  const check = await checkCgroups(host);
  strictEqual(check.id, "cgroups");
  strictEqual(check.status, "warn");
  strictEqual(check.detail.startsWith("hybrid"), true);
  strictEqual(check.detail.includes("limits are not applied"), true);
  strictEqual(check.fix?.includes("systemd.unified_cgroup_hierarchy=1"), true);
  strictEqual(check.fix?.includes("Delegate=yes"), true);
});

Deno.test("checkCgroups() warns on v1 only", async () => {
  const check = await checkCgroups(fakeHost({ files: { "/proc/self/cgroup": "4:memory:/\n" } }));
  strictEqual(check.status, "warn");
  strictEqual(check.detail.startsWith("v1 only: "), true);
  strictEqual(check.detail.includes("limits are not applied"), true);
});

Deno.test("checkCgroups() is ok on a delegated v2 cgroup", async () => {
  const check = await checkCgroups(v2Host("cpu memory pids\n", 1000));
  strictEqual(check.status, "ok");
  strictEqual(
    check.detail,
    `v2, containers' cgroups in ${DIR}/nook (nook's own cgroup) (controllers: cpu memory pids)`,
  );
});

Deno.test("checkCgroups() warns when the v2 cgroup is not the user's", async () => {
  const check = await checkCgroups(v2Host("cpu memory pids\n", 0));
  strictEqual(check.status, "warn");
  strictEqual(check.detail.includes("is not delegated to you"), true);
  strictEqual(check.fix?.includes("systemd-run --user --scope"), true);
});

Deno.test("checkCgroups() names controllers that are not delegated", async () => {
  const check = await checkCgroups(v2Host("pids\n", 1000));
  strictEqual(check.status, "warn");
  strictEqual(check.detail.includes("memory and cpu controllers are not delegated"), true);
  strictEqual(check.detail.includes("--memory, "), true);
  strictEqual(check.fix?.includes("Delegate=cpu cpuset io memory pids"), true);
});
