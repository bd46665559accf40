// The README's main job: scripts/demo.sh, as a new user runs it, makes the
// default image offline from the host's busybox-static and runs a container of it.
import assert from "node:assert/strict";
import { repoRoot } from "./helpers.ts";

Deno.test("scripts/demo.sh imports localhost/busybox:host once and runs a container of it", async () => {
  const home = Deno.makeTempDirSync({ prefix: "nook-demo-home-" });
  const env = {
    HOME: home,
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    XDG_RUNTIME_DIR: Deno.env.get("XDG_RUNTIME_DIR") ?? "",
  };
  const demo = async (args: string[]) => {
    const out = await new Deno.Command("bash", {
      args: [`${repoRoot()}/scripts/demo.sh`, ...args],
      cwd: home,
      env,
      clearEnv: true,
      stdin: "null",
    }).output();
    const text = (b: Uint8Array) => new TextDecoder().decode(b);
    return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
  };
  try {
    const first = await demo([]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^hello from container [0-9a-f]{12}, pid 1, uid 0$/m);
    assert.match(first.stderr, /\+ nook run --rm localhost\/busybox:host /);
    // The second run finds the image and takes the command given.
    const second = await demo(["sh", "-c", "cat /etc/hostname >/dev/null; exit 7"]);
    assert.equal(second.code, 7, second.stderr);
    assert.ok(!second.stderr.includes("import"), second.stderr);
  } finally {
    await new Deno.Command(`${repoRoot()}/bin/nook`, { args: ["unshare", "rm", "-rf", home], env })
      .output();
  }
});
