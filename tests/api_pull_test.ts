/**
 * `pull()` of the library API with progress events and an AbortSignal,
 * against a real registry (docker-registry) with an image pushed by skopeo,
 * as the unprivileged test user.
 *
 * @module
 */
import assert from "node:assert/strict";
import { listImages, login, logout, pull, type PullEvent, push, type PushEvent } from "../mod.ts";
import { storeLayout } from "../lib/store/mod.ts";
import { repoRoot } from "./helpers.ts";
import { pushBusyboxImage, startRegistry, type TestRegistry } from "./registry_helpers.ts";

const root = Deno.makeTempDirSync({ prefix: "nook-api-pull-test-" });
let registry: TestRegistry | undefined;
globalThis.addEventListener("unload", () => {
  registry?.stop();
  new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${repoRoot()}/cli/main.ts`, "unshare", "rm", "-rf", root],
  }).outputSync();
});

/** Points the API at a fresh store. */
function useStore(name: string): void {
  Deno.mkdirSync(`${root}/${name}`);
  Deno.env.set("NOOK_ROOT", `${root}/${name}`);
}

/** Entries of a store directory (missing: none). */
function entries(path: string): string[] {
  try {
    return [...Deno.readDirSync(path)].map((e) => e.name);
  } catch {
    return [];
  }
}

Deno.test("pull(): progress events, and an AbortSignal that stops it with nothing half-stored", async () => {
  registry = await startRegistry();
  const { reference } = await pushBusyboxImage(registry.host, "test/busybox", "1");

  useStore("before");
  const early = new AbortController();
  early.abort();
  await assert.rejects(() => pull(reference, { signal: early.signal }), { name: "AbortError" });

  // Aborted at the first layer event: rejected with the reason, no image, nothing partial.
  useStore("abort");
  const controller = new AbortController();
  const seen: PullEvent[] = [];
  await assert.rejects(
    () =>
      pull(reference, {
        signal: controller.signal,
        onProgress: (e) => {
          seen.push(e);
          if (e.kind === "layer") controller.abort();
        },
      }),
    { name: "AbortError" },
  );
  assert.equal(seen[0].kind, "resolved");
  assert.ok(!seen.some((e) => e.kind === "done"));
  assert.deepEqual(listImages(), []);
  const layout = storeLayout();
  assert.deepEqual(entries(layout.incomingBlobs), [], "no partial blob");
  assert.deepEqual(entries(layout.incomingLayers), [], "no partial layer");

  // The same store pulls it afterwards; the events go resolved, layer..., done.
  const events: PullEvent[] = [];
  const image = await pull(reference, { onProgress: (e) => events.push(e) });
  assert.deepEqual(listImages().map((i) => i.id), [image.id]);
  assert.deepEqual(image.names, [reference]);
  assert.equal(events[0].kind, "resolved");
  assert.deepEqual(events.at(-1), { kind: "done", id: image.id });
  const layers = events.filter((e) => e.kind === "layer");
  assert.ok(layers.length > 0 && layers.every((e) => e.total > 0));
});

Deno.test("push(), login() and logout(): an image pushed with credentials comes back by pull", async () => {
  const auth = await startRegistry({
    tls: true,
    htpasswd: { user: "apiuser", password: "s3cret" },
  });
  try {
    const { reference } = await pushBusyboxImage(auth.host, "api/busybox", "1", {
      certDir: auth.certDir,
      creds: "apiuser:s3cret",
    });
    useStore("push");
    const authFile = `${root}/push/auth.json`;
    Deno.env.set("REGISTRY_AUTH_FILE", authFile);
    const registry = { certDir: auth.certDir };
    // Without credentials the registry refuses, and says so.
    await assert.rejects(() => pull(reference, { registry }), /unauthorized|authentication/i);
    await assert.rejects(
      () => login(auth.host, "apiuser", "wrong", registry),
      /wrong user name or password/,
    );
    await login(auth.host, "apiuser", "s3cret", registry);
    assert.match(Deno.readTextFileSync(authFile), new RegExp(auth.host.replace(/\./g, "\\.")));
    await pull(reference, { registry });

    const events: PushEvent[] = [];
    const copy = `${auth.host}/api/copy:2`;
    const pushed = await push(reference, copy, { registry, onProgress: (e) => events.push(e) });
    assert.equal(pushed.reference, copy);
    assert.match(pushed.digest, /^sha256:[0-9a-f]{64}$/);
    assert.ok(events.some((e) => e.kind === "blob"));
    assert.deepEqual(events.at(-1), {
      kind: "done",
      tag: "2",
      digest: pushed.digest,
      size: pushed.size,
    });

    useStore("push-back");
    await pull(copy, { registry });
    assert.ok(listImages().some((i) => i.names.includes(copy)));
    assert.equal(logout(auth.host), true);
    await assert.rejects(() => pull(copy, { registry }), /unauthorized|authentication/i);
  } finally {
    auth.stop();
    Deno.env.delete("REGISTRY_AUTH_FILE");
  }
});
