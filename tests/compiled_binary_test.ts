// The single binary: dist/bin/nook (made by `deno task build` with `bun build
// --compile`, scripts/compile.sh), copied alone into an empty directory and run
// with a PATH that holds neither deno nor node nor bun, writes its embedded
// shim and monitor to the user's cache, pulls from a local registry, and runs,
// execs and removes containers.
import assert from "node:assert/strict";
import { NET_HELPERS, repoRoot, requireAnyTool, testNeeds } from "./helpers.ts";
import { pushBusyboxImage, startRegistry, type TestRegistry } from "./registry_helpers.ts";

const RUNTIMES = ["deno", "node", "nodejs", "bun", "bunx", "npm", "npx", "corepack"];

/** The test's world: the binary alone in a directory, a PATH without runtimes, a cache, a store. */
interface World {
  dir: string;
  nook: string;
  path: string;
  cache: string;
  root: string;
}

let world: World | undefined;
let registry: TestRegistry | undefined;
const tempDirs: string[] = [];

function setUp(): World {
  world ??= (() => {
    const built = `${repoRoot()}/dist/bin/nook`;
    assert.ok(
      Deno.statSync(built).isFile,
      `${built} is missing: build it with 'deno task build' (or 'deno task compile')`,
    );
    const dir = Deno.makeTempDirSync({ prefix: "nook-compiled-" });
    tempDirs.push(dir);
    const alone = `${dir}/alone`;
    Deno.mkdirSync(alone);
    Deno.copyFileSync(built, `${alone}/nook`);
    Deno.chmodSync(`${alone}/nook`, 0o755);
    // A PATH with every program of the system's directories but the JavaScript runtimes
    // (node lives in /usr/bin here, so the usual directories cannot be used as they are).
    const path = `${dir}/path`;
    Deno.mkdirSync(path);
    for (const sysDir of ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin"]) {
      let entries: Deno.DirEntry[];
      try {
        entries = [...Deno.readDirSync(sysDir)];
      } catch {
        continue;
      }
      for (const { name } of entries) {
        if (RUNTIMES.includes(name)) continue;
        try {
          Deno.symlinkSync(`${sysDir}/${name}`, `${path}/${name}`);
        } catch (err) {
          if (!(err instanceof Deno.errors.AlreadyExists)) throw err;
        }
      }
    }
    // An empty home: nothing of an earlier run (such as a cache in ~/.cache) helps this one.
    Deno.mkdirSync(`${dir}/home`, { mode: 0o700 });
    return { dir, nook: `${alone}/nook`, path, cache: `${dir}/cache`, root: `${dir}/root` };
  })();
  return world;
}

globalThis.addEventListener("unload", () => {
  registry?.stop();
  for (const dir of tempDirs) {
    // The store holds files of subordinate ids: remove it as root in the user namespace.
    new Deno.Command(`${dir}/alone/nook`, {
      args: ["unshare", "rm", "-rf", dir],
      env: {
        HOME: `${dir}/home`,
        PATH: `${dir}/path`,
        XDG_CACHE_HOME: `${dir}/cache`,
      },
      clearEnv: true,
    }).outputSync();
    try {
      Deno.removeSync(dir, { recursive: true });
    } catch {
      // Gone already.
    }
  }
});

/** Only the environment a CI job has, and the world's home, PATH, cache and store. */
function worldEnv(w: World, env: Record<string, string>): Record<string, string> {
  return {
    HOME: `${w.dir}/home`,
    USER: Deno.env.get("USER") ?? "",
    PATH: w.path,
    XDG_RUNTIME_DIR: Deno.env.get("XDG_RUNTIME_DIR") ?? `/run/user/${Deno.uid()!}`,
    XDG_CACHE_HOME: w.cache,
    NOOK_ROOT: w.root,
    ...env,
  };
}

/** Runs the copied binary in its empty directory, with only the environment a CI job has. */
function nook(w: World, args: string[], env: Record<string, string> = {}) {
  return runIn(w, w.nook, args, env);
}

/** Runs a shell script in the world; `$0` is the copied binary, `$1`... are `args`. */
function shell(w: World, script: string, args: string[], env: Record<string, string> = {}) {
  return runIn(w, "/bin/sh", ["-c", script, w.nook, ...args], env);
}

