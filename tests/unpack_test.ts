/**
 * unpackLayer() on archives made by tools other than nook: Python's tarfile
 * and GNU tar (see fixtures/make_tars.py), gzip and zstd; malicious archives
 * must fail naming the entry and leave a canary directory outside the layer
 * alone; "keep" owners are checked through `nook unshare`.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  UnpackError,
  unpackLayer,
  type UnpackOptions,
  type UnpackStats,
} from "../lib/unpack/mod.ts";
import { loadShim } from "../shim/binding.ts";
import { hostUid, nook, repoRoot, requireHost, requireSubidRange, testNeeds } from "./helpers.ts";

const shim = loadShim();

interface Fixtures {
  /** Where the archives are. */
  dir: string;
  /** A directory outside every layer, which malicious archives point at. */
  canary: string;
}

let fixtures: Fixtures | undefined;

/** Makes the fixtures once per test process; they go when the process exits. */
function getFixtures(): Fixtures {
  if (fixtures) return fixtures;
  const dir = Deno.makeTempDirSync({ prefix: "nook-unpack-fixtures-" });
  const canary = Deno.makeTempDirSync({ prefix: "nook-unpack-canary-" });
  Deno.writeTextFileSync(`${canary}/secret`, "canary\n", { mode: 0o600 });
  Deno.chmodSync(canary, 0o700);
  globalThis.addEventListener("unload", () => {
    for (const path of [dir, canary]) {
      try {
        removeTree(path);
      } catch {
        // Best effort: the process is exiting.
      }
    }
  });
  const out = new Deno.Command("python3", {
    args: [`${repoRoot()}/tests/fixtures/make_tars.py`, dir, canary],
  }).outputSync();
  if (!out.success) {
    throw new Error(`make_tars.py failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  fixtures = { dir, canary };
  return fixtures;
}

/** Removes a tree we own that may hold read-only directories. */
function removeTree(path: string): void {
  const open = (p: string) => {
    const st = Deno.lstatSync(p);
    if (!st.isDirectory) return;
    if (st.uid === hostUid()) Deno.chmodSync(p, 0o700);
    for (const e of Deno.readDirSync(p)) open(`${p}/${e.name}`);
  };
  open(path);
  Deno.removeSync(path, { recursive: true });
}

interface Unpacked {
  /** The layer directory. */
  dest: string;
  /** The temporary directory that holds it (nothing else may appear there). */
  parent: string;
  stats: UnpackStats;
  warnings: string[];
  [Symbol.dispose](): void;
}

async function unpackFixture(
  name: string,
  options: Partial<UnpackOptions> = {},
  parent = Deno.makeTempDirSync({ prefix: "nook-unpack-" }),
): Promise<Unpacked> {
  const dest = `${parent}/layer`;
  Deno.mkdirSync(dest);
  const warnings: string[] = [];
  const file = await Deno.open(`${getFixtures().dir}/${name}`);
  try {
    const stats = await unpackLayer(file.readable, dest, {
      compression: "none",
      owners: "squash",
      onWarning: (m) => warnings.push(m),
      ...options,
    });
    return { dest, parent, stats, warnings, [Symbol.dispose]: () => removeTree(parent) };
  } finally {
    try {
      file.close();
    } catch {
      // Closed already: reading its stream to the end (or cancelling it) closes it.
    }
  }
}

function lstat(path: string): Deno.FileInfo {
  return Deno.lstatSync(path);
}

function mode(path: string): number {
  return lstat(path).mode! & 0o7777;
}

/** mtime with nanoseconds, as `stat` prints it. */
function mtimeNs(path: string): string {
  const out = new Deno.Command("stat", { args: ["-c", "%.9Y", path] }).outputSync();
  return new TextDecoder().decode(out.stdout).trim();
}

function xattr(path: string, name: string): Uint8Array | number {
  return shim.lgetxattr(path, name);
}

function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** What the canary looks like when nothing touched it. */
function assertCanaryIntact(): void {
  const { canary } = getFixtures();
  assert.deepEqual([...Deno.readDirSync(canary)].map((e) => e.name), ["secret"]);
  assert.equal(mode(canary), 0o700);
  assert.equal(Deno.readTextFileSync(`${canary}/secret`), "canary\n");
  assert.equal(mode(`${canary}/secret`), 0o600);
  assert.equal(lstat(`${canary}/secret`).nlink, 1);
}

Deno.test("unpackLayer() unpacks Python's PAX archive: long names, xattrs, times, big ids", async () => {
  using u = await unpackFixture("pax.tar");
  const d = `${u.dest}/d`;
  const longFile = `${d}/${"n".repeat(120)}/${"f".repeat(150)}.txt`;
  assert.equal(Deno.readTextFileSync(longFile), "long\n");
  assert.equal(Deno.readLinkSync(`${d}/longlink`), "/" + "t".repeat(200));
  assert.deepEqual(xattr(`${d}/xattrs`, "user.comment"), new TextEncoder().encode("hello"));
  assert.deepEqual(xattr(`${d}/xattrs`, "user.binary"), new Uint8Array([0xff, 0, 1]));
  assert.equal(mtimeNs(`${d}/fraction`), "1234567890.123456789");
  assert.equal(mode(d), 0o750);
  assert.equal(mtimeNs(d), "1000000000.000000000");
  assert.equal(Deno.readTextFileSync(`${d}/bigid`), "b");
  if (hostUid() !== 0) {
    // An unprivileged user cannot set a file capability: one warning says so.
    assert.equal(xattr(`${d}/xattrs`, "security.capability"), -61); // ENODATA
    assert.deepEqual(u.warnings.slice(1), [
      "Could not set 1 extended attribute(s) of the layer " +
      "(first: 'security.capability' on 'd/xattrs': Operation not permitted)",
    ]);
  }
  assert.match(
    u.warnings[0],
    /^Squashing owners: .*\(first: 'd\/n+\/f+\.txt', owned by 1000:1000\)$/,
  );
  assert.equal(u.stats.entries, 7);
});

Deno.test("unpackLayer() unpacks Python's GNU archive: long names, links, modes, fifos", async () => {
  using u = await unpackFixture("gnu.tar");
  const g = `${u.dest}/g`;
  const long = `${g}/${"l".repeat(150)}`;
  assert.equal(Deno.readTextFileSync(long), "gnu long name\n");
  assert.equal(Deno.readLinkSync(`${g}/${"s".repeat(110)}`), "/" + "k".repeat(150));
  const hard = lstat(`${g}/${"h".repeat(120)}`);
  assert.equal(hard.ino, lstat(long).ino);
  assert.equal(hard.nlink, 2);
  assert.equal(mode(`${g}/setuid`), 0o4755);
  assert.equal(mode(`${g}/setgid`), 0o2711);
  assert.equal(mode(`${g}/sticky`), 0o1777);
  assert.equal(mtimeNs(`${g}/sticky`), "1222222222.000000000");
  assert.ok(lstat(`${g}/fifo`).isFifo);
  assert.equal(mode(`${g}/fifo`), 0o640);
  assert.equal(mtimeNs(`${g}/old`), "-1000.000000000"); // a negative base-256 number
  assert.equal(Deno.readTextFileSync(`${g}/bigid`), "b");
  assert.equal(Deno.readTextFileSync(`${g}/twice`), "second");
  assert.equal(Deno.readTextFileSync(`${g}/dir2file`), "now a file");
  assert.ok(lstat(`${g}/file2dir`).isDirectory);
  assert.equal(mode(`${g}/file2dir`), 0o700);
  assert.equal(mode(`${g}/readonly`), 0o555);
  assert.equal(mtimeNs(`${g}/readonly`), "1333333333.000000000");
  assert.equal(Deno.readTextFileSync(`${g}/readonly/inside`).length, 39);
  // Set at the end, after its children were written.
  assert.equal(mtimeNs(g), "1111111111.000000000");
  // Devices are skipped, with one note.
  assert.ok(!exists(`${g}/null`) && !exists(`${g}/sda`));
  assert.equal(u.stats.skippedDevices, 2);
  assert.equal(
    u.warnings.filter((w) => w.startsWith("Skipping device nodes")).join(),
    "Skipping device nodes of the layer, which a rootless container cannot create " +
      "(first: 'g/null', char 1:3)",
  );
});

Deno.test("unpackLayer() joins ustar prefixes and takes a leading slash as relative", async () => {
  using u = await unpackFixture("ustar.tar");
  assert.equal(
    Deno.readTextFileSync(`${u.dest}/u/${"p".repeat(130)}/${"q".repeat(90)}`),
    "prefix and name",
  );
  assert.equal(mode(`${u.dest}/u/dotslash`), 0o700);
  assert.equal(Deno.readTextFileSync(`${u.dest}/u/absolute`), "a leading slash is relative");
  assert.deepEqual([...Deno.readDirSync(u.parent)].map((e) => e.name), ["layer"]);
});

Deno.test("unpackLayer() unpacks GNU tar's POSIX archive with nanosecond times and xattrs", async () => {
  using u = await unpackFixture("gnutar_posix.tar");
  const dir = `${u.dest}/dir`;
  assert.equal(Deno.readTextFileSync(`${dir}/sub/file`), "hello\n");
  assert.equal(mtimeNs(`${dir}/sub/file`), "1500000000.123456789");
  assert.equal(mtimeNs(`${dir}/sub`), "1500000002.987654321");
  assert.equal(mtimeNs(dir), "1500000003.000000001");
  assert.deepEqual(xattr(`${dir}/sub/file`, "user.note"), new TextEncoder().encode("from GNU tar"));
  assert.equal(lstat(`${dir}/hardlink`).ino, lstat(`${dir}/sub/file`).ino);
  assert.equal(Deno.readLinkSync(`${dir}/symlink`), "sub/file");
  assert.equal(Deno.readLinkSync(`${dir}/abs-symlink`), "/etc/hostname");
  assert.ok(lstat(`${dir}/fifo`).isFifo);
  assert.equal(mode(`${dir}/suid`), 0o4755);
  assert.equal(mode(`${dir}/exec`), 0o755);
  const long = `${dir}/${"x".repeat(100)}/${"y".repeat(100)}/long`;
  assert.equal(Deno.readTextFileSync(long), "long path\n");
});

/** Every path below `root` (not itself) with its type, mode, size, mtime and link target. */
function tree(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    const path = rel ? `${root}/${rel}` : root;
    const st = lstat(path);
    const link = st.isSymlink ? Deno.readLinkSync(path) : "";
    if (rel) {
      out.push(
        `${rel} ${st.mode?.toString(8)} ${st.isFile ? st.size : ""} ${mtimeNs(path)} ${link}`,
      );
    }
    if (st.isDirectory) {
      for (const e of [...Deno.readDirSync(path)].sort((a, b) => a.name < b.name ? -1 : 1)) {
        walk(rel ? `${rel}/${e.name}` : e.name);
      }
    }
  };
  walk("");
  return out;
}

Deno.test("unpackLayer() unpacks gzip and zstd layers like the plain tar", async () => {
  using plain = await unpackFixture("gnutar_posix.tar");
  using gzip = await unpackFixture("gnutar_posix.tar.gz", { compression: "gzip" });
  using zstd = await unpackFixture("gnutar_posix.tar.zst", { compression: "zstd" });
  const expected = tree(plain.dest);
  assert.ok(expected.length > 10);
  assert.deepEqual(tree(gzip.dest), expected);
  assert.deepEqual(tree(zstd.dest), expected);
  assert.deepEqual(gzip.stats, plain.stats);
  assert.deepEqual(zstd.stats, plain.stats);
});

Deno.test("unpackLayer() computes the diff id of plain, gzip and zstd layers", async () => {
  const tar = Deno.readFileSync(`${getFixtures().dir}/gnutar_posix.tar`);
  const hex = Array.from(
    new Uint8Array(await crypto.subtle.digest("SHA-256", tar)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
  for (const [name, compression] of [["", "none"], [".gz", "gzip"], [".zst", "zstd"]] as const) {
    using u = await unpackFixture(`gnutar_posix.tar${name}`, { compression, computeDiffId: true });
    assert.equal(u.stats.diffId, `sha256:${hex}`, compression);
  }
  using u = await unpackFixture("gnutar_posix.tar");
  assert.equal(u.stats.diffId, undefined);
});

for (const format of ["gnu", "pax0.0", "pax0.1", "pax1.0"]) {
  Deno.test(`unpackLayer() unpacks a sparse file of GNU tar (${format})`, async () => {
    using u = await unpackFixture(`sparse_${format}.tar`);
    const path = `${u.dest}/sparse`;
    assert.deepEqual([...Deno.readDirSync(u.dest)].map((e) => e.name), ["sparse"]);
    const data = Deno.readFileSync(path);
    assert.equal(data.length, 6 << 20);
    const text = (at: number, n: number) => new TextDecoder().decode(data.subarray(at, at + n));
    assert.equal(text(1 << 20, 6), "middle");
    assert.equal(text(4 << 20, 3), "end");
    const nonZero = data.reduce((n, b) => n + (b ? 1 : 0), 0);
    assert.equal(nonZero, 9);
    // The holes stay holes.
    assert.ok(lstat(path).blocks! * 512 < 1 << 20, `${lstat(path).blocks} blocks`);
  });
}

Deno.test("unpackLayer() turns OCI whiteouts into overlay whiteouts and opaque dirs", async () => {
  using u = await unpackFixture("whiteouts.tar");
  const w = `${u.dest}/w`;
  const gone = lstat(`${w}/gone`);
  assert.ok(gone.isCharDevice);
  assert.equal(gone.rdev, 0);
  // OCI: a whiteout hides only what lower layers have. This layer's own file stays, and its
  // own directory stays as an opaque one (it replaces the lower layers' directory).
  assert.equal(Deno.readTextFileSync(`${w}/shadowed`), "replaced by a whiteout");
  assert.deepEqual(xattr(`${w}/subdir`, "user.overlay.opaque"), new TextEncoder().encode("y"));
  assert.equal(Deno.readTextFileSync(`${w}/subdir/file`), "x");
  assert.deepEqual(xattr(`${w}/opaque`, "user.overlay.opaque"), new TextEncoder().encode("y"));
  assert.deepEqual(
    xattr(`${u.dest}/toplevel-opaque`, "user.overlay.opaque"),
    new TextEncoder().encode("y"),
  );
  assert.equal(Deno.readTextFileSync(`${w}/opaque/kept`), "kept");
  assert.deepEqual(
    [...Deno.readDirSync(w)].map((e) => e.name).sort(),
    ["gone", "opaque", "shadowed", "subdir"],
  );
  assert.deepEqual(
    [...Deno.readDirSync(u.dest)].map((e) => e.name).sort(),
    ["toplevel-opaque", "w"],
  );
  assert.equal(u.stats.whiteouts, 1);
  assert.deepEqual(xattr(u.dest, "user.overlay.opaque"), new TextEncoder().encode("y"));
  assert.equal(u.stats.opaqueDirs, 4); // w/opaque, toplevel-opaque, the root, and w/subdir
});

const EVIL: [file: string, entry: string, why: string][] = [
  ["dotdot", "../x", "it points outside the layer"],
  ["deep_dotdot", "a/../../x", "it points outside the layer"],
  ["abs_dotdot", "/../x", "it points outside the layer"],
  ["symlink_parent", "a/pwned", "its path goes through symlink 'a'"],
  ["dir_then_symlink", "a/pwned", "its path goes through symlink 'a'"],
  ["deep_symlink_parent", "a/b/c/d/pwned", "its path goes through symlink 'a/b/c'"],
  ["hardlink_dotdot", "h", "its target '../../etc/passwd' is outside the layer"],
  ["hardlink_abs", "h", "its target '/etc/passwd' goes through 'etc', which does not exist"],
  ["hardlink_symlink", "h", "its target 'l/secret' goes through symlink 'l'"],
  ["symlink_dot", ".", "it would replace the root of the layer"],
  ["symlink_root", "/", "it would replace the root of the layer"],
  ["whiteout_dotdot", "a/.wh...", "it is a whiteout of '..'"],
];

for (const [file, entry, why] of EVIL) {
  Deno.test(`unpackLayer() refuses evil_${file}.tar, naming '${entry}', and writes nothing outside`, async () => {
    const parent = Deno.makeTempDirSync({ prefix: "nook-unpack-" });
    try {
      await assert.rejects(() => unpackFixture(`evil_${file}.tar`, {}, parent), (err) => {
        assert.ok(err instanceof UnpackError, String(err));
        assert.equal(err.message, `Refusing layer entry '${entry}': ${why}`);
        assert.equal(err.entry, entry);
        return true;
      });
      assert.deepEqual([...Deno.readDirSync(parent)].map((e) => e.name), ["layer"]);
      assertCanaryIntact();
    } finally {
      removeTree(parent);
    }
  });
}

Deno.test("unpackLayer() keeps entries that only look dangerous inside the layer", async () => {
  const { canary } = getFixtures();
  {
    using u = await unpackFixture("tricky_abs.tar");
    assert.equal(Deno.readTextFileSync(`${u.dest}/abs`), "inside");
  }
  {
    // A directory entry replaces the symlink; its child lands in the layer.
    using u = await unpackFixture("tricky_symlink_then_dir.tar");
    assert.ok(lstat(`${u.dest}/a`).isDirectory);
    assert.equal(Deno.readTextFileSync(`${u.dest}/a/ok`), "inside");
  }
  {
    // A file replaces the symlink itself, not what it points to.
    using u = await unpackFixture("tricky_symlink_then_file.tar");
    assert.ok(lstat(`${u.dest}/s`).isFile);
    assert.equal(mode(`${u.dest}/s`), 0o777);
  }
  {
    // The directory's mode (0777), set at the end, must not follow the symlink that replaced it.
    using u = await unpackFixture("tricky_dir_then_symlink_mode.tar");
    assert.equal(Deno.readLinkSync(`${u.dest}/d`), canary);
  }
  {
    using u = await unpackFixture("tricky_symlink_in_name.tar");
    assert.equal(Deno.readTextFileSync(`${u.dest}/inside`), "cleaned to 'inside'");
  }
  assertCanaryIntact();
});

/** The start of the user's range in /etc/subuid or /etc/subgid. */
function subidStart(file: string): number {
  const uid = String(hostUid());
  const name = Deno.env.get("USER");
  for (const line of Deno.readTextFileSync(file).split("\n")) {
    const [owner, start, count] = line.trim().split(":");
    if ((owner === uid || owner === name) && Number(count) > 0) return Number(start);
  }
  throw new Error(`No range for uid ${uid} in ${file}`);
}

const KEEP_SCRIPT = `
import { unpackLayer } from ${JSON.stringify(`file://${repoRoot()}/lib/unpack/mod.ts`)};
const [tar, dest] = Deno.args;
const warnings = [];
const file = await Deno.open(tar);
const stats = await unpackLayer(file.readable, dest, {
  compression: "none",
  owners: "keep",
  onWarning: (m) => warnings.push(m),
});
console.log(JSON.stringify({ stats, warnings }));
`;

// Root has no subordinate ids to give (by design); the test user must have a range (CI fails).
testNeeds(hostUid() === 0 ? [requireHost(false, "run as root")] : [requireSubidRange()], {
  name: "unpackLayer() with owners 'keep' in nook unshare gives files their subordinate owners",
  async fn() {
    const work = Deno.makeTempDirSync({ prefix: "nook-unpack-keep-" });
    Deno.chmodSync(work, 0o755);
    const dest = `${work}/layer`;
    Deno.mkdirSync(dest);
    Deno.writeTextFileSync(`${work}/keep.js`, KEEP_SCRIPT);
    try {
      const result = await nook([
        "unshare",
        Deno.execPath(),
        "run",
        "-A",
        `${work}/keep.js`,
        `${getFixtures().dir}/owners.tar`,
        dest,
      ]);
      assert.equal(result.code, 0, result.stderr);
      const { warnings } = JSON.parse(result.stdout);
      assert.deepEqual(warnings, []);
      const uid0 = subidStart("/etc/subuid") - 1; // container uid N is host uid start + N - 1
      const gid0 = subidStart("/etc/subgid") - 1;
      const o = lstat(`${dest}/o`);
      assert.deepEqual([o.uid, o.gid], [uid0 + 1000, gid0 + 1000]);
      const file = lstat(`${dest}/o/file`);
      assert.deepEqual([file.uid, file.gid], [uid0 + 1000, gid0 + 1000]);
      assert.equal(file.mode! & 0o7777, 0o4750); // setuid survives the chown
      const link = lstat(`${dest}/o/link`); // lchown: the link itself, not /nowhere
      assert.deepEqual([link.uid, link.gid], [uid0 + 1001, gid0 + 1002]);
      const root = lstat(`${dest}/o/root`);
      assert.deepEqual([root.uid, root.gid], [hostUid(), Deno.gid()]);
      // Set after the chown (which would clear it), stored as a namespaced (v3) capability.
      const cap = xattr(`${dest}/o/cap`, "security.capability");
      assert.ok(cap instanceof Uint8Array, `security.capability: ${cap}`);
      assert.equal(cap[3], 3);
    } finally {
      await nook(["unshare", "rm", "-rf", work]);
    }
  },
});

/** sha256:<hex> of bytes. */
async function sha256Of(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const hex = Array.from(
    new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
  return `sha256:${hex}`;
}

/** Feeds `bytes` to startUnpack() into a new directory in chunks; the outcome of each step. */
async function unpackInUserns(
  bytes: Uint8Array,
  compression: string,
  diffId: string,
  chunk = 4096,
) {
  const { startUnpack } = await import("../lib/layers/mod.ts");
  const parent = Deno.makeTempDirSync({ prefix: "nook-unpack-userns-" });
  Deno.chmodSync(parent, 0o755);
  const dest = `${parent}/layer`;
  Deno.mkdirSync(dest);
  const unpacker = await startUnpack(dest, { compression, diffId });
  let written = 0;
  let writeError: unknown = null;
  try {
    for (let at = 0; at < bytes.length; at += chunk) {
      await unpacker.write(bytes.subarray(at, at + chunk));
      written = Math.min(bytes.length, at + chunk);
    }
  } catch (err) {
    writeError = err;
  }
  const finishError = await unpacker.finish().then(() => null, (err) => err as Error);
  return {
    dest,
    written,
    writeError,
    finishError,
    [Symbol.asyncDispose]: async () => void await nook(["unshare", "rm", "-rf", parent]),
  };
}

Deno.test("startUnpack() unpacks gzip and zstd layers like the plain tar; a corrupt one fails at finish()", async () => {
  const dir = getFixtures().dir;
  const tar = Deno.readFileSync(`${dir}/gnutar_posix.tar`);
  const diffId = await sha256Of(tar);
  using plain = await unpackFixture("gnutar_posix.tar");
  const expected = tree(plain.dest);
  for (const [name, compression] of [[".gz", "gzip"], [".zst", "zstd"], ["", "none"]] as const) {
    await using u = await unpackInUserns(
      Deno.readFileSync(`${dir}/gnutar_posix.tar${name}`),
      compression,
      diffId,
    );
    assert.equal(u.finishError, null, compression);
    assert.deepEqual(tree(u.dest), expected, compression);
  }
  // A flipped byte in the deflate data: every byte is still taken (so that the caller's
  // digest check, when the download ends, can name the tampering), and finish() says why.
  const gz = Deno.readFileSync(`${dir}/gnutar_posix.tar.gz`);
  const corrupt = gz.slice();
  corrupt[corrupt.length >> 1] ^= 0xff;
  await using bad = await unpackInUserns(corrupt, "gzip", diffId);
  assert.equal(bad.writeError, null);
  assert.equal(bad.written, corrupt.length);
  assert.match(String(bad.finishError), /Cannot read layer \(compression 'gzip'\): /);
  // A truncated stream, and a good stream whose diff id is not the one expected.
  await using cut = await unpackInUserns(gz.subarray(0, gz.length - 100), "gzip", diffId);
  assert.match(String(cut.finishError), /Cannot read layer \(compression 'gzip'\): /);
  const other = `sha256:${"0".repeat(64)}`;
  await using wrong = await unpackInUserns(gz, "gzip", other);
  assert.match(String(wrong.finishError), /diff id mismatch: the image config says sha256:0{64}/);
});

Deno.test("startUnpack() writes every byte of a 10 MB layer as its tar has it, plain and gzip'ed", async () => {
  const { makeTar } = await import("../lib/unpack/_test_tar.ts");
  type Entry = Parameters<typeof makeTar>[0][number];
  const { gzipSync } = await import("node:zlib");
  // Files of many sizes (a few over the child's 1 MiB reads), some with PAX long names, so
  // that data, headers and PAX records fall across the boundaries of the child's reads.
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const files = new Map<string, Uint8Array>();
  const entries: Entry[] = [{ name: "d/", type: "5", mode: 0o755 }];
  for (let i = 0; i < 400; i++) {
    const size = i % 97 === 0 ? 1_500_000 + i : Math.floor(random() * 40_000);
    const data = new Uint8Array(size);
    for (let j = 0; j < size; j += 997) data[j] = Math.floor(random() * 256);
    data[size - 1] = i & 0xff;
    const name = i % 5 === 0 ? `d/${"long-".repeat(30)}${i}` : `d/f${i}`;
    files.set(name, data);
    entries.push({
      name: name.slice(0, 100),
      data,
      ...(name.length > 100 ? { pax: { path: name } } : {}),
    });
  }
  const tar = makeTar(entries) as Uint8Array<ArrayBuffer>;
  assert.ok(tar.length > 10_000_000, `${tar.length}`);
  const diffId = await sha256Of(tar);
  for (const [bytes, compression] of [[tar, "none"], [gzipSync(tar), "gzip"]] as const) {
    await using u = await unpackInUserns(new Uint8Array(bytes), compression, diffId, 100_003);
    assert.equal(u.finishError, null, compression);
    assert.equal([...Deno.readDirSync(`${u.dest}/d`)].length, files.size, compression);
    for (const [name, data] of files) {
      const got = Deno.readFileSync(`${u.dest}/${name}`);
      assert.ok(
        got.length === data.length && got.every((b, j) => b === data[j]),
        `${compression}: ${name}`,
      );
    }
  }
});
