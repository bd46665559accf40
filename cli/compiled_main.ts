/**
 * The entry of a compiled nook (`deno task compile`: `bun build --compile`,
 * and `deno compile` where Deno's runtime for it is at hand). The shim
 * library and the container monitor are embedded in the binary; they are
 * copied to the per-user cache and verified before anything else runs
 * (`shim/embedded_files.ts`), and nook starts itself again as the binary
 * alone (process.execPath), which takes the command line as it is.
 *
 * @module
 */
import { report } from "./report.ts";
import { runProgram } from "./main.ts";
import { sys } from "../lib/sys/sys.ts";
import { useEmbeddedFiles } from "../shim/embedded_files.ts";

/**
 * Where an embedded file is inside the binary: `bun build --compile --asset`
 * puts it beside the entry (`/$bunfs/root/NAME`), `deno compile --include`
 * keeps it at its place in the tree.
 */
function inside(name: string): string {
  const dir = typeof Deno === "object" ? "../shim/build/" : "./";
  return decodeURIComponent(new URL(`${dir}${name}`, import.meta.url).pathname);
}

const names = [`libnook_shim-${sys.arch}.so`, `nook-monitor-${sys.arch}`];
try {
  await useEmbeddedFiles(Object.fromEntries(names.map((n) => [n, inside(n)])), sys);
} catch (err) {
  sys.exit(await report(err));
}
await runProgram([sys.execPath()]);
