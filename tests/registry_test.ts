/**
 * The registry client against real registries (`docker-registry` on
 * 127.0.0.1, plain and TLS with htpasswd) and small fake servers for what a
 * real registry cannot be made to do (failures, tokens, redirects).
 */
import { deepStrictEqual, ok, rejects, strictEqual } from "node:assert";
import { familiarName, parseReference, type Reference } from "../lib/reference/mod.ts";
import {
  type FetchFunction,
  type ImageManifest,
  login,
  logout,
  OCI_INDEX,
  OCI_MANIFEST,
  RegistryClient,
  RegistryError,
  sha256Digest,
} from "../lib/registry/mod.ts";
import {
  pushBusyboxImage,
  pushMultiArchImage,
  runTool,
  startRegistry,
  type TestRegistry,
} from "./registry_helpers.ts";

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Checks a promise rejects with a RegistryError of `code` whose message matches `message`. */
async function rejectsWith(
  promise: Promise<unknown>,
  code: string,
  message: RegExp | string,
): Promise<RegistryError> {
  let caught: unknown;
  await rejects(promise, (err) => {
    caught = err;
    return true;
  });
  ok(caught instanceof RegistryError, `not a RegistryError: ${caught}`);
  strictEqual(caught.code, code, caught.message);
  if (typeof message === "string") strictEqual(caught.message, message);
  else ok(message.test(caught.message), caught.message);
  return caught;
}

/** Fake sleep that records the delays asked for. */
function recordingSleep(): { delays: number[]; sleep: (ms: number) => Promise<void> } {
  const delays: number[] = [];
  return { delays, sleep: (ms) => (delays.push(ms), Promise.resolve()) };
}

/** A Deno.serve on 127.0.0.1 with a free port; stop() shuts it down. */
function serve(handler: (req: Request) => Response | Promise<Response>) {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, handler);
  return {
    host: `127.0.0.1:${server.addr.port}`,
    url: `http://127.0.0.1:${server.addr.port}`,
    stop: () => server.shutdown(),
  };
}

