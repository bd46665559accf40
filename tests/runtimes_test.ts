// nook on Node and Bun: the bundle dist/node/nook.js (made by `deno task
// build`) runs a container on either runtime, with the shim bound through
// koffi (Node) or bun:ffi (Bun), and names its runtime in --version.
import assert from "node:assert/strict";
import { busyboxRootfs } from "./helpers.ts";
import {
  authRegistryStarted,
  busyboxImage,
  nookOn,
  registry,
  RUNTIMES,
  storeRoot,
  tlsBusyboxImage,
  tlsRegistry,
} from "./runtime_helpers.ts";

for (const runtime of Object.keys(RUNTIMES)) {
  Deno.test(`dist/node/nook.js --version on ${runtime} names ${runtime} and the shim`, async () => {
    const r = await nookOn(runtime, ["--version"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      new RegExp(`^nook version \\d+\\.\\d+\\.\\d+\\nruntime: ${runtime} \\d+\\.`),
    );
    assert.match(r.stdout, /\nshim: ABI \d+, sha256 [0-9a-f]{12} \(\/.*libnook_shim-\w+\.so\)\n$/);
  });

  Deno.test(`dist/node/nook.js run --rm --rootfs on ${runtime} passes output and exit code`, async () => {
    const rootfs = await busyboxRootfs();
    const r = await nookOn(runtime, [
      "run",
      "--rm",
      "--rootfs",
      rootfs,
      "sh",
      "-c",
      "echo hi; echo oops >&2; exit 3",
    ]);
    assert.equal(r.stdout, "hi\n");
    assert.equal(r.stderr, "oops\n");
    assert.equal(r.code, 3);
  });

  Deno.test(`dist/node/nook.js pulls from a registry and runs the image on ${runtime}`, async () => {
    const reference = await busyboxImage();
    const root = storeRoot(runtime);
    const env = { NOOK_ROOT: root };
    const pull = await nookOn(runtime, ["pull", reference], env);
    assert.equal(pull.code, 0, pull.stderr);
    assert.equal(pull.stdout.trim(), reference);
    const r = await nookOn(runtime, ["run", "--rm", reference, "sh", "-c", "echo hi; exit 3"], env);
    assert.equal(r.stdout, "hi\n", r.stderr);
    assert.equal(r.code, 3);
    // push to another repository; a fresh store pulls it back and runs it.
    const copy = `${registry!.host}/copies/${runtime}:1`;
    const push = await nookOn(runtime, ["push", "--tls-verify=false", reference, copy], env);
    assert.equal(push.code, 0, push.stderr);
    const other = storeRoot(runtime);
    const back = await nookOn(runtime, ["pull", copy], { NOOK_ROOT: other });
    assert.equal(back.code, 0, back.stderr);
    const again = await nookOn(runtime, ["run", "--rm", copy, "echo", "pushed"], {
      NOOK_ROOT: other,
    });
    assert.equal(again.stdout, "pushed\n", again.stderr);
  });

  Deno.test(`dist/node/nook.js runs, execs, lists, logs and removes a detached container on ${runtime}`, async () => {
    const rootfs = await busyboxRootfs();
    const root = storeRoot(runtime);
    const env = { NOOK_ROOT: root };
    const name = `detached-${runtime}`;
    const script = "echo started; echo oops >&2; sleep 30";
    const run = await nookOn(runtime, [
      "run",
      "-d",
      "--name",
      name,
      "--rootfs",
      rootfs,
      "sh",
      "-c",
      script,
    ], env);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^[0-9a-f]{64}\n$/);
    const exec = await nookOn(runtime, ["exec", name, "sh", "-c", "echo in; exit 4"], env);
    assert.equal(exec.stdout, "in\n", exec.stderr);
    assert.equal(exec.code, 4);
    const ps = await nookOn(runtime, ["ps", "--format", "{{.Names}} {{.State}}"], env);
    assert.equal(ps.stdout, `${name} running\n`, ps.stderr);
    // Its first lines land in the log soon after the start: read until they are there.
    let logs = await nookOn(runtime, ["logs", name], env);
    for (let i = 0; i < 50 && logs.stderr === ""; i++) {
      await new Promise((r) => setTimeout(r, 100));
      logs = await nookOn(runtime, ["logs", name], env);
    }
    assert.deepEqual([logs.code, logs.stdout, logs.stderr], [0, "started\n", "oops\n"]);
    const rm = await nookOn(runtime, ["rm", "-f", name], env);
    assert.equal(rm.code, 0, rm.stderr);
    assert.equal((await nookOn(runtime, ["ps", "-aq"], env)).stdout, "");
  });

  Deno.test(`dist/node/nook.js start -ai on ${runtime} attaches stdin and output`, async () => {
    const rootfs = await busyboxRootfs();
    const root = storeRoot(runtime);
    const env = { NOOK_ROOT: root };
    const script = "echo started; read x; echo got $x >&2; exit 7";
    const create = await nookOn(runtime, [
      "create",
      "-i",
      "--name",
      "att",
      "--rootfs",
      rootfs,
      "sh",
      "-c",
      script,
    ], env);
    assert.equal(create.code, 0, create.stderr);
    const start = await nookOn(runtime, ["start", "-ai", "att"], env, "hello\n");
    assert.deepEqual([start.code, start.stdout, start.stderr], [7, "started\n", "got hello\n"]);
    assert.equal((await nookOn(runtime, ["rm", "att"], env)).code, 0);
  });

  Deno.test(`dist/node/nook.js on ${runtime} pulls from a TLS registry with its CA in --cert-dir`, async () => {
    const reference = await tlsBusyboxImage();
    const root = storeRoot(runtime);
    const env = { NOOK_ROOT: root };
    const untrusted = await nookOn(runtime, ["pull", reference], env);
    assert.equal(untrusted.code, 125);
    assert.match(untrusted.stderr, /is not trusted .*give its CA with --cert-dir/);
    const pull = await nookOn(
      runtime,
      ["pull", "--cert-dir", tlsRegistry!.certDir!, reference],
      env,
    );
    assert.equal(pull.code, 0, pull.stderr);
    assert.equal(pull.stdout.trim(), reference);
  });

  Deno.test(`dist/node/nook.js login and logout on ${runtime}`, async () => {
    const reg = await authRegistryStarted();
    const root = storeRoot(runtime);
    Deno.mkdirSync(`${root}/run`, { mode: 0o700 });
    const env = {
      NOOK_ROOT: `${root}/store`,
      XDG_RUNTIME_DIR: `${root}/run`,
      XDG_CONFIG_HOME: `${root}/config`,
      DOCKER_CONFIG: `${root}/docker`,
    };
    const args = ["login", "-u", "nookuser", "--password-stdin", "--cert-dir", reg.certDir!];
    const wrong = await nookOn(runtime, [...args, reg.host], env, "wrong\n");
    assert.equal(wrong.code, 125);
    assert.match(wrong.stderr, new RegExp(`^nook: Cannot log in to '${reg.host}': .*password`));
    const login = await nookOn(runtime, [...args, reg.host], env, "s3cret\n");
    assert.equal(login.code, 0, login.stderr);
    assert.equal(login.stdout, "Login Succeeded\n");
    const auth = JSON.parse(Deno.readTextFileSync(`${root}/run/containers/auth.json`));
    assert.equal(atob(auth.auths[reg.host].auth), "nookuser:s3cret");
    const logout = await nookOn(runtime, ["logout", reg.host], env);
    assert.equal(logout.code, 0, logout.stderr);
    assert.equal(
      JSON.parse(Deno.readTextFileSync(`${root}/run/containers/auth.json`)).auths[reg.host],
      undefined,
    );
  });
}

