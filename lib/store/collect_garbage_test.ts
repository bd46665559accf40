import assert from "node:assert/strict";
import { collectGarbage, readLayerHolds } from "./collect_garbage.ts";
import { type ImageRecord, readIndex, type StoreLayout, storeLayout, updateIndex } from "./mod.ts";
import { treeSize } from "./tree_size.ts";

const d = (c: string) => "sha256:" + c.repeat(64);

function image(id: string, layers: string[], names: string[] = []): ImageRecord {
  return {
    id: d(id),
    manifestDigest: d(String.fromCharCode(id.charCodeAt(0) + 4)), // a -> e, b -> f
    manifestMediaType: "application/vnd.oci.image.manifest.v1+json",
    names,
    repoDigests: [],
    chainIds: layers.map(d),
    layerDigests: layers.map((l) => d(String(Number(l) + 5))),
    size: 0,
    pulled: "2026-01-01T00:00:00Z",
  };
}

/** A store holding the blobs and layer directories of `images`. */
async function store(images: ImageRecord[]): Promise<StoreLayout> {
  const layout = storeLayout(Deno.makeTempDirSync({ prefix: "nook-gc-test-" }));
  for (const img of images) {
    for (const b of [img.id, img.manifestDigest, ...img.layerDigests]) {
      Deno.writeTextFileSync(`${layout.blobs}/${b.slice(7)}`, `blob ${b}`);
    }
    for (const c of img.chainIds) {
      Deno.mkdirSync(`${layout.layers}/${c.slice(7)}/diff`, { recursive: true });
      Deno.writeTextFileSync(`${layout.layers}/${c.slice(7)}/diff/file`, "x".repeat(1000));
    }
  }
  await updateIndex(layout, (index) => index.images.push(...images));
  return layout;
}

const exists = (path: string) => {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
};
const remove = (path: string) => Deno.remove(path, { recursive: true });

Deno.test("collectGarbage() frees what a removed image held alone and keeps shared layers", async () => {
  const a = image("a", ["1"]);
  const b = image("b", ["1", "2"]);
  const layout = await store([a, b]);
  try {
    const { result, freed } = await collectGarbage(layout, {
      change: (index) => {
        index.images = index.images.filter((i) => i.id !== b.id);
        return "changed";
      },
      removeTree: remove,
      containerExists: () => false,
    });
    assert.equal(result, "changed");
    assert.deepEqual(freed.layers, [d("2")]);
    assert.deepEqual(freed.blobs.sort(), [b.id, b.manifestDigest, b.layerDigests[1]].sort());
    assert.ok(freed.bytes >= 1000);
    assert.ok(exists(`${layout.layers}/${"1".repeat(64)}/diff/file`));
    assert.ok(!exists(`${layout.layers}/${"2".repeat(64)}`));
    assert.ok(exists(`${layout.blobs}/${b.layerDigests[0].slice(7)}`), "shared blob kept");
    assert.deepEqual([...Deno.readDirSync(layout.incomingLayers)], [], "nothing left in incoming");
    assert.deepEqual(readIndex(layout).images.map((i) => i.id), [a.id]);
  } finally {
    Deno.removeSync(layout.root, { recursive: true });
  }
});

Deno.test("collectGarbage() keeps held layers while their container exists", async () => {
  const a = image("a", ["1", "2"]);
  const layout = await store([a]);
  let alive = true;
  const options = { removeTree: remove, containerExists: () => alive };
  try {
    const { freed } = await collectGarbage(layout, {
      ...options,
      change: (index, holds) => {
        index.images = [];
        holds.push({ container: "c1", chainIds: a.chainIds });
      },
    });
    assert.deepEqual(freed.layers, []);
    assert.ok(freed.blobs.includes(a.id));
    assert.deepEqual(readLayerHolds(layout), [{ container: "c1", chainIds: a.chainIds }]);
    assert.ok(exists(`${layout.layers}/${"2".repeat(64)}/diff`));

    alive = false; // the container is gone: the next collection frees its layers
    const next = await collectGarbage(layout, { ...options, change: () => {} });
    assert.deepEqual(next.freed.layers.sort(), a.chainIds);
    assert.deepEqual(readLayerHolds(layout), []);
  } finally {
    Deno.removeSync(layout.root, { recursive: true });
  }
});

Deno.test("collectGarbage() changes nothing when the change throws", async () => {
  const a = image("a", ["1"]);
  const layout = await store([a]);
  try {
    await assert.rejects(
      collectGarbage(layout, {
        change: (index) => {
          index.images = [];
          throw new Error("no");
        },
        removeTree: remove,
        containerExists: () => false,
      }),
      /no/,
    );
    assert.equal(readIndex(layout).images.length, 1);
    assert.ok(exists(`${layout.blobs}/${a.id.slice(7)}`));
  } finally {
    Deno.removeSync(layout.root, { recursive: true });
  }
});

Deno.test("collectGarbage() reports a failed layer removal and still changes the index", async () => {
  const a = image("a", ["1"]);
  const layout = await store([a]);
  try {
    const { freed } = await collectGarbage(layout, {
      change: (index) => {
        index.images = [];
      },
      removeTree: () => Promise.reject(new Error("busy")),
      containerExists: () => false,
    });
    assert.deepEqual(freed.layers, []);
    assert.match(freed.warnings.join("\n"), /busy/);
    assert.equal(readIndex(layout).images.length, 0);
    assert.ok(!exists(`${layout.layers}/${"1".repeat(64)}`), "moved out of the store's view");
  } finally {
    Deno.removeSync(layout.root, { recursive: true });
  }
});

Deno.test("treeSize() counts hard links once and a missing path as 0", () => {
  const dir = Deno.makeTempDirSync();
  try {
    Deno.writeTextFileSync(`${dir}/a`, "x".repeat(5000));
    Deno.linkSync(`${dir}/a`, `${dir}/b`);
    const size = treeSize(dir);
    assert.ok(size >= 5000 && size < 10000, String(size));
    assert.equal(treeSize(`${dir}/missing`), 0);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
