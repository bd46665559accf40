// Images in and out: push to a real registry (docker-registry), save and load
// archives, import root filesystems; checked with independent tools (skopeo,
// umoci, sha256sum, tar) and by running the images, as the unprivileged test user.
import assert from "node:assert/strict";
import { busyboxRootfs, nook, type NookResult, repoRoot } from "./helpers.ts";
import { pushBusyboxImage, runTool, startRegistry, type TestRegistry } from "./registry_helpers.ts";

let registry: TestRegistry;
/** Everything of these tests lives under here; removed in the user namespace at the end. */
let top: string;
let root: string;
let busybox: string;

const setup = (async () => {
  registry = await startRegistry();
  top = Deno.makeTempDirSync({ prefix: "nook-image-io-test-" });
  root = `${top}/root`;
  busybox = (await pushBusyboxImage(registry.host, "test/busybox", "latest", {
    cmd: ["echo", "hello from busybox"],
  })).reference;
  const pull = await nook(["pull", "-q", busybox], { env: { NOOK_ROOT: root } });
  assert.equal(pull.code, 0, pull.stderr);
})();

globalThis.addEventListener("unload", () => {
  registry?.stop();
  // Layers hold files of subordinate ids: remove them as root in the user namespace.
  new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${repoRoot()}/cli/main.ts`, "unshare", "rm", "-rf", top],
  }).outputSync();
});

let fresh = 0;
/** A new, empty store. */
function freshRoot(): string {
  return `${top}/store-${fresh++}`;
}

function ok(r: NookResult, what: string): NookResult {
  assert.equal(r.code, 0, `${what}: ${r.stdout}\n${r.stderr}`);
  return r;
}

/** Every blob of an OCI layout hashes to its name. */
async function assertBlobsVerify(layout: string): Promise<number> {
  const dir = `${layout}/blobs/sha256`;
  const names = [...Deno.readDirSync(dir)].map((e) => e.name);
  const out = await runTool("sha256sum", names.map((n) => `${dir}/${n}`));
  for (const line of out.trim().split("\n")) {
    const [sum, path] = line.split(/\s+/);
    assert.equal(sum, path.slice(path.lastIndexOf("/") + 1), `blob ${path} does not verify`);
  }
  return names.length;
}

/** skopeo inspect + skopeo copy to an OCI layout whose blobs all verify; returns the digest. */
async function checkWithSkopeo(reference: string): Promise<string> {
  const inspect = JSON.parse(
    await runTool("skopeo", ["inspect", "--tls-verify=false", `docker://${reference}`]),
  );
  const dir = Deno.makeTempDirSync({ dir: top, prefix: "skopeo-" });
  await runTool("skopeo", [
    "copy",
    "--quiet",
    "--src-tls-verify=false",
    `docker://${reference}`,
    `oci:${dir}/layout:copy`,
  ]);
  assert.ok((await assertBlobsVerify(`${dir}/layout`)) >= 3);
  return inspect.Digest;
}

function storedImages(store: string): { id: string; names: string[]; manifestDigest: string }[] {
  try {
    return JSON.parse(Deno.readTextFileSync(`${store}/images.json`)).images;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return [];
    throw err;
  }
}

/** Nothing committed: no image, no blob, no layer, nothing left in incoming. */
function assertEmptyStore(store: string): void {
  assert.deepEqual(storedImages(store), []);
  const entries = (dir: string) => {
    try {
      return [...Deno.readDirSync(dir)].map((e) => e.name);
    } catch {
      return [];
    }
  };
  assert.deepEqual(entries(`${store}/blobs/sha256`), [], "no blob committed");
  assert.deepEqual(entries(`${store}/blobs/incoming`), [], "no staged file left");
  assert.deepEqual(entries(`${store}/layers`).filter((n) => n !== "incoming"), [], "no layer");
  assert.deepEqual(entries(`${store}/layers/incoming`), [], "no half-unpacked layer left");
}

