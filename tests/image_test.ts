// Images end to end: a real registry (docker-registry), images made by umoci
// and skopeo, pulled and run by nook as the unprivileged test user.
import assert from "node:assert/strict";
import { nook, repoRoot } from "./helpers.ts";
import { pushBusyboxImage, startRegistry, type TestRegistry } from "./registry_helpers.ts";
import { pushLayeredImage } from "./image_fixtures.ts";

let registry: TestRegistry;
let root: string;
let layered: string;
let busybox: string;

function env(): Record<string, string> {
  return { NOOK_ROOT: root };
}

const setup = (async () => {
  registry = await startRegistry();
  root = Deno.makeTempDirSync({ prefix: "nook-image-test-" });
  busybox = (await pushBusyboxImage(registry.host, "test/busybox", "latest")).reference;
  layered = await pushLayeredImage(registry.host, "test/layered:1", {
    config: [
      "--config.entrypoint",
      "/bin/sh",
      "--config.entrypoint",
      "-c",
      "--config.cmd",
      "echo cmd $GREETING; pwd; id -u",
      "--config.workingdir",
      "/data",
      "--config.env",
      "GREETING=hello",
      "--config.user",
      "1000",
    ],
  }); // deno-fmt-ignore
})();

globalThis.addEventListener("unload", () => {
  registry?.stop();
  // Layers hold files of subordinate ids: remove them as root in the user namespace.
  new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${repoRoot()}/cli/main.ts`, "unshare", "rm", "-rf", root],
  }).outputSync();
});

Deno.test("pull stores an image that images lists, and run --rm runs it and leaves no container", async () => {
  await setup;
  const pull = await nook(["pull", busybox], { env: env() });
  assert.equal(pull.code, 0, pull.stderr);
  assert.equal(pull.stdout.trim(), busybox);
  const images = await nook(["images"], { env: env() });
  assert.match(images.stdout, /^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE\n/);
  assert.match(
    images.stdout,
    new RegExp(`${registry.host}/test/busybox\\s+latest\\s+[0-9a-f]{12}`),
  );
  const run = await nook(
    ["run", "--rm", busybox, "sh", "-c", "echo hi from $(hostname); echo $$"],
    { env: env() },
  );
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^hi from [0-9a-f]{12}\n1\n$/);
  assert.deepEqual([...Deno.readDirSync(`${root}/containers`)], []);
});

Deno.test("run applies the image's entrypoint, cmd, env, workdir and user, with docker's overrides", async () => {
  await setup;
  const r = await nook(["run", "--rm", "-q", layered], { env: env() });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "cmd hello\n/data\n1000\n");
  const args = await nook(["run", "--rm", "-q", layered, "echo args replace cmd"], { env: env() });
  assert.equal(args.stdout, "args replace cmd\n");
  const ep = await nook(
    ["run", "--rm", "--entrypoint", "id", "-u", "0", "-w", "/", layered, "-u"],
    { env: env() },
  );
  assert.equal(ep.stdout, "0\n", ep.stderr);
  const e = await nook(["run", "--rm", "-e", "GREETING=bye", layered], { env: env() });
  assert.match(e.stdout, /^cmd bye\n/);
});

Deno.test("layers keep owners through the subuid map, whiteouts delete, a replaced dir hides the old one", async () => {
  await setup;
  const script = [
    "stat -c '%u:%g' /home/u/owned",
    "ls /data | tr '\\n' ' '; echo",
    "ls /old | tr '\\n' ' '; echo",
    "ls /opq | tr '\\n' ' '; echo",
  ].join("; ");
  const r = await nook([
    "run",
    "--rm",
    "-q",
    "-u",
    "0",
    "--entrypoint",
    "sh",
    layered,
    "-c",
    script,
  ], { env: env() });
  assert.equal(r.code, 0, r.stderr);
  const [owner, data, old, opq] = r.stdout.split("\n");
  assert.equal(owner, "1000:1000");
  assert.equal(data.trim(), "keep new");
  assert.equal(old.trim(), "c");
  assert.equal(opq.trim(), "z");
  // On the host the owner is the matching subordinate id.
  const sub = Deno.readTextFileSync("/etc/subuid").split("\n").find((l) =>
    l.startsWith(`${Deno.env.get("USER")}:`)
  );
  assert.ok(sub, "this suite runs as a user with an /etc/subuid range (nooktest)");
  {
    const start = Number(sub.split(":")[1]);
    const owned = [...Deno.readDirSync(`${root}/layers`)].map((d) =>
      `${root}/layers/${d.name}/diff/home/u/owned`
    )
      .find((p) => {
        try {
          return Deno.lstatSync(p).isFile;
        } catch {
          return false;
        }
      });
    assert.ok(owned);
    assert.equal(Deno.lstatSync(owned).uid, start + 999);
    // The security.capability xattr of /bin/capped survived the unpack (cap_net_raw, bit 13).
    const { loadShim } = await import("../shim/binding.ts");
    const cap = loadShim().lgetxattr(
      owned.replace("/home/u/owned", "/bin/capped"),
      "security.capability",
    );
    assert.ok(typeof cap !== "number", `no security.capability: errno ${cap}`);
    assert.equal(new DataView(cap.buffer).getUint32(4, true) & (1 << 13), 1 << 13);
  }
});

Deno.test("two concurrent pulls of the same image both succeed and store each layer once", async () => {
  await setup;
  const other = Deno.makeTempDirSync({ prefix: "nook-image-test-concurrent-" });
  try {
    const [a, b] = await Promise.all([
      nook(["pull", "-q", layered], { env: { NOOK_ROOT: other } }),
      nook(["pull", "-q", layered], { env: { NOOK_ROOT: other } }),
    ]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    assert.equal(a.stdout, b.stdout);
    const layers = [...Deno.readDirSync(`${other}/layers`)].filter((d) => d.name !== "incoming");
    assert.equal(layers.length, 2);
    assert.deepEqual([...Deno.readDirSync(`${other}/layers/incoming`)], []);
    const index = JSON.parse(Deno.readTextFileSync(`${other}/images.json`));
    assert.equal(index.images.length, 1);
  } finally {
    await nook(["unshare", "rm", "-rf", other]);
  }
});

Deno.test("run --pull=never of a missing image and a pull of an unknown tag fail clearly", async () => {
  await setup;
  const never = await nook(["run", "--pull=never", `${registry.host}/test/nothing:1`, "true"], {
    env: env(),
  });
  assert.equal(never.code, 125);
  assert.match(never.stderr, /not in the store and --pull=never/);
  const unknown = await nook(["pull", `${registry.host}/test/busybox:nosuchtag`], { env: env() });
  assert.equal(unknown.code, 125);
  assert.match(unknown.stderr, /nosuchtag/);
  assert.match(unknown.stderr, /manifest unknown/i);
});

Deno.test("malicious layers fail the pull naming the entry, and nothing lands outside the store", async () => {
  await setup;
  const canary = Deno.makeTempDirSync({ prefix: "nook-canary-" });
  try {
    for (const evil of ["evil-traversal", "evil-symlink", "evil-hardlink"]) {
      const ref = await pushLayeredImage(registry.host, `test/${evil}:1`, {
        layers: [evil],
        canary,
      });
      const r = await nook(["pull", "-q", ref], { env: env() });
      assert.equal(r.code, 125, `${evil}: ${r.stdout}`);
      assert.match(r.stderr, /layer entry '[^']+'/, evil);
      assert.deepEqual([...Deno.readDirSync(canary)], [], `${evil} wrote into the canary`);
    }
    assert.throws(() => Deno.lstatSync("/tmp/nook-evil-traversal"));
    assert.deepEqual(
      [...Deno.readDirSync(`${root}/layers/incoming`)],
      [],
      "no half-unpacked layer left",
    );
  } finally {
    Deno.removeSync(canary, { recursive: true });
  }
});

/** A proxy in front of the registry that can flip a byte of blobs or stall them halfway. */
function startProxy(target: string) {
  const state = { mode: "pass" as "pass" | "tamper" | "stall", blobRequests: 0 };
  const abort = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: abort.signal, onListen() {} },
    async (req) => {
      const url = new URL(req.url);
      const upstream = await fetch(`${target}${url.pathname}${url.search}`, {
        method: req.method,
        headers: req.headers,
      });
      if (
        !/\/blobs\/sha256:/.test(url.pathname) || req.method !== "GET" || state.mode === "pass"
      ) return upstream;
      state.blobRequests++;
      const body = new Uint8Array(await upstream.arrayBuffer());
      const headers = new Headers(upstream.headers);
      if (state.mode === "tamper") {
        body[body.length >> 1] ^= 0xff;
        return new Response(body, { status: upstream.status, headers });
      }
      // stall: half the bytes, then nothing until the client goes away
      const half = body.subarray(0, body.length >> 1);
      const stream = new ReadableStream({
        start(controller) {
          controller.enqueue(half);
        },
      });
      return new Response(stream, { status: upstream.status, headers });
    },
  );
  const port = (server.addr as Deno.NetAddr).port;
  return { host: `127.0.0.1:${port}`, state, stop: () => abort.abort() };
}

function committed(dir: string) {
  const list = (p: string) => {
    try {
      return [...Deno.readDirSync(p)].map((e) => e.name).filter((n) => n !== "incoming");
    } catch {
      return [];
    }
  };
  let images = 0;
  try {
    images = JSON.parse(Deno.readTextFileSync(`${dir}/images.json`)).images.length;
  } catch {
    // no index yet
  }
  return { layers: list(`${dir}/layers`), images };
}

Deno.test("a blob whose bytes do not match its digest fails the pull with both digests and commits nothing", async () => {
  await setup;
  const proxy = startProxy(`http://${registry.host}`);
  const dir = Deno.makeTempDirSync({ prefix: "nook-image-test-tamper-" });
  try {
    proxy.state.mode = "tamper";
    const r = await nook(["pull", "-q", `${proxy.host}/test/layered:1`], {
      env: { NOOK_ROOT: dir },
    });
    assert.equal(r.code, 125, r.stdout);
    assert.match(r.stderr, /expected sha256:[0-9a-f]{64}, got sha256:[0-9a-f]{64}/);
    assert.ok(proxy.state.blobRequests > 0);
    assert.deepEqual(committed(dir), { layers: [], images: 0 });
    assert.deepEqual(
      [...Deno.readDirSync(`${dir}/layers/incoming`)],
      [],
      "the half-unpacked layer is removed",
    );
  } finally {
    proxy.stop();
    await nook(["unshare", "rm", "-rf", dir]);
  }
});

