// Image archives on Node and Bun: the bundle dist/node/nook.js saves an image
// to a file and to a pipe, loads both back into fresh stores (one of them
// gzip'ed through stdin) and runs them; it exports a container's filesystem to
// a file and to a pipe, and imports both as images that hold what the
// container wrote; and it imports a directory.
import assert from "node:assert/strict";
import { busyboxRootfs } from "./helpers.ts";
import { busyboxImage, nookBytes, nookOn, RUNTIMES, storeRoot } from "./runtime_helpers.ts";

/** The names in a tar file, as `tar -tf` lists them. */
async function tarNames(path: string): Promise<string[]> {
  const out = await new Deno.Command("tar", { args: ["-tf", path], stderr: "piped" }).output();
  assert.equal(out.code, 0, `tar -tf ${path}: ${new TextDecoder().decode(out.stderr)}`);
  return new TextDecoder().decode(out.stdout).split("\n").filter((n) => n !== "");
}

/** A scratch directory for archives, removed after `fn`. */
async function withScratch(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = Deno.makeTempDirSync({ prefix: "nook-archives-" });
  try {
    await fn(dir);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

for (const runtime of Object.keys(RUNTIMES)) {
  Deno.test(`dist/node/nook.js on ${runtime} saves an image to a file and a pipe and loads both into fresh stores`, async () => {
    const reference = await busyboxImage();
    const env = { NOOK_ROOT: storeRoot(`${runtime}-save`) };
    const pull = await nookOn(runtime, ["pull", "-q", reference], env);
    assert.equal(pull.code, 0, pull.stderr);
    await withScratch(async (dir) => {
      const file = `${dir}/file.tar`;
      const save = await nookOn(runtime, ["save", "-o", file, reference], env);
      assert.deepEqual([save.code, save.stdout], [0, ""], save.stderr);
      const names = await tarNames(file);
      assert.ok(names.includes("manifest.json"), names.join(" "));
      assert.ok(names.some((n) => /^[0-9a-f]{64}\.tar$/.test(n)), names.join(" "));

      const piped = await nookBytes(runtime, ["save", reference], env);
      assert.equal(piped.code, 0, piped.stderr);
      // The same images make the same archive, whichever way it is written.
      assert.deepEqual(piped.stdout, Deno.readFileSync(file));
      const gzipped = `${dir}/piped.tar.gz`;
      const gzip = await new Deno.Command("sh", {
        args: ["-c", `gzip -c > '${gzipped}'`],
        stdin: "piped",
      }).spawn();
      const w = gzip.stdin.getWriter();
      await w.write(piped.stdout);
      await w.close();
      assert.equal((await gzip.status).code, 0);

      const fromFile = { NOOK_ROOT: storeRoot(`${runtime}-load-file`) };
      const load = await nookOn(runtime, ["load", "-q", "-i", file], fromFile);
      assert.deepEqual([load.code, load.stdout], [0, `Loaded image: ${reference}\n`], load.stderr);
      const fromStdin = { NOOK_ROOT: storeRoot(`${runtime}-load-stdin`) };
      const loadIn = await nookBytes(runtime, ["load"], fromStdin, Deno.readFileSync(gzipped));
      assert.equal(loadIn.code, 0, loadIn.stderr);
      assert.equal(new TextDecoder().decode(loadIn.stdout), `Loaded image: ${reference}\n`);
      assert.match(loadIn.stderr, /^Loading layer [0-9a-f]{12} \(\d+ bytes\)\n/);

      for (const store of [fromFile, fromStdin]) {
        const r = await nookOn(
          runtime,
          ["run", "--rm", reference, "sh", "-c", "echo loaded"],
          store,
        );
        assert.deepEqual([r.code, r.stdout], [0, "loaded\n"], r.stderr);
      }
    });
  });

  Deno.test(`dist/node/nook.js on ${runtime} exports a container to a file and a pipe and imports both as images`, async () => {
    const reference = await busyboxImage();
    const env = { NOOK_ROOT: storeRoot(`${runtime}-export`) };
    const pull = await nookOn(runtime, ["pull", "-q", reference], env);
    assert.equal(pull.code, 0, pull.stderr);
    const name = `exported-${runtime}`;
    const run = await nookOn(runtime, [
      "run",
      "--name",
      name,
      reference,
      "sh",
      "-c",
      `echo written on ${runtime} > /greeting`,
    ], env);
    assert.equal(run.code, 0, run.stderr);
    await withScratch(async (dir) => {
      const file = `${dir}/rootfs.tar`;
      const exported = await nookOn(runtime, ["export", "-o", file, name], env);
      assert.deepEqual([exported.code, exported.stdout], [0, ""], exported.stderr);
      const names = await tarNames(file);
      assert.ok(names.includes("greeting"), names.join(" "));
      assert.ok(names.includes("bin/busybox"), names.join(" "));
      assert.deepEqual(Array.from(Deno.readDirSync(dir), (e) => e.name), ["rootfs.tar"]);

      const piped = await nookBytes(runtime, ["export", name], env);
      assert.equal(piped.code, 0, piped.stderr);
      const pipedFile = `${dir}/piped.tar`;
      Deno.writeFileSync(pipedFile, piped.stdout);
      assert.deepEqual((await tarNames(pipedFile)).sort(), names.sort());

      const fromFile = await nookOn(runtime, ["import", file, `imported/${runtime}:file`], env);
      assert.equal(fromFile.code, 0, fromFile.stderr);
      assert.match(fromFile.stdout, /^sha256:[0-9a-f]{64}\n$/);
      const fromStdin = await nookBytes(
        runtime,
        ["import", "-", `imported/${runtime}:stdin`],
        env,
        Deno.readFileSync(pipedFile),
      );
      assert.equal(fromStdin.code, 0, fromStdin.stderr);
      assert.match(new TextDecoder().decode(fromStdin.stdout), /^sha256:[0-9a-f]{64}\n$/);

      for (const tag of ["file", "stdin"]) {
        const r = await nookOn(
          runtime,
          ["run", "--rm", `imported/${runtime}:${tag}`, "cat", "/greeting"],
          env,
        );
        assert.deepEqual([r.code, r.stdout], [0, `written on ${runtime}\n`], r.stderr);
      }
    });
    const rm = await nookOn(runtime, ["rm", name], env);
    assert.equal(rm.code, 0, rm.stderr);
  });

  Deno.test(`dist/node/nook.js on ${runtime} imports a directory as an image`, async () => {
    const env = { NOOK_ROOT: storeRoot(`${runtime}-import-dir`) };
    const image = `from-dir/${runtime}:1`;
    const imported = await nookOn(runtime, ["import", await busyboxRootfs(), image], env);
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stdout, /^sha256:[0-9a-f]{64}\n$/);
    const r = await nookOn(
      runtime,
      ["run", "--rm", image, "sh", "-c", "echo from a directory"],
      env,
    );
    assert.deepEqual([r.code, r.stdout], [0, "from a directory\n"], r.stderr);
  });
}
