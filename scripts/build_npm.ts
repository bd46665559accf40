/**
 * `deno task build:npm`: nook as an npm package for Node (>= 20.16) and Bun,
 * doing what dnt would (dnt is not installable here):
 *
 * - `esm/`: ESM JavaScript bundled by esbuild, split into chunks:
 *   `esm/mod.js` (the API of mod.ts) and `esm/cli.js` (the `nook` command).
 *   koffi stays a dependency (it has a native addon).
 * - `types/`: `.d.ts` files for mod.ts, by the declaration emit of the npm
 *   package `typescript` (a dev dependency).
 * - `shim/build/`: the prebuilt shim and container monitor for each Linux
 *   architecture scripts/build_shim.sh made (x86_64, and aarch64 with Debian's
 *   cross compiler): shim/binding.ts finds them at `../shim/build/` from the
 *   bundle in `esm/`.
 * - package.json (`bin`, `exports`, `engines`, `os`, `cpu`, koffi), README
 *   (scripts/build_npm.README.md), LICENSE.
 *
 * The task builds the shim first; this script only packs what is built.
 *
 * Usage: deno run -A scripts/build_npm.ts [--out DIR]   (default dist/npm)
 *
 * @module
 */

const repo = decodeURIComponent(new URL("..", import.meta.url).pathname).replace(/\/$/, "");

/** The Linux architectures the package can carry: nook's name, and Node's for `cpu`. */
const ARCHES = [
  { arch: "x86_64", node: "x64" },
  { arch: "aarch64", node: "arm64" },
] as const;

/** The oldest Node that has everything nook uses (`process.getBuiltinModule`). */
const NODE_ENGINE = ">=20.16.0";

/** Build options. */
export interface BuildNpmOptions {
  /** Where the package is written (emptied first). */
  out: string;
}

/** What was built. */
export interface BuiltPackage {
  /** The package directory. */
  dir: string;
  /** The architectures whose shim it carries. */
  arches: string[];
}

function parseArgs(args: string[]): BuildNpmOptions {
  let out = `${repo}/dist/npm`;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--out" && i + 1 < args.length) out = args[++i];
    else if (args[i].startsWith("--out=")) out = args[i].slice("--out=".length);
    else {
      throw new Error(`build_npm: unknown argument '${args[i]}' (usage: build_npm.ts [--out DIR])`);
    }
  }
  return { out: out.startsWith("/") ? out : `${Deno.cwd()}/${out}` };
}

