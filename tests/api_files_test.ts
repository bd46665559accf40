/**
 * A container's files through the API (`mod.ts`), as the unprivileged test
 * user: copy in and out, a path as a tar stream, the changes, commit to an
 * image that runs, and export; the same operations as `nook cp`, `diff`,
 * `commit` and `export`, checked with the host's tar.
 *
 * @module
 */
import assert from "node:assert/strict";
import { importImage, run, runDetached } from "../mod.ts";
import { busyboxRootfs, repoRoot } from "./helpers.ts";

const root = Deno.makeTempDirSync({ prefix: "nook-api-files-test-" });
globalThis.addEventListener("unload", () => {
  new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${repoRoot()}/cli/main.ts`, "unshare", "rm", "-rf", root],
  }).outputSync();
});
Deno.env.set("NOOK_ROOT", `${root}/store`);

/** The names in a tar stream, by the host's tar. */
async function tarNames(stream: ReadableStream<Uint8Array>): Promise<string[]> {
  const tar = new Deno.Command("tar", { args: ["-t"], stdin: "piped", stdout: "piped" }).spawn();
  await stream.pipeTo(tar.stdin);
  const out = await tar.output();
  assert.equal(out.code, 0);
  return new TextDecoder().decode(out.stdout).trim().split("\n");
}

Deno.test("copyTo, copyFrom, archive, changes, commit and export on a container handle", async () => {
  const image = await importImage(await busyboxRootfs(), { reference: "test/api-files:1" });
  await using c = await runDetached({
    image: image.id,
    command: ["sh", "-c", "echo made > /made; rm /etc/group; while true; do sleep 1; done"],
  });
  const host = `${root}/host`;
  Deno.mkdirSync(`${host}/dir`, { recursive: true });
  Deno.writeTextFileSync(`${host}/app.conf`, "port=80\n");
  Deno.writeTextFileSync(`${host}/dir/inner`, "inner\n");
  for (let i = 0; i < 100 && (await c.changes()).length < 2; i++) {
    await new Promise((r) => setTimeout(r, 50));
  }

  await c.copyTo(`${host}/app.conf`, "/etc/");
  await c.copyTo(`${host}/dir`, "/opt");
  const cat = await c.exec(["cat", "/etc/app.conf", "/opt/inner"], { stdout: "pipe" });
  assert.equal(await new Response(cat.stdout).text(), "port=80\ninner\n");
  assert.equal((await cat.status).exitCode, 0);

  await c.copyFrom("/made", `${host}/made`);
  assert.equal(Deno.readTextFileSync(`${host}/made`), "made\n");
  await assert.rejects(() => c.copyFrom("/nothing", `${host}/x`), /nothing/);

  const names = await tarNames(await c.archive("/opt"));
  assert.deepEqual(names.sort(), ["opt/", "opt/inner"]);

  const changes = await c.changes();
  assert.deepEqual(changes.filter((x) => ["/made", "/etc/group", "/opt"].includes(x.path)), [
    { kind: "D", path: "/etc/group" },
    { kind: "A", path: "/made" },
    { kind: "A", path: "/opt" },
  ]);

  const committed = await c.commit({ reference: "test/api-files:committed" });
  assert.ok(committed.names.includes("docker.io/test/api-files:committed"));
  const again = await run({
    image: "test/api-files:committed",
    command: ["sh", "-c", "cat /made /etc/app.conf; test -e /etc/group || echo no-group"],
    stdout: "pipe",
  });
  assert.equal(new TextDecoder().decode(again.stdout), "made\nport=80\nno-group\n");

  const exported = await tarNames(await c.export());
  assert.ok(exported.includes("made"), exported.slice(0, 5).join(" "));
  assert.ok(exported.includes("etc/app.conf"));
  assert.ok(!exported.includes("etc/group"));
});