Deno.test("dist/node/nook.js on node keeps V8's code cache per command, private, and ignores a bad or open one", async () => {
  const cache = Deno.makeTempDirSync({ prefix: "nook-node-cache-" });
  try {
    const env = { XDG_CACHE_HOME: cache };
    const dir = `${cache}/nook/node`;
    const first = await nookOn("node", ["--version"], env);
    assert.equal(first.code, 0, first.stderr);
    const files = () => [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    const [file, ...more] = files();
    assert.deepEqual(more, []);
    assert.match(file, /^nook-[0-9a-f]{16}\.cjs-v\d+\.\d+\.\d+-\w+---version\.bin$/);
    assert.equal(Deno.statSync(dir).mode! & 0o777, 0o700);
    assert.equal(Deno.statSync(`${dir}/${file}`).mode! & 0o777, 0o600);
    // Another command gets its own.
    assert.equal((await nookOn("node", ["info", "--format", "json"], env)).code, 0);
    assert.equal(files().length, 2);
    assert.ok(files().some((f) => f.endsWith("-info.bin")));

    // The cache of another build goes when this one writes its own.
    const stale = `${dir}/nook-0000000000000000.cjs-v20.0.0-x64-run.bin`;
    Deno.writeFileSync(stale, new Uint8Array(16));
    assert.equal((await nookOn("node", ["ps", "-a"], env)).code, 0);
    assert.ok(!files().includes(stale.slice(dir.length + 1)));
    assert.equal(files().length, 3);

    // A damaged cache: V8 rejects it, nook runs as before and writes it again.
    const junk = new Uint8Array(4096).fill(7);
    Deno.writeFileSync(`${dir}/${file}`, junk);
    const again = await nookOn("node", ["--version"], env);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout, first.stdout);
    assert.notDeepEqual(Deno.readFileSync(`${dir}/${file}`), junk);

    // A directory others may write to is not used: nothing is read or written there.
    Deno.removeSync(`${dir}/${file}`);
    Deno.chmodSync(dir, 0o777);
    const open = await nookOn("node", ["--version"], env);
    assert.equal(open.stdout, first.stdout, open.stderr);
    assert.ok(!files().includes(file));
  } finally {
    Deno.removeSync(cache, { recursive: true });
  }
});