const archives: Record<string, Promise<string>> = {};
/** busybox saved in a format (once). */
function savedArchive(format: "docker-archive" | "oci-archive"): Promise<string> {
  archives[format] ??= (async () => {
    const file = `${top}/busybox-${format}.tar`;
    const env = { NOOK_ROOT: root };
    ok(await nook(["save", "--format", format, "-o", file, busybox], { env }), "save");
    return file;
  })();
  return archives[format];
}

/** The offset and size of an entry's data in a tar file. */
function tarEntry(bytes: Uint8Array, want: (name: string) => boolean): [number, number] {
  const dec = new TextDecoder();
  for (let at = 0; at + 512 <= bytes.length;) {
    const header = bytes.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break;
    const name = dec.decode(header.subarray(0, 100)).replace(/\0.*$/s, "");
    const size = parseInt(dec.decode(header.subarray(124, 136)).replace(/\0.*$/s, ""), 8);
    if (want(name)) return [at + 512, size];
    at += 512 + Math.ceil(size / 512) * 512;
  }
  throw new Error("no such tar entry");
}

Deno.test("push sends a pulled image to another repository of its registry (blobs mounted) with the same digest; skopeo reads it and every blob verifies", async () => {
  await setup;
  const env = { NOOK_ROOT: root };
  const target = `${registry.host}/test/copy:v1`;
  const push = ok(await nook(["push", "--tls-verify=false", busybox, target], { env }), "push");
  const stored = storedImages(root).find((i) => i.names.includes(busybox))!;
  const size = Deno.statSync(`${root}/blobs/sha256/${stored.manifestDigest.slice(7)}`).size;
  assert.equal(push.stdout, `v1: digest: ${stored.manifestDigest} size: ${size}\n`);
  assert.match(
    push.stderr,
    new RegExp(`The push refers to repository \\[${registry.host}/test/copy\\]`),
  );
  assert.equal(push.stderr.match(/: Mounted from test\/busybox$/gm)?.length, 2, push.stderr);
  assert.equal(await checkWithSkopeo(target), stored.manifestDigest);
  const again = ok(await nook(["push", "--tls-verify=false", busybox, target], { env }), "push");
  assert.equal(again.stderr.match(/: Layer already exists$/gm)?.length, 2, again.stderr);
});

/** Imports the busybox rootfs under `name` with CMD `echo <text>`; returns its id. */
async function importBusybox(name: string, text: string): Promise<string> {
  const env = { NOOK_ROOT: root };
  const r = ok(
    await nook(["import", "-c", `CMD echo ${text}`, await busyboxRootfs(), name], { env }),
    "import",
  );
  return r.stdout.trim();
}

/** Pushes `name` to `target`; checks it with skopeo, pulls it into a fresh store and runs it. */
async function pushAndCheck(
  name: string,
  target: string,
  flags: string[],
  text: string,
  id: string,
) {
  const env = { NOOK_ROOT: root };
  const push = ok(
    await nook(["push", ...flags, "--tls-verify=false", name, target], { env }),
    "push",
  );
  assert.equal(push.stderr.match(/: Pushed$/gm)?.length, 2, push.stderr);
  const digest = push.stdout.match(/digest: (sha256:[0-9a-f]{64})/)![1];
  assert.equal(await checkWithSkopeo(target), digest);
  const other = { NOOK_ROOT: freshRoot() };
  ok(await nook(["pull", "-q", target], { env: other }), "pull");
  assert.equal(ok(await nook(["run", "--rm", target], { env: other }), "run").stdout, `${text}\n`);
  assert.equal(storedImages(other.NOOK_ROOT)[0].id, id, "the image id survives the round trip");
}

Deno.test("push uploads the blobs of an imported image in one request each; skopeo copies it intact and it pulls back", async () => {
  await setup;
  const id = await importBusybox("test/mono:1", "monolithic");
  await pushAndCheck("test/mono:1", `${registry.host}/test/mono:1`, [], "monolithic", id);
});

