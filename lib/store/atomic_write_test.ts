import assert from "node:assert/strict";
import { writeFileAtomic } from "./atomic_write.ts";

Deno.test("writeFileAtomic() replaces a file, with or without fsync, and leaves no temporary file", () => {
  const dir = Deno.makeTempDirSync();
  try {
    for (const fsync of [true, false]) {
      writeFileAtomic(`${dir}/state`, `old ${fsync}\n`, 0o600, { fsync });
      writeFileAtomic(`${dir}/state`, `new ${fsync}\n`, 0o600, { fsync });
      assert.equal(Deno.readTextFileSync(`${dir}/state`), `new ${fsync}\n`);
      assert.equal(Deno.statSync(`${dir}/state`).mode! & 0o777, 0o600);
      assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["state"]);
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
