// A container's files end to end, as the unprivileged test user: `nook diff`,
// `commit`, `export` and `cp` on containers made by `nook run` from a busybox
// image (umoci, a real registry), with the overlay, fuse-overlayfs and vfs
// storage drivers, symlinks that try to leave the container, and bad input.
import assert from "node:assert/strict";
import { nook, type NookResult, repoRoot } from "./helpers.ts";
import { pushLayeredImage } from "./image_fixtures.ts";
import { pushBusyboxImage, runTool, startRegistry, type TestRegistry } from "./registry_helpers.ts";

let registry: TestRegistry;
let root: string;
let image: string;
let work: string;

const env = (extra: Record<string, string> = {}) => ({ NOOK_ROOT: root, ...extra });

const setup = (async () => {
  registry = await startRegistry();
  root = Deno.makeTempDirSync({ prefix: "nook-files-test-" });
  work = Deno.makeTempDirSync({ prefix: "nook-files-work-" });
  image = (await pushBusyboxImage(registry.host, "test/files", "1", {
    files: { "/data/a": "a\n", "/data/b": "b\n" },
  })).reference;
  const pull = await nook(["pull", "-q", image], { env: env() });
  assert.equal(pull.code, 0, pull.stderr);
})();

globalThis.addEventListener("unload", () => {
  registry?.stop();
  // Layers and upper directories hold files of subordinate ids: remove them in the user namespace.
  for (const dir of [root, work]) {
    if (!dir) continue;
    new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${repoRoot()}/cli/main.ts`, "unshare", "rm", "-rf", dir],
    }).outputSync();
  }
});

function ok(r: NookResult, what: string): NookResult {
  assert.equal(r.code, 0, `${what}: exit ${r.code}\n${r.stderr}`);
  return r;
}

function containerIds(): Set<string> {
  try {
    return new Set(Array.from(Deno.readDirSync(`${root}/containers`), (e) => e.name));
  } catch {
    return new Set();
  }
}

/** Runs `script` in a new container (kept after it exits) and returns the container's id. */
async function container(
  script: string,
  extraEnv: Record<string, string> = {},
  from = image,
): Promise<string> {
  const before = containerIds();
  ok(await nook(["run", from, "sh", "-c", script], { env: env(extraEnv) }), "run");
  const made = [...containerIds()].filter((id) => !before.has(id));
  assert.equal(made.length, 1, `one new container directory, found ${made.join(", ")}`);
  assert.match(made[0], /^[0-9a-f]{64}$/);
  return made[0];
}

/** `tar tv` lines of an archive: "MODE UID/GID NAME", hard links and symlink targets kept. */
async function tarListing(path: string): Promise<string[]> {
  const out = await runTool("tar", ["-tvf", path, "--numeric-owner"]);
  return out.trim().split("\n").map((line) => {
    const f = line.split(/\s+/);
    return `${f[0]} ${f[1]} ${f.slice(5).join(" ")}`;
  });
}

/** Runs the CLI with binary standard input and output. */
async function nookBytes(
  args: string[],
  stdin?: Uint8Array,
): Promise<{ code: number; stdout: Uint8Array; stderr: string }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${repoRoot()}/cli/main.ts`, ...args],
    env: env(),
    stdin: stdin ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin) {
    const writer = child.stdin.getWriter();
    await writer.write(stdin);
    await writer.close();
  }
  const out = await child.output();
  return { code: out.code, stdout: out.stdout, stderr: new TextDecoder().decode(out.stderr) };
}

const CHANGES = "touch /new; echo x >> /etc/passwd; rm /bin/ls; mkdir -p /d/e; echo hi > /d/e/f";
const EXPECTED_DIFF = [
  "C /bin",
  "D /bin/ls",
  "A /d",
  "A /d/e",
  "A /d/e/f",
  "C /etc",
  "C /etc/passwd",
  "A /new",
].join("\n") + "\n";

