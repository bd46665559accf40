import assert from "node:assert/strict";
import { spreadLayers } from "./spread_layers.ts";

/** The flags lsattr prints for a directory, or null where the file system has none. */
function flags(dir: string): string | null {
  const out = new Deno.Command("lsattr", { args: ["-d", dir], stderr: "null" }).outputSync();
  return out.success ? new TextDecoder().decode(out.stdout).split(" ")[0] : null;
}

Deno.test("spreadLayers() sets the TOPDIR flag (chattr +T) where the file system has flags", () => {
  const dir = Deno.makeTempDirSync({ prefix: "nook-spread-" });
  try {
    const before = flags(dir);
    spreadLayers(dir);
    spreadLayers(dir); // again: still set, no error
    if (before === null) return; // tmpfs and the like: nothing to check, nothing thrown
    assert.ok(!before.includes("T"), before);
    assert.ok(flags(dir)!.includes("T"), flags(dir)!);
    spreadLayers(`${dir}/missing`); // best effort: no error either
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
