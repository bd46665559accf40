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

Deno.test("a bad global flag value and the remote modes fail with exit 125 (podman's 1 for --log-level) and the reason", async () => {
  const level = await nook(["--log-level=telepathic", "info"]);
  assert.equal(level.code, 1, "podman's exit code for a bad --log-level");
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

Deno.test("a runtime directory open to others is refused naming its mode and the fix, not as an internal error", async () => {
  const open = `${root}/open-run`;
  Deno.mkdirSync(open, { mode: 0o755 });
  Deno.chmodSync(open, 0o755);
  const rootfs = await busyboxRootfs();
  const r = await nook(["--runroot", open, "run", "--rm", "--rootfs", rootfs, "true"]);
  assert.equal(r.code, 125, r.stderr);
  assert.match(
    r.stderr,
    new RegExp(`Runtime directory '${open}' is open to others \\(mode 0755\\)`),
  );
  assert.match(r.stderr, new RegExp(`chmod 700 ${open}`));
  assert.doesNotMatch(r.stderr, /internal error|\n {4}at /);
  Deno.chmodSync(open, 0o700);
  const fixed = await nook(["--runroot", open, "run", "--rm", "--rootfs", rootfs, "true"]);
  assert.equal(fixed.code, 0, fixed.stderr);
});
