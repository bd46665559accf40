import { strictEqual } from "node:assert";
import { checkOverlay } from "./check_overlay.ts";
import { fakeHost } from "./fake_host.ts";

Deno.test("checkOverlay() warns 'not probed' without a probe", async () => {
  const check = await checkOverlay(fakeHost());
  strictEqual(check.id, "overlay");
  strictEqual(check.status, "warn");
  strictEqual(check.detail, "not probed");
  strictEqual(check.fix, undefined);
});

Deno.test("checkOverlay() is ok when the probe mounts", async () => {
  const check = await checkOverlay(fakeHost(), { probeOverlay: () => Promise.resolve(true) });
  strictEqual(check.status, "ok");
});

Deno.test("checkOverlay() warns with the reason the probe gives", async () => {
  const check = await checkOverlay(fakeHost(), {
    probeOverlay: () => Promise.resolve("mount overlay: Operation not permitted"),
  });
  strictEqual(check.status, "warn");
  strictEqual(
    check.detail,
    "cannot be mounted in a user namespace (mount overlay: Operation not permitted): " +
      "nook uses vfs (a full copy of the image per container)",
  );
});

Deno.test("checkOverlay() names fuse-overlayfs as the fallback where it can run", async () => {
  const host = fakeHost({
    executables: { "fuse-overlayfs": "/usr/bin/fuse-overlayfs" },
    stats: { "/dev/fuse": { mode: 0o20666, isFile: false } },
  });
  const check = await checkOverlay(host, { probeOverlay: () => Promise.resolve("EPERM") });
  strictEqual(
    check.detail,
    "cannot be mounted in a user namespace (EPERM): nook uses fuse-overlayfs",
  );
});

Deno.test("checkOverlay() turns a throwing probe into a warning", async () => {
  const check = await checkOverlay(fakeHost({ kernel: "5.10.0" }), {
    probeOverlay: () => Promise.reject(new Error("no shim")),
  });
  strictEqual(check.status, "warn");
  strictEqual(check.detail.includes("(no shim)"), true);
  strictEqual(check.fix?.startsWith("upgrade the kernel to 5.11"), true);
});
