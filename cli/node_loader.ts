/**
 * The first code of nook's Node and Bun bundle (`dist/node/nook.js`, and
 * `esm/cli.js` of the npm package).
 *
 * - On Bun it imports the split ESM bundle (`main.js` beside it): Bun
 *   compiles fast, and a command then parses only its own chunks.
 * - On Node it runs the CommonJS bundle (`nook-<hash>.cjs` beside it)
 *   through V8's code cache. Node 20 has no compile cache of its own
 *   (`module.enableCompileCache` came in Node 22), and compiling nook's code
 *   was most of its start-up: measured, `node nook.js run --rm --rootfs DIR
 *   true` 73.4 -> 56.2 ms.
 *
 * The cache is `${XDG_CACHE_HOME:-$HOME/.cache}/nook/node/<bundle>-<node
 * version>-<arch>-<command>.bin`: one per command, as it holds the functions
 * that command's run compiled. The bundle's name holds the hash of its
 * content and of this loader, so a cache never meets other code: V8 itself
 * checks only the source's length, its own version and flags. It is written
 * once, when the process exits after a run that had none (or whose cache V8
 * rejected), atomically, in a directory that must be the user's own and
 * closed to others; anything else runs without a cache. Writing one removes
 * the caches of other builds. A cache is only ever a speed-up: every failure
 * to read or write one is ignored.
 *
 * scripts/build_node.sh defines `NOOK_CJS` (the CommonJS bundle's file name) and
 * `NOOK_ESM` (the ESM entry's path, relative to this file).
 *
 * @module
 */
import type * as NodeFs from "node:fs";
import type * as NodeVm from "node:vm";
import type * as NodeModule from "node:module";

declare const NOOK_CJS: string;
declare const NOOK_ESM: string;

interface LoaderProcess {
  versions: Record<string, string | undefined>;
  version: string;
  arch: string;
  pid: number;
  argv: string[];
  env: Record<string, string | undefined>;
  getuid(): number;
  getBuiltinModule(name: string): unknown;
  once(event: "exit", fn: () => void): void;
}

const proc = (globalThis as unknown as { process: LoaderProcess }).process;

/** The cache directory, made if missing; undefined when it is not safe to use. */
function cacheDir(fs: typeof NodeFs): string | undefined {
  const xdg = proc.env.XDG_CACHE_HOME;
  const home = proc.env.HOME;
  const base = xdg?.startsWith("/") ? xdg : home?.startsWith("/") ? `${home}/.cache` : undefined;
  if (!base) return undefined;
  const dir = `${base}/nook/node`;
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = fs.lstatSync(dir);
    if (!st.isDirectory() || st.uid !== proc.getuid() || (st.mode & 0o022) !== 0) return undefined;
    return dir;
  } catch {
    return undefined;
  }
}

/** Runs the CommonJS bundle with V8's code cache. */
function runWithCodeCache(): void {
  const fs = proc.getBuiltinModule("node:fs") as typeof NodeFs;
  const vm = proc.getBuiltinModule("node:vm") as typeof NodeVm;
  const mod = proc.getBuiltinModule("node:module") as typeof NodeModule;
  const url = new URL(`./${NOOK_CJS}`, import.meta.url);
  const file = decodeURIComponent(url.pathname);
  const source = fs.readFileSync(file, "utf8");
  const dir = cacheDir(fs);
  const command = /^[a-z_-]{1,32}$/.test(proc.argv[2] ?? "") ? proc.argv[2] : "other";
  const cachePath = dir && `${dir}/${NOOK_CJS}-${proc.version}-${proc.arch}-${command}.bin`;
  let cachedData: Uint8Array | undefined;
  try {
    if (cachePath) cachedData = fs.readFileSync(cachePath);
  } catch {
    // no cache yet
  }
  const script = new vm.Script(
    `(function (exports, require, module, __filename, __dirname, __nookMetaUrl) {${source}\n})`,
    // No importModuleDynamically: functions from the cache would not have it (build_node.sh
    // turns the bundle's import() of built-ins into require).
    { filename: file, cachedData },
  );
  if (cachePath && (!cachedData || script.cachedDataRejected)) {
    // At exit the functions this run compiled are in the script: they go in the cache too.
    proc.once("exit", () => {
      const part = `${cachePath}.${proc.pid}.part`;
      try {
        fs.writeFileSync(part, script.createCachedData(), { mode: 0o600, flag: "wx" });
        fs.renameSync(part, cachePath);
        // Caches of other builds of nook (an upgrade made them useless) go.
        for (const name of fs.readdirSync(dir)) {
          if (!name.startsWith(`${NOOK_CJS}-`)) fs.rmSync(`${dir}/${name}`, { force: true });
        }
      } catch {
        fs.rmSync(part, { force: true });
      }
    });
  }
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  const module = { exports: {} };
  const dirname = file.slice(0, file.lastIndexOf("/"));
  run(module.exports, mod.createRequire(file), module, file, dirname, url.href);
}

if (proc.versions.bun) await import(NOOK_ESM);
else runWithCodeCache();
