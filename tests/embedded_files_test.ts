// shim/embedded_files.ts: the per-user cache that a compiled nook copies its
// shim and monitor to, on the real file system (with nook's Deno `sys`).
import assert from "node:assert/strict";
import { repoRoot } from "./helpers.ts";
import { sys } from "../lib/sys/sys.ts";
import {
  type CacheFs,
  embeddedCacheDir,
  EmbeddedFileError,
  embeddedFilePath,
  isCompiled,
  useEmbeddedFiles,
} from "../shim/embedded_files.ts";

const NAME = `libnook_shim-${Deno.build.arch}.so`;
const SOURCE = `${repoRoot()}/shim/build/${NAME}`;

async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** nook's file operations with these environment variables. */
function withEnv(vars: Record<string, string>): CacheFs {
  return { ...sys, env: (name) => vars[name] };
}

/** A temp directory, removed afterwards (as root in the user namespace when asked). */
async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = Deno.makeTempDirSync({ prefix: "nook-embedded-" });
  try {
    await fn(dir);
  } finally {
    await unshareRemove(dir);
  }
}

async function unshareRemove(dir: string): Promise<void> {
  try {
    Deno.removeSync(dir, { recursive: true });
  } catch {
    await new Deno.Command(`${repoRoot()}/bin/nook`, { args: ["unshare", "rm", "-rf", dir] })
      .output();
  }
}

/** Gives `path` to another user: nobody (as root), else a subordinate uid of ours. */
async function giveAway(path: string): Promise<void> {
  if (Deno.uid() === 0) {
    Deno.chownSync(path, 65534, 65534);
    return;
  }
  const out = await new Deno.Command(`${repoRoot()}/bin/nook`, {
    args: ["unshare", "chown", "1:1", path],
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
}

Deno.test("embeddedCacheDir() prefers XDG_CACHE_HOME, then HOME/.cache", () => {
  const env = (vars: Record<string, string>) => (name: string) => vars[name];
  assert.equal(embeddedCacheDir(env({ XDG_CACHE_HOME: "/c", HOME: "/h" })), "/c/nook/bin");
  assert.equal(embeddedCacheDir(env({ XDG_CACHE_HOME: "rel", HOME: "/h" })), "/h/.cache/nook/bin");
  assert.throws(() => embeddedCacheDir(env({})), EmbeddedFileError);
});

Deno.test("useEmbeddedFiles() copies a file to a 0700 directory named by its hash", async () => {
  await withTempDir(async (dir) => {
    await useEmbeddedFiles({ [NAME]: SOURCE }, withEnv({ XDG_CACHE_HOME: `${dir}/xdg` }));
    assert.ok(isCompiled());
    const bytes = Deno.readFileSync(SOURCE);
    const hash = await sha256(bytes);
    const path = embeddedFilePath(NAME)!;
    const hashDir = `${dir}/xdg/nook/bin/${hash.slice(0, 32)}`;
    assert.equal(path, `${hashDir}/${NAME}`);
    assert.deepEqual(Deno.readFileSync(path), bytes);
    for (const d of [`${dir}/xdg`, `${dir}/xdg/nook`, `${dir}/xdg/nook/bin`, hashDir]) {
      assert.equal(Deno.statSync(d).mode! & 0o777, 0o700, d);
    }
    assert.equal(Deno.statSync(path).mode! & 0o777, 0o500);
    // Nothing else is left in the directory (no temporary file).
    assert.deepEqual([...Deno.readDirSync(hashDir)].map((e) => e.name), [NAME]);
  });
});

Deno.test("useEmbeddedFiles() replaces a damaged copy", async () => {
  await withTempDir(async (dir) => {
    const env = { XDG_CACHE_HOME: dir };
    await useEmbeddedFiles({ [NAME]: SOURCE }, withEnv(env));
    const path = embeddedFilePath(NAME)!;
    Deno.chmodSync(path, 0o600);
    Deno.writeFileSync(path, new TextEncoder().encode("not the shim"));
    await useEmbeddedFiles({ [NAME]: SOURCE }, withEnv(env));
    assert.equal(embeddedFilePath(NAME), path);
    assert.deepEqual(Deno.readFileSync(path), Deno.readFileSync(SOURCE));
  });
});

Deno.test("useEmbeddedFiles() refuses a cache directory with a loose mode", async () => {
  await withTempDir(async (dir) => {
    Deno.mkdirSync(`${dir}/nook`, { mode: 0o700 });
    Deno.mkdirSync(`${dir}/nook/bin`);
    Deno.chmodSync(`${dir}/nook/bin`, 0o750);
    await assert.rejects(
      useEmbeddedFiles({ [NAME]: SOURCE }, withEnv({ XDG_CACHE_HOME: dir })),
      (err: Error) =>
        err instanceof EmbeddedFileError &&
        err.message.includes(`'${dir}/nook/bin': its mode is 0750`) &&
        err.message.includes(`run 'chmod 700 ${dir}/nook/bin'`),
    );
  });
});

Deno.test("useEmbeddedFiles() refuses a cache directory of another user", async () => {
  await withTempDir(async (dir) => {
    Deno.mkdirSync(`${dir}/nook`, { mode: 0o700 });
    await giveAway(`${dir}/nook`);
    const owner = Deno.statSync(`${dir}/nook`).uid;
    await assert.rejects(
      useEmbeddedFiles({ [NAME]: SOURCE }, withEnv({ XDG_CACHE_HOME: dir })),
      (err: Error) =>
        err instanceof EmbeddedFileError &&
        err.message.includes(`'${dir}/nook': it belongs to uid ${owner}, not to you`),
    );
  });
});

Deno.test("useEmbeddedFiles() refuses a symlink in place of a cache directory", async () => {
  await withTempDir(async (dir) => {
    Deno.mkdirSync(`${dir}/elsewhere`, { mode: 0o700 });
    Deno.symlinkSync(`${dir}/elsewhere`, `${dir}/nook`);
    await assert.rejects(
      useEmbeddedFiles({ [NAME]: SOURCE }, withEnv({ XDG_CACHE_HOME: dir })),
      (err: Error) =>
        err instanceof EmbeddedFileError &&
        err.message.includes(`'${dir}/nook': it is not a directory`),
    );
    assert.deepEqual([...Deno.readDirSync(`${dir}/elsewhere`)], []);
  });
});
