// Storage drivers end to end: the layered test image (a deleted file, a replaced
// directory, an opaque directory, a file of uid 1000) run with overlay,
// fuse-overlayfs and vfs as the unprivileged test user; a 150-layer image with
// overlay; a bad driver name.
import assert from "node:assert/strict";
import { NET_HELPERS, nook, repoRoot, requireAnyTool, testNeeds } from "./helpers.ts";
import { pushLayeredImage } from "./image_fixtures.ts";
import { runTool, startRegistry, type TestRegistry } from "./registry_helpers.ts";

const DRIVERS = ["overlay", "fuse-overlayfs", "vfs"] as const;
const MANY_LAYERS = 150;

let registry: TestRegistry;
let root: string;
let layered: string;
let many: string;

const env = (extra: Record<string, string> = {}) => ({ NOOK_ROOT: root, ...extra });

/** An image of the base layer of image_layers.py plus tiny layers, `count` in all, by umoci. */
async function pushManyLayers(host: string, reference: string, count: number): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "nook-test-many-" });
  try {
    await runTool("python3", [`${repoRoot()}/tests/fixtures/image_layers.py`, `${dir}/layers`]);
    await runTool("python3", [
      "-c",
      `import io, sys, tarfile
for i in range(1, ${count}):
    with tarfile.open(f"${dir}/layers/l{i}.tar", "w") as t:
        data = f"{i}\\n".encode()
        info = tarfile.TarInfo(f"many/f{i:03d}")
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))`,
    ]);
    const image = `${dir}/oci:img`;
    await runTool("umoci", ["init", "--layout", `${dir}/oci`]);
    await runTool("umoci", ["new", "--image", image]);
    await runTool("umoci", ["raw", "add-layer", "--image", image, `${dir}/layers/base.tar`]);
    for (let i = 1; i < count; i++) {
      await runTool("umoci", ["raw", "add-layer", "--image", image, `${dir}/layers/l${i}.tar`]);
    }
    await runTool("skopeo", [
      "copy",
      "--quiet",
      "--dest-tls-verify=false",
      `oci:${image}`,
      `docker://${host}/${reference}`,
    ]);
    return `${host}/${reference}`;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const setup = (async () => {
  registry = await startRegistry();
  root = Deno.makeTempDirSync({ prefix: "nook-storage-test-" });
  [layered, many] = await Promise.all([
    pushLayeredImage(registry.host, "test/layered:1"),
    pushManyLayers(registry.host, "test/many:1", MANY_LAYERS),
  ]);
  const pulled = await Promise.all(
    [layered, many].map((ref) => nook(["pull", "-q", ref], { env: env(), timeoutMs: 60_000 })),
  );
  for (const p of pulled) assert.equal(p.code, 0, p.stderr);
})();

globalThis.addEventListener("unload", () => {
  registry?.stop();
  new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${repoRoot()}/cli/main.ts`, "unshare", "rm", "-rf", root],
  }).outputSync();
});

/** The files of a directory tree, with their contents, as `path=content` lines. */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of Deno.readDirSync(d)) {
      const p = `${d}/${e.name}`;
      const st = Deno.lstatSync(p);
      if (st.isDirectory) walk(p);
      else if (st.isFile && st.size < 4096) out.push(`${p}=${Deno.readTextFileSync(p)}`);
      else out.push(`${p} ${st.mode} ${st.size}`);
    }
  };
  walk(dir);
  return out.sort();
}

/** The container directories in the store. */
function containers(): string[] {
  try {
    return [...Deno.readDirSync(`${root}/containers`)].map((e) => e.name).sort();
  } catch {
    return [];
  }
}

/** Processes of this user whose command line mentions `text`. */
function processesWith(text: string): string[] {
  const found: string[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const cmd = Deno.readTextFileSync(`/proc/${e.name}/cmdline`).replaceAll("\0", " ");
      if (cmd.includes(text)) found.push(`${e.name}: ${cmd}`);
    } catch {
      // gone, or not ours
    }
  }
  return found;
}

const CHECKS = [
  "stat -c '%u:%g' /home/u/owned",
  "ls /data | tr '\\n' ' '; echo",
  "ls /old | tr '\\n' ' '; echo",
  "ls /opq | tr '\\n' ' '; echo",
  // writes: a changed file, a new one, a deletion, a new opaque-making replacement
  "echo changed > /data/keep && echo mine > /newfile && rm /opq/z && rm -r /old && mkdir /old",
  "echo written",
].join("; ");

for (const driver of DRIVERS) {
  Deno.test(`run with ${driver} shows the image's whiteouts, opaque dirs and owners, and writes to its own copy`, async () => {
    await setup;
    const layers = snapshot(`${root}/layers`);
    const before = containers();
    const r = await nook(
      ["run", "-q", "-u", "0", "--entrypoint", "sh", layered, "-c", CHECKS],
      { env: env({ NOOK_STORAGE_DRIVER: driver }) },
    );
    const ids = containers().filter((id) => !before.includes(id));
    try {
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, "1000:1000\nkeep new \nc \nz \nwritten\n");
      assert.equal(ids.length, 1);
      const dir = `${root}/containers/${ids[0]}`;
      const info = JSON.parse(Deno.readTextFileSync(`${dir}/container.json`));
      assert.equal(info.storageDriver, driver);
      const own = driver === "vfs" ? `${dir}/rootfs` : `${dir}/upper`;
      assert.equal(Deno.readTextFileSync(`${own}/newfile`), "mine\n");
      assert.equal(Deno.readTextFileSync(`${own}/data/keep`), "changed\n");
      assert.deepEqual(snapshot(`${root}/layers`), layers, "the image's layers changed");
      assert.deepEqual(processesWith(dir), [], "a process of the container outlived it");
    } finally {
      for (const id of ids) await nook(["unshare", "rm", "-rf", `${root}/containers/${id}`]);
    }
  });

  Deno.test(`run --rm with ${driver} leaves no container files and no process behind`, async () => {
    await setup;
    const before = containers();
    const r = await nook(
      ["run", "--rm", "-q", "--storage-driver", driver, layered, "sh", "-c", "echo x > /x; cat /x"],
      { env: env() },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "x\n");
    assert.deepEqual(containers(), before);
    assert.deepEqual(processesWith(`${root}/containers`), []);
  });
}

