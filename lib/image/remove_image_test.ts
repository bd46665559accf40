import assert from "node:assert/strict";
import {
  type ImageRecord,
  readIndex,
  type StoreLayout,
  storeLayout,
  updateIndex,
} from "../store/mod.ts";
import { readLayerHolds } from "../store/collect_garbage.ts";
import { diskUsage } from "./disk_usage.ts";
import { findImage } from "./find_image.ts";
import { inspectImage } from "./inspect_image.ts";
import { pruneImages } from "./prune_images.ts";
import { removeImage } from "./remove_image.ts";
import { tagImage } from "./tag_image.ts";
import { untagImage } from "./untag_image.ts";

const d = (c: string) => "sha256:" + c.repeat(64);
const removeTree = (path: string) => Deno.remove(path, { recursive: true });

function image(id: string, layers: string[], names: string[], repoDigests: string[] = []) {
  return {
    id: d(id),
    manifestDigest: d(String.fromCharCode(id.charCodeAt(0) + 3)),
    manifestMediaType: "application/vnd.oci.image.manifest.v1+json",
    names,
    repoDigests,
    chainIds: layers.map(d),
    layerDigests: layers.map((l) => d(String(Number(l) + 5))),
    size: 1234,
    pulled: "2026-01-01T00:00:00Z",
  } satisfies ImageRecord;
}

const BUSYBOX = "docker.io/library/busybox";

/** a: busybox:latest + busybox:1 (layer 1); b: reg/x:1 (layers 1, 2); c: dangling (layer 3). */
async function store(): Promise<
  { layout: StoreLayout; a: ImageRecord; b: ImageRecord; c: ImageRecord }
> {
  const layout = storeLayout(Deno.makeTempDirSync({ prefix: "nook-rmi-test-" }));
  const a = image("a", ["1"], [`${BUSYBOX}:latest`, `${BUSYBOX}:1`], [`${BUSYBOX}@${d("e")}`]);
  const b = image("b", ["1", "2"], ["127.0.0.1:5000/x:1"]);
  const c = image("c", ["3"], []);
  for (const img of [a, b, c]) {
    const config = {
      architecture: "amd64",
      os: "linux",
      created: "2025-01-01T00:00:00Z",
      config: { Cmd: ["sh"], Env: ["PATH=/bin"], Labels: { k: "v" } },
      rootfs: { type: "layers", diff_ids: img.chainIds },
    };
    Deno.writeTextFileSync(`${layout.blobs}/${img.id.slice(7)}`, JSON.stringify(config));
    for (const blob of [img.manifestDigest, ...img.layerDigests]) {
      Deno.writeTextFileSync(`${layout.blobs}/${blob.slice(7)}`, "blob");
    }
    for (const chain of img.chainIds) {
      Deno.mkdirSync(`${layout.layers}/${chain.slice(7)}/diff`, { recursive: true });
      Deno.writeTextFileSync(`${layout.layers}/${chain.slice(7)}/diff/f`, "x".repeat(100));
    }
  }
  await updateIndex(layout, (index) => index.images.push(a, b, c));
  return { layout, a, b, c };
}

function useImage(layout: StoreLayout, container: string, id: string): void {
  Deno.mkdirSync(`${layout.root}/containers/${container}`, { recursive: true });
  Deno.writeTextFileSync(
    `${layout.root}/containers/${container}/container.json`,
    JSON.stringify({ id: container, image: id, imageName: "x", command: ["sh"], created: "" }),
  );
}

const hasLayer = (layout: StoreLayout, c: string) => {
  try {
    return Deno.statSync(`${layout.layers}/${c.repeat(64)}/diff`).isDirectory;
  } catch {
    return false;
  }
};