for (const driver of ["overlay", "fuse-overlayfs", "vfs"]) {
  Deno.test(`diff lists A, C and D sorted, and commit keeps them (${driver})`, async () => {
    await setup;
    const id = await container(CHANGES, { NOOK_STORAGE_DRIVER: driver });
    const record = JSON.parse(Deno.readTextFileSync(`${root}/containers/${id}/container.json`));
    assert.equal(record.storageDriver, driver);
    const diff = ok(await nook(["diff", id.slice(0, 12)], { env: env() }), "diff");
    // The runtime's mount points (/proc, /sys, /dev, /etc/hosts, ...) are not changes.
    assert.equal(diff.stdout, EXPECTED_DIFF);
    const commit = ok(
      await nook(["commit", id, `test/diff-${driver}:1`], { env: env() }),
      "commit",
    );
    assert.match(commit.stdout, /^sha256:[0-9a-f]{64}\n$/);
    const run = ok(
      await nook([
        "run",
        "--rm",
        `test/diff-${driver}:1`,
        "sh",
        "-c",
        "ls /new /d/e/f; tail -n 1 /etc/passwd; ls /bin/ls || echo ls is gone",
      ], { env: env() }),
      "run the committed image",
    );
    assert.equal(run.stdout, "/d/e/f\n/new\nx\nls is gone\n");
  });
}

Deno.test("commit: whiteouts and opaque directories delete, owners and modes stay, --change applies", async () => {
  await setup;
  const id = await container(
    "rm /etc/group; rm -rf /data; mkdir /data; echo c > /data/c; " +
      "mkdir -p /home/u; echo secret > /home/u/s; chmod 600 /home/u/s; chown -R 1000:1000 /home/u; " +
      "echo made > /new",
  );
  const commit = ok(
    await nook([
      "commit",
      "-m",
      "the message",
      "-a",
      "A. Author <a@example.com>",
      "-c",
      'CMD ["cat", "/new"]',
      "--change",
      "ENV GREETING=hello",
      "-c",
      "WORKDIR /data",
      id,
      "test/committed:1",
    ], { env: env() }),
    "commit",
  );
  const imageId = commit.stdout.trim();
  assert.match(imageId, /^sha256:[0-9a-f]{64}$/);

  const byCmd = ok(await nook(["run", "--rm", "test/committed:1"], { env: env() }), "run CMD");
  assert.equal(byCmd.stdout, "made\n");
  const look = ok(
    await nook([
      "run",
      "--rm",
      "-q",
      "test/committed:1",
      "sh",
      "-c",
      'echo "$GREETING $(pwd)"; ls /data | tr "\\n" " "; echo; stat -c "%u:%g %a" /home/u/s; ' +
      "cat /home/u/s; test -e /etc/group && echo group is back || echo group is gone",
    ], { env: env() }),
    "run",
  );
  assert.equal(look.stdout, "hello /data\nc \n1000:1000 600\nsecret\ngroup is gone\n");

  const inspect = ok(
    await nook(["image", "inspect", "test/committed:1"], { env: env() }),
    "inspect",
  );
  const [info] = JSON.parse(inspect.stdout);
  assert.equal(info.Id, imageId);
  assert.equal(info.Comment, "the message");
  assert.equal(info.Author, "A. Author <a@example.com>");
  assert.deepEqual(info.Config.Cmd, ["cat", "/new"]);
  assert.ok(info.Config.Env.includes("GREETING=hello"), JSON.stringify(info.Config.Env));
  assert.equal(info.RootFS.Layers.length, 2);

  // Nothing changed: docker's empty layer, only a history entry.
  const quiet = await container("true");
  const empty = ok(await nook(["commit", quiet], { env: env() }), "commit without changes");
  const [plain] = JSON.parse(
    ok(await nook(["image", "inspect", empty.stdout.trim()], { env: env() }), "inspect").stdout,
  );
  assert.equal(plain.RootFS.Layers.length, 1);
});