async function runIn(w: World, program: string, args: string[], env: Record<string, string>) {
  const out = await new Deno.Command(program, {
    args,
    cwd: `${w.dir}/alone`,
    clearEnv: true,
    env: worldEnv(w, env),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

/** A registry with a busybox image, started by the first test that needs it. */
let busybox: Promise<string> | undefined;
function busyboxReference(): Promise<string> {
  busybox ??= (async () => {
    registry = await startRegistry();
    return (await pushBusyboxImage(registry.host, "test/busybox", "1.0")).reference;
  })();
  return busybox;
}

async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

Deno.test("compiled nook: the binary is alone and PATH has no JavaScript runtime", async () => {
  const w = setUp();
  assert.deepEqual([...Deno.readDirSync(`${w.dir}/alone`)].map((e) => e.name), ["nook"]);
  const found = await new Deno.Command("/bin/sh", {
    args: ["-c", `for p in ${RUNTIMES.join(" ")}; do command -v $p; done; true`],
    clearEnv: true,
    env: { PATH: w.path },
  }).output();
  assert.equal(new TextDecoder().decode(found.stdout), "");
});

Deno.test("compiled nook --version names bun, compiled, and the shim's verified copy in the cache", async () => {
  const w = setUp();
  const r = await nook(w, ["--version"]);
  assert.equal(r.code, 0, r.stderr);
  const arch = Deno.build.arch;
  const m = r.stdout.match(
    new RegExp(
      `^nook version \\d+\\.\\d+\\.\\d+\\nruntime: bun \\d+\\.\\d+\\.\\d+ \\(${arch}, compiled\\)\\n` +
        `shim: ABI \\d+, sha256 ([0-9a-f]{12}) \\((.*)\\)\\n$`,
    ),
  );
  assert.ok(m, r.stdout);
  const [, short, path] = m;
  // The copy is named by its content's hash and holds the shim that was built.
  const built = Deno.readFileSync(`${repoRoot()}/shim/build/libnook_shim-${arch}.so`);
  const hash = await sha256(built);
  assert.equal(short, hash.slice(0, 12));
  assert.equal(path, `${w.cache}/nook/bin/${hash.slice(0, 32)}/libnook_shim-${arch}.so`);
  assert.deepEqual(Deno.readFileSync(path), built);
  const monitor = Deno.readFileSync(`${repoRoot()}/shim/build/nook-monitor-${arch}`);
  const monitorHash = await sha256(monitor);
  assert.deepEqual(
    Deno.readFileSync(`${w.cache}/nook/bin/${monitorHash.slice(0, 32)}/nook-monitor-${arch}`),
    monitor,
  );
  for (
    const dir of [
      `${w.cache}/nook`,
      `${w.cache}/nook/bin`,
      `${w.cache}/nook/bin/${hash.slice(0, 32)}`,
    ]
  ) {
    assert.equal(Deno.statSync(dir).mode! & 0o777, 0o700, dir);
  }
});

testNeeds([requireAnyTool(NET_HELPERS)], {
  name: "compiled nook pulls from a registry, runs, execs and removes containers",
  fn: async () => {
    const w = setUp();
    const reference = await busyboxReference();
    const pull = await nook(w, ["pull", reference]);
    assert.equal(pull.code, 0, pull.stderr);
    assert.equal(pull.stdout.trim(), reference);

    const once = await nook(w, [
      "run",
      "--rm",
      reference,
      "sh",
      "-c",
      "echo hi; echo oops >&2; exit 3",
    ]);
    assert.deepEqual([once.code, once.stdout, once.stderr], [3, "hi\n", "oops\n"]);

    const run = await nook(w, ["run", "-d", "--name", "svc", reference, "busybox", "sleep", "60"]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^[0-9a-f]{64}\n$/);
    const exec = await nook(w, ["exec", "svc", "sh", "-c", "echo in; exit 4"]);
    assert.deepEqual([exec.code, exec.stdout], [4, "in\n"], exec.stderr);
    const ps = await nook(w, ["ps", "--format", "{{.Names}} {{.State}}"]);
    assert.equal(ps.stdout, "svc running\n", ps.stderr);
    const rm = await nook(w, ["rm", "-f", "svc"]);
    assert.equal(rm.code, 0, rm.stderr);

    // --rm on a detached container: the monitor starts the binary itself to remove it.
    const detached = await nook(w, ["run", "-d", "--rm", "--name", "brief", reference, "true"]);
    assert.equal(detached.code, 0, detached.stderr);
    let left = await nook(w, ["ps", "-aq"]);
    for (let i = 0; i < 100 && left.stdout !== ""; i++) {
      await new Promise((r) => setTimeout(r, 100));
      left = await nook(w, ["ps", "-aq"]);
    }
    assert.equal(left.stdout, "", left.stderr);
  },
});

Deno.test("compiled nook copies files into and out of a container, lists and commits them", async () => {
  const w = setUp();
  const reference = await busyboxReference();
  const ok = async (args: string[]) => {
    const r = await nook(w, args);
    assert.equal(r.code, 0, `nook ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  };
  await ok(["pull", "-q", reference]);
  Deno.writeTextFileSync(`${w.dir}/in.txt`, "copied in\n");
  await ok(["run", "-d", "--name", "files", reference, "busybox", "sleep", "60"]);
  try {
    await ok(["cp", `${w.dir}/in.txt`, "files:/tmp/"]);
    assert.equal(await ok(["exec", "files", "cat", "/tmp/in.txt"]), "copied in\n");
    await ok(["exec", "files", "sh", "-c", "echo made inside > /tmp/made.txt"]);
    await ok(["cp", "files:/tmp/made.txt", `${w.dir}/out.txt`]);
    assert.equal(Deno.readTextFileSync(`${w.dir}/out.txt`), "made inside\n");
    assert.equal(await ok(["diff", "files"]), "C /tmp\nA /tmp/in.txt\nA /tmp/made.txt\n");
    assert.match(await ok(["commit", "files", "localhost/compiled-files:1"]), /^sha256:/);
    assert.equal(
      await ok([
        "run",
        "--rm",
        "localhost/compiled-files:1",
        "cat",
        "/tmp/in.txt",
        "/tmp/made.txt",
      ]),
      "copied in\nmade inside\n",
    );
  } finally {
    await nook(w, ["rm", "-f", "files"]);
  }
});

Deno.test("compiled nook saves, loads, exports and imports, through files and pipes", async () => {
  const w = setUp();
  const reference = await busyboxReference();
  const pull = await nook(w, ["pull", "-q", reference]);
  assert.equal(pull.code, 0, pull.stderr);
  const archive = `${w.dir}/busybox.tar`;
  const save = await nook(w, ["save", "-o", archive, reference]);
  assert.deepEqual([save.code, save.stdout], [0, ""], save.stderr);
  const list = await new Deno.Command("tar", { args: ["-tf", archive] }).output();
  assert.match(new TextDecoder().decode(list.stdout), /^manifest\.json$/m);

  const fromFile = { NOOK_ROOT: `${w.dir}/root-file` };
  const load = await nook(w, ["load", "-q", "-i", archive], fromFile);
  assert.deepEqual([load.code, load.stdout], [0, `Loaded image: ${reference}\n`], load.stderr);
  const fromPipe = { NOOK_ROOT: `${w.dir}/root-pipe` };
  const piped = await shell(w, '"$0" save "$1" | NOOK_ROOT="$2" "$0" load -q', [
    reference,
    fromPipe.NOOK_ROOT,
  ]);
  assert.deepEqual([piped.code, piped.stdout], [0, `Loaded image: ${reference}\n`], piped.stderr);
  for (const store of [fromFile, fromPipe]) {
    const r = await nook(w, ["run", "--rm", reference, "echo", "loaded"], store);
    assert.deepEqual([r.code, r.stdout], [0, "loaded\n"], r.stderr);
  }

  const run = await nook(w, ["run", "--name", "exp", reference, "sh", "-c", "echo mine > /note"]);
  assert.equal(run.code, 0, run.stderr);
  const rootfs = `${w.dir}/rootfs.tar`;
  const exported = await nook(w, ["export", "-o", rootfs, "exp"]);
  assert.deepEqual([exported.code, exported.stdout], [0, ""], exported.stderr);
  const imported = await nook(w, ["import", rootfs, "imported/file:1"]);
  assert.match(imported.stdout, /^sha256:[0-9a-f]{64}\n$/, imported.stderr);
  const pipe = await shell(w, '"$0" export exp | "$0" import - imported/pipe:1', []);
  assert.match(pipe.stdout, /^sha256:[0-9a-f]{64}\n$/, pipe.stderr);
  for (const image of ["imported/file:1", "imported/pipe:1"]) {
    const r = await nook(w, ["run", "--rm", image, "cat", "/note"]);
    assert.deepEqual([r.code, r.stdout], [0, "mine\n"], r.stderr);
  }
  assert.equal((await nook(w, ["rm", "exp"])).code, 0);
});

Deno.test("compiled nook refuses a cache directory that others can enter", async () => {
  const w = setUp();
  const cache = `${w.dir}/open-cache`;
  Deno.mkdirSync(`${cache}/nook/bin`, { recursive: true });
  Deno.chmodSync(`${cache}/nook`, 0o700);
  Deno.chmodSync(`${cache}/nook/bin`, 0o755);
  const r = await nook(w, ["--version"], { XDG_CACHE_HOME: cache });
  assert.equal(r.code, 125);
  assert.equal(r.stdout, "");
  assert.equal(
    r.stderr,
    `nook: Refusing nook's cache directory '${cache}/nook/bin': its mode is 0755, which lets ` +
      `other users in; it must be 0700: run 'chmod 700 ${cache}/nook/bin', or set ` +
      "XDG_CACHE_HOME to a directory of yours\n",
  );
  assert.deepEqual([...Deno.readDirSync(`${cache}/nook/bin`)], []);
});