Deno.test("a pull killed mid-download leaves nothing committed, and the next pull finishes the job", async () => {
  await setup;
  const proxy = startProxy(`http://${registry.host}`);
  const dir = Deno.makeTempDirSync({ prefix: "nook-image-test-interrupt-" });
  try {
    proxy.state.mode = "stall";
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        `${repoRoot()}/cli/main.ts`,
        "pull",
        "-q",
        `${proxy.host}/test/layered:1`,
      ],
      env: { NOOK_ROOT: dir },
      stdout: "null",
      stderr: "null",
    }).spawn();
    for (let i = 0; i < 200 && proxy.state.blobRequests === 0; i++) {
      await new Promise((r) => setTimeout(r, 25));
    }
    await new Promise((r) => setTimeout(r, 300)); // mid-download
    child.kill("SIGKILL");
    await child.status;
    assert.deepEqual(committed(dir), { layers: [], images: 0 });
    proxy.state.mode = "pass";
    const again = await nook(["pull", "-q", `${proxy.host}/test/layered:1`], {
      env: { NOOK_ROOT: dir },
    });
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(committed(dir).images, 1);
    assert.equal(committed(dir).layers.length, 2);
    const run = await nook([
      "run",
      "--rm",
      "-q",
      "--entrypoint",
      "cat",
      `${proxy.host}/test/layered:1`,
      "/data/keep",
    ], {
      env: { NOOK_ROOT: dir },
    });
    assert.equal(run.stdout, "keep\n", run.stderr);
  } finally {
    proxy.stop();
    await nook(["unshare", "rm", "-rf", dir]);
  }
});

