import { deepStrictEqual, ok, rejects, strictEqual } from "node:assert";
import { parseReference } from "../reference/mod.ts";
import { RegistryClient } from "./registry_client.ts";
import { RegistryError } from "./registry_error.ts";
import { DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, DOCKER_MANIFEST_V1_SIGNED } from "./media_types.ts";
import { sha256Digest } from "./sha256_digest.ts";

const enc = new TextEncoder();

/** A fake registry at https://fake.test: routes by "METHOD path", records requests. */
function fakeRegistry(routes: Record<string, (req: Request) => Response | Promise<Response>>) {
  const requests: Request[] = [];
  const fetch = (url: string, init: RequestInit) => {
    const req = new Request(url, init);
    requests.push(req);
    const { pathname, search } = new URL(url);
    const route = routes[`${req.method} ${pathname}${search}`] ??
      routes[`${req.method} ${pathname}`];
    return Promise.resolve(route ? route(req) : new Response("", { status: 404 }));
  };
  return { fetch, requests };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  let code = "";
  await rejects(promise, (err) => {
    ok(err instanceof RegistryError, String(err));
    code = err.code;
    return true;
  });
  return code;
}

const ref = parseReference("fake.test/a/b:1");

Deno.test("getManifest() resolves a Docker manifest list to the platform's manifest", async () => {
  const child = enc.encode(JSON.stringify({
    schemaVersion: 2,
    mediaType: DOCKER_MANIFEST,
    config: {
      mediaType: "application/vnd.docker.container.image.v1+json",
      digest: `sha256:${"c".repeat(64)}`,
      size: 1,
    },
    layers: [],
  }));
  const childDigest = await sha256Digest(child);
  const list = enc.encode(JSON.stringify({
    schemaVersion: 2,
    mediaType: DOCKER_MANIFEST_LIST,
    manifests: [{
      mediaType: DOCKER_MANIFEST,
      digest: childDigest,
      size: child.length,
      platform: { os: "linux", architecture: "arm", variant: "v6" },
    }],
  }));
  const fake = fakeRegistry({
    "GET /v2/a/b/manifests/1": () => new Response(list),
    [`GET /v2/a/b/manifests/${childDigest}`]: () => new Response(child),
  });
  using client = new RegistryClient({ fetch: fake.fetch });
  const result = await client.getManifest(ref, { platform: "linux/arm/v7" });
  strictEqual(result.digest, childDigest);
  strictEqual(result.mediaType, DOCKER_MANIFEST);
  strictEqual(result.index?.mediaType, DOCKER_MANIFEST_LIST);
  const accept = fake.requests[0].headers.get("accept") ?? "";
  ok(
    accept.includes(DOCKER_MANIFEST_LIST) &&
      accept.includes("application/vnd.oci.image.index.v1+json"),
  );
  strictEqual(fake.requests[0].headers.get("user-agent"), "nook/0.1");
});

Deno.test("getManifest() refuses schema 1 and oversized manifests", async () => {
  const fake = fakeRegistry({
    "GET /v2/a/b/manifests/1": () =>
      new Response(JSON.stringify({ schemaVersion: 1 }), {
        headers: { "content-type": DOCKER_MANIFEST_V1_SIGNED },
      }),
    "GET /v2/a/b/manifests/big": () => new Response(new Uint8Array(5 << 20)),
  });
  using client = new RegistryClient({ fetch: fake.fetch });
  strictEqual(await codeOf(client.getManifest(ref)), "UNSUPPORTED");
  strictEqual(await codeOf(client.getManifest({ ...ref, tag: "big" })), "MANIFEST_INVALID");
});

Deno.test("getConfig() refuses a config whose digest does not match", async () => {
  const config = enc.encode("{}");
  const digest = `sha256:${"d".repeat(64)}`;
  const fake = fakeRegistry({ [`GET /v2/a/b/blobs/${digest}`]: () => new Response(config) });
  using client = new RegistryClient({ fetch: fake.fetch });
  const manifest = {
    schemaVersion: 2 as const,
    config: { mediaType: "x", digest, size: 2 },
    layers: [],
  };
  let message = "";
  await rejects(client.getConfig(ref, manifest), (err: Error) => (message = err.message, true));
  ok(
    message.startsWith(
      "Cannot pull 'fake.test/a/b:1': the registry sent 2 bytes with digest 'sha256:44136fa",
    ),
    message,
  );
});