Deno.test("export writes the merged file system with owners and modes, without deleted files", async () => {
  await setup;
  const id = await container(
    "rm /bin/ls; echo x >> /etc/passwd; mkdir /home; echo s > /home/s; chmod 640 /home/s; " +
      "chown 1000:2000 /home/s; ln -s /etc/passwd /pw",
  );
  const file = `${work}/export.tar`;
  ok(await nook(["export", "-o", file, id.slice(0, 8)], { env: env() }), "export -o");
  const listing = await tarListing(file);
  assert.ok(listing.includes("-rw-r----- 1000/2000 home/s"), listing.join("\n"));
  assert.ok(listing.includes("lrwxrwxrwx 0/0 pw -> /etc/passwd"), listing.join("\n"));
  assert.ok(listing.includes("-rwxr-xr-x 0/0 bin/busybox"), listing.join("\n"));
  assert.ok(listing.some((l) => l.endsWith(" data/a")));
  assert.ok(!listing.some((l) => l.endsWith(" bin/ls") || l.includes(" bin/ls ")), "ls is deleted");
  const passwd = await runTool("tar", ["-xOf", file, "etc/passwd"]);
  assert.match(passwd, /\nx\n$/);

  const stdout = await nookBytes(["export", id]);
  assert.equal(stdout.code, 0, stdout.stderr);
  Deno.writeFileSync(`${work}/stdout.tar`, stdout.stdout);
  assert.deepEqual(await tarListing(`${work}/stdout.tar`), listing);
});

