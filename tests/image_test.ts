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
    "getfattr -n security.capability /bin/capped >/dev/null 2>&1 && echo cap || echo nocap",
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
  if (sub) {
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