Deno.test("removeImage() untags a name, and deletes the image with its last name", async () => {
  const { layout, a } = await store();
  try {
    const first = await removeImage("busybox:1", { layout, removeTree });
    assert.deepEqual(first.untagged, ["busybox:1"]);
    assert.deepEqual(first.deleted, []);
    const last = await removeImage("busybox", { layout, removeTree });
    assert.deepEqual(last.untagged, ["busybox:latest", `busybox@${d("e")}`]);
    assert.deepEqual(last.deleted, [a.id]); // layer 1 is shared with b: kept
    assert.ok(hasLayer(layout, "1"));
    assert.equal(findImage(layout, a.id), null);
  } finally {
    Deno.removeSync(layout.root, { recursive: true });
  }
});

Deno.test("removeImage() by id removes every name and frees unshared layers", async () => {
  const { layout, b } = await store();
  try {
    const r = await removeImage(b.id.slice(7, 19), { layout, removeTree });
    assert.deepEqual(r.untagged, ["127.0.0.1:5000/x:1"]);
    assert.deepEqual(r.deleted, [b.id, d("2")]);
    assert.ok(hasLayer(layout, "1") && !hasLayer(layout, "2"));
    await assert.rejects(removeImage(b.id, { layout, removeTree }), /No such image: sha256:b/);
  } finally {
    Deno.removeSync(layout.root, { recursive: true });
  }
});

Deno.test("removeImage() refuses an image a container uses unless forced, then holds its layers", async () => {
  const { layout, b } = await store();
  useImage(layout, "1234abcd5678ffff", b.id);
  try {
    await assert.rejects(
      removeImage("127.0.0.1:5000/x:1", { layout, removeTree }),
      /^NookError: Cannot remove image '127\.0\.0\.1:5000\/x:1': container 1234abcd5678 is using it \(use -f\)$/,
    );
    assert.equal(findImage(layout, "127.0.0.1:5000/x:1")?.id, b.id, "nothing changed");
    const forced = await removeImage("127.0.0.1:5000/x:1", { layout, removeTree, force: true });
    assert.deepEqual(forced.deleted, [b.id]);
    assert.ok(hasLayer(layout, "2"), "the container still needs its layers");
    assert.deepEqual(readLayerHolds(layout), [{
      container: "1234abcd5678ffff",
      chainIds: b.chainIds,
    }]);
    Deno.removeSync(`${layout.root}/containers/1234abcd5678ffff`, { recursive: true });
    const pruned = await pruneImages({ layout, removeTree });
    assert.ok(pruned.deleted.includes(d("2")), "freed once the container is gone");
    assert.ok(!hasLayer(layout, "2"));
  } finally {
    Deno.removeSync(layout.root, { recursive: true });
  }
});

Deno.test("removeImage() by id refuses names in several repositories unless forced", async () => {
  const { layout, a } = await store();
  try {
    await tagImage("busybox", "other/repo:2", { layout });
    await assert.rejects(
      removeImage("aaaa", { layout, removeTree }),
      /referenced in 2 repositories/,
    );
    const r = await removeImage("aaaa", { layout, removeTree, force: true });
    assert.equal(r.deleted[0], a.id);
    assert.equal(r.untagged.length, 4);
  } finally {
    Deno.removeSync(layout.root, { recursive: true });
  }
});

Deno.test("tagImage() normalizes the target and takes it from the image that had it", async () => {
  const { layout, a, b } = await store();
  try {
    assert.equal(await tagImage(b.id, "busybox", { layout }), `${BUSYBOX}:latest`);
    assert.equal(findImage(layout, "busybox")?.id, b.id);
    assert.deepEqual(findImage(layout, a.id)?.names, [`${BUSYBOX}:1`]);
    await assert.rejects(tagImage("nothing", "y", { layout }), /No such image: nothing/);
    await assert.rejects(tagImage("busybox", `y@${d("1")}`, { layout }), /digest/);
    await assert.rejects(tagImage("busybox", "Upper", { layout }), /lowercase/);
  } finally {
    Deno.removeSync(layout.root, { recursive: true });
  }
});

