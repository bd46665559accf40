import { deepStrictEqual } from "node:assert";
import { fakeHost } from "./fake_host.ts";
import { inspectRuntimeDir } from "./inspect_runtime_dir.ts";

const DIR = { isFile: false, isDirectory: true };

function host(mode: number, owner: number) {
  return fakeHost({
    uid: 1000,
    env: { XDG_RUNTIME_DIR: "/run/user/1000" },
    stats: { "/run/user/1000": { ...DIR, uid: owner, mode } },
  });
}

Deno.test("inspectRuntimeDir() uses XDG_RUNTIME_DIR when it is the user's with mode 0700", async () => {
  deepStrictEqual(await inspectRuntimeDir(host(0o700, 1000)), {
    path: "/run/user/1000/nook",
    problem: null,
  });
});

Deno.test("inspectRuntimeDir() falls back to /tmp/nook-<uid> and says why", async () => {
  deepStrictEqual(await inspectRuntimeDir(host(0o755, 1000)), {
    path: "/tmp/nook-1000",
    problem: "XDG_RUNTIME_DIR '/run/user/1000' has mode 0755, not 0700",
  });
  deepStrictEqual(
    (await inspectRuntimeDir(host(0o700, 0))).problem,
    "XDG_RUNTIME_DIR '/run/user/1000' is owned by uid 0, not by you (uid 1000)",
  );
  deepStrictEqual(
    (await inspectRuntimeDir(fakeHost({ env: { XDG_RUNTIME_DIR: "/nope" } }))).problem,
    "XDG_RUNTIME_DIR '/nope' does not exist",
  );
  deepStrictEqual(
    (await inspectRuntimeDir(fakeHost({ env: { XDG_RUNTIME_DIR: "" } }))).problem,
    "XDG_RUNTIME_DIR is not set",
  );
});
