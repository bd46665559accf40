import assert from "node:assert/strict";
import { OCI_CONFIG, OCI_LAYER_GZIP, OCI_MANIFEST, sha256Digest } from "../registry/mod.ts";
import { type ImageRecord, putImage, storeLayout, updateIndex } from "../store/mod.ts";
import { pushImage } from "./push_image.ts";

const enc = new TextEncoder();

/** A store with one image (blobs only: push needs no unpacked layer). */
async function storeWithImage(root: string) {
  const layout = storeLayout(root);
  const put = async (bytes: Uint8Array) => {
    const digest = await sha256Digest(bytes);
    Deno.writeFileSync(`${layout.blobs}/${digest.slice(7)}`, bytes);
    return { digest, size: bytes.length };
  };
  const layer = await put(enc.encode("x".repeat(2500)));
  const config = await put(enc.encode(JSON.stringify({ architecture: "amd64", os: "linux" })));
  const manifestBytes = enc.encode(JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, ...config },
    layers: [{ mediaType: OCI_LAYER_GZIP, ...layer }],
  }));
  const manifest = await put(manifestBytes);
  const record: ImageRecord = {
    id: config.digest,
    manifestDigest: manifest.digest,
    manifestMediaType: OCI_MANIFEST,
    names: [],
    repoDigests: [],
    chainIds: [],
    layerDigests: [layer.digest],
    size: layer.size,
    pulled: new Date(0).toISOString(),
  };
  await updateIndex(layout, (index) => putImage(index, record, "fake.test/a/b:1"));
  return { layout, layer, config, manifest, manifestBytes };
}

/** A fake registry: records "METHOD path" and bodies; blobs listed in `have` exist. */
function fakeRegistry(have: Set<string>) {
  const calls: string[] = [];
  const bodies = new Map<string, Uint8Array>();
  const fetch = async (url: string, init: RequestInit) => {
    const req = new Request(url, init);
    const { pathname, searchParams } = new URL(url);
    calls.push(`${req.method} ${pathname}`);
    const body = new Uint8Array(await req.arrayBuffer());
    if (pathname === "/v2/") return new Response("{}");
    const blob = /^\/v2\/a\/c\/blobs\/(sha256:[0-9a-f]+)$/.exec(pathname);
    if (req.method === "HEAD" && blob) {
      return new Response(null, { status: have.has(blob[1]) ? 200 : 404 });
    }
    if (req.method === "POST") {
      return new Response(null, { status: 202, headers: { location: "/v2/a/c/blobs/uploads/u" } });
    }
    if (req.method === "PATCH") {
      calls[calls.length - 1] += ` ${req.headers.get("content-range")}`;
      return new Response(null, { status: 202, headers: { location: "/v2/a/c/blobs/uploads/u" } });
    }
    if (req.method === "PUT" && pathname.startsWith("/v2/a/c/blobs/uploads/")) {
      bodies.set(searchParams.get("digest")!, body);
      return new Response(null, { status: 201 });
    }
    if (req.method === "PUT" && pathname === "/v2/a/c/manifests/2") {
      bodies.set("manifest", body);
      bodies.set("content-type", enc.encode(req.headers.get("content-type") ?? ""));
      return new Response(null, { status: 201 });
    }
    return new Response(null, { status: 404 });
  };
  return { fetch, calls, bodies };
}

Deno.test("pushImage() skips blobs the registry has, uploads the others whole, and puts the manifest byte for byte", async () => {
  const root = Deno.makeTempDirSync();
  try {
    const { layout, layer, config, manifest, manifestBytes } = await storeWithImage(root);
    const fake = fakeRegistry(new Set([config.digest]));
    const states: string[] = [];
    const result = await pushImage("fake.test/a/b:1", "fake.test/a/c:2", {
      layout,
      registry: { fetch: fake.fetch },
      onProgress: (e) => e.kind === "blob" && states.push(`${e.digest}:${e.state}`),
    });
    assert.deepEqual(result, {
      reference: "fake.test/a/c:2",
      digest: manifest.digest,
      size: manifest.size,
    });
    assert.deepEqual(states, [
      `${layer.digest}:pushing`,
      `${layer.digest}:pushed`,
      `${config.digest}:exists`,
    ]);
    assert.ok(!fake.calls.some((c) => c.startsWith("PATCH")), "monolithic by default");
    assert.equal(fake.bodies.get(layer.digest)?.length, layer.size);
    assert.deepEqual(fake.bodies.get("manifest"), manifestBytes);
    assert.equal(new TextDecoder().decode(fake.bodies.get("content-type")), OCI_MANIFEST);
    const index = JSON.parse(Deno.readTextFileSync(layout.index));
    assert.deepEqual(index.images[0].repoDigests, [`fake.test/a/c@${manifest.digest}`]);
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

Deno.test("pushImage() sends chunks with --chunked and from the size threshold on", async () => {
  const root = Deno.makeTempDirSync();
  try {
    const { layout, layer } = await storeWithImage(root);
    const chunked = fakeRegistry(new Set());
    await pushImage("fake.test/a/b:1", "fake.test/a/c:2", {
      layout,
      registry: { fetch: chunked.fetch },
      chunked: true,
      chunkSize: 1000,
    });
    assert.deepEqual(chunked.calls.filter((c) => c.startsWith("PATCH")), [
      "PATCH /v2/a/c/blobs/uploads/u 0-999",
      "PATCH /v2/a/c/blobs/uploads/u 1000-1999",
      "PATCH /v2/a/c/blobs/uploads/u 2000-2499",
      `PATCH /v2/a/c/blobs/uploads/u 0-${
        JSON.stringify({ architecture: "amd64", os: "linux" }).length - 1
      }`,
    ]);
    const threshold = fakeRegistry(new Set());
    await pushImage("fake.test/a/b:1", "fake.test/a/c:2", {
      layout,
      registry: { fetch: threshold.fetch },
      chunkThreshold: layer.size,
    });
    assert.equal(threshold.calls.filter((c) => c.startsWith("PATCH")).length, 1, "only the layer");
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

Deno.test("pushImage() needs a destination for an id, a tag not a digest, and every blob", async () => {
  const root = Deno.makeTempDirSync();
  try {
    const { layout, layer, config } = await storeWithImage(root);
    const fetch = fakeRegistry(new Set()).fetch;
    await assert.rejects(
      pushImage(config.digest.slice(7, 19), undefined, { layout, registry: { fetch } }),
      /give a destination/,
    );
    await assert.rejects(
      pushImage("fake.test/a/b:1", `fake.test/a/c@${layer.digest}`, { layout }),
      /give a tag, not a digest/,
    );
    await assert.rejects(pushImage("nothing", undefined, { layout }), /No such image: nothing/);
    Deno.removeSync(`${layout.blobs}/${layer.digest.slice(7)}`);
    await assert.rejects(
      pushImage("fake.test/a/b:1", undefined, { layout, registry: { fetch } }),
      new RegExp(`the blob ${layer.digest} is not in the store`),
    );
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});
