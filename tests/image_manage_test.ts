// Managing images end to end: rmi (and what it frees), tag, image inspect,
// image prune, system df and search, against a real registry (docker-registry)
// with images made by umoci and skopeo, as the unprivileged test user.
import assert from "node:assert/strict";
import { nook, repoRoot } from "./helpers.ts";
import { pushBusyboxImage, startRegistry, type TestRegistry } from "./registry_helpers.ts";
import { pushLayeredImage } from "./image_fixtures.ts";

let registry: TestRegistry;
let base: string;
let both: string;
let busybox: string;
let configured: string;
const root = Deno.makeTempDirSync({ prefix: "nook-image-manage-test-" });

const setup = (async () => {
  registry = await startRegistry();
  // Two images that share their bottom layer.
  base = await pushLayeredImage(registry.host, "test/base:1", { layers: ["base"] });
  both = await pushLayeredImage(registry.host, "test/both:1", { layers: ["base", "change"] });
  busybox = (await pushBusyboxImage(registry.host, "test/busybox", "latest")).reference;
  configured = await pushLayeredImage(registry.host, "test/configured:2", {
    layers: ["base"],
    config: [
      "--config.entrypoint",
      "/bin/sh",
      "--config.cmd",
      "-c",
      "--config.cmd",
      "echo hi",
      "--config.env",
      "A=1",
      "--config.workingdir",
      "/data",
      "--config.user",
      "1000",
      "--config.label",
      "org.example=yes",
      "--config.exposedports",
      "80/tcp",
      "--config.volume",
      "/vol",
      "--config.stopsignal",
      "SIGINT",
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

/** A fresh store for one test, and nook run in it. */
function store(name: string) {
  const dir = `${root}/${name}`;
  Deno.mkdirSync(dir);
  const env = { NOOK_ROOT: dir };
  return {
    dir,
    run: (args: string[], stdin?: string) => nook(args, { env, stdin }),
    async pull(ref: string): Promise<string> {
      const r = await nook(["pull", "-q", ref], { env });
      assert.equal(r.code, 0, r.stderr);
      return r.stdout.trim();
    },
    layers: () =>
      [...Deno.readDirSync(`${dir}/layers`)].map((e) => e.name).filter((n) => n !== "incoming")
        .sort(),
    blobs: () => [...Deno.readDirSync(`${dir}/blobs/sha256`)].map((e) => `sha256:${e.name}`).sort(),
    index: () =>
      JSON.parse(Deno.readTextFileSync(`${dir}/images.json`)).images as {
        id: string;
        manifestDigest: string;
        chainIds: string[];
        layerDigests: string[];
      }[],
    useImage(container: string, image: string) {
      Deno.mkdirSync(`${dir}/containers/${container}`, { recursive: true });
      Deno.writeTextFileSync(
        `${dir}/containers/${container}/container.json`,
        JSON.stringify({ id: container, image, imageName: "x", command: ["sh"], created: "" }),
      );
    },
  };
}

Deno.test("rmi frees the blobs and layers an image holds alone and keeps the shared ones", async () => {
  await setup;
  const s = store("rmi");
  const baseId = await s.pull(base);
  const bothId = await s.pull(both);
  const [b, bb] = [baseId, bothId].map((id) => s.index().find((i) => i.id === id)!);
  assert.equal(bb.chainIds[0], b.chainIds[0], "the images share their bottom layer");
  assert.equal(s.layers().length, 2);

  const rmi = await s.run(["rmi", both]);
  assert.equal(rmi.code, 0, rmi.stderr);
  assert.equal(
    rmi.stdout,
    `Untagged: ${both}\n` +
      `Untagged: ${registry.host}/test/both@${bb.manifestDigest}\n` +
      `Deleted: ${bothId}\n` +
      `Deleted: ${bb.chainIds[1]}\n`,
  );
  assert.deepEqual(s.layers(), [b.chainIds[0].slice(7)]);
  assert.deepEqual(s.blobs(), [b.id, b.manifestDigest, ...b.layerDigests].sort());
  const run = await s.run(["run", "--rm", "-q", base, "/bin/busybox", "cat", "/data/keep"]);
  assert.equal(run.code, 0, `the shared layer still works: ${run.stderr}`);

  const last = await s.run(["image", "rm", baseId.slice(7, 19)]);
  assert.equal(last.code, 0, last.stderr);
  assert.match(last.stdout, new RegExp(`^Untagged: ${base}\n`));
  assert.deepEqual(s.layers(), [], "the layer with subordinate-id files is gone too");
  assert.deepEqual(s.blobs(), []);
  assert.deepEqual([...Deno.readDirSync(`${s.dir}/layers/incoming`)], []);
});

Deno.test("rmi refuses an image a container uses, goes on with the others, and -f removes it", async () => {
  await setup;
  const s = store("inuse");
  const id = await s.pull(busybox);
  s.useImage("1234abcd5678aaaabbbbcccc", id);
  const refused = await s.run(["rmi", busybox, "nosuch:1"]);
  assert.equal(refused.code, 2, "podman's code for an image in use, over 1 for a missing one");
  assert.equal(
    refused.stderr,
    `nook: Cannot remove image '${busybox}': container 1234abcd5678 is using it (use -f)\n` +
      "nook: No such image: nosuch:1\n",
  );
  assert.equal(s.index().length, 1);

  const forced = await s.run(["rmi", "-f", busybox]);
  assert.equal(forced.code, 0, forced.stderr);
  assert.match(forced.stdout, new RegExp(`^Untagged: ${busybox}\n.*\nDeleted: ${id}\n$`, "s"));
  assert.deepEqual(s.index(), []);
  assert.equal(s.layers().length, 1, "the container's layer stays while the container exists");

  Deno.removeSync(`${s.dir}/containers/1234abcd5678aaaabbbbcccc`, { recursive: true });
  const prune = await s.run(["image", "prune", "-f"]);
  assert.equal(prune.code, 0, prune.stderr);
  assert.match(
    prune.stdout,
    /^Deleted Images:\ndeleted: sha256:[0-9a-f]{64}\n\nTotal reclaimed space: [1-9]/,
  );
  assert.deepEqual(s.layers(), []);
});

Deno.test("rmi -a removes every image by each of its names; -i passes over a missing one", async () => {
  await setup;
  const s = store("rmiall");
  await s.pull(base);
  await s.pull(busybox);
  assert.equal((await s.run(["tag", busybox, "second"])).code, 0);
  const missing = await s.run(["rmi", "nosuch:1"]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /No such image: nosuch:1/);
  const ignored = await s.run(["rmi", "-i", "nosuch:1"]);
  assert.equal(ignored.code, 0, ignored.stderr);
  assert.equal(ignored.stderr, "");
  const both = await s.run(["rmi", "-a", "nosuch:1"]);
  assert.equal(both.code, 125);
  assert.match(both.stderr, /takes no image names/);
  const all = await s.run(["rmi", "-a"]);
  assert.equal(all.code, 0, all.stderr);
  assert.match(all.stdout, /Untagged: second:latest\n/);
  assert.ok((all.stdout.match(/^Deleted: sha256:/gm)?.length ?? 0) >= 2, all.stdout);
  assert.deepEqual(s.index(), []);
  assert.deepEqual(s.layers(), []);
  const again = await s.run(["rmi", "--all"]);
  assert.equal(again.code, 0, "nothing to remove is no error");
  assert.equal(again.stdout, "");
});

Deno.test("tag gives an image another name that run and rmi take", async () => {
  await setup;
  const s = store("tag");
  const id = await s.pull(busybox);
  const tag = await s.run(["tag", busybox, "mine"]);
  assert.equal(tag.code, 0, tag.stderr);
  assert.equal(tag.stdout, "");
  const images = await s.run(["image", "ls"]);
  assert.match(images.stdout, /\nmine\s+latest\s+[0-9a-f]{12}\s/);
  const run = await s.run(["run", "--rm", "-q", "mine", "echo", "by the new name"]);
  assert.equal(run.stdout, "by the new name\n", run.stderr);
  const full = await s.run(["image", "tag", "mine", `${registry.host}/other/name:2`]);
  assert.equal(full.code, 0, full.stderr);
  const bad = await s.run(["tag", "mine", "Bad:Name"]);
  assert.equal(bad.code, 125);
  assert.match(bad.stderr, /Invalid reference 'Bad:Name'/);
  const missing = await s.run(["tag", "nosuch", "x"]);
  assert.equal(missing.code, 125);
  assert.match(missing.stderr, /No such image: nosuch/);

  const untag = await s.run(["rmi", "mine"]);
  assert.equal(untag.stdout, "Untagged: mine:latest\n", untag.stderr);
  const inspect = await s.run(["image", "inspect", "--format", "{{json .RepoTags}}", id]);
  assert.equal(inspect.stdout, `["${busybox}","${registry.host}/other/name:2"]\n`);
});

Deno.test("image inspect shows docker's fields, takes a template, and names unknown images", async () => {
  await setup;
  const s = store("inspect");
  const id = await s.pull(configured);
  const r = await s.run(["image", "inspect", configured]);
  assert.equal(r.code, 0, r.stderr);
  const [info, ...more] = JSON.parse(r.stdout);
  assert.equal(more.length, 0);
  const entry = s.index()[0];
  assert.equal(info.Id, id);
  assert.deepEqual(info.RepoTags, [configured]);
  assert.deepEqual(info.RepoDigests, [`${registry.host}/test/configured@${entry.manifestDigest}`]);
  assert.deepEqual(info.Config.Entrypoint, ["/bin/sh"]);
  assert.deepEqual(info.Config.Cmd, ["-c", "echo hi"]);
  assert.ok(info.Config.Env.includes("A=1"));
  assert.equal(info.Config.WorkingDir, "/data");
  assert.equal(info.Config.User, "1000");
  assert.deepEqual(info.Config.Labels, { "org.example": "yes" });
  assert.deepEqual(Object.keys(info.Config.ExposedPorts), ["80/tcp"]);
  assert.deepEqual(Object.keys(info.Config.Volumes), ["/vol"]);
  assert.equal(info.Config.StopSignal, "SIGINT");
  assert.equal(info.Os, "linux");
  assert.ok(info.Architecture);
  assert.ok(info.Size > 0);
  assert.equal(info.RootFS.Type, "layers");
  assert.deepEqual(info.RootFS.Layers, [entry.chainIds[0]]); // one layer: chain id = diff id
  assert.ok(!Number.isNaN(Date.parse(info.Created)));

  const f = await s.run([
    "image",
    "inspect",
    "-f",
    "{{.Id}} {{.Config.Cmd}} {{.Config.Labels}} {{json .Config.Entrypoint}}",
    id.slice(7, 19),
  ]);
  assert.equal(f.stdout, `${id} [-c echo hi] map[org.example:yes] ["/bin/sh"]\n`, f.stderr);

  const unknown = await s.run(["image", "inspect", "nosuch"]);
  assert.equal(unknown.code, 1);
  assert.equal(unknown.stdout, "[]\n");
  assert.equal(unknown.stderr, "nook: No such image: nosuch\n");
  const mixed = await s.run(["image", "inspect", "nosuch", configured]);
  assert.equal(mixed.code, 1);
  assert.equal(JSON.parse(mixed.stdout).length, 1);
  const badField = await s.run(["image", "inspect", "-f", "{{.Nope}}", configured]);
  assert.equal(badField.code, 125);
  assert.match(
    badField.stderr,
    /Invalid --format '\{\{\.Nope\}\}': template: 1:2: .*can't evaluate field Nope/,
  );
});

Deno.test("image prune removes dangling images, with -a unused ones, and asks first", async () => {
  await setup;
  const s = store("prune");
  const old = await s.pull(busybox);
  const other = await s.pull(base);
  const tag = await s.run(["tag", base, busybox]); // busybox's only name moves: it dangles
  assert.equal(tag.code, 0, tag.stderr);

  const no = await s.run(["image", "prune"], "n\n");
  assert.equal(no.code, 0, no.stderr);
  assert.equal(
    no.stdout,
    "WARNING! This will remove all dangling images.\nAre you sure you want to continue? [y/N] ",
  );
  assert.equal(s.index().length, 2);

  const yes = await s.run(["image", "prune"], "y\n");
  assert.equal(yes.code, 0, yes.stderr);
  assert.match(
    yes.stdout,
    new RegExp(
      `Deleted Images:\nuntagged: ${registry.host}/test/busybox@sha256:[0-9a-f]{64}\ndeleted: ${old}\ndeleted: sha256:[0-9a-f]{64}\n\nTotal reclaimed space: [1-9][0-9.]*[kM]B\n$`,
    ),
  );
  assert.deepEqual(s.index().map((i) => i.id), [other]);

  const again = await s.run(["image", "prune", "-f"]);
  assert.equal(again.stdout, "Total reclaimed space: 0B\n");

  s.useImage("c0ffee", other);
  const kept = await s.run(["image", "prune", "-a", "-f"]);
  assert.equal(kept.stdout, "Total reclaimed space: 0B\n", "a container uses it");
  Deno.removeSync(`${s.dir}/containers/c0ffee`, { recursive: true });
  const all = await s.run(["image", "prune", "-af"]);
  assert.match(
    all.stdout,
    new RegExp(
      `^Deleted Images:\nuntagged: ${base}\nuntagged: ${busybox}\nuntagged: ${registry.host}/test/base@sha256:[0-9a-f]{64}\ndeleted: ${other}\n`,
    ),
  );
  assert.deepEqual(s.index(), []);
  assert.deepEqual(s.layers(), []);
  assert.deepEqual(s.blobs(), []);
});

/** docker's human size back to bytes (approximately). */
function bytes(text: string): number {
  const m = /^([\d.]+)(B|kB|MB|GB)/.exec(text);
  assert.ok(m, text);
  return Number(m[1]) * { B: 1, kB: 1e3, MB: 1e6, GB: 1e9 }[m[2] as "B"];
}

Deno.test("system df counts images, shared layers once, containers, and what is reclaimable", async () => {
  await setup;
  const s = store("df");
  const empty = await s.run(["system", "df"]);
  assert.equal(
    empty.stdout,
    "TYPE            TOTAL   ACTIVE   SIZE   RECLAIMABLE\n" +
      "Images          0       0        0B     0B\n" +
      "Containers      0       0        0B     0B\n" +
      "Local Volumes   0       0        0B     0B\n",
  );
  const id = await s.pull(base);
  const one = JSON.parse((await s.run(["system", "df", "--format", "json"])).stdout.split("\n")[0]);
  await s.pull(both);
  s.useImage("c0ffee", id);
  const r = await s.run(["system", "df", "--format", "json"]);
  assert.equal(r.code, 0, r.stderr);
  const [images, containers, volumes] = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
  const busyboxSize = Deno.statSync("/bin/busybox").size;
  assert.deepEqual([images.Type, images.TotalCount, images.Active], ["Images", "2", "1"]);
  // base: the busybox binary unpacked plus its compressed blob; both adds only a small layer.
  assert.ok(bytes(one.Size) > busyboxSize, one.Size);
  assert.ok(bytes(images.Size) < bytes(one.Size) * 1.2, `${images.Size} vs ${one.Size}`);
  assert.match(
    images.Reclaimable,
    /^[\d.]+k?B \([0-9]%\)$/,
    "only both's own layer is reclaimable",
  );
  assert.deepEqual([containers.TotalCount, containers.Active], ["1", "0"]);
  assert.deepEqual([volumes.Type, volumes.TotalCount, volumes.Size], ["Local Volumes", "0", "0B"]);
  const table = await s.run(["system", "df"]);
  assert.match(table.stdout, /\nImages\s+2\s+1\s+[\d.]+MB\s+[\d.]+k?B \(\d+%\)\n/);
});

Deno.test("search lists the repositories of a registry's catalog that match", async () => {
  await setup;
  const r = await nook(["search", `${registry.host}/busy`]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^NAME\s+DESCRIPTION\s+STARS\s+OFFICIAL\n/);
  assert.match(r.stdout, new RegExp(`\n${registry.host}/test/busybox\\s+0`));
  assert.doesNotMatch(r.stdout, /test\/base/);
  const json = await nook(["search", "--format", "json", "--limit", "2", `${registry.host}/test`]);
  const rows = json.stdout.trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(rows.length, 2);
  assert.deepEqual(Object.keys(rows[0]), [
    "Name",
    "Description",
    "StarCount",
    "IsOfficial",
    "IsAutomated",
  ]);
  const names = await nook(["search", "--format", "{{.Name}}", `${registry.host}/config`]);
  assert.equal(names.stdout, `${registry.host}/test/configured\n`);
  const bad = await nook(["search", "--limit", "0", "x"]);
  assert.equal(bad.code, 125);
  assert.match(bad.stderr, /Invalid --limit/);
});
