// A container's files on Node and Bun: the bundle dist/node/nook.js (made by
// `deno task build`) copies files and directories into a detached container
// and out of it, writes and reads tar streams with `-`, lists the changes with
// `diff` and commits them as an image that runs.
import assert from "node:assert/strict";
import { busyboxImage, nookBytes, nookOn, RUNTIMES, storeRoot } from "./runtime_helpers.ts";

/** Runs a host program to completion. */
async function host(cmd: string, args: string[], stdin?: Uint8Array) {
  const child = new Deno.Command(cmd, {
    args,
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(stdin);
    await w.close();
  }
  const out = await child.output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

const tempDirs: string[] = [];
globalThis.addEventListener("unload", () => {
  for (const dir of tempDirs) Deno.removeSync(dir, { recursive: true });
});

/** Host files to copy in: hello.txt, tree/a.txt, tree/sub/b.txt and a tar of fromtar.txt. */
async function hostFiles(): Promise<{ dir: string; tar: Uint8Array }> {
  const dir = Deno.makeTempDirSync({ prefix: "nook-runtimes-files-" });
  tempDirs.push(dir);
  Deno.writeTextFileSync(`${dir}/hello.txt`, "hello from the host\n");
  Deno.mkdirSync(`${dir}/tree/sub`, { recursive: true });
  Deno.writeTextFileSync(`${dir}/tree/a.txt`, "a\n");
  Deno.writeTextFileSync(`${dir}/tree/sub/b.txt`, "b in sub\n");
  Deno.mkdirSync(`${dir}/packed`);
  Deno.writeTextFileSync(`${dir}/packed/fromtar.txt`, "from a tar on stdin\n");
  const tar = await new Deno.Command("tar", { args: ["-C", `${dir}/packed`, "-cf", "-", "."] })
    .output();
  assert.equal(tar.code, 0, new TextDecoder().decode(tar.stderr));
  return { dir, tar: tar.stdout };
}

for (const runtime of Object.keys(RUNTIMES)) {
  Deno.test(`dist/node/nook.js cp, diff and commit on ${runtime} copy in and out and keep the files`, async () => {
    const reference = await busyboxImage();
    const env = { NOOK_ROOT: storeRoot(`files-${runtime}`) };
    const nook = (args: string[], stdin?: string) => nookOn(runtime, args, env, stdin);
    const ok = async (args: string[]) => {
      const r = await nook(args);
      assert.equal(r.code, 0, `nook ${args.join(" ")}: ${r.stderr}`);
      return r.stdout;
    };
    const { dir, tar } = await hostFiles();
    await ok(["pull", "-q", reference]);
    const name = `files-${runtime}`;
    await ok(["run", "-d", "--name", name, reference, "busybox", "sleep", "600"]);
    try {
      // host -> container: a file into a directory, a directory under a new name
      await ok(["cp", `${dir}/hello.txt`, `${name}:/tmp/`]);
      await ok(["cp", `${dir}/tree`, `${name}:/tmp/tree`]);
      assert.equal(
        await ok(["exec", name, "cat", "/tmp/hello.txt", "/tmp/tree/a.txt", "/tmp/tree/sub/b.txt"]),
        "hello from the host\na\nb in sub\n",
      );
      // container -> host: a file the container wrote
      await ok(["exec", name, "sh", "-c", "echo written inside > /tmp/inside.txt"]);
      await ok(["cp", `${name}:/tmp/inside.txt`, `${dir}/out.txt`]);
      assert.equal(Deno.readTextFileSync(`${dir}/out.txt`), "written inside\n");
      await ok(["cp", `${name}:/tmp/tree`, `${dir}/tree-back`]);
      assert.equal(Deno.readTextFileSync(`${dir}/tree-back/sub/b.txt`), "b in sub\n");

      // container -> stdout as a tar, named after the path's last component
      const out = await nookBytes(runtime, ["cp", `${name}:/etc`, "-"], env);
      assert.equal(out.code, 0, out.stderr);
      const listed = await host("tar", ["-tf", "-"], out.stdout);
      assert.equal(listed.code, 0, listed.stderr);
      const names = listed.stdout.split("\n").map((n) => n.replace(/\/$/, ""));
      assert.ok(names.includes("etc"), listed.stdout);
      assert.ok(names.includes("etc/passwd"), listed.stdout);
      assert.ok(names.every((n) => n === "" || n === "etc" || n.startsWith("etc/")), listed.stdout);

      // a tar on stdin -> the container
      const into = await nookBytes(runtime, ["cp", "-", `${name}:/tmp`], env, tar);
      assert.equal(into.code, 0, into.stderr);
      assert.equal(await ok(["exec", name, "cat", "/tmp/fromtar.txt"]), "from a tar on stdin\n");

      const diff = (await ok(["diff", name])).split("\n");
      for (
        const line of [
          "C /tmp",
          "A /tmp/hello.txt",
          "A /tmp/inside.txt",
          "A /tmp/tree",
          "A /tmp/tree/sub/b.txt",
          "A /tmp/fromtar.txt",
        ]
      ) {
        assert.ok(diff.includes(line), `${line} in\n${diff.join("\n")}`);
      }

      const image = `localhost/files-${runtime}:1`;
      assert.match(await ok(["commit", name, image]), /^sha256:[0-9a-f]{64}\n$/);
      assert.equal(
        await ok(["run", "--rm", image, "cat", "/tmp/hello.txt", "/tmp/tree/sub/b.txt"]),
        "hello from the host\nb in sub\n",
      );
    } finally {
      await nook(["rm", "-f", name]);
    }
    assert.equal(await ok(["ps", "-aq"]), "");
  });
}
