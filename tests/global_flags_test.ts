// The global flags podman and docker scripts put before the command: --root and --runroot choose
// the store and the runtime state (as NOOK_ROOT and NOOK_RUNROOT do), --storage-driver,
// --log-level and --cgroup-manager are taken with their values checked, and the remote modes are
// refused with the reason. As the unprivileged test user, with real containers.
import assert from "node:assert/strict";
import { busyboxRootfs, nook } from "./helpers.ts";

const root = Deno.makeTempDirSync({ prefix: "nook-global-flags-test-" });
globalThis.addEventListener("unload", () => Deno.removeSync(root, { recursive: true }));

Deno.test("--root and --runroot put a container's record and state where they say", async () => {
  const rootfs = await busyboxRootfs();
  const store = `${root}/store`, run = `${root}/run`;
  Deno.mkdirSync(run, { mode: 0o700 });
  const g = [
    "--root",
    store,
    `--runroot=${run}`,
    "--log-level",
    "debug",
    "--cgroup-manager=cgroupfs",
  ];
  const created = await nook([...g, "create", "--name", "elsewhere", "--rootfs", rootfs, "true"]);
  assert.equal(created.code, 0, created.stderr);
  const id = created.stdout.trim();
  assert.ok(Deno.statSync(`${store}/containers/${id}/container.json`).isFile);
  const listed = await nook([...g, "ps", "-a", "--format", "{{.Names}}"]);
  assert.equal(listed.stdout, "elsewhere\n", listed.stderr);
  const elsewhere = await nook(["ps", "-a", "--format", "{{.Names}}"], {
    env: { NOOK_ROOT: `${root}/other` },
  });
  assert.equal(elsewhere.stdout, "", "another store does not list it");
  const started = await nook([...g, "start", "-a", "elsewhere"]);
  assert.equal(started.code, 0, started.stderr);
  assert.ok(Deno.statSync(`${run}/containers.lock`), "the runtime state is under --runroot");
  const removed = await nook([...g, "rm", "elsewhere"]);
  assert.equal(removed.code, 0, removed.stderr);
});

Deno.test("a bad global flag value and the remote modes fail with exit 125 and the reason", async () => {
  const level = await nook(["--log-level=telepathic", "info"]);
  assert.equal(level.code, 125);
  assert.match(level.stderr, /Invalid --log-level 'telepathic': use trace, debug, info/);
  const driver = await nook(["--storage-driver", "zfs", "info"]);
  assert.equal(driver.code, 125, driver.stderr);
  assert.match(driver.stderr, /Invalid --storage-driver 'zfs': use overlay, fuse-overlayfs, vfs/);
  const vfs = await nook(["--storage-driver=vfs", "info"]);
  assert.equal(vfs.code, 0, vfs.stderr);
  assert.match(vfs.stdout, /^storage driver: +vfs/m, "the driver reaches the command");
  for (const remote of [["--url", "tcp://x:1"], ["--remote"], ["-H", "unix:///x.sock"]]) {
    const r = await nook([...remote, "ps"]);
    assert.equal(r.code, 125, remote.join(" "));
    assert.match(r.stderr, /nook has no remote mode/);
  }
  const missing = await nook(["--root"]);
  assert.equal(missing.code, 125);
  assert.match(missing.stderr, /--root needs a value/);
  const help = await nook(["--help"]);
  for (
    const flag of ["--root", "--runroot", "--storage-driver", "--log-level", "--cgroup-manager"]
  ) {
    assert.ok(help.stdout.includes(flag), `--help lists ${flag}`);
  }
});