Deno.test("run with an unknown storage driver fails with 125 naming it", async () => {
  await setup;
  const before = containers();
  const flag = await nook(["run", "--rm", "--storage-driver", "zfs", layered, "true"], {
    env: env(),
  });
  assert.equal(flag.code, 125);
  assert.match(flag.stderr, /storage driver 'zfs' \(from --storage-driver\)/);
  const fromEnv = await nook(["run", "--rm", layered, "true"], {
    env: env({ NOOK_STORAGE_DRIVER: "btrfs" }),
  });
  assert.equal(fromEnv.code, 125);
  assert.match(fromEnv.stderr, /storage driver 'btrfs' \(from NOOK_STORAGE_DRIVER\)/);
  assert.deepEqual(containers(), before);
});

Deno.test(`run mounts an image of ${MANY_LAYERS} layers with each driver`, async () => {
  await setup;
  for (const driver of DRIVERS) {
    const r = await nook(
      [
        "run",
        "--rm",
        "-q",
        "--storage-driver",
        driver,
        many,
        "sh",
        "-c",
        "ls /many | wc -l; cat /many/f149",
      ],
      { env: env() },
    );
    assert.equal(r.code, 0, `${driver}: ${r.stderr}`);
    assert.equal(r.stdout.replace(/ +/g, ""), `${MANY_LAYERS - 1}\n149\n`, driver);
  }
});