Deno.test("untagImage() takes the given names, or all, off an image that stays; the index keeps their history", async () => {
  const { layout, a } = await store();
  try {
    assert.deepEqual(await untagImage("busybox:1", ["busybox"], { layout }), ["busybox:latest"]);
    assert.deepEqual(findImage(layout, a.id)?.names, [`${BUSYBOX}:1`]);
    await assert.rejects(untagImage(a.id, ["busybox:2"], { layout }), /Cannot untag 'busybox:2'/);
    await assert.rejects(untagImage("nothing", [], { layout }), /No such image: nothing/);
    assert.deepEqual(findImage(layout, a.id)?.names, [`${BUSYBOX}:1`], "a refusal changes nothing");
    assert.deepEqual(await untagImage(a.id, [], { layout }), ["busybox:1"]);
    const after = readIndex(layout).images.find((i) => i.id === a.id);
    assert.deepEqual(after?.names, []);
    assert.deepEqual(after?.repoDigests, [`${BUSYBOX}@${d("e")}`]);
    await tagImage(a.id, "busybox:2", { layout });
    assert.deepEqual(readIndex(layout).images.find((i) => i.id === a.id)?.namesHistory, [
      `${BUSYBOX}:2`,
      `${BUSYBOX}:1`,
      `${BUSYBOX}:latest`,
    ]);
  } finally {
    Deno.removeSync(layout.root, { recursive: true });
  }
});

Deno.test("pruneImages() removes dangling images, and with all every unused one", async () => {
  const { layout, a, b, c } = await store();
  useImage(layout, "c0ffee", a.id);
  try {
    const dangling = await pruneImages({ layout, removeTree });
    assert.deepEqual(dangling.deleted, [c.id, d("3")]);
    assert.ok(dangling.freed.bytes >= 100);
    const all = await pruneImages({ layout, removeTree, all: true });
    assert.deepEqual(all.untagged, ["127.0.0.1:5000/x:1"]);
    assert.deepEqual(all.deleted, [b.id, d("2")]);
    assert.deepEqual(readIndex(layout).images.map((i) => i.id), [a.id], "a container uses a");
  } finally {
    Deno.removeSync(layout.root, { recursive: true });
  }
});

Deno.test("inspectImage() shows docker's fields with familiar names", async () => {
  const { layout, a } = await store();
  try {
    const info = inspectImage(layout, a);
    assert.equal(info.Id, a.id);
    assert.deepEqual(info.RepoTags, ["busybox:latest", "busybox:1"]);
    assert.deepEqual(info.RepoDigests, [`busybox@${d("e")}`]);
    assert.deepEqual(info.Config.Cmd, ["sh"]);
    assert.equal(info.Config.Entrypoint, null);
    assert.deepEqual(info.Config.Labels, { k: "v" });
    assert.deepEqual([info.Os, info.Architecture, info.Created], [
      "linux",
      "amd64",
      "2025-01-01T00:00:00Z",
    ]);
    assert.deepEqual(info.RootFS, { Type: "layers", Layers: a.chainIds });
    assert.equal(info.Variant, undefined);
  } finally {
    Deno.removeSync(layout.root, { recursive: true });
  }
});

Deno.test("diskUsage() counts shared layers once and what unused images would free", async () => {
  const { layout, a } = await store();
  useImage(layout, "c0ffee", a.id);
  try {
    const u = diskUsage(layout, { isRunning: () => false });
    assert.deepEqual([u.images.total, u.images.active], [3, 1]);
    assert.ok(u.images.size >= 300, String(u.images.size)); // three layer files of 100 bytes
    assert.ok(u.images.reclaimable >= 200 && u.images.reclaimable < u.images.size);
    assert.deepEqual([u.containers.total, u.containers.active], [1, 0]);
    assert.equal(u.containers.reclaimable, u.containers.size);
  } finally {
    Deno.removeSync(layout.root, { recursive: true });
  }
});
