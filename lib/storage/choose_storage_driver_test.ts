import assert from "node:assert/strict";
import { HostError, UsageError } from "../errors/mod.ts";
import { chooseStorageDriver, type StorageHost } from "./choose_storage_driver.ts";

interface Fake extends StorageHost {
  probes: number;
  state: string | null;
  boot: string;
}

function fakeStorageHost(options: {
  overlay?: true | string;
  fuse?: string | null;
  device?: true | string;
  env?: Record<string, string>;
} = {}): Fake {
  const host: Fake = {
    probes: 0,
    state: null,
    boot: "boot-1",
    probeOverlay() {
      host.probes++;
      return Promise.resolve(options.overlay ?? true);
    },
    fuseOverlayfs: () => options.fuse === undefined ? "/usr/bin/fuse-overlayfs" : options.fuse,
    fuseDevice: () => options.device ?? true,
    bootId: () => host.boot,
    readState: () => host.state,
    writeState(text) {
      host.state = text;
    },
    env: (name) => options.env?.[name],
  };
  return host;
}

Deno.test("chooseStorageDriver() takes --storage-driver over NOOK_STORAGE_DRIVER, without probing", async () => {
  const host = fakeStorageHost({ env: { NOOK_STORAGE_DRIVER: "overlay" } });
  assert.deepEqual(await chooseStorageDriver({ requested: "vfs", host }), {
    driver: "vfs",
    reason: "chosen with --storage-driver",
  });
  assert.deepEqual(await chooseStorageDriver({ host }), {
    driver: "overlay",
    reason: "chosen with NOOK_STORAGE_DRIVER",
  });
  const fuse = await chooseStorageDriver({ requested: "fuse-overlayfs", host });
  assert.equal(fuse.fuseProgram, "/usr/bin/fuse-overlayfs");
  assert.equal(host.probes, 0);
});

Deno.test("chooseStorageDriver() refuses an unknown name, naming it and where it came from", async () => {
  await assert.rejects(
    chooseStorageDriver({ requested: "zfs", host: fakeStorageHost() }),
    (err) =>
      err instanceof UsageError &&
      err.message ===
        "Invalid storage driver 'zfs' (from --storage-driver): use overlay, fuse-overlayfs or vfs",
  );
  await assert.rejects(
    chooseStorageDriver({ host: fakeStorageHost({ env: { NOOK_STORAGE_DRIVER: "aufs" } }) }),
    /'aufs' \(from NOOK_STORAGE_DRIVER\)/,
  );
});

Deno.test("chooseStorageDriver() refuses fuse-overlayfs without the program or /dev/fuse", async () => {
  await assert.rejects(
    chooseStorageDriver({ requested: "fuse-overlayfs", host: fakeStorageHost({ fuse: null }) }),
    (err) => err instanceof HostError && /not installed/.test(err.message),
  );
  await assert.rejects(
    chooseStorageDriver({
      requested: "fuse-overlayfs",
      host: fakeStorageHost({ device: "/dev/fuse: Permission denied" }),
    }),
    /\/dev\/fuse: Permission denied/,
  );
});

Deno.test("chooseStorageDriver() picks overlay when the probe mounts, and probes once per boot", async () => {
  const host = fakeStorageHost();
  const warnings: string[] = [];
  const onWarning = (m: string) => warnings.push(m);
  for (let i = 0; i < 3; i++) {
    const choice = await chooseStorageDriver({ host, onWarning });
    assert.equal(choice.driver, "overlay");
    assert.equal(choice.reason, "kernel overlayfs mounts in a user namespace");
  }
  assert.equal(host.probes, 1);
  assert.deepEqual(warnings, []);
  host.boot = "boot-2";
  await chooseStorageDriver({ host, onWarning });
  assert.equal(host.probes, 2);
  host.state = "{torn";
  await chooseStorageDriver({ host, onWarning });
  assert.equal(host.probes, 3);
});

Deno.test("chooseStorageDriver() falls back to fuse-overlayfs, then vfs, saying so once per boot", async () => {
  const fuseHost = fakeStorageHost({ overlay: "probe exited with 125" });
  const warnings: string[] = [];
  const onWarning = (m: string) => warnings.push(m);
  const fuse = await chooseStorageDriver({ host: fuseHost, onWarning });
  await chooseStorageDriver({ host: fuseHost, onWarning });
  assert.equal(fuse.driver, "fuse-overlayfs");
  assert.equal(fuse.fuseProgram, "/usr/bin/fuse-overlayfs");
  assert.deepEqual(warnings, [
    "using the storage driver fuse-overlayfs: kernel overlayfs cannot be mounted in a user " +
    "namespace (probe exited with 125)",
  ]);
  assert.equal(fuseHost.probes, 1);

  const vfsHost = fakeStorageHost({ overlay: "EPERM", fuse: null });
  const vfs = await chooseStorageDriver({ host: vfsHost, onWarning: () => {} });
  assert.equal(vfs.driver, "vfs");
  assert.match(vfs.reason, /\(EPERM\), and fuse-overlayfs is not installed/);
  const noDevice = await chooseStorageDriver({
    host: fakeStorageHost({ overlay: "EPERM", device: "/dev/fuse: No such file or directory" }),
    onWarning: () => {},
  });
  assert.equal(noDevice.driver, "vfs");
  assert.match(noDevice.reason, /\/dev\/fuse: No such file or directory/);
});

Deno.test("chooseStorageDriver() with announce: false neither says nor records the fallback", async () => {
  const host = fakeStorageHost({ overlay: "EPERM" });
  const warnings: string[] = [];
  await chooseStorageDriver({ host, announce: false, onWarning: (m) => warnings.push(m) });
  await chooseStorageDriver({ host, onWarning: (m) => warnings.push(m) });
  assert.equal(warnings.length, 1);
});
