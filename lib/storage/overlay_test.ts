import assert from "node:assert/strict";
import { NookError } from "../errors/mod.ts";
import {
  kernelBeforeLowerdirPlus,
  OVERLAY_OPTIONS_MAX,
  overlayOptionsLength,
  overlayRootfs,
} from "./overlay.ts";

const hex = (i: number) => i.toString(16).padStart(64, "0");
const layers = (n: number) =>
  Array.from({ length: n }, (_, i) => `/home/u/.local/share/nook/layers/${hex(i)}/diff`);

Deno.test("overlayRootfs() plans one step with the top layer first", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const { rootfs, setup } = overlayRootfs({ layers: ["/a", "/b"], containerDir: dir });
    assert.equal(rootfs, `${dir}/merged`);
    assert.deepEqual(setup.steps[0].s, [`${dir}/upper`, `${dir}/work`, ["/b", "/a"], rootfs]);
    assert.deepEqual(setup.steps[0].n, [2]);
    for (const d of ["upper", "work", "merged"]) {
      assert.ok(Deno.statSync(`${dir}/${d}`).isDirectory);
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("overlayRootfs() takes 150 layers on kernel 6.8 and later", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const { setup } = overlayRootfs({ layers: layers(150), containerDir: dir, kernel: "6.8.0" });
    assert.equal(setup.steps[0].n?.[0], 150);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("overlayRootfs() refuses, saying why, what one page of options cannot hold before 6.8", () => {
  const dir = Deno.makeTempDirSync();
  try {
    assert.throws(
      () => overlayRootfs({ layers: layers(150), containerDir: dir, kernel: "6.5.0-1-amd64" }),
      (e) =>
        e instanceof NookError &&
        /^Cannot mount the overlay of 150 layers: kernel 6\.5\.0-1-amd64 takes the layers in one option string of at most 4095 bytes, these need \d+ \(kernel 6\.8 takes them one by one\); use --storage-driver=fuse-overlayfs or vfs$/
          .test(e.message),
    );
    assert.deepEqual([...Deno.readDirSync(dir)], [], "nothing made before the refusal");
    overlayRootfs({ layers: layers(10), containerDir: dir, kernel: "5.15.0" });
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("overlayOptionsLength() counts the one-string options the old mount API needs", () => {
  assert.equal(
    overlayOptionsLength(["/l2", "/l1"], "/u", "/w"),
    "lowerdir=/l2:/l1,upperdir=/u,workdir=/w,userxattr".length,
  );
  assert.ok(overlayOptionsLength(layers(150), "/u", "/w") > OVERLAY_OPTIONS_MAX);
});

Deno.test("kernelBeforeLowerdirPlus() is true before 6.8 only", () => {
  assert.equal(kernelBeforeLowerdirPlus("5.15.0-91-generic"), true);
  assert.equal(kernelBeforeLowerdirPlus("6.7.12"), true);
  assert.equal(kernelBeforeLowerdirPlus("6.8.0"), false);
  assert.equal(kernelBeforeLowerdirPlus("7.0"), false);
  assert.equal(kernelBeforeLowerdirPlus("weird"), false);
});
