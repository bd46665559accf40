import assert from "node:assert/strict";
import { NookError } from "../errors/mod.ts";
import { directoryEntries, idInside } from "./directory_entries.ts";

Deno.test("directoryEntries() lists a tree sorted, parents first, with links, modes and mapped owners", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    Deno.mkdirSync(`${dir}/b/sub`, { recursive: true });
    Deno.writeTextFileSync(`${dir}/b/sub/file`, "data");
    Deno.chmodSync(`${dir}/b/sub/file`, 0o4750);
    Deno.linkSync(`${dir}/b/sub/file`, `${dir}/a-hard`);
    Deno.symlinkSync("../elsewhere", `${dir}/c-link`);
    new Deno.Command("mkfifo", { args: [`${dir}/d-fifo`] }).outputSync();
    const me = Deno.uid()!;
    const uidMap = [{ inside: 0, outside: me, count: 1 }];
    const entries = await Array.fromAsync(directoryEntries(`${dir}/`, { uidMap }));
    assert.deepEqual(
      entries.map((e) => [e.name, e.type, e.linkname ?? "", e.uid]),
      [
        ["a-hard", "file", "", 0],
        ["b", "directory", "", 0],
        ["b/sub", "directory", "", 0],
        ["b/sub/file", "hardlink", "a-hard", 0],
        ["c-link", "symlink", "../elsewhere", 0],
        ["d-fifo", "fifo", "", 0],
      ],
    );
    assert.equal(entries[0].mode, 0o4750);
    assert.equal(entries[0].size, 4);
    // gids are kept as they are without a map
    assert.equal(entries[0].gid, Deno.gid());
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("idInside() maps host ids through the namespace's map, others to nobody", () => {
  const map = [{ inside: 0, outside: 1000, count: 1 }, {
    inside: 1,
    outside: 100000,
    count: 65536,
  }];
  assert.equal(idInside(map, 1000), 0);
  assert.equal(idInside(map, 100000), 1);
  assert.equal(idInside(map, 165535), 65536);
  assert.equal(idInside(map, 0), 65534);
  assert.equal(idInside(undefined, 42), 42);
});

// Root reads any file: skipped as root, by design, with the reason in its name (scripts/test.sh
// lists it; in CI the tests run as nooktest). lib/ does not import tests/helpers.ts testNeeds().
Deno.test({
  name: "directoryEntries() says how to archive a file it cannot read" +
    (Deno.uid() === 0 ? " (skipped: run as root, who can read any file)" : ""),
  ignore: Deno.uid() === 0,
  fn: async () => {
    const dir = Deno.makeTempDirSync();
    try {
      Deno.writeTextFileSync(`${dir}/secret`, "x");
      Deno.chmodSync(`${dir}/secret`, 0);
      const read = async () => {
        for await (const e of directoryEntries(dir)) {
          if (e.data) await Array.fromAsync(e.data as AsyncIterable<Uint8Array>);
        }
      };
      await assert.rejects(
        read(),
        (e: Error) =>
          e instanceof NookError &&
          /Cannot read '.*secret': permission denied .*nook unshare tar/.test(e.message),
      );
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});
