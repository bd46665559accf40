/**
 * The entry of nook's Node and Bun bundles (`dist/node/main.js` and
 * `dist/node/nook-<hash>.cjs`, which cli/node_loader.ts starts; made by
 * scripts/build.sh with `import.meta.main` defined false, so that
 * cli/main.ts does not start itself as well).
 *
 * @module
 */
import { runProgram } from "./main.ts";
import { nodeProcess } from "../lib/sys/sys_node.ts";

// koffi's asynchronous calls run on libuv's pool, 4 threads by default, and a
// container can keep more blocking calls waiting at once (see shim/binding_ffi.ts).
// The pool reads this on its first use, which comes after the modules load.
const env = (globalThis as unknown as { process: { env: Record<string, string | undefined> } })
  .process.env;
env.UV_THREADPOOL_SIZE ??= "32";

const proc = nodeProcess();
// No top-level await: this is also the entry of the CommonJS bundle (see node_loader.ts).
// runProgram ends the process; a failure it does not handle ends it as unhandled.
void runProgram([proc.execPath, proc.argv[1]]);