Deno.test("the API pulls an image and runs a command in it", async () => {
  await setup;
  const { pull, run } = await import("../mod.ts");
  const saved = Deno.env.get("NOOK_ROOT");
  Deno.env.set("NOOK_ROOT", root);
  try {
    const image = await pull(busybox);
    assert.match(image.id, /^sha256:[0-9a-f]{64}$/);
    const r = await run({
      image: busybox,
      command: ["sh", "-c", "echo api $$"],
      rm: true,
      stdout: "pipe",
      pull: "never",
    });
    assert.equal(r.exitCode, 0);
    assert.equal(new TextDecoder().decode(r.stdout), "api 1\n");
  } finally {
    if (saved === undefined) Deno.env.delete("NOOK_ROOT");
    else Deno.env.set("NOOK_ROOT", saved);
  }
});

Deno.test("run -u NAME finds the user in the image's layers (its root is only mounted inside)", async () => {
  await setup;
  for (const driver of ["overlay", "vfs"]) {
    const r = await nook([
      "run",
      "--rm",
      "-q",
      "--storage-driver",
      driver,
      "-u",
      "u",
      "--entrypoint",
      "id",
      layered,
    ], {
      env: env(),
    });
    assert.equal(r.code, 0, `${driver}: ${r.stderr}`);
    assert.match(r.stdout, /^uid=1000\(u\) gid=1000\(u\)/, driver);
  }
  const missing = await nook(["run", "--rm", "-q", "-u", "nobody-here", layered], { env: env() });
  assert.equal(missing.code, 125);
  assert.match(missing.stderr, /Unable to find user 'nobody-here'/);
});

