import { strictEqual } from "node:assert";
import { checkIdmapHelper } from "./check_idmap_helper.ts";
import { fakeHost } from "./fake_host.ts";

Deno.test("checkIdmapHelper() warns with the uidmap package when newuidmap is missing", async () => {
  const check = await checkIdmapHelper(fakeHost(), "newuidmap");
  strictEqual(check.id, "newuidmap");
  strictEqual(check.status, "warn");
  strictEqual(check.detail, "not found on PATH: nook maps only your own uid");
  strictEqual(check.fix, "sudo apt-get install uidmap");
});

Deno.test("checkIdmapHelper() is ok for a setuid-root helper", async () => {
  const host = fakeHost({
    executables: { newgidmap: "/usr/bin/newgidmap" },
    stats: { "/usr/bin/newgidmap": { mode: 0o4755, uid: 0 } },
  });
  const check = await checkIdmapHelper(host, "newgidmap");
  strictEqual(check.status, "ok");
  strictEqual(check.detail, "/usr/bin/newgidmap (setuid root)");
});

Deno.test("checkIdmapHelper() is ok for a helper with the file capability", async () => {
  const host = fakeHost({
    executables: { newuidmap: "/usr/bin/newuidmap" },
    capabilities: { "/usr/bin/newuidmap": "cap_setuid=ep" },
  });
  const check = await checkIdmapHelper(host, "newuidmap");
  strictEqual(check.status, "ok");
  strictEqual(check.detail, "/usr/bin/newuidmap (cap_setuid=ep)");
});

Deno.test("checkIdmapHelper() wants cap_setgid, not cap_setuid, for newgidmap", async () => {
  const host = fakeHost({
    executables: { newgidmap: "/usr/bin/newgidmap" },
    capabilities: { "/usr/bin/newgidmap": "cap_setuid=ep" },
  });
  const check = await checkIdmapHelper(host, "newgidmap");
  strictEqual(check.status, "warn");
  strictEqual(
    check.detail,
    "/usr/bin/newgidmap is neither setuid root nor has cap_setgid: nook maps only your own gid",
  );
  strictEqual(check.fix?.startsWith("sudo setcap cap_setgid+ep /usr/bin/newgidmap"), true);
});

Deno.test("checkIdmapHelper() warns when neither setuid nor capabilities can be seen", async () => {
  const host = fakeHost({ executables: { newuidmap: "/usr/bin/newuidmap" }, capabilities: null });
  const check = await checkIdmapHelper(host, "newuidmap");
  strictEqual(check.status, "warn");
  strictEqual(check.detail.includes("getcap is not installed"), true);
});

Deno.test("checkIdmapHelper() does not accept setuid to a user other than root", async () => {
  const host = fakeHost({
    executables: { newuidmap: "/usr/bin/newuidmap" },
    stats: { "/usr/bin/newuidmap": { mode: 0o4755, uid: 1000 } },
  });
  strictEqual((await checkIdmapHelper(host, "newuidmap")).status, "warn");
});