Deno.test("push --chunked uploads the blobs in chunks; skopeo copies it intact and it pulls back", async () => {
  await setup;
  const id = await importBusybox("test/chunky:1", "chunked");
  await pushAndCheck(
    "test/chunky:1",
    `${registry.host}/test/chunky:1`,
    ["--chunked"],
    "chunked",
    id,
  );
});

Deno.test("save writes a docker-archive that load reads into a fresh store, and the image runs", async () => {
  await setup;
  const file = await savedArchive("docker-archive");
  const listing = await runTool("tar", ["-tf", file]);
  assert.match(listing, /^manifest\.json$/m);
  assert.match(listing, /^repositories$/m);
  assert.match(listing, /^[0-9a-f]{64}\.json$/m);
  assert.match(listing, /^[0-9a-f]{64}\.tar$/m);
  const manifest = JSON.parse(await runTool("tar", ["-xOf", file, "manifest.json"]));
  assert.deepEqual(manifest[0].RepoTags, [busybox]);
  // independent readers agree
  const skopeo = JSON.parse(await runTool("skopeo", ["inspect", `docker-archive:${file}`]));
  assert.equal(skopeo.Layers.length, 1);

  const env = { NOOK_ROOT: freshRoot() };
  const load = ok(await nook(["load", "-i", file], { env }), "load");
  assert.equal(load.stdout, `Loaded image: ${busybox}\n`);
  const run = ok(await nook(["run", "--rm", busybox], { env }), "run");
  assert.equal(run.stdout, "hello from busybox\n");
  const original = storedImages(root).find((i) => i.names.includes(busybox))!;
  const loaded = storedImages(env.NOOK_ROOT)[0];
  assert.equal(loaded.id, original.id, "same image id");
  // the loaded image (uncompressed Docker layers) pushes as it is stored
  const target = `${registry.host}/test/reloaded:1`;
  const push = ok(await nook(["push", "--tls-verify=false", busybox, target], { env }), "push");
  const manifestFile = `${env.NOOK_ROOT}/blobs/sha256/${loaded.manifestDigest.slice(7)}`;
  const layer = JSON.parse(Deno.readTextFileSync(manifestFile)).layers[0];
  assert.equal(layer.mediaType, "application/vnd.docker.image.rootfs.diff.tar");
  assert.match(push.stderr, new RegExp(`^${layer.digest.slice(7, 19)}: Pushed$`, "m"));
  assert.equal(await checkWithSkopeo(target), loaded.manifestDigest);
});

