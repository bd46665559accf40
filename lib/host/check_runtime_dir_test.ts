import { strictEqual } from "node:assert";
import { checkRuntimeDir } from "./check_runtime_dir.ts";
import { fakeHost } from "./fake_host.ts";

Deno.test("checkRuntimeDir() warns that nook uses /tmp/nook-<uid>", async () => {
  const check = await checkRuntimeDir(fakeHost({ uid: 1000, user: "alice" }));
  strictEqual(check.status, "warn");
  strictEqual(check.detail, "XDG_RUNTIME_DIR is not set: nook uses /tmp/nook-1000");
  strictEqual(check.fix?.includes("sudo loginctl enable-linger alice"), true);
});

Deno.test("checkRuntimeDir() fixes the mode of the user's own directory with chmod", async () => {
  const host = fakeHost({
    uid: 1000,
    env: { XDG_RUNTIME_DIR: "/run/user/1000" },
    stats: { "/run/user/1000": { isFile: false, isDirectory: true, uid: 1000, mode: 0o755 } },
  });
  strictEqual((await checkRuntimeDir(host)).fix, "chmod 0700 /run/user/1000");
});
