/**
 * The image and network functions of the library API (`mod.ts`) against a
 * real store, as the unprivileged test user: import, list, inspect, tag,
 * save (file and stream), load (file and stream), remove, prune; networks
 * create, list, inspect, remove, prune. Errors are the classes the CLI
 * prints, with the same messages.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  createNetwork,
  importImage,
  inspectImage,
  inspectNetwork,
  listImages,
  listNetworks,
  loadImages,
  NoSuchImageError,
  NoSuchNetworkError,
  pruneImages,
  pruneNetworks,
  removeImage,
  removeNetwork,
  saveImages,
  saveImagesToFile,
  tagImage,
  UsageError,
} from "../mod.ts";
import { busyboxRootfs, nook, repoRoot } from "./helpers.ts";

const root = Deno.makeTempDirSync({ prefix: "nook-api-images-test-" });
globalThis.addEventListener("unload", () => {
  new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${repoRoot()}/cli/main.ts`, "unshare", "rm", "-rf", root],
  }).outputSync();
});

/** Points the API (NOOK_ROOT of this process) and the CLI at a fresh store. */
function useStore(name: string): Record<string, string> {
  const dir = `${root}/${name}`;
  Deno.mkdirSync(dir);
  Deno.env.set("NOOK_ROOT", dir);
  return { NOOK_ROOT: dir };
}

Deno.test("images: import, list, inspect, tag, save to a file, remove, load it back", async () => {
  const env = useStore("images");
  const made = await importImage(await busyboxRootfs(), {
    reference: "test/bb:1",
    changes: ['CMD ["sh"]', "ENV A=1"],
  });
  assert.deepEqual(listImages().map((i) => i.id), [made.id]);
  assert.deepEqual(listImages()[0].names, ["docker.io/test/bb:1"]);
  const info = inspectImage("test/bb:1");
  assert.equal(info.Id, made.id);
  assert.deepEqual(info.Config.Cmd, ["sh"]);
  assert.ok(info.Config.Env?.includes("A=1"));
  assert.equal(inspectImage(made.id.slice(7, 19)).Id, made.id);

  assert.equal(await tagImage("test/bb:1", "127.0.0.1:5000/me/bb:2"), "127.0.0.1:5000/me/bb:2");
  assert.deepEqual(listImages()[0].names.sort(), [
    "127.0.0.1:5000/me/bb:2",
    "docker.io/test/bb:1",
  ]);
  // The CLI lists what the API lists.
  const cli = JSON.parse((await nook(["images", "--format", "json"], { env })).stdout);
  assert.deepEqual(cli.map((i: { Id: string }) => i.Id), [made.id.slice(7)]); // podman's: the hex

  const archive = `${root}/bb.tar`;
  await saveImagesToFile(["test/bb:1", "127.0.0.1:5000/me/bb:2"], archive);
  assert.ok(Deno.statSync(archive).size > 100_000);
  assert.deepEqual([...Deno.readDirSync(root)].filter((e) => e.name.includes(".part-")), []);

  const removed = await removeImage("test/bb:1");
  assert.deepEqual(removed.untagged, ["test/bb:1"]);
  assert.deepEqual(removed.deleted, []); // still named 127.0.0.1:5000/me/bb:2
  const gone = await removeImage("127.0.0.1:5000/me/bb:2");
  assert.equal(gone.deleted[0], made.id); // and its layer
  assert.deepEqual(listImages(), []);

  const loaded = await loadImages(archive);
  assert.equal(loaded.length, 1);
  assert.equal(loaded[0].id, made.id);
  assert.deepEqual(loaded[0].names.sort(), ["127.0.0.1:5000/me/bb:2", "docker.io/test/bb:1"]);
  assert.deepEqual(inspectImage("test/bb:1").Config.Cmd, ["sh"]);
});