Deno.test("info shows the storage driver and why", async () => {
  await setup;
  const r = await nook(["info"], { env: env({ NOOK_STORAGE_DRIVER: "vfs" }) });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^storage driver: +vfs \(chosen with NOOK_STORAGE_DRIVER\)$/m);
  const json = await nook(["info", "--format", "json"], { env: env() });
  const info = JSON.parse(json.stdout);
  assert.ok(["overlay", "fuse-overlayfs", "vfs"].includes(info.storageDriver.name));
  assert.equal(typeof info.storageDriver.reason, "string");
});

// Layers in overlay form, made as root in the user namespace (python's os module, not nook).
const MAKE_LAYERS = String.raw`
import os, stat, struct, sys
d = sys.argv[1]
def w(p, text, mode=0o644, uid=0, gid=0):
    with open(p, "w") as f:
        f.write(text)
    os.chown(p, uid, gid)
    os.chmod(p, mode)
l1, l2 = f"{d}/l1", f"{d}/l2"
os.mkdir(l1); os.mkdir(l2)
os.makedirs(f"{l1}/a"); w(f"{l1}/a/x", "x"); w(f"{l1}/a/y", "y")
os.makedirs(f"{l1}/usr/lib"); w(f"{l1}/usr/lib/libc", "libc"); os.symlink("usr/lib", f"{l1}/lib")
w(f"{l1}/f", "linked", 0o4755); os.link(f"{l1}/f", f"{l1}/g")
os.makedirs(f"{l1}/d"); w(f"{l1}/d/1", "1")
w(f"{l1}/h", "h")
os.makedirs(f"{l1}/opq/sub"); w(f"{l1}/opq/old", "old")
w(f"{l1}/attr", "attr")
os.setxattr(f"{l1}/attr", "user.test", b"1")
os.setxattr(f"{l1}/attr", "security.capability", struct.pack("<IIIII", 0x02000001, 1 << 13, 0, 0, 0))
os.mkdir(f"{l1}/e", 0o700); os.chown(f"{l1}/e", 1000, 1000); w(f"{l1}/e/secret", "s", 0o600, 1000, 1000)
os.mkfifo(f"{l1}/fifo")
os.symlink(f"{d}/canary", f"{l1}/esc")
os.utime(f"{l1}/a/y", (1000000000, 1000000000))
os.utime(f"{l1}/usr/lib", (1000000000, 1000000000))
os.makedirs(f"{l2}/a"); os.mknod(f"{l2}/a/x", stat.S_IFCHR, 0)
os.makedirs(f"{l2}/lib"); w(f"{l2}/lib/new", "new")
w(f"{l2}/d", "d is a file now")
os.makedirs(f"{l2}/h"); w(f"{l2}/h/in", "in")
os.makedirs(f"{l2}/opq"); w(f"{l2}/opq/new", "new")
os.setxattr(f"{l2}/opq", "user.overlay.opaque", b"y")
os.mknod(f"{l2}/nothing", stat.S_IFCHR, 0)
os.makedirs(f"{l2}/esc"); w(f"{l2}/esc/file", "inside")
os.symlink("/etc/passwd", f"{l2}/abs")
`;

// The tree as JSON: path -> [type, mode, uid:gid, content or link, xattr names, inode].
const DESCRIBE = String.raw`
import json, os, stat, sys
root = sys.argv[1]
out = {}
for dirpath, dirs, files in os.walk(root):
    for name in dirs + files:
        p = os.path.join(dirpath, name)
        st = os.lstat(p)
        kind = "d" if stat.S_ISDIR(st.st_mode) else "l" if stat.S_ISLNK(st.st_mode) else \
            "f" if stat.S_ISREG(st.st_mode) else "p" if stat.S_ISFIFO(st.st_mode) else "?"
        body = open(p).read() if kind == "f" else os.readlink(p) if kind == "l" else ""
        xattrs = sorted(os.listxattr(p, follow_symlinks=False)) if kind != "l" else []
        out[os.path.relpath(p, root)] = [kind, oct(st.st_mode & 0o7777), f"{st.st_uid}:{st.st_gid}",
                                         body, xattrs, st.st_ino, int(st.st_mtime)]
print(json.dumps(out))
`;