Deno.test("getBlob() starts over when the server ignores the Range header", async () => {
  const digest = `sha256:${"e".repeat(64)}`;
  const fake = fakeRegistry({
    [`GET /v2/a/b/blobs/${digest}`]: () =>
      new Response("whole", { headers: { "content-length": "5" } }),
  });
  using client = new RegistryClient({ fetch: fake.fetch });
  const blob = await client.getBlob(ref, digest, { offset: 3 });
  strictEqual(fake.requests[0].headers.get("range"), "bytes=3-");
  strictEqual(blob.offset, 0);
  strictEqual(blob.size, 5);
  strictEqual(await new Response(blob.body).text(), "whole");
});

Deno.test("listTags() follows Link pagination", async () => {
  const fake = fakeRegistry({
    "GET /v2/a/b/tags/list": () =>
      Response.json({ name: "a/b", tags: ["1", "2"] }, {
        headers: { link: '</v2/a/b/tags/list?n=2&last=2>; rel="next"' },
      }),
    "GET /v2/a/b/tags/list?n=2&last=2": () => Response.json({ name: "a/b", tags: ["3"] }),
  });
  using client = new RegistryClient({ fetch: fake.fetch });
  deepStrictEqual(await client.listTags(ref), ["1", "2", "3"]);
});

Deno.test("Basic auth is sent up front once the registry asked for it", async () => {
  const fake = fakeRegistry({
    "GET /v2/a/b/tags/list": (req) =>
      req.headers.get("authorization") === `Basic ${btoa("u:p")}`
        ? Response.json({ tags: [] })
        : new Response("", { status: 401, headers: { "www-authenticate": 'Basic realm="r"' } }),
  });
  using client = new RegistryClient({
    fetch: fake.fetch,
    credentials: () => ({ username: "u", password: "p" }),
  });
  await client.listTags(ref);
  await client.listTags(ref);
  deepStrictEqual(
    fake.requests.map((r) => r.headers.get("authorization")),
    [null, `Basic ${btoa("u:p")}`, `Basic ${btoa("u:p")}`],
  );
});

Deno.test("uploadBlob() reports a stream of the wrong size", async () => {
  const fake = fakeRegistry({
    "POST /v2/a/b/blobs/uploads/": () =>
      new Response(null, { status: 202, headers: { location: "/v2/a/b/blobs/uploads/u1" } }),
    "PUT /v2/a/b/blobs/uploads/u1": async (req) => {
      await req.arrayBuffer();
      return new Response(null, { status: 201 });
    },
    "DELETE /v2/a/b/blobs/uploads/u1": () => new Response(null, { status: 204 }),
  });
  using client = new RegistryClient({ fetch: fake.fetch });
  const digest = `sha256:${"f".repeat(64)}`;
  const stream = () => new Blob([enc.encode("12345")]).stream();
  let message = "";
  await rejects(client.uploadBlob(ref, digest, 9, stream()), (err: Error) => {
    message = err.message;
    return err instanceof RegistryError && err.code === "SIZE_INVALID";
  });
  strictEqual(message, `Cannot push 'fake.test/a/b:1': blob '${digest}' is 5 bytes, not 9`);
  strictEqual(fake.requests.at(-1)?.method, "DELETE", "the upload is cancelled");
  strictEqual(await codeOf(client.uploadBlob(ref, digest, 3, stream())), "SIZE_INVALID");
  strictEqual(await codeOf(client.uploadBlob(ref, digest, 4, enc.encode("12345"))), "SIZE_INVALID");
});

Deno.test("an aborted signal stops a request", async () => {
  const fake = fakeRegistry({});
  using client = new RegistryClient({
    fetch: (url, init) =>
      init.signal?.aborted ? Promise.reject(init.signal.reason) : fake.fetch(url, init),
  });
  const controller = new AbortController();
  controller.abort(new Error("stopped"));
  await rejects(client.getManifest(ref, { signal: controller.signal }), /stopped/);
});