Deno.test("RegistryClient against a local registry (plain HTTP)", async (t) => {
  await using registry = await startRegistry();
  const image = await pushBusyboxImage(registry.host, "x/busybox", "1.0", {
    env: ["GREETING=hi"],
  });
  const multi = await pushMultiArchImage(registry.host, "x/multi", "2.0");
  using client = new RegistryClient();
  const ref = parseReference(image.reference);

  await t.step(
    "getManifest() fetches the manifest; its config and blobs match their digests",
    async () => {
      const result = await client.getManifest(ref);
      strictEqual(result.digest, image.digest);
      strictEqual(result.mediaType, OCI_MANIFEST);
      strictEqual(await sha256Digest(result.bytes), image.digest);
      strictEqual(result.index, undefined);
      strictEqual(result.manifest.layers.length, 1);

      const { config, digest } = await client.getConfig(ref, result.manifest);
      strictEqual(digest, result.manifest.config.digest);
      strictEqual(config.architecture, "amd64");
      deepStrictEqual(config.config?.Cmd, ["sh"]);
      ok(config.config?.Env?.includes("GREETING=hi"));

      const layer = result.manifest.layers[0];
      const blob = await client.getBlob(ref, layer.digest);
      strictEqual(blob.size, layer.size);
      strictEqual(blob.offset, 0);
      const bytes = await readAll(blob.body);
      strictEqual(bytes.byteLength, layer.size);
      strictEqual(await sha256Digest(bytes), layer.digest);

      const rest = await client.getBlob(ref, layer.digest, { offset: 100 });
      strictEqual(rest.offset, 100);
      strictEqual(rest.size, layer.size);
      deepStrictEqual(await readAll(rest.body), bytes.subarray(100));
    },
  );

  await t.step("getManifest() by digest checks the digest", async () => {
    const byDigest = await client.getManifest({ ...ref, tag: undefined, digest: image.digest });
    strictEqual(byDigest.digest, image.digest);
  });

  await t.step("getManifest() picks the platform's manifest from an index", async () => {
    const multiRef = parseReference(multi.reference);
    const amd64 = await client.getManifest(multiRef, { platform: "linux/amd64" });
    const arm64 = await client.getManifest(multiRef, { platform: "linux/arm64" });
    strictEqual(amd64.digest, multi.platforms["linux/amd64"]);
    strictEqual(arm64.digest, multi.platforms["linux/arm64/v8"]);
    ok(amd64.digest !== arm64.digest);
    strictEqual(amd64.index?.digest, multi.digest);
    strictEqual(amd64.index?.mediaType, OCI_INDEX);
    deepStrictEqual(arm64.platform, { architecture: "arm64", os: "linux", variant: "v8" });
    const { config } = await client.getConfig(multiRef, arm64.manifest);
    strictEqual(config.architecture, "arm64");
    strictEqual(config.variant, "v8");

    const host = await client.getManifest(multiRef);
    const want = Deno.build.arch === "aarch64" ? "linux/arm64/v8" : "linux/amd64";
    strictEqual(host.digest, multi.platforms[want]);

    const raw = await client.getManifestOrIndex(multiRef);
    strictEqual(raw.kind, "index");
    strictEqual(raw.digest, multi.digest);
  });

  await t.step("getManifest() names the platforms there are when one is missing", async () => {
    await rejectsWith(
      client.getManifest(parseReference(multi.reference), { platform: "linux/s390x" }),
      "PLATFORM_UNKNOWN",
      `Cannot pull '${registry.host}/x/multi:2.0': no image for platform 'linux/s390x' ` +
        "(the image has linux/amd64, linux/arm64/v8)",
    );
  });

  await t.step("getManifest() reports an unknown tag and repository", async () => {
    await rejectsWith(
      client.getManifest(parseReference(`${registry.host}/x/busybox:nope`)),
      "MANIFEST_UNKNOWN",
      `Cannot pull '${registry.host}/x/busybox:nope': manifest unknown`,
    );
    const err = await rejectsWith(
      client.getManifest(parseReference(`${registry.host}/no/such`)),
      "MANIFEST_UNKNOWN",
      /^Cannot pull '127\.0\.0\.1:\d+\/no\/such:latest': manifest unknown$/,
    );
    strictEqual(err.status, 404);
    await rejectsWith(
      client.getBlob(ref, `sha256:${"0".repeat(64)}`),
      "BLOB_UNKNOWN",
      /^Cannot pull '127\.0\.0\.1:\d+\/x\/busybox:1\.0': blob unknown to registry$/,
    );
  });

  await t.step("listTags(), catalog() and search() list what was pushed", async () => {
    await pushBusyboxImage(registry.host, "x/busybox", "1.1");
    deepStrictEqual((await client.listTags(ref)).sort(), ["1.0", "1.1"]);
    deepStrictEqual(await client.catalog(registry.host), ["x/busybox", "x/multi"]);
    const found = await client.search(registry.host, "busy");
    deepStrictEqual(found.map((r) => [r.registry, r.name]), [[registry.host, "x/busybox"]]);
    deepStrictEqual(await client.search(registry.host, "nothing-like-it"), []);
    await rejectsWith(
      client.listTags(parseReference(`${registry.host}/no/such`)),
      "NAME_UNKNOWN",
      /^Cannot list the tags of '127\.0\.0\.1:\d+\/no\/such': repository name not known/,
    );
  });

  await t.step("uploadBlob() and putManifest() push an image that skopeo accepts", async () => {
    const source = await client.getManifest(ref);
    const { bytes: configBytes } = await client.getConfig(ref, source.manifest);
    const layer = source.manifest.layers[0];
    const layerBytes = await readAll((await client.getBlob(ref, layer.digest)).body);
    const target = parseReference(`${registry.host}/pushed/busybox:v1`);

    strictEqual(await client.blobExists(target, layer.digest), false);
    // Config: monolithic from bytes. Layer: chunked, from a stream, in 64 KiB pieces.
    const config = source.manifest.config;
    deepStrictEqual(await client.uploadBlob(target, config.digest, config.size, configBytes), {
      digest: config.digest,
      mounted: false,
    });
    const stream = new Blob([layerBytes as Uint8Array<ArrayBuffer>]).stream();
    await client.uploadBlob(target, layer.digest, layer.size, stream, {
      chunked: true,
      chunkSize: 64 << 10,
    });
    strictEqual(await client.blobExists(target, layer.digest), true);
    const digest = await client.putManifest(target, source.mediaType, source.bytes);
    strictEqual(digest, source.digest);

    const inspected = JSON.parse(
      await runTool("skopeo", [
        "inspect",
        "--tls-verify=false",
        `docker://${registry.host}/pushed/busybox:v1`,
      ]),
    );
    strictEqual(inspected.Digest, digest);
    strictEqual(inspected.Architecture, "amd64");
    deepStrictEqual(inspected.Layers, [layer.digest]);

    const dir = await Deno.makeTempDir({ prefix: "nook-test-oci-" });
    try {
      await runTool("skopeo", [
        "copy",
        "--quiet",
        "--src-tls-verify=false",
        `docker://${registry.host}/pushed/busybox:v1`,
        `oci:${dir}/layout:v1`,
      ]);
      const blobs = `${dir}/layout/blobs/sha256`;
      const names = [...Deno.readDirSync(blobs)].map((e) => e.name).sort();
      ok(names.includes(layer.digest.slice(7)) && names.includes(config.digest.slice(7)));
      const sums = await runTool("sha256sum", names.map((n) => `${blobs}/${n}`));
      for (const line of sums.trim().split("\n")) {
        const [sum, path] = line.split(/\s+/);
        strictEqual(path.slice(path.lastIndexOf("/") + 1), sum);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });

  await t.step(
    "uploadBlob() uploads a stream in one PUT and mounts across repositories",
    async () => {
      const bytes = new TextEncoder().encode("a blob sent in one piece\n".repeat(1000));
      const digest = await sha256Digest(bytes);
      const target = parseReference(`${registry.host}/pushed/other`);
      await client.uploadBlob(target, digest, bytes.length, new Blob([bytes]).stream());
      const back = await readAll((await client.getBlob(target, digest)).body);
      strictEqual(await sha256Digest(back), digest);

      const third = parseReference(`${registry.host}/pushed/third`);
      const mounted = await client.uploadBlob(third, digest, bytes.length, bytes, {
        mountFrom: "pushed/other",
      });
      strictEqual(mounted.mounted, true);
      strictEqual(await client.blobExists(third, digest), true);
    },
  );

  await t.step("uploadBlob() refuses a body of the wrong size and a bad digest", async () => {
    const bytes = new TextEncoder().encode("short");
    const digest = await sha256Digest(bytes);
    const target = parseReference(`${registry.host}/pushed/bad`);
    await rejectsWith(
      client.uploadBlob(target, digest, 6, bytes, { chunked: true }),
      "SIZE_INVALID",
      /blob 'sha256:[0-9a-f]{64}' is 5 bytes, not 6$/,
    );
    await rejectsWith(
      client.uploadBlob(target, `sha256:${"1".repeat(64)}`, 5, bytes),
      "DIGEST_INVALID",
      /^Cannot push '127\.0\.0\.1:\d+\/pushed\/bad:latest': provided digest did not match/,
    );
    await rejects(client.uploadBlob(target, "sha256:../../x", 5, bytes), /Invalid digest/);
  });
});

Deno.test("RegistryClient against a TLS registry with a password", async (t) => {
  const user = { user: "nook", password: "s3cret:pw" };
  await using registry = await startRegistry({ tls: true, htpasswd: user });
  const image = await pushBusyboxImage(registry.host, "private/busybox", "1.0", {
    creds: `${user.user}:${user.password}`,
    certDir: registry.certDir,
  });
  const ref = parseReference(image.reference);
  const runtimeDir = await Deno.makeTempDir({ prefix: "nook-test-xdg-" });
  const savedXdg = Deno.env.get("XDG_RUNTIME_DIR");
  Deno.env.set("XDG_RUNTIME_DIR", runtimeDir);
  const authFile = `${runtimeDir}/containers/auth.json`;
  try {
    await t.step("the certificate is not trusted without --cert-dir", async () => {
      using client = new RegistryClient();
      await rejectsWith(
        client.getManifest(ref),
        "TLS",
        new RegExp(
          `^Cannot pull '${registry.host}/private/busybox:1.0': the TLS certificate of ` +
            `'${registry.host}' is not trusted \\(invalid peer certificate: UnknownIssuer\\); ` +
            "give its CA with --cert-dir, or use --tls-verify=false$",
        ),
      );
    });

    await t.step("login() refuses a wrong password", async () => {
      await rejectsWith(
        login(registry.host, user.user, "wrong", { certDir: registry.certDir }),
        "UNAUTHORIZED",
        `Cannot log in to '${registry.host}': wrong user name or password`,
      );
      strictEqual(Deno.statSync(runtimeDir).isDirectory, true);
      let exists = true;
      try {
        Deno.statSync(authFile);
      } catch {
        exists = false;
      }
      strictEqual(exists, false);
    });

    await t.step("pulling without credentials asks to log in", async () => {
      using client = new RegistryClient({ certDir: registry.certDir });
      await rejectsWith(
        client.getManifest(ref),
        "UNAUTHORIZED",
        `Cannot pull '${registry.host}/private/busybox:1.0': authentication required: ` +
          `run 'nook login ${registry.host}'`,
      );
    });

    await t.step("login() stores the credentials in auth.json (0600) and pulls work", async () => {
      const path = await login(registry.host, user.user, user.password, {
        certDir: registry.certDir,
      });
      strictEqual(path, authFile);
      strictEqual(Deno.statSync(authFile).mode! & 0o777, 0o600);
      strictEqual(Deno.statSync(`${runtimeDir}/containers`).mode! & 0o777, 0o700);
      const stored = JSON.parse(Deno.readTextFileSync(authFile));
      deepStrictEqual(stored, {
        auths: { [registry.host]: { auth: btoa(`${user.user}:${user.password}`) } },
      });

      using client = new RegistryClient({ certDir: registry.certDir });
      const { manifest, digest } = await client.getManifest(ref);
      strictEqual(digest, image.digest);
      const blob = await client.getBlob(ref, manifest.layers[0].digest);
      strictEqual(await sha256Digest(await readAll(blob.body)), manifest.layers[0].digest);
    });

    await t.step("tlsVerify: false pulls over node:https without the CA", async () => {
      using client = new RegistryClient({ tlsVerify: false });
      const { manifest, digest } = await client.getManifest(ref);
      strictEqual(digest, image.digest);
      const { config } = await client.getConfig(ref, manifest);
      strictEqual(config.os, "linux");
      const layer = manifest.layers[0];
      const blob = await client.getBlob(ref, layer.digest, { offset: 10 });
      strictEqual(blob.offset, 10);
      strictEqual((await readAll(blob.body)).byteLength, layer.size - 10);
      const bytes = new TextEncoder().encode("pushed without verification");
      const digestOf = await sha256Digest(bytes);
      const target = parseReference(`${registry.host}/private/pushed`);
      await client.uploadBlob(target, digestOf, bytes.length, new Blob([bytes]).stream());
      strictEqual(await client.blobExists(target, digestOf), true);
    });

    await t.step("logout() removes the credentials", async () => {
      strictEqual(logout(registry.host), true);
      deepStrictEqual(JSON.parse(Deno.readTextFileSync(authFile)), { auths: {} });
      strictEqual(logout(registry.host), false);
      using client = new RegistryClient({ certDir: registry.certDir });
      await rejectsWith(client.getManifest(ref), "UNAUTHORIZED", /authentication required/);
    });
  } finally {
    if (savedXdg === undefined) Deno.env.delete("XDG_RUNTIME_DIR");
    else Deno.env.set("XDG_RUNTIME_DIR", savedXdg);
    await Deno.remove(runtimeDir, { recursive: true });
  }
});

const MANIFEST: ImageManifest = {
  schemaVersion: 2,
  mediaType: OCI_MANIFEST,
  config: {
    mediaType: "application/vnd.oci.image.config.v1+json",
    digest: `sha256:${"c".repeat(64)}`,
    size: 2,
  },
  layers: [],
};
const MANIFEST_BYTES = new TextEncoder().encode(JSON.stringify(MANIFEST));

function manifestResponse(): Response {
  return new Response(MANIFEST_BYTES, { headers: { "content-type": OCI_MANIFEST } });
}

Deno.test("RegistryClient retries 503 with exponential backoff, then succeeds", async () => {
  let calls = 0;
  const server = serve(() => {
    calls++;
    return calls <= 2 ? new Response("busy", { status: 503 }) : manifestResponse();
  });
  try {
    const { delays, sleep } = recordingSleep();
    using client = new RegistryClient({ retry: { sleep } });
    const result = await client.getManifest(parseReference(`${server.host}/a/b:c`));
    deepStrictEqual(result.manifest, MANIFEST);
    strictEqual(calls, 3); // two 503s, the answer (the HTTPS probe fails before HTTP)
    deepStrictEqual(delays, [250, 500]);
  } finally {
    await server.stop();
  }
});

Deno.test("RegistryClient gives up after the last attempt and honours Retry-After", async () => {
  let calls = 0;
  const server = serve(() => {
    calls++;
    return new Response(
      JSON.stringify({ errors: [{ code: "TOOMANYREQUESTS", message: "slow down" }] }),
      { status: 429, headers: { "retry-after": "1" } },
    );
  });
  try {
    const { delays, sleep } = recordingSleep();
    using client = new RegistryClient({ retry: { sleep, attempts: 3 } });
    await rejectsWith(
      client.getManifest(parseReference(`${server.host}/a/b:c`)),
      "TOOMANYREQUESTS",
      `Cannot pull '${server.host}/a/b:c': too many requests (slow down); try again in 1 s`,
    );
    deepStrictEqual(delays, [1000, 1000]);
    strictEqual(calls, 3);
  } finally {
    await server.stop();
  }
});

Deno.test("RegistryClient retries network errors a bounded number of times", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const { delays, sleep } = recordingSleep();
  using client = new RegistryClient({ retry: { sleep, attempts: 4, baseDelayMs: 10 } });
  await rejectsWith(
    client.getManifest(parseReference(`127.0.0.1:${port}/a/b`)),
    "NETWORK",
    new RegExp(
      `^Cannot pull '127\\.0\\.0\\.1:${port}/a/b:latest': cannot reach ` +
        `'127\\.0\\.0\\.1:${port}': .*Connection refused`,
    ),
  );
  deepStrictEqual(delays, [10, 20, 40]);
});

Deno.test("RegistryClient gets, caches and renews Bearer tokens", async () => {
  let tokens = 0;
  let valid = "";
  const tokenRequests: URLSearchParams[] = [];
  const seenAuth: string[] = [];
  const server = serve((req) => {
    const url = new URL(req.url);
    if (url.pathname === "/token") {
      tokenRequests.push(url.searchParams);
      if (req.headers.get("authorization") !== `Basic ${btoa("me:pw")}`) {
        return new Response("no", { status: 401 });
      }
      valid = `tok-${++tokens}`;
      return Response.json({ token: valid, expires_in: 300 });
    }
    seenAuth.push(req.headers.get("authorization") ?? "");
    if (req.headers.get("authorization") !== `Bearer ${valid}` || !valid) {
      return new Response(JSON.stringify({ errors: [{ code: "UNAUTHORIZED" }] }), {
        status: 401,
        headers: {
          "www-authenticate":
            `Bearer realm="http://${server.host}/token",service="fake",scope="ignored"`,
        },
      });
    }
    return manifestResponse();
  });
  try {
    using client = new RegistryClient({
      credentials: (registry, repository) =>
        registry === server.host && repository === "a/b"
          ? { username: "me", password: "pw" }
          : undefined,
    });
    const ref = parseReference(`${server.host}/a/b:c`);
    await client.getManifest(ref);
    await client.getManifest(ref);
    strictEqual(tokens, 1, "the token is cached");
    deepStrictEqual(
      [...tokenRequests[0].entries()],
      [["service", "fake"], ["scope", "repository:a/b:pull"], ["account", "me"]],
    );

    valid = "revoked";
    await client.getManifest(ref);
    strictEqual(tokens, 2, "a 401 on the cached token fetches a new one");
    strictEqual(seenAuth.at(-1), "Bearer tok-2");

    using anonymous = new RegistryClient({ credentials: () => undefined });
    await rejectsWith(
      anonymous.getManifest(ref),
      "UNAUTHORIZED",
      `Cannot pull '${server.host}/a/b:c': authentication required: run 'nook login ${server.host}'`,
    );
    await rejectsWith(
      login(server.host, "me", "bad"),
      "UNAUTHORIZED",
      `Cannot log in to '${server.host}': wrong user name or password`,
    );
  } finally {
    await server.stop();
  }
});

Deno.test("RegistryClient follows blob redirects without sending credentials elsewhere", async () => {
  const layer = new TextEncoder().encode("layer bytes");
  const digest = await sha256Digest(layer);
  let cdnAuth: string | null = "unset";
  const cdn = serve((req) => {
    cdnAuth = req.headers.get("authorization");
    return new Response(layer);
  });
  const registry = serve((req) => {
    if (!req.headers.get("authorization")) {
      return new Response("", { status: 401, headers: { "www-authenticate": 'Basic realm="x"' } });
    }
    return new Response(null, { status: 307, headers: { location: `${cdn.url}/blob?sig=1` } });
  });
  try {
    using client = new RegistryClient({ credentials: () => ({ username: "u", password: "p" }) });
    const blob = await client.getBlob(parseReference(`${registry.host}/a/b`), digest);
    deepStrictEqual(await readAll(blob.body), layer);
    strictEqual(cdnAuth, null);
  } finally {
    await cdn.stop();
    await registry.stop();
  }
});

Deno.test("RegistryClient.getLayer() fetches a foreign layer from its URLs first", async () => {
  const layer = new TextEncoder().encode("foreign layer");
  const digest = await sha256Digest(layer);
  const paths: string[] = [];
  const server = serve((req) => {
    const path = new URL(req.url).pathname;
    paths.push(path);
    if (path === "/missing") return new Response("", { status: 404 });
    return new Response(layer);
  });
  try {
    const { sleep } = recordingSleep();
    using client = new RegistryClient({ retry: { sleep } });
    const ref = parseReference(`${server.host}/a/b`);
    const descriptor = {
      mediaType: "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
      digest,
      size: layer.length,
      urls: [`${server.url}/missing`, `${server.url}/layer.tgz`],
    };
    const blob = await client.getLayer(ref, descriptor);
    strictEqual(blob.source, `${server.url}/layer.tgz`);
    deepStrictEqual(await readAll(blob.body), layer);

    const fromRegistry = await client.getLayer(ref, {
      ...descriptor,
      urls: [`${server.url}/missing`],
    });
    strictEqual(fromRegistry.source, "registry");
    await fromRegistry.body.cancel();
    ok(paths.includes(`/v2/a/b/blobs/${digest}`), paths.join(" "));
  } finally {
    await server.stop();
  }
});

Deno.test("RegistryClient.search() uses Docker Hub's search API for docker.io", async () => {
  const asked: string[] = [];
  const fakeFetch: FetchFunction = (url) => {
    asked.push(url);
    return Promise.resolve(Response.json({
      results: [
        {
          name: "busybox",
          description: "Busybox base image.",
          star_count: 3000,
          is_official: true,
          is_automated: false,
        },
        { name: "someone/busybox", description: "", star_count: 2 },
      ],
    }));
  };
  using client = new RegistryClient({ fetch: fakeFetch });
  const results = await client.search("docker.io", "busy box", { limit: 2 });
  deepStrictEqual(asked, ["https://index.docker.io/v1/search?q=busy%20box&n=2"]);
  deepStrictEqual(results, [
    {
      registry: "docker.io",
      name: "busybox",
      description: "Busybox base image.",
      stars: 3000,
      official: true,
      automated: false,
    },
    {
      registry: "docker.io",
      name: "someone/busybox",
      description: "",
      stars: 2,
      official: false,
      automated: false,
    },
  ]);
});

Deno.test("RegistryClient refuses a manifest whose digest is not the one asked for", async () => {
  const server = serve(() => manifestResponse());
  try {
    using client = new RegistryClient();
    const wrong: Reference = {
      registry: server.host,
      repository: "a/b",
      digest: `sha256:${"e".repeat(64)}`,
    };
    await rejectsWith(
      client.getManifest(wrong),
      "DIGEST_MISMATCH",
      new RegExp(`^Cannot pull '${familiarName(wrong)}': the registry sent a manifest with digest`),
    );
  } finally {
    await server.stop();
  }
});

// The helpers are used by other tests too: check that they clean up.
Deno.test("startRegistry() stops its registry and removes its directory", async () => {
  const registry: TestRegistry = await startRegistry();
  const res = await fetch(`${registry.url}/v2/`);
  strictEqual(res.status, 200);
  await res.body?.cancel();
  await registry.stop();
  await rejects(fetch(`${registry.url}/v2/`));
  let alive = true;
  try {
    Deno.kill(registry.pid, "SIGCONT");
  } catch {
    alive = false;
  }
  strictEqual(alive, false);
});
