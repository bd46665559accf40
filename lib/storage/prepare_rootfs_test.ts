import assert from "node:assert/strict";
import { SetupError } from "../errors/mod.ts";
import { prepareRootfs } from "./prepare_rootfs.ts";

Deno.test("prepareRootfs() with overlay explains a mount that overflowed one option page", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const layers = Array.from({ length: 150 }, (_, i) => `/layers/${"0".repeat(60)}${i}/diff`);
    const prepared = await prepareRootfs(
      { driver: "overlay", reason: "test" },
      { layers, containerDir: dir },
    );
    const step = prepared.setup!.describe[0];
    const e2big = new SetupError(`${step}: Argument list too long`, { step, errno: 7 });
    const explained = prepared.explain(e2big) as SetupError;
    assert.ok(explained instanceof SetupError);
    assert.match(
      explained.message,
      /^mount the overlay of 150 layers on .*: .* in one option string of at most 4095 bytes, these need \d+; use --storage-driver=fuse-overlayfs or vfs$/,
    );
    const other = new SetupError(`${step}: Invalid argument`, { step, errno: 22 });
    assert.equal(prepared.explain(other), other);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