Deno.test("images: save as a stream (OCI) and load the stream into another store; prune", async () => {
  useStore("stream-a");
  const made = await importImage(await busyboxRootfs(), { reference: "test/stream:1" });
  const tar = await saveImages(["test/stream:1"], { format: "oci-archive" });
  assert.ok(tar instanceof ReadableStream);
  const bytes = new Uint8Array(await new Response(tar).arrayBuffer());
  // A tar whose entries include the OCI layout file.
  assert.ok(new TextDecoder().decode(bytes.subarray(0, 100)).length > 0);
  assert.ok(new TextDecoder().decode(bytes).includes('{"imageLayoutVersion"'));

  useStore("stream-b");
  assert.deepEqual(listImages(), []);
  const loaded = await loadImages(new Blob([bytes]).stream());
  assert.deepEqual(loaded.map((i) => i.id), [made.id]);
  assert.equal(inspectImage("test/stream:1").Id, made.id);

  // Unnamed, the image is dangling: prune removes it.
  await importImage(await busyboxRootfs(), { changes: ["ENV DANGLING=1"] });
  assert.equal(listImages().length, 2);
  const pruned = await pruneImages();
  assert.equal(pruned.deleted.length, 1);
  assert.deepEqual(listImages().map((i) => i.id), [made.id]);
});

Deno.test("images: a missing image is NoSuchImageError, with the message the CLI prints", async () => {
  const env = useStore("missing");
  assert.throws(() => inspectImage("nothing/here"), (err: unknown) => {
    assert.ok(err instanceof NoSuchImageError && err instanceof UsageError);
    assert.equal(err.message, "No such image: nothing/here");
    assert.equal(err.exitCode, 125);
    return true;
  });
  await assert.rejects(() => removeImage("nothing/here"), NoSuchImageError);
  await assert.rejects(() => tagImage("nothing/here", "x:1"), NoSuchImageError);
  await assert.rejects(() => saveImages(["nothing/here"]), NoSuchImageError);
  for (
    const args of [["image", "inspect", "nothing/here"], ["rmi", "nothing/here"], [
      "tag",
      "nothing/here",
      "x:1",
    ]]
  ) {
    const r = await nook(args, { env });
    // The verbs on named images exit 1 (docker's and podman's code); tag, 125 (podman's).
    const code = args[0] === "tag" ? 125 : 1;
    assert.equal(r.code, code, `nook ${args.join(" ")}: ${r.stderr}`);
    assert.equal(r.stderr, "nook: No such image: nothing/here\n", `nook ${args.join(" ")}`);
  }
  await assert.rejects(() => loadImages(`${root}/no-such.tar`), UsageError);
});

Deno.test("networks: create, list, inspect, remove by id prefix, prune; NoSuchNetworkError", async () => {
  const env = useStore("networks");
  const a = await createNetwork("api-a", { subnet: "10.89.201.0/24", labels: ["k=v"] });
  await createNetwork("api-b");
  assert.deepEqual(listNetworks().map((n) => n.name).sort(), ["api-a", "api-b"]);
  const info = inspectNetwork("api-a");
  assert.equal(info.Id, a.id);
  assert.deepEqual(info.IPAM.Config, [{ Subnet: "10.89.201.0/24", Gateway: "10.89.201.1" }]);
  assert.deepEqual(info.Labels, { k: "v" });
  assert.deepEqual(info.Containers, {});
  assert.equal(info.Running, false);
  // The CLI prints the same.
  const cli = JSON.parse((await nook(["network", "inspect", "api-a"], { env })).stdout);
  assert.deepEqual(cli, [info]);

  await assert.rejects(() => createNetwork("api-a"), UsageError);
  await removeNetwork(a.id.slice(0, 12));
  assert.deepEqual(listNetworks().map((n) => n.name), ["api-b"]);

  assert.throws(() => inspectNetwork("api-a"), (err: unknown) => {
    assert.ok(err instanceof NoSuchNetworkError);
    assert.equal(err.message, "No such network: api-a");
    return true;
  });
  await assert.rejects(() => removeNetwork("api-a"), NoSuchNetworkError);
  const r = await nook(["network", "rm", "api-a"], { env });
  assert.equal(r.code, 125);
  assert.equal(r.stderr, "nook: No such network: api-a\n");

  assert.deepEqual(await pruneNetworks(), ["api-b"]);
  assert.deepEqual(listNetworks(), []);
});