Deno.test("cp copies files and directories out and in, with docker's rules", async () => {
  await setup;
  const id = await container(
    "mkdir -p /root/sub; echo secret > /root/sub/s; chmod 600 /root/sub/s; chown -R 1000 /root",
  );
  const out = `${work}/cp-out`;
  Deno.mkdirSync(out);
  // A file into a directory keeps its name; a directory to a new name becomes it.
  ok(await nook(["cp", `${id}:/etc/passwd`, `${out}/`], { env: env() }), "cp file out");
  assert.match(Deno.readTextFileSync(`${out}/passwd`), /^root:/);
  ok(await nook(["cp", `${id}:/root`, `${out}/r`], { env: env() }), "cp dir out");
  // Files copied out are yours, so you can read them (0600 ones too).
  assert.equal(Deno.readTextFileSync(`${out}/r/sub/s`), "secret\n");
  assert.equal(Deno.statSync(`${out}/r/sub/s`).mode! & 0o777, 0o600);
  assert.equal(Deno.statSync(`${out}/r/sub/s`).uid, Deno.uid());
  // An existing directory gets the directory inside; `/.` copies the contents.
  ok(await nook(["cp", `${id}:/data`, out], { env: env() }), "cp dir into dir");
  assert.equal(Deno.readTextFileSync(`${out}/data/a`), "a\n");
  ok(await nook(["cp", `${id}:/data/.`, `${out}/r`], { env: env() }), "cp contents");
  assert.equal(Deno.readTextFileSync(`${out}/r/b`), "b\n");
  const toFile = await nook(["cp", `${id}:/data`, `${out}/passwd`], { env: env() });
  assert.equal(toFile.code, 125);
  assert.match(toFile.stderr, /Cannot copy a directory to '.*passwd': it is not a directory/);
  const slashOut = await nook(["cp", `${id}:/etc/group`, `${out}/passwd/`], { env: env() });
  assert.equal(slashOut.code, 125);
  assert.match(slashOut.stderr, /'.*passwd\/': it is not a directory/);

  // In: a file, a directory, into directories that exist only in the image's layer.
  const src = `${work}/cp-in`;
  Deno.mkdirSync(`${src}/tree/deeper`, { recursive: true });
  Deno.writeTextFileSync(`${src}/host.txt`, "from the host\n");
  Deno.writeTextFileSync(`${src}/tree/deeper/f`, "deep\n");
  Deno.mkdirSync(`${src}/top`);
  Deno.writeTextFileSync(`${src}/top/x`, "x\n");
  ok(await nook(["cp", `${src}/host.txt`, `${id}:/data/`], { env: env() }), "cp file in");
  ok(await nook(["cp", `${src}/top`, `${id}:/data`], { env: env() }), "cp a dir named top in");
  ok(await nook(["cp", `${src}/tree`, `${id}:/etc/tree`], { env: env() }), "cp dir in");
  ok(await nook(["cp", `${src}/host.txt`, `${id}:/etc/passwd`], { env: env() }), "cp over a file");
  const slashIn = await nook(["cp", `${src}/host.txt`, `${id}:/etc/group/`], { env: env() });
  assert.equal(slashIn.code, 125);
  assert.match(slashIn.stderr, /Cannot copy to '\/etc\/group\/': it is not a directory/);
  const diff = ok(await nook(["diff", id], { env: env() }), "diff");
  for (
    const line of ["A /data/host.txt", "A /data/top/x", "A /etc/tree/deeper/f", "C /etc/passwd"]
  ) {
    assert.ok(diff.stdout.split("\n").includes(line), `${line} in\n${diff.stdout}`);
  }
  ok(await nook(["cp", `${id}:/etc/tree/deeper/f`, `${out}/f`], { env: env() }), "cp back");
  assert.equal(Deno.readTextFileSync(`${out}/f`), "deep\n");
  ok(await nook(["cp", `${id}:/etc/passwd`, `${out}/p2`], { env: env() }), "cp back");
  assert.equal(Deno.readTextFileSync(`${out}/p2`), "from the host\n");
  // The layer directory (/data) kept its image contents; copied in files belong to root.
  ok(await nook(["export", "-o", `${work}/cp.tar`, id], { env: env() }), "export");
  const listing = await tarListing(`${work}/cp.tar`);
  for (const line of ["-rw-r--r-- 0/0 data/a", "-rw-r--r-- 0/0 data/host.txt"]) {
    assert.ok(listing.includes(line), `${line} in\n${listing.join("\n")}`);
  }

  // `-` is a tar stream on standard output and input.
  const tar = await nookBytes(["cp", `${id}:/data`, "-"]);
  assert.equal(tar.code, 0, tar.stderr);
  Deno.writeFileSync(`${work}/data.tar`, tar.stdout);
  assert.deepEqual((await tarListing(`${work}/data.tar`)).map((l) => l.split(" ").at(-1)), [
    "data/",
    "data/a",
    "data/b",
    "data/host.txt",
    "data/top/",
    "data/top/x",
  ]);
  const streamIn = await nookBytes(["cp", "-", `${id}:/root`], tar.stdout);
  assert.equal(streamIn.code, 0, streamIn.stderr);
  ok(await nook(["cp", `${id}:/root/data/host.txt`, `${out}/h2`], { env: env() }), "cp back");
  assert.equal(Deno.readTextFileSync(`${out}/h2`), "from the host\n");
});

for (const driver of ["overlay", "fuse-overlayfs"]) {
  Deno.test(`cp into a deleted directory does not bring back what was deleted (${driver})`, async () => {
    await setup;
    const id = await container("rm -rf /data; rm /etc/group", { NOOK_STORAGE_DRIVER: driver });
    const src = `${work}/again-${driver}`;
    Deno.mkdirSync(src);
    Deno.writeTextFileSync(`${src}/c`, "c\n");
    Deno.writeTextFileSync(`${work}/group-${driver}`, "g\n");
    ok(await nook(["cp", src, `${id}:/data`], { env: env() }), "cp a directory in");
    ok(await nook(["cp", `${work}/group-${driver}`, `${id}:/etc/group`], { env: env() }), "cp");
    const file = `${work}/again-${driver}.tar`;
    ok(await nook(["export", "-o", file, id], { env: env() }), "export");
    const names = (await tarListing(file)).map((l) => l.split(" ").at(-1));
    assert.deepEqual(names.filter((n) => n!.startsWith("data/")), ["data/", "data/c"]);
    assert.equal(await runTool("tar", ["-xOf", file, "etc/group"]), "g\n");
    const commit = ok(await nook(["commit", id], { env: env() }), "commit");
    const run = ok(
      await nook(["run", "--rm", commit.stdout.trim(), "ls", "/data"], { env: env() }),
      "run",
    );
    assert.equal(run.stdout, "c\n");
  });
}