Deno.test("save | load streams an archive through a pipe", async () => {
  await setup;
  const cli = `${Deno.execPath()} run -A ${repoRoot()}/cli/main.ts`;
  const out = await new Deno.Command("sh", {
    args: ["-c", `${cli} save "$1" | NOOK_ROOT="$2" ${cli} load -q`, "sh", busybox, freshRoot()],
    env: { NOOK_ROOT: root },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  assert.equal(text, `Loaded image: ${busybox}\n`);
});

Deno.test("save --format oci-archive writes an OCI layout that skopeo inspects with the same digest", async () => {
  await setup;
  const file = await savedArchive("oci-archive");
  const index = JSON.parse(await runTool("tar", ["-xOf", file, "index.json"]));
  assert.equal(index.manifests[0].annotations["org.opencontainers.image.ref.name"], busybox);
  const inspect = JSON.parse(await runTool("skopeo", ["inspect", `oci-archive:${file}`]));
  const stored = storedImages(root).find((i) => i.names.includes(busybox))!;
  assert.equal(inspect.Digest, stored.manifestDigest);
  const dir = `${top}/busybox-oci`;
  Deno.mkdirSync(dir);
  await runTool("tar", ["-xf", file, "-C", dir]);
  await assertBlobsVerify(dir);
  // and it loads back, under its name, from the archive and from the directory
  const env = { NOOK_ROOT: freshRoot() };
  assert.equal(
    ok(await nook(["load", "-i", file], { env }), "load").stdout,
    `Loaded image: ${busybox}\n`,
  );
  assert.equal(
    ok(await nook(["load", "-i", dir], { env }), "load").stdout,
    `Loaded image: ${busybox}\n`,
  );
  assert.equal(storedImages(env.NOOK_ROOT).length, 1);
});

Deno.test("load reads an OCI layout made by umoci, and the image runs", async () => {
  await setup;
  const dir = Deno.makeTempDirSync({ dir: top, prefix: "umoci-" });
  const layout = `${dir}/layout`;
  const image = `${layout}:latest`;
  await runTool("umoci", ["init", "--layout", layout]);
  await runTool("umoci", ["new", "--image", image]);
  await runTool("umoci", ["unpack", "--rootless", "--image", image, `${dir}/bundle`]);
  const rootfs = `${dir}/bundle/rootfs`;
  Deno.mkdirSync(`${rootfs}/bin`, { recursive: true });
  Deno.copyFileSync("/bin/busybox", `${rootfs}/bin/busybox`);
  Deno.chmodSync(`${rootfs}/bin/busybox`, 0o755);
  for (const applet of ["sh", "echo", "cat"]) {
    Deno.symlinkSync("busybox", `${rootfs}/bin/${applet}`);
  }
  Deno.writeTextFileSync(`${rootfs}/greeting`, "made by umoci\n");
  await runTool("umoci", ["repack", "--image", image, `${dir}/bundle`]);
  await runTool("umoci", [
    "config",
    "--image",
    image,
    "--config.cmd",
    "cat",
    "--config.cmd",
    "/greeting",
  ]);

  const env = { NOOK_ROOT: freshRoot() };
  const load = ok(await nook(["load", "-i", layout], { env }), "load");
  // umoci names the image "latest", a tag without a repository: docker prints the id
  const id = load.stdout.match(/^Loaded image ID: (sha256:[0-9a-f]{64})\n$/)?.[1];
  assert.ok(id, load.stdout);
  const run = ok(await nook(["run", "--rm", id.slice(7, 19)], { env }), "run");
  assert.equal(run.stdout, "made by umoci\n");
});

Deno.test("load reads a docker-archive written by skopeo, and the image runs under the archive's name", async () => {
  await setup;
  const file = `${top}/skopeo-docker.tar`;
  await runTool("skopeo", [
    "copy",
    "--quiet",
    "--src-tls-verify=false",
    `docker://${busybox}`,
    `docker-archive:${file}:test/from-skopeo:1`,
  ]);
  const env = { NOOK_ROOT: freshRoot() };
  const load = ok(await nook(["load", "-i", file], { env }), "load");
  assert.equal(load.stdout, "Loaded image: test/from-skopeo:1\n");
  const run = ok(
    await nook(["run", "--rm", "test/from-skopeo:1", "echo", "skopeo ok"], { env }),
    "run",
  );
  assert.equal(run.stdout, "skopeo ok\n");
});

Deno.test("import makes an image from a directory with --change, owned by root inside", async () => {
  await setup;
  const env = { NOOK_ROOT: root };
  const imp = ok(
    await nook([
      "import",
      "--change",
      'ENV GREETING=hi WHO="the dir"',
      "--change",
      "WORKDIR=/tmp",
      "--change",
      'ENTRYPOINT ["/bin/sh", "-c"]',
      "--change",
      'CMD ["echo $GREETING $WHO; pwd"]',
      "-m",
      "from a dir",
      await busyboxRootfs(),
      "test/fromdir:1",
    ], { env }),
    "import",
  );
  assert.match(imp.stdout, /^sha256:[0-9a-f]{64}\n$/);
  const run = ok(await nook(["run", "--rm", "test/fromdir:1"], { env }), "run");
  assert.equal(run.stdout, "hi the dir\n/tmp\n");
  const owners = ok(
    await nook([
      "run",
      "--rm",
      "test/fromdir:1",
      "stat -c '%u:%g %a' /bin/busybox /tmp; readlink /bin/sh",
    ], {
      env,
    }),
    "run",
  );
  assert.equal(owners.stdout, "0:0 755\n0:0 1777\nbusybox\n");
});

Deno.test("import makes an image from a gzip tarball made by tar, and from standard input", async () => {
  await setup;
  const env = { NOOK_ROOT: root };
  const tarball = `${top}/rootfs.tar.gz`;
  await runTool("tar", ["-C", await busyboxRootfs(), "-czf", tarball, "."]);
  ok(
    await nook(["import", "-c", "CMD echo from a tarball", tarball, "test/fromtar"], { env }),
    "import",
  );
  const run = ok(await nook(["run", "--rm", "test/fromtar"], { env }), "run");
  assert.equal(run.stdout, "from a tarball\n");
  const cli = `${Deno.execPath()} run -A ${repoRoot()}/cli/main.ts`;
  const piped = await new Deno.Command("sh", {
    args: ["-c", `${cli} import - test/fromstdin < "$1"`, "sh", tarball],
    env: { NOOK_ROOT: root },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(piped.code, 0, new TextDecoder().decode(piped.stderr));
  const id = new TextDecoder().decode(piped.stdout).trim();
  assert.equal(
    storedImages(root).find((i) => i.names.includes("docker.io/test/fromstdin:latest"))?.id,
    id,
  );
});

Deno.test("import of a tar made from a 0700 directory runs, also as a user other than root", async () => {
  await setup;
  const env = { NOOK_ROOT: root };
  // A tar of a temporary directory (mode 0700) has that mode on its "./" entry; the layer's
  // root keeps its own (docker skips the entry), else the store could not read the layer.
  const dir = Deno.makeTempDirSync({ dir: top, prefix: "private-rootfs-" });
  await runTool("cp", ["-a", `${await busyboxRootfs()}/.`, dir]);
  Deno.chmodSync(dir, 0o700);
  const tarball = `${top}/private.tar`;
  await runTool("tar", ["-C", dir, "-cf", tarball, "."]);
  assert.match(await runTool("tar", ["-tvf", tarball]), /^drwx------ .* \.\/\n/);
  ok(await nook(["import", tarball, "test/private"], { env }), "import");
  const run = ok(
    await nook(["run", "--rm", "-u", "1000", "test/private", "ls", "/bin/sh"], { env }),
    "run",
  );
  assert.equal(run.stdout, "/bin/sh\n");
});

Deno.test("a corrupt archive fails the load clearly and commits nothing", async () => {
  await setup;
  // docker-archive: a flipped byte in an uncompressed layer no longer matches the config's diff id
  const docker = Deno.readFileSync(await savedArchive("docker-archive"));
  const [at, size] = tarEntry(docker, (n) => /^[0-9a-f]{64}\.tar$/.test(n));
  docker[at + Math.floor(size / 2)] ^= 0xff;
  Deno.writeFileSync(`${top}/corrupt-docker.tar`, docker);
  const store = freshRoot();
  const r1 = await nook(["load", "-i", `${top}/corrupt-docker.tar`], { env: { NOOK_ROOT: store } });
  assert.equal(r1.code, 125, r1.stdout);
  assert.match(
    r1.stderr,
    /does not match the image config \(its diff id is sha256:[0-9a-f]{64}, the config says sha256:[0-9a-f]{64}\)/,
  );
  assertEmptyStore(store);

  // oci-archive: a flipped byte in the gzip layer no longer matches its digest
  const oci = Deno.readFileSync(await savedArchive("oci-archive"));
  const stored = storedImages(root).find((i) => i.names.includes(busybox))!;
  const manifest = JSON.parse(
    Deno.readTextFileSync(`${root}/blobs/sha256/${stored.manifestDigest.slice(7)}`),
  );
  const layer = manifest.layers[0].digest.slice(7);
  const [at2, size2] = tarEntry(oci, (n) => n === `blobs/sha256/${layer}`);
  oci[at2 + Math.floor(size2 / 2)] ^= 0xff;
  Deno.writeFileSync(`${top}/corrupt-oci.tar`, oci);
  const r2 = await nook(["load", "-i", `${top}/corrupt-oci.tar`], { env: { NOOK_ROOT: store } });
  assert.equal(r2.code, 125, r2.stdout);
  assert.match(r2.stderr, new RegExp(`digest mismatch: expected sha256:${layer}, got sha256:`));
  assertEmptyStore(store);

  // not a tar at all: the tar reader's reason, without the layer wording
  Deno.writeFileSync(`${top}/noise.tar`, new Uint8Array(4096).fill(0x41));
  const r3 = await nook(["load", "-i", `${top}/noise.tar`], { env: { NOOK_ROOT: store } });
  assert.equal(r3.code, 125, r3.stdout);
  assert.match(
    r3.stderr,
    /Cannot load: the input is not a valid tar archive \(bad tar header checksum at byte 0 \(not a tar archive/,
  );
  assertEmptyStore(store);
});

Deno.test("an OCI layout whose config names the wrong diff id fails the load in the unpacker and commits nothing", async () => {
  await setup;
  const dir = `${top}/wrong-diff-id`;
  Deno.mkdirSync(dir);
  await runTool("tar", ["-xf", await savedArchive("oci-archive"), "-C", dir]);
  const blob = (d: string) => `${dir}/blobs/sha256/${d.slice(7)}`;
  const put = async (value: unknown) => {
    const bytes = new TextEncoder().encode(JSON.stringify(value));
    const sum = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
    const d = "sha256:" + Array.from(sum, (b) => b.toString(16).padStart(2, "0")).join("");
    Deno.writeFileSync(blob(d), bytes);
    return { digest: d, size: bytes.length };
  };
  const index = JSON.parse(Deno.readTextFileSync(`${dir}/index.json`));
  const manifest = JSON.parse(Deno.readTextFileSync(blob(index.manifests[0].digest)));
  const config = JSON.parse(Deno.readTextFileSync(blob(manifest.config.digest)));
  const wrong = "sha256:" + "0".repeat(64);
  config.rootfs.diff_ids = [wrong];
  manifest.config = { ...manifest.config, ...await put(config) };
  index.manifests[0] = { ...index.manifests[0], ...await put(manifest) };
  Deno.writeTextFileSync(`${dir}/index.json`, JSON.stringify(index));

  const store = freshRoot();
  const r = await nook(["load", "-i", dir], { env: { NOOK_ROOT: store } });
  assert.equal(r.code, 125, r.stdout);
  assert.match(
    r.stderr,
    new RegExp(`diff id mismatch: the image config says ${wrong}, the layer is sha256:`),
  );
  assertEmptyStore(store);
});

Deno.test("save refuses a terminal, and unknown images and formats fail before writing", async () => {
  await setup;
  const env = { NOOK_ROOT: root };
  const missing = await nook(["save", "-o", `${top}/nothing.tar`, "test/nothing:1"], { env });
  assert.equal(missing.code, 125);
  assert.match(missing.stderr, /No such image: test\/nothing:1/);
  assert.throws(() => Deno.statSync(`${top}/nothing.tar`));
  const format = await nook(["save", "--format", "zip", "-o", `${top}/x.tar`, busybox], { env });
  assert.equal(format.code, 125);
  assert.match(format.stderr, /Invalid format 'zip'/);
  const cli = `${Deno.execPath()} run -A ${repoRoot()}/cli/main.ts`;
  const tty = await new Deno.Command("script", {
    args: ["-qec", `${cli} save ${busybox}`, "/dev/null"],
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(tty.code, 125);
  assert.match(
    new TextDecoder().decode(tty.stdout),
    /Cowardly refusing to write an archive to a terminal/,
  );
  const push = await nook(["push", "--tls-verify=false", "test/nothing:1"], { env });
  assert.match(push.stderr, /No such image/);
});
