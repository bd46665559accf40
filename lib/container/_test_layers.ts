/**
 * Layer directories for the unit tests of this folder, made from short specs.
 *
 * @module
 */
import assert from "node:assert/strict";
import { loadShim } from "../../shim/binding.ts";

const S_IFCHR = 0o020000;

/**
 * Makes files from a spec: "dir/", "file=text", "link->target", "wh:name", "opaque:dir".
 *
 * @param dir The layer directory.
 * @param spec The entries, parents first.
 */
export function makeLayer(dir: string, spec: string[]): void {
  const shim = loadShim();
  for (const item of spec) {
    if (item.startsWith("wh:")) {
      assert.equal(shim.mknod(`${dir}/${item.slice(3)}`, S_IFCHR, 0, 0), 0, item);
    } else if (item.startsWith("opaque:")) {
      const r = shim.lsetxattr(
        `${dir}/${item.slice(7)}`,
        "user.overlay.opaque",
        Uint8Array.of(0x79),
      );
      assert.equal(r, 0, item);
    } else if (item.startsWith("fuse-opaque:")) {
      const path = `${dir}/${item.slice(12)}`;
      assert.equal(shim.lsetxattr(path, "user.fuseoverlayfs.opaque", Uint8Array.of(0x79)), 0);
    } else if (item.includes("->")) {
      const [name, target] = item.split("->");
      Deno.symlinkSync(target, `${dir}/${name}`);
    } else if (item.endsWith("/")) {
      Deno.mkdirSync(`${dir}/${item}`, { recursive: true });
    } else {
      const [name, text] = item.split("=");
      Deno.writeTextFileSync(`${dir}/${name}`, text ?? "");
    }
  }
}

/**
 * Layer directories 0, 1, ... under a new temporary directory.
 *
 * @param layers Specs of the layers.
 * @returns The directories; dispose to remove them.
 */
export function stack(layers: string[][]): { root: string; paths: string[] } & Disposable {
  const root = Deno.makeTempDirSync({ prefix: "nook-tree-test-" });
  const paths = layers.map((spec, i) => {
    const dir = `${root}/${i}`;
    Deno.mkdirSync(dir);
    makeLayer(dir, spec);
    return dir;
  });
  return { root, paths, [Symbol.dispose]: () => Deno.removeSync(root, { recursive: true }) };
}