Deno.test("vfsRootfs() applies whiteouts, opaque dirs and replacements, keeping links, owners and xattrs", async () => {
  const { vfsRootfs } = await import("../lib/storage/vfs.ts");
  const dir = Deno.makeTempDirSync({ prefix: "nook-vfs-test-" });
  try {
    Deno.mkdirSync(`${dir}/canary`);
    const made = await nook(["unshare", "python3", "-c", MAKE_LAYERS, dir]);
    assert.equal(made.code, 0, made.stderr);
    const rootfs = await vfsRootfs({
      layers: [`${dir}/l1`, `${dir}/l2`],
      containerDir: `${dir}/c`,
    });
    assert.equal(rootfs, `${dir}/c/rootfs`);
    const described = await nook(["unshare", "python3", "-c", DESCRIBE, rootfs]);
    assert.equal(described.code, 0, described.stderr);
    const tree = JSON.parse(described.stdout);
    const paths = Object.keys(tree).sort();
    assert.deepEqual(paths, [
      "a",
      "a/y",
      "abs",
      "attr",
      "d",
      "e",
      "e/secret",
      "esc",
      "esc/file",
      "f",
      "fifo",
      "g",
      "h",
      "h/in",
      "lib",
      "lib/new",
      "opq",
      "opq/new",
      "usr",
      "usr/lib",
      "usr/lib/libc",
    ]); // deno-fmt-ignore
    assert.equal(tree["lib"][0], "d", "a directory replaces a symlink");
    assert.deepEqual(tree["d"].slice(0, 4), ["f", "0o644", "0:0", "d is a file now"]);
    assert.equal(tree["h"][0], "d", "a directory replaces a file");
    assert.deepEqual(tree["f"].slice(0, 4), ["f", "0o4755", "0:0", "linked"]);
    assert.equal(tree["f"][5], tree["g"][5], "a hard link stays one");
    assert.deepEqual(tree["e"].slice(0, 3), ["d", "0o700", "1000:1000"]);
    assert.deepEqual(tree["e/secret"].slice(0, 4), ["f", "0o600", "1000:1000", "s"]);
    assert.deepEqual(tree["attr"][4], ["security.capability", "user.test"]);
    assert.deepEqual(tree["opq"][4], [], "overlay's own xattrs are not copied");
    assert.deepEqual(tree["abs"].slice(0, 4), ["l", "0o777", "0:0", "/etc/passwd"]);
    assert.equal(tree["fifo"][0], "p");
    assert.equal(tree["h/in"][0], "f");
    assert.equal(tree["a/y"][6], 1000000000, "a file's mtime is kept");
    assert.equal(tree["usr/lib"][6], 1000000000, "a directory's mtime is kept");
    assert.equal(tree["esc/file"][3], "inside");
    assert.deepEqual([...Deno.readDirSync(`${dir}/canary`)], [], "a symlink was followed");
    assert.equal(Deno.statSync(rootfs).mode! & 0o7777, 0o755);
  } finally {
    await nook(["unshare", "rm", "-rf", dir]);
  }
});

