import assert from "node:assert/strict";
import { ArchiveFiles, normalizeName } from "./_archive_files.ts";
import { writeTar } from "./tar_writer.ts";

const enc = new TextEncoder();

Deno.test("normalizeName() cleans archive paths and refuses ones that climb out", () => {
  assert.equal(normalizeName("./a//b/./c"), "a/b/c");
  assert.equal(normalizeName("/a/../b"), "b");
  assert.equal(normalizeName("a/../../b"), null);
});

Deno.test("ArchiveFiles stages a tar's files with their digests and follows its links", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const tar = ReadableStream.from(writeTar([
      { name: "./d", type: "directory" },
      { name: "./d/f.tar", type: "file", data: enc.encode("") },
      { name: "./abc/layer.tar", type: "symlink", linkname: "../d/f.tar" },
      { name: "hard", type: "hardlink", linkname: "d/f.tar" },
      { name: "escape", type: "symlink", linkname: "../../etc/passwd" },
      { name: "loop", type: "symlink", linkname: "loop" },
    ]));
    const files = await ArchiveFiles.fromTar(tar, dir);
    const f = await files.get("d/f.tar");
    assert.equal(
      f?.digest,
      "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    );
    assert.equal((await files.get("abc/layer.tar"))?.path, f?.path);
    assert.equal((await files.get("./hard"))?.path, f?.path);
    assert.equal(await files.get("escape"), null);
    assert.equal(await files.get("loop"), null);
    assert.equal(await files.get("d"), null);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("ArchiveFiles from a directory stages only files inside it", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    Deno.mkdirSync(`${dir}/layout/blobs`, { recursive: true });
    Deno.mkdirSync(`${dir}/staging`);
    Deno.writeTextFileSync(`${dir}/layout/index.json`, "{}");
    Deno.writeTextFileSync(`${dir}/outside`, "secret");
    Deno.symlinkSync("../../outside", `${dir}/layout/blobs/out`);
    const files = ArchiveFiles.fromDirectory(`${dir}/layout`, `${dir}/staging`);
    const index = await files.get("index.json");
    assert.deepEqual(ArchiveFiles.readJson(index!).value, {});
    assert.equal(await files.get("blobs/out"), null);
    assert.equal(await files.get("../outside"), null);
    assert.equal(await files.get("blobs"), null);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