Deno.test("cp keeps symlinks inside the container, and never writes through one on the host", async () => {
  await setup;
  const victim = `${work}/victim`;
  Deno.mkdirSync(victim);
  const id = await container(
    `ln -s / /esc; ln -s ../../../../.. /up; mkdir -p ${victim}; ln -s ${victim} /abs; ` +
      "ln -s /etc/passwd /pw; mkdir -p /d/sub; echo inside > /d/sub/f; ln -s / /d/root",
  );
  const src = `${work}/esc-src.txt`;
  Deno.writeTextFileSync(src, "payload\n");
  // In: through /esc and /up the destination is the container's root; through /abs (the
  // host directory's path) it is that path inside the container, never the host directory.
  ok(await nook(["cp", src, `${id}:/esc/`], { env: env() }), "cp via /esc");
  ok(await nook(["cp", src, `${id}:/up/etc/up.txt`], { env: env() }), "cp via /up");
  ok(await nook(["cp", src, `${id}:/abs/x`], { env: env() }), "cp via /abs");
  ok(await nook(["cp", src, `${id}:/abs`], { env: env() }), "cp into /abs");
  assert.deepEqual([...Deno.readDirSync(victim)], [], "nothing was written on the host");
  const diff = ok(await nook(["diff", id], { env: env() }), "diff").stdout.split("\n");
  for (
    const line of ["A /esc-src.txt", "A /etc/up.txt", `A ${victim}/x`, `A ${victim}/esc-src.txt`]
  ) {
    assert.ok(diff.includes(line), `${line} in\n${diff.join("\n")}`);
  }
  const below = await nook(["cp", src, `${id}:/abs/no/such/dir/`], { env: env() });
  assert.equal(below.code, 125);
  assert.match(below.stderr, new RegExp(`'${victim}/no' does not exist`));

  // Out: paths through symlinks resolve inside the container.
  const out = `${work}/esc-out`;
  Deno.mkdirSync(out);
  ok(await nook(["cp", `${id}:/up/etc/passwd`, `${out}/passwd`], { env: env() }), "cp via /up");
  assert.equal(Deno.readTextFileSync(`${out}/passwd`), Deno.readTextFileSync(`${out}/passwd`));
  assert.doesNotMatch(
    Deno.readTextFileSync(`${out}/passwd`),
    new RegExp(`^${Deno.env.get("USER")}:`, "m"),
  );
  ok(await nook(["cp", `${id}:/esc/etc/up.txt`, `${out}/up.txt`], { env: env() }), "cp via /esc");
  assert.equal(Deno.readTextFileSync(`${out}/up.txt`), "payload\n");
  // A symlink is copied as the link (not followed), unless -L.
  ok(await nook(["cp", `${id}:/abs`, `${out}/abs`], { env: env() }), "cp a symlink");
  assert.equal(Deno.readLinkSync(`${out}/abs`), victim);
  ok(await nook(["cp", `${id}:/d`, out], { env: env() }), "cp a dir with a symlink to /");
  assert.equal(Deno.readLinkSync(`${out}/d/root`), "/");
  ok(await nook(["cp", "-L", `${id}:/pw`, `${out}/pw`], { env: env() }), "cp -L");
  assert.ok(Deno.lstatSync(`${out}/pw`).isFile);
  assert.match(Deno.readTextFileSync(`${out}/pw`), /^root:/);
  // A symlink already in DEST is replaced, not written through.
  Deno.removeSync(`${out}/d`, { recursive: true });
  Deno.mkdirSync(`${out}/d`);
  Deno.symlinkSync(victim, `${out}/d/sub`);
  ok(await nook(["cp", `${id}:/d`, out], { env: env() }), "cp over a symlink");
  assert.ok(Deno.lstatSync(`${out}/d/sub`).isDirectory);
  assert.equal(Deno.readTextFileSync(`${out}/d/sub/f`), "inside\n");
  assert.deepEqual([...Deno.readDirSync(victim)], [], "nothing was written on the host");
});