Deno.test("an image's VOLUME becomes an anonymous volume holding the image's content, gone with --rm", async () => {
  await setup;
  const ref = await pushLayeredImage(registry.host, "test/volume:1", {
    config: ["--config.volume", "/data"],
  });
  const other = Deno.makeTempDirSync({ prefix: "nook-image-test-volume-" });
  try {
    const script =
      "ls /data | tr '\\n' ' '; echo; grep ' /data ' /proc/self/mountinfo | grep -c overlay; " +
      "echo w > /data/written; stat -c %u /data/keep";
    const r = await nook(["run", "-q", "--entrypoint", "sh", ref, "-c", script], {
      env: { NOOK_ROOT: other },
    });
    assert.equal(r.code, 0, r.stderr);
    const [files, overlayMounts, owner] = r.stdout.split("\n");
    assert.equal(files.trim(), "keep new", "the image's /data, whiteout applied");
    assert.equal(overlayMounts, "0", "/data is a volume, not the overlay");
    assert.equal(owner, "0");
    const [container] = [...Deno.readDirSync(`${other}/containers`)].map((e) => e.name);
    assert.equal(
      Deno.readTextFileSync(`${other}/containers/${container}/volumes/0/written`),
      "w\n",
    );
    assert.throws(() => Deno.lstatSync(`${other}/containers/${container}/upper/data/written`));
    // A -v on the same path wins over the anonymous volume.
    const host = Deno.makeTempDirSync();
    const v = await nook([
      "run",
      "--rm",
      "-q",
      "-v",
      `${host}:/data`,
      "--entrypoint",
      "ls",
      ref,
      "/data",
    ], {
      env: { NOOK_ROOT: other },
    });
    assert.equal(v.stdout, "", v.stderr);
    Deno.removeSync(host);
    const rm = await nook(["run", "--rm", "-q", "--entrypoint", "true", ref], {
      env: { NOOK_ROOT: other },
    });
    assert.equal(rm.code, 0);
    assert.equal(
      [...Deno.readDirSync(`${other}/containers`)].length,
      1,
      "--rm took its volume along",
    );
  } finally {
    await nook(["unshare", "rm", "-rf", other]);
  }
});

Deno.test("run --platform picks that platform's manifest from a multi-arch index", async () => {
  await setup;
  const { pushMultiArchImage } = await import("./registry_helpers.ts");
  const multi = await pushMultiArchImage(registry.host, "test/multi-arch", "1");
  const other = Deno.makeTempDirSync({ prefix: "nook-image-test-platform-" });
  try {
    for (const [platform, arch] of [["linux/amd64", "amd64"], ["linux/arm64", "arm64"]]) {
      const r = await nook([
        "run",
        "--rm",
        "-q",
        "--pull=always",
        "--platform",
        platform,
        multi.reference,
        "cat",
        "/etc/nook-arch",
      ], {
        env: { NOOK_ROOT: other },
      });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(arch));
    }
    const none = await nook(["pull", "-q", "--platform", "linux/s390x", multi.reference], {
      env: { NOOK_ROOT: other },
    });
    assert.equal(none.code, 125);
    assert.match(none.stderr, /linux\/s390x/);
  } finally {
    await nook(["unshare", "rm", "-rf", other]);
  }
});