async function exec(program: string, args: string[], what: string): Promise<void> {
  const r = await new Deno.Command(program, { args, stdout: "piped", stderr: "piped" }).output();
  if (!r.success) {
    const text = new TextDecoder().decode(r.stdout) + new TextDecoder().decode(r.stderr);
    throw new Error(`build_npm: ${what} failed (exit code ${r.code}):\n${text.trim()}`);
  }
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** The two entries: each sets what a Node process needs before nook's code runs. */
function writeEntries(dir: string): { cli: string; mod: string } {
  const threadpool = [
    "// koffi's nonblocking calls run on libuv's pool (4 threads by default), and a container",
    "// keeps several blocking calls waiting at once: the pool reads this on its first use.",
    "const nodeEnv = (globalThis as unknown as { process: { env: Record<string, string | undefined> } })",
    "  .process.env;",
    'nodeEnv.UV_THREADPOOL_SIZE ??= "32";',
  ].join("\n");
  const cli = `${dir}/cli.ts`;
  Deno.writeTextFileSync(
    cli,
    `#!/usr/bin/env node\n// The nook command of the npm package.\nimport "${repo}/cli/node_main.ts";\n`,
  );
  const mod = `${dir}/mod.ts`;
  Deno.writeTextFileSync(
    mod,
    `${threadpool}
import { nodeProcess } from "${repo}/lib/sys/sys_node.ts";
import { setSelfCommand } from "${repo}/lib/sys/sys.ts";
export * from "${repo}/mod.ts";
// nook starts its own CLI in children (layer unpacking, --rm of a detached container): in a
// program that imports the API that is esm/cli.js beside this file, not the program itself.
setSelfCommand([
  nodeProcess().execPath,
  decodeURIComponent(new URL("./cli.js", import.meta.url).pathname),
]);
`,
  );
  return { cli, mod };
}

/**
 * Both entries in one split build, as dist/node/nook.js: a command then parses only its
 * own code (measured on Bun: `--version` 46.6 -> 20.8 ms, `run --rm` 58.4 -> 42.9 ms).
 */
async function bundle(entries: { cli: string; mod: string }, outdir: string): Promise<void> {
  await exec(`${repo}/node_modules/.bin/esbuild`, [
    entries.cli,
    entries.mod,
    "--bundle",
    "--splitting",
    "--format=esm",
    "--platform=neutral",
    "--target=node20",
    `--outdir=${outdir}`,
    "--log-level=warning",
    "--external:node:*",
    "--external:koffi",
    // cli/main.ts starts itself when it is the main module: here esm/cli.js starts it.
    "--define:import.meta.main=false",
  ], "esbuild");
}

/** Declarations for mod.ts, with Deno's types at hand for the sources that use them. */
async function declarations(tmp: string, outDir: string): Promise<void> {
  const denoTypes = `${tmp}/deno.d.ts`;
  const types = await new Deno.Command(`${repo}/node_modules/.bin/deno`, {
    args: ["types"],
    stdout: "piped",
  }).output();
  if (!types.success) throw new Error("build_npm: 'deno types' failed");
  Deno.writeFileSync(denoTypes, types.stdout);
  const config = {
    compilerOptions: {
      target: "es2022",
      module: "esnext",
      moduleResolution: "bundler",
      lib: ["es2024", "dom"],
      types: ["node"],
      typeRoots: [`${repo}/node_modules/@types`],
      strict: true,
      skipLibCheck: true,
      declaration: true,
      emitDeclarationOnly: true,
      allowImportingTsExtensions: true,
      rewriteRelativeImportExtensions: true,
      rootDir: repo,
      outDir,
    },
    files: [`${repo}/mod.ts`, denoTypes],
  };
  Deno.writeTextFileSync(`${tmp}/tsconfig.json`, JSON.stringify(config, null, 2));
  await exec(`${repo}/node_modules/.bin/tsc`, ["-p", `${tmp}/tsconfig.json`], "tsc");
  // The module's examples import it as the package does.
  const modTypes = `${outDir}/mod.d.ts`;
  Deno.writeTextFileSync(
    modTypes,
    Deno.readTextFileSync(modTypes).replaceAll('from "./mod.ts"', 'from "nook"'),
  );
}

/** Copies the shim and monitor of each architecture that is built; the host's must be. */
function copyShims(out: string): string[] {
  const host = Deno.build.arch;
  const dir = `${out}/shim/build`;
  Deno.mkdirSync(dir, { recursive: true });
  const arches: string[] = [];
  for (const { arch } of ARCHES) {
    const files = [`libnook_shim-${arch}.so`, `nook-monitor-${arch}`];
    const missing = files.filter((f) => !exists(`${repo}/shim/build/${f}`));
    if (missing.length > 0) {
      const fix = arch === host
        ? "build it with 'sh scripts/build_shim.sh' (needs a C compiler)"
        : "install Debian's gcc-aarch64-linux-gnu and libc6-dev-arm64-cross, then run " +
          "'sh scripts/build_shim.sh'";
      const text = `shim/build/${missing.join(", shim/build/")} is missing: ${fix}`;
      if (arch === host) throw new Error(`build_npm: ${text}`);
      console.warn(`build_npm: warning: the package will not run on ${arch}: ${text}`);
      continue;
    }
    for (const f of files) Deno.copyFileSync(`${repo}/shim/build/${f}`, `${dir}/${f}`);
    Deno.chmodSync(`${dir}/nook-monitor-${arch}`, 0o755);
    arches.push(arch);
  }
  return arches;
}

function writePackageJson(out: string, arches: string[]): void {
  const deno = JSON.parse(Deno.readTextFileSync(`${repo}/deno.json`));
  const dev = JSON.parse(Deno.readTextFileSync(`${repo}/package.json`));
  const manifest = {
    name: "nook",
    version: deno.version,
    description: "Rootless containers without a daemon: an OCI image or a rootfs, " +
      "run as an unprivileged user in namespaces of its own",
    license: "MIT",
    keywords: ["container", "rootless", "oci", "namespaces", "linux"],
    type: "module",
    bin: { nook: "esm/cli.js" },
    exports: {
      ".": { types: "./types/mod.d.ts", default: "./esm/mod.js" },
      "./package.json": "./package.json",
    },
    types: "./types/mod.d.ts",
    files: ["esm/", "types/", "shim/build/", "README.md", "LICENSE"],
    engines: { node: NODE_ENGINE },
    os: ["linux"],
    cpu: ARCHES.filter((a) => arches.includes(a.arch)).map((a) => a.node),
    dependencies: { koffi: dev.dependencies.koffi },
  };
  Deno.writeTextFileSync(`${out}/package.json`, JSON.stringify(manifest, null, 2) + "\n");
}

/**
 * Builds the npm package from the sources and the built shim.
 *
 * @param options Where to write it.
 * @returns The package directory and the architectures it carries.
 *
 * @example
 * ```ts ignore
 * const { dir } = await buildNpm({ out: "/tmp/nook-npm" });
 * ```
 */
export async function buildNpm(options: BuildNpmOptions): Promise<BuiltPackage> {
  const out = options.out;
  try {
    Deno.removeSync(out, { recursive: true });
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  Deno.mkdirSync(out, { recursive: true });
  const tmp = Deno.makeTempDirSync({ prefix: "nook-build-npm-" });
  try {
    const arches = copyShims(out);
    await bundle(writeEntries(tmp), `${out}/esm`);
    await declarations(tmp, `${out}/types`);
    writePackageJson(out, arches);
    Deno.copyFileSync(`${repo}/scripts/build_npm.README.md`, `${out}/README.md`);
    Deno.copyFileSync(`${repo}/LICENSE`, `${out}/LICENSE`);
    return { dir: out, arches };
  } finally {
    Deno.removeSync(tmp, { recursive: true });
  }
}

if (import.meta.main) {
  try {
    const built = await buildNpm(parseArgs(Deno.args));
    const rel = built.dir.startsWith(`${repo}/`) ? built.dir.slice(repo.length + 1) : built.dir;
    console.log(`built ${rel}/ (npm package; shim for linux ${built.arches.join(", ")})`);
  } catch (err) {
    console.error((err as Error).message);
    Deno.exit(1);
  }
}
