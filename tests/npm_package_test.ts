// The npm package (scripts/build_npm.ts): built from this tree, packed with `npm pack`,
// installed from the tarball into an empty directory with npm, offline (koffi is packed from
// this tree's node_modules, so no registry is needed), then run: `npx nook run` and a Node
// program that imports the API, and the same on Bun (`bunx --bun nook`; Bun from the npm
// package `bun`).
import assert from "node:assert/strict";
import { busyboxRootfs, NET_HELPERS, repoRoot, requireAnyTool, testNeeds } from "./helpers.ts";
import { busyboxImage } from "./runtime_helpers.ts";

const repo = repoRoot();
const text = (b: Uint8Array) => new TextDecoder().decode(b);

interface Output {
  code: number;
  stdout: string;
  stderr: string;
}

async function sh(
  program: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<Output> {
  const out = await new Deno.Command(program, {
    args,
    cwd: options.cwd,
    env: options.env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

/** What every test shares: the package, built and installed once per test process. */
interface Installed {
  /** The directory the tarball was installed into (node_modules/nook inside). */
  app: string;
  /** The tarball `npm pack` made. */
  tarball: string;
  /** NOOK_ROOT for the containers. */
  root: string;
}

const work = Deno.makeTempDirSync({ prefix: "nook-npm-test-" });
let installed: Promise<Installed> | undefined;

globalThis.addEventListener("unload", () => {
  // Image layers hold files of subordinate ids: remove them as root in the user namespace.
  new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${repo}/cli/main.ts`, "unshare", "rm", "-rf", work],
  }).outputSync();
});

/** npm with a cache of its own (not the user's), and without asking any registry. */
function npm(args: string[], cwd: string): Promise<Output> {
  return sh("npm", [
    ...args,
    "--offline",
    `--cache=${work}/npm-cache`,
    "--no-audit",
    "--no-fund",
    "--no-update-notifier",
  ], { cwd });
}

function install(): Promise<Installed> {
  installed ??= (async () => {
    const pkg = `${work}/package`;
    const build = await sh(Deno.execPath(), [
      "run",
      "-A",
      `${repo}/scripts/build_npm.ts`,
      "--out",
      pkg,
    ]);
    assert.equal(build.code, 0, build.stderr);
    const tarballs = `${work}/tarballs`;
    Deno.mkdirSync(tarballs);
    // koffi and its prebuilt addon for this machine, from the tree's node_modules.
    const addon = `@koromix/koffi-linux-${Deno.build.arch === "aarch64" ? "arm64" : "x64"}`;
    const pack = await npm([
      "pack",
      pkg,
      `${repo}/node_modules/koffi`,
      `${repo}/node_modules/${addon}`,
      "--pack-destination",
      tarballs,
    ], work);
    assert.equal(pack.code, 0, pack.stderr);
    const app = `${work}/app`;
    Deno.mkdirSync(app);
    Deno.writeTextFileSync(`${app}/package.json`, '{ "name": "app", "private": true }\n');
    const files = [...Deno.readDirSync(tarballs)].map((e) => `${tarballs}/${e.name}`);
    const tarball = files.find((f) => /\/nook-\d+\.\d+\.\d+\.tgz$/.test(f));
    assert.ok(tarball, `no nook tarball among ${files.join(", ")}`);
    const add = await npm(["install", "--no-package-lock", ...files], app);
    assert.equal(add.code, 0, add.stderr);
    const root = `${work}/root`;
    Deno.mkdirSync(root);
    return { app, tarball, root };
  })();
  return installed;
}

/** Runs one of the app's programs with a clean environment (PATH without the repo's tools). */
function inApp(
  app: Installed,
  program: string,
  args: string[],
  root = app.root,
): Promise<Output> {
  return sh(program, args, {
    cwd: app.app,
    env: {
      NOOK_ROOT: root,
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      // npx: no registry, and no notice of a newer npm on stderr.
      npm_config_offline: "true",
      npm_config_update_notifier: "false",
      npm_config_cache: `${work}/npm-cache`,
    },
  });
}

const bun = `${repo}/node_modules/.bin/bun`;

Deno.test("npm package: the tarball holds the bundles, types, both shims and koffi as a dependency", async () => {
  const { tarball } = await install();
  const list = await sh("tar", ["-tzvf", tarball]);
  assert.equal(list.code, 0, list.stderr);
  const entries = new Map(
    list.stdout.trim().split("\n").map((line) => {
      const fields = line.trim().split(/\s+/);
      return [fields[fields.length - 1], fields[0]];
    }),
  );
  for (
    const file of [
      "package/package.json",
      "package/README.md",
      "package/LICENSE",
      "package/esm/cli.js",
      "package/esm/mod.js",
      "package/types/mod.d.ts",
      "package/shim/build/libnook_shim-x86_64.so",
      "package/shim/build/libnook_shim-aarch64.so",
    ]
  ) assert.ok(entries.has(file), `${file} missing from ${tarball}`);
  for (const arch of ["x86_64", "aarch64"]) {
    const mode = entries.get(`package/shim/build/nook-monitor-${arch}`);
    assert.match(mode ?? "", /^-rwxr-xr-x$/, `nook-monitor-${arch}: ${mode}`);
  }
  const manifest = JSON.parse(
    Deno.readTextFileSync(`${(await install()).app}/node_modules/nook/package.json`),
  );
  assert.deepEqual(manifest.bin, { nook: "esm/cli.js" });
  assert.equal(manifest.type, "module");
  assert.match(manifest.engines.node, /^>=20\./);
  assert.ok(manifest.dependencies.koffi);
});

Deno.test("npm package: the aarch64 shim and monitor are aarch64 ELF files", async () => {
  const { app } = await install();
  for (const file of ["libnook_shim-aarch64.so", "nook-monitor-aarch64"]) {
    const bytes = Deno.readFileSync(`${app}/node_modules/nook/shim/build/${file}`);
    // ELF magic, 64-bit, little-endian; e_machine (offset 18) 183 is EM_AARCH64.
    assert.deepEqual([...bytes.subarray(0, 6)], [0x7f, 0x45, 0x4c, 0x46, 2, 1], file);
    assert.equal(bytes[18] | (bytes[19] << 8), 183, file);
  }
});

Deno.test("npm package: its types check in a TypeScript program that imports nook", async () => {
  const { app } = await install();
  Deno.writeTextFileSync(
    `${app}/check.mts`,
    `import { run, type RunResult } from "nook";
const r: RunResult = await run({ rootfs: "/", command: ["true"], stdout: "pipe" });
const code: number = r.exitCode;
// @ts-expect-error: the exit code is a number
const wrong: string = r.exitCode;
export { code, wrong };
`,
  );
  const tsc = await sh(`${repo}/node_modules/.bin/tsc`, [
    "--noEmit",
    "--strict",
    "--module",
    "nodenext",
    "--target",
    "es2022",
    "--types",
    "node",
    "--typeRoots",
    `${repo}/node_modules/@types`,
    "check.mts",
  ], { cwd: app });
  assert.equal(tsc.code, 0, tsc.stdout + tsc.stderr);
});

for (const runtime of ["node", "bun"]) {
  Deno.test(`npm package: nook run --rm --rootfs on ${runtime} passes output and exit code`, async () => {
    const app = await install();
    const rootfs = await busyboxRootfs();
    const args = ["run", "--rm", "--rootfs", rootfs, "sh", "-c", "echo hi; echo oops >&2; exit 3"];
    const r = runtime === "node"
      ? await inApp(app, "npx", ["--no", "--", "nook", ...args])
      : await inApp(app, bun, ["x", "--bun", "nook", ...args]);
    assert.deepEqual([r.code, r.stdout, r.stderr], [3, "hi\n", "oops\n"]);
  });

  Deno.test(`npm package: nook --version on ${runtime} names the runtime and the package's shim`, async () => {
    const app = await install();
    const r = runtime === "node"
      ? await inApp(app, "npx", ["--no", "--", "nook", "--version"])
      : await inApp(app, bun, ["x", "--bun", "nook", "--version"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`\\nruntime: ${runtime} `));
    const arch = Deno.build.arch;
    assert.ok(
      r.stdout.includes(`(${app.app}/node_modules/nook/shim/build/libnook_shim-${arch}.so)`),
      r.stdout,
    );
  });

  Deno.test(`npm package: a ${runtime} program imports the API and runs a container`, async () => {
    const app = await install();
    const rootfs = await busyboxRootfs();
    Deno.writeTextFileSync(
      `${app.app}/api.mjs`,
      `import { run, NookError } from "nook";
const r = await run({
  rootfs: ${JSON.stringify(rootfs)},
  command: ["sh", "-c", "echo from $(hostname); echo err >&2; exit 5"],
  hostname: "npmbox",
  rm: true,
  stdout: "pipe",
  stderr: "pipe",
});
const d = new TextDecoder();
console.log(JSON.stringify({ code: r.exitCode, out: d.decode(r.stdout), err: d.decode(r.stderr) }));
try {
  await run({ rootfs: ${JSON.stringify(rootfs)}, command: ["/no/such/program"], rm: true });
} catch (err) {
  console.log(JSON.stringify({ nookError: err instanceof NookError, message: err.message }));
}
`,
    );
    const r = await inApp(app, runtime === "node" ? "node" : bun, ["api.mjs"]);
    assert.equal(r.code, 0, r.stderr);
    const [first, second] = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(first, { code: 5, out: "from npmbox\n", err: "err\n" });
    assert.equal(second?.nookError, true, r.stdout);
    assert.match(second.message, /\/no\/such\/program/);
  });

  testNeeds([requireAnyTool(NET_HELPERS)], {
    name: `npm package: a ${runtime} program pulls an image through the API, the CLI runs it`,
    fn: async () => {
      const app = await install();
      const reference = await busyboxImage();
      // A store of its own: the pull has to fetch and unpack (in a child: esm/cli.js).
      const root = `${work}/root-pull-${runtime}`;
      Deno.mkdirSync(root);
      Deno.writeTextFileSync(
        `${app.app}/pull.mjs`,
        `import { pull } from "nook";
const kinds = new Set();
const image = await pull(process.argv[2], { onProgress: (e) => kinds.add(e.kind) });
console.log(JSON.stringify({ id: image.id, names: image.names, kinds: [...kinds].sort() }));
`,
      );
      const exe = runtime === "node" ? "node" : bun;
      const pulled = await inApp(app, exe, ["pull.mjs", reference], root);
      assert.equal(pulled.code, 0, pulled.stderr);
      const record = JSON.parse(pulled.stdout);
      assert.match(record.id, /^sha256:[0-9a-f]{64}$/, pulled.stdout);
      assert.deepEqual(record.names, [reference]);
      assert.ok(record.kinds.includes("layer") && record.kinds.includes("resolved"), pulled.stdout);
      const args = ["run", "--rm", reference, "sh", "-c", "echo hi; exit 3"];
      const r = runtime === "node"
        ? await inApp(app, "npx", ["--no", "--", "nook", ...args], root)
        : await inApp(app, bun, ["x", "--bun", "nook", ...args], root);
      assert.deepEqual([r.code, r.stdout, r.stderr], [3, "hi\n", ""]);
    },
  });
}