Deno.test("export and commit keep a file capability (security.capability)", async () => {
  await setup;
  const layered = await pushLayeredImage(registry.host, "test/files-layered:1");
  const id = await container("touch /bin/capped", {}, layered);
  const diff = ok(await nook(["diff", id], { env: env() }), "diff");
  assert.equal(diff.stdout, "C /bin\nC /bin/capped\n");
  const file = `${work}/capped.tar`;
  ok(await nook(["export", "-o", file, id], { env: env() }), "export");
  const pax = await runTool("python3", [
    "-c",
    "import sys, tarfile\n" +
    "m = tarfile.open(sys.argv[1]).getmember('bin/capped')\n" +
    "print(m.pax_headers['SCHILY.xattr.security.capability'].encode('utf-8', 'surrogateescape').hex())",
    file,
  ]);
  // Little endian: VFS_CAP_REVISION_2 (or 3) | effective, then permitted: cap_net_raw (bit 13).
  assert.match(pax.trim(), /^010000(02|03)00200000/);
  ok(await nook(["commit", id, "test/capped:1"], { env: env() }), "commit");
  const { loadShim } = await import("../shim/binding.ts");
  const copies = [...Deno.readDirSync(`${root}/layers`)]
    .map((d) => `${root}/layers/${d.name}/diff/bin/capped`)
    .filter((p) => {
      try {
        return Deno.lstatSync(p).isFile;
      } catch {
        return false;
      }
    });
  assert.equal(copies.length, 2, "the image's layer and the committed one");
  for (const path of copies) {
    const cap = loadShim().lgetxattr(path, "security.capability");
    assert.ok(typeof cap !== "number", `no security.capability on ${path}: errno ${cap}`);
    assert.equal(new DataView(cap.buffer).getUint32(4, true) & (1 << 13), 1 << 13);
  }
});

Deno.test("bad input: unknown containers and paths exit 125 and say so", async () => {
  await setup;
  for (
    const args of [
      ["diff", "nope"],
      ["commit", "nope"],
      ["export", "-o", `${work}/never.tar`, "nope"],
      ["cp", "nope:/etc/passwd", work],
      ["cp", `${work}`, "nope:/tmp"],
    ]
  ) {
    const r = await nook(args, { env: env() });
    assert.equal(r.code, 125, args.join(" "));
    assert.equal(r.stderr, "nook: No such container: nope\n", args.join(" "));
  }
  assert.throws(() => Deno.statSync(`${work}/never.tar`));
  const id = await container("true");
  const missing = await nook(["cp", `${id}:/no/such`, work], { env: env() });
  assert.equal(missing.code, 125);
  assert.match(missing.stderr, /Could not find the file \/no\/such in container|does not exist/);
  const local = await nook(["cp", `${work}/a`, `${work}/b`], { env: env() });
  assert.equal(local.code, 125);
  assert.match(local.stderr, /at least one container/);
  const usage = await nook(["diff"], { env: env() });
  assert.equal(usage.code, 125);
  const badChange = await nook(["commit", "-c", "RUN echo", id], { env: env() });
  assert.equal(badChange.code, 125);
  assert.match(badChange.stderr, /'RUN' is not supported/);
});
