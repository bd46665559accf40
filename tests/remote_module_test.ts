/**
 * nook imported from a URL, as a script that imports `jsr:@nook/nook` gets
 * it (`https://jsr.io/...`; JSR is out of reach here): the built tree served
 * over HTTP on 127.0.0.1 and a Deno program that imports
 * `http://127.0.0.1:PORT/mod.ts`. nook must fetch its shim and monitor into
 * the per-user cache, and re-execute itself (layer unpacking, the monitor's
 * removal of an `rm` container) through the URL of `cli/main.ts`.
 *
 * @module
 */
import assert from "node:assert/strict";
import { busyboxRootfs, repoRoot } from "./helpers.ts";
import { pushBusyboxImage, startRegistry } from "./registry_helpers.ts";

const ARCH = Deno.build.arch === "aarch64" ? "aarch64" : "x86_64";
const SHIM = `libnook_shim-${ARCH}.so`;
const MONITOR = `nook-monitor-${ARCH}`;

const TYPES: Record<string, string> = {
  ts: "application/typescript",
  json: "application/json",
};

/** A static file server over the repository on 127.0.0.1; `missing` paths answer 404. */
function serveRepo(missing: string[] = []): { origin: string; server: Deno.HttpServer } {
  const root = repoRoot();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const path = decodeURIComponent(new URL(req.url).pathname);
    if (missing.includes(path) || path.includes("/../")) {
      return new Response("not found", { status: 404 });
    }
    try {
      const body = await Deno.readFile(`${root}${path}`);
      const type = TYPES[path.slice(path.lastIndexOf(".") + 1)] ?? "application/octet-stream";
      return new Response(body, { headers: { "content-type": type } });
    } catch {
      return new Response("not found", { status: 404 });
    }
  });
  return { origin: `http://127.0.0.1:${server.addr.port}`, server };
}

/** The program a user writes: imports nook from `Deno.args[0]` and prints what it saw as JSON. */
const PROGRAM = `
const [modUrl, rootfs, image] = Deno.args;
const nook = await import(modUrl);
const decode = (b) => new TextDecoder().decode(b);
const seen = {};
const r = await nook.run({
  rootfs,
  command: ["sh", "-c", "echo remote $((6 * 7)); exit 3"],
  stdout: "pipe",
});
seen.run = { exitCode: r.exitCode, stdout: decode(r.stdout) };
// Detached with rm: the monitor runs it and removes it by starting nook again when it ends.
const c = await nook.runDetached({ rootfs, command: ["sh", "-c", "echo detached"], rm: true });
seen.removed = false;
for (let i = 0; i < 600 && !seen.removed; i++) {
  try {
    nook.getContainer(c.id);
    await new Promise((ok) => setTimeout(ok, 100));
  } catch (err) {
    if (!(err instanceof nook.NoSuchContainerError)) throw err;
    seen.removed = true;
  }
}
if (image) {
  // Pulling unpacks layers in nook's user namespace, in a child started from the URL.
  await nook.pull(image);
  const p = await nook.run({ image, command: ["cat", "/etc/nook-arch"], stdout: "pipe", rm: true });
  seen.image = { exitCode: p.exitCode, stdout: decode(p.stdout) };
}
console.log(JSON.stringify(seen));
`;

interface Env {
  dir: string;
  xdg: string;
  store: string;
  denoDir: string;
  program: string;
}

/** Fresh XDG_CACHE_HOME, NOOK_ROOT and DENO_DIR, and the program, in one temp dir. */
async function withEnv(fn: (env: Env) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "nook-remote-test-" });
  const env = {
    dir,
    xdg: `${dir}/xdg`,
    store: `${dir}/store`,
    denoDir: `${dir}/deno`,
    program: `${dir}/program.js`,
  };
  await Deno.writeTextFile(env.program, PROGRAM);
  try {
    await fn(env);
  } finally {
    // The store holds files of subordinate ids: remove it from nook's user namespace.
    await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${repoRoot()}/cli/main.ts`, "unshare", "rm", "-rf", dir],
    }).output();
  }
}

/** Runs the program with nook from `modUrl`; its exit code, stdout and stderr. */
async function runProgram(env: Env, args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--no-config", env.program, ...args],
    cwd: env.dir,
    env: { XDG_CACHE_HOME: env.xdg, NOOK_ROOT: env.store, DENO_DIR: env.denoDir },
    stdin: "null",
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

Deno.test("mod.ts imported from a URL fetches its shim and monitor into the cache and runs containers", async () => {
  await using registry = await startRegistry();
  const { reference } = await pushBusyboxImage(registry.host, "remote/busybox", "1");
  const { origin, server } = serveRepo();
  await withEnv(async (env) => {
    try {
      const out = await runProgram(env, [`${origin}/mod.ts`, await busyboxRootfs(), reference]);
      assert.equal(out.code, 0, out.stderr);
      const seen = JSON.parse(out.stdout.trim().split("\n").at(-1)!);
      assert.deepEqual(seen.run, { exitCode: 3, stdout: "remote 42\n" });
      assert.equal(seen.removed, true, "the rm container was not removed by its monitor");
      assert.deepEqual(seen.image, { exitCode: 0, stdout: "linux/amd64\n" });
    } finally {
      await server.shutdown();
    }

    // Each file is in the cache under its hash, in 0700 directories.
    for (const name of [SHIM, MONITOR]) {
      const bytes = await Deno.readFile(`${repoRoot()}/shim/build/${name}`);
      const dir = `${env.xdg}/nook/bin/${(await sha256(bytes)).slice(0, 32)}`;
      assert.deepEqual(await Deno.readFile(`${dir}/${name}`), bytes, name);
      for (const d of [env.xdg, `${env.xdg}/nook`, `${env.xdg}/nook/bin`, dir]) {
        assert.equal((await Deno.stat(d)).mode! & 0o777, 0o700, d);
      }
    }

    // The server is gone; the modules are in DENO_DIR, the shim must be fetched again.
    const gone = await runProgram(env, [`${origin}/mod.ts`, await busyboxRootfs()]);
    assert.notEqual(gone.code, 0);
    assert.match(
      gone.stderr,
      /EmbeddedFileError: Cannot fetch 'http:\/\/127\.0\.0\.1:\d+\/shim\/build\//,
    );
    assert.match(gone.stderr, /check that the server is reachable/);
    assert.match(gone.stderr, /NOOK_SHIM_PATH and NOOK_MONITOR_PATH/);
  });
});

Deno.test("mod.ts imported from a URL whose server lacks the shim names the URL and the fix", async () => {
  const { origin, server } = serveRepo([`/shim/build/${SHIM}`]);
  try {
    await withEnv(async (env) => {
      const out = await runProgram(env, [`${origin}/mod.ts`, await busyboxRootfs()]);
      assert.notEqual(out.code, 0);
      assert.ok(
        out.stderr.includes(
          `Cannot fetch '${origin}/shim/build/${SHIM}': the server answered 404 Not Found; ` +
            "the package may have been published without its native files " +
            "(run 'deno task build' before 'deno publish')",
        ),
        out.stderr,
      );
      assert.equal(out.stdout, "");
    });
  } finally {
    await server.shutdown();
  }
});
