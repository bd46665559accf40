import assert from "node:assert/strict";
import { Op, RunFailure } from "../../shim/protocol.ts";
import { NookError, SetupError } from "../errors/mod.ts";
import { explainRunFailure, fuseOverlayRootfs } from "./fuse_overlay.ts";

Deno.test("fuseOverlayRootfs() runs fuse-overlayfs, then leaves its mount namespace", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const { rootfs, setup } = fuseOverlayRootfs({
      layers: ["/l/1", "/l/2"],
      containerDir: dir,
      program: "/usr/bin/fuse-overlayfs",
    });
    assert.equal(rootfs, `${dir}/merged`);
    const [run, unshare] = setup.steps;
    assert.equal(run.op, Op.RUN);
    assert.deepEqual(run.s?.[2], [
      "/usr/bin/fuse-overlayfs",
      "-o",
      `lowerdir=/l/2:/l/1,upperdir=${dir}/upper,workdir=${dir}/work,allow_other,default_permissions`,
      `${dir}/merged`,
    ]);
    assert.equal(run.n?.[0], 4);
    assert.equal(unshare.op, Op.UNSHARE);
    assert.equal(setup.describe.length, setup.steps.length);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("fuseOverlayRootfs() refuses paths its option string cannot carry", () => {
  assert.throws(
    () => fuseOverlayRootfs({ layers: ["/l:1"], containerDir: "/c", program: "/f" }),
    (e) =>
      e instanceof NookError && e.message.startsWith("Cannot mount '/l:1' with fuse-overlayfs"),
  );
});

Deno.test("explainRunFailure() names the helper's exit status or signal", () => {
  const setup = { steps: [{ op: Op.RUN, s: ["/usr/bin/fuse-overlayfs"] }], describe: ["mount it"] };
  const failed = (errno: number) =>
    explainRunFailure(
      new SetupError(`mount it: errno ${errno}`, { step: "mount it", errno }),
      setup,
    );
  assert.equal(
    (failed(RunFailure.EXITED + 1) as Error).message,
    "mount it: fuse-overlayfs exited with status 1",
  );
  assert.equal(
    (failed(RunFailure.SIGNALED + 9) as Error).message,
    "mount it: fuse-overlayfs killed by signal 9",
  );
  const enoent = new SetupError("mount it: No such file or directory", {
    step: "mount it",
    errno: 2,
  });
  assert.equal(explainRunFailure(enoent, setup), enoent);
  const other = new Error("x");
  assert.equal(explainRunFailure(other, setup), other);
});

Deno.test("RunFailure equals NOOK_RUN_EXITED and NOOK_RUN_SIGNALED of nook_shim.h", () => {
  const header = Deno.readTextFileSync(new URL("../../shim/src/nook_shim.h", import.meta.url));
  const value = (name: string) =>
    Number(new RegExp(`#define ${name} (0x[0-9a-f]+)`).exec(header)?.[1]);
  assert.equal(value("NOOK_RUN_EXITED"), RunFailure.EXITED);
  assert.equal(value("NOOK_RUN_SIGNALED"), RunFailure.SIGNALED);
});
