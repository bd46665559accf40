import assert from "node:assert/strict";
import { makeTar, streamOf } from "./_test_tar.ts";
import { extractTar } from "./extract_tar.ts";
import { UnpackError } from "./unpack_error.ts";

function tempDir(): { path: string } & Disposable {
  const path = Deno.makeTempDirSync({ prefix: "nook-extract-test-" });
  return { path, [Symbol.dispose]: () => Deno.removeSync(path, { recursive: true }) };
}

Deno.test("extractTar() writes .wh. names as files and merges into what is there", async () => {
  using tmp = tempDir();
  const dir = tmp.path;
  Deno.writeTextFileSync(`${dir}/keep`, "kept");
  Deno.writeTextFileSync(`${dir}/gone`, "old");
  const tar = makeTar([
    { name: "d/", type: "5", mode: 0o750 },
    { name: "d/.wh.gone", data: "not a whiteout" },
    { name: "d/.wh..wh..opq", data: "" },
    { name: "gone", data: "new" },
  ]);
  const stats = await extractTar(streamOf(tar, 7), dir, { owners: "squash" });
  assert.equal(stats.files, 3);
  assert.equal(Deno.readTextFileSync(`${dir}/keep`), "kept");
  assert.equal(Deno.readTextFileSync(`${dir}/gone`), "new");
  assert.equal(Deno.readTextFileSync(`${dir}/d/.wh.gone`), "not a whiteout");
  assert.ok(Deno.lstatSync(`${dir}/d/.wh..wh..opq`).isFile);
  assert.equal(Deno.statSync(`${dir}/d`).mode! & 0o777, 0o750);
});

Deno.test("extractTar() renames and skips entries, hard link targets too", async () => {
  using tmp = tempDir();
  const dir = tmp.path;
  const tar = makeTar([
    { name: "top/", type: "5", mode: 0o755 },
    { name: "top/a", data: "a" },
    { name: "top/b", type: "1", linkname: "top/a" },
    { name: "other", data: "skipped" },
  ]);
  const seen: string[] = [];
  await extractTar(streamOf(tar), dir, {
    owners: "squash",
    rename: (name, type) => {
      seen.push(`${name}:${type}`);
      return name.startsWith("top") ? name.replace(/^top/, "copy") : null;
    },
    beforeEntry: (path) => seen.push(`before ${path}`),
  });
  assert.deepEqual(Deno.readDirSync(dir).map((e) => e.name).toArray(), ["copy"]);
  assert.equal(Deno.readTextFileSync(`${dir}/copy/b`), "a");
  assert.equal(Deno.statSync(`${dir}/copy/a`).nlink, 2);
  assert.deepEqual(seen, [
    "top/:directory",
    "before copy/",
    "top/a:file",
    "before copy/a",
    "top/b:hardlink",
    "top/a:null",
    "before copy/b",
    "other:file",
  ]);
});

Deno.test("extractTar() replaces a symlink in the way and never writes through one", async () => {
  using tmp = tempDir();
  const dir = tmp.path;
  using out = tempDir();
  const outside = out.path;
  Deno.mkdirSync(`${dir}/out`);
  Deno.symlinkSync(outside, `${dir}/out/link`);
  await extractTar(
    streamOf(
      makeTar([{ name: "link/", type: "5", mode: 0o755 }, { name: "link/file", data: "x" }]),
    ),
    `${dir}/out`,
    { owners: "squash" },
  );
  assert.ok(Deno.lstatSync(`${dir}/out/link`).isDirectory);
  assert.equal(Deno.readTextFileSync(`${dir}/out/link/file`), "x");
  assert.deepEqual([...Deno.readDirSync(outside)], []);
  Deno.removeSync(`${dir}/out/link`, { recursive: true });
  Deno.symlinkSync(outside, `${dir}/out/link`);
  await assert.rejects(
    extractTar(streamOf(makeTar([{ name: "link/file", data: "x" }])), `${dir}/out`, {
      owners: "squash",
    }),
    (e) => e instanceof UnpackError && /goes through symlink 'link'/.test(e.message),
  );
  assert.deepEqual([...Deno.readDirSync(outside)], []);
});

Deno.test("extractTar() refuses a destination that is not a directory", async () => {
  using tmp = tempDir();
  const dir = tmp.path;
  Deno.writeTextFileSync(`${dir}/f`, "");
  await assert.rejects(
    extractTar(streamOf(makeTar([])), `${dir}/f`, { owners: "squash" }),
    (e) => e instanceof UnpackError && /it is not a directory/.test(e.message),
  );
});