Deno.test("an overlay of more layers than overlayfs stacks fails naming the limit, not a crash", async () => {
  // 501 lower layers: the new mount API refuses the 501st (overlayfs stacks at most 500).
  const { spawnPlanned } = await import("../lib/runtime/spawn_process.ts");
  const { chooseIdMaps } = await import("../lib/userns/mod.ts");
  const { prepareRootfs } = await import("../lib/storage/prepare_rootfs.ts");
  const { Op } = await import("../shim/protocol.ts");
  const dir = Deno.makeTempDirSync({ prefix: "nook-fallback-test-" });
  try {
    const layers = Array.from({ length: 501 }, (_, i) => `${dir}/layer-${i}`);
    for (const l of layers) Deno.mkdirSync(l);
    const prepared = await prepareRootfs({ driver: "overlay", reason: "test" }, {
      layers,
      containerDir: `${dir}/c`,
    });
    const setup = prepared.setup!;
    const err = await spawnPlanned({
      program: {
        cloneFlags: 0x10000000 | 0x00020000,
        steps: [{ op: Op.MOUNT_PRIVATE }, ...setup.steps],
      },
      describe: ["make the mounts private", ...setup.describe],
    }, chooseIdMaps({ onWarning: () => {} })).then(() => null, (e) => e);
    assert.ok(err, "the mount of 501 layers worked");
    assert.equal(err.errno, 22, err.message); // EINVAL from fsconfig(lowerdir+)
    assert.match(
      (prepared.explain(err) as Error).message,
      /^mount the overlay of 501 layers on .*: overlayfs stacks at most 500 layers, this image has 501; use --storage-driver=fuse-overlayfs or vfs$/,
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

testNeeds([requireAnyTool(NET_HELPERS)], {
  name:
    "run without a driver probes once per boot, and falls back to fuse-overlayfs saying so once",
  fn: async () => {
    await setup;
    const runtime = Deno.makeTempDirSync({ prefix: "nook-storage-runtime-" }); // mode 0700
    try {
      const xdg = env({ XDG_RUNTIME_DIR: runtime });
      const first = await nook(["run", "--rm", "-q", layered, "true"], { env: xdg });
      assert.equal(first.code, 0, first.stderr);
      assert.equal(first.stderr, "");
      const state = JSON.parse(Deno.readTextFileSync(`${runtime}/nook/storage-probe`));
      const bootId = Deno.readTextFileSync("/proc/sys/kernel/random/boot_id").trim();
      assert.deepEqual(state, { bootId, overlay: true, warned: [] });
      // As if the kernel had refused overlay in this boot's probe.
      Deno.writeTextFileSync(
        `${runtime}/nook/storage-probe`,
        JSON.stringify({ bootId, overlay: "refused for the test", warned: [] }),
      );
      const runs = [];
      for (let i = 0; i < 2; i++) {
        runs.push(await nook(["run", "--rm", "-q", layered, "sh", "-c", "ls /opq"], { env: xdg }));
      }
      for (const r of runs) assert.deepEqual([r.code, r.stdout], [0, "z\n"], r.stderr);
      assert.equal(
        runs[0].stderr,
        "nook: using the storage driver fuse-overlayfs: kernel overlayfs cannot be mounted in a " +
          "user namespace (refused for the test)\n",
      );
      assert.equal(runs[1].stderr, "");
      const info = await nook(["info"], { env: xdg });
      assert.match(info.stdout, /^storage driver: +fuse-overlayfs \(kernel overlayfs cannot/m);
    } finally {
      Deno.removeSync(runtime, { recursive: true });
    }
  },
});

Deno.test("Op.RUN waits for its helper and reports its exit status, signal or exec errno", async () => {
  const { spawnPlanned } = await import("../lib/runtime/spawn_process.ts");
  const { chooseIdMaps } = await import("../lib/userns/mod.ts");
  const { SetupError } = await import("../lib/errors/mod.ts");
  const { Op, RunFailure } = await import("../shim/protocol.ts");
  const run = async (argv: string[]) => {
    const child = await spawnPlanned({
      program: {
        cloneFlags: 0x10000000,
        steps: [{ op: Op.RUN, n: [argv.length, 0], s: [argv[0], null, argv, []] }],
      },
      describe: ["run the helper"],
    }, chooseIdMaps({ onWarning: () => {} })).then((c) => c.status, (e) => e);
    return child instanceof SetupError ? child.errno : child;
  };
  assert.deepEqual(await run(["/bin/true"]), { exitCode: 0 });
  assert.equal(await run(["/bin/sh", "-c", "exit 3"]), RunFailure.EXITED + 3);
  assert.equal(await run(["/bin/sh", "-c", "kill -9 $$"]), RunFailure.SIGNALED + 9);
  assert.equal(await run(["/nonexistent/helper"]), 2); // ENOENT
});
