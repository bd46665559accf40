/**
 * Runs the README's library example (the block after `<!-- api-example -->`)
 * as it is written, so the two cannot drift: only the rootfs path and the
 * `./mod.ts` specifier are replaced, then `deno test` runs it as the
 * unprivileged test user in a fresh store.
 *
 * @module
 */
import assert from "node:assert/strict";
import { busyboxRootfs, NET_HELPERS, repoRoot, requireAnyTool, testNeeds } from "./helpers.ts";

/** An example's code: the first ```ts block after `marker`. */
function readmeExample(marker = "<!-- api-example -->"): string {
  const readme = Deno.readTextFileSync(`${repoRoot()}/README.md`);
  const at = readme.indexOf(marker);
  assert.ok(at >= 0, `README.md lost its ${marker} marker`);
  const m = /```ts\n([\s\S]*?)\n```/.exec(readme.slice(at));
  assert.ok(m, `no \`\`\`ts block after ${marker}`);
  return m[1];
}

/** `./mod.ts` of an example, as an absolute URL (the example runs from a temp dir). */
function modUrl(code: string): string {
  return code.replace('"./mod.ts"', JSON.stringify(new URL(`file://${repoRoot()}/mod.ts`).href));
}

/** Removes a temp dir whose layers hold subordinate ids. */
async function removeAll(dir: string): Promise<void> {
  await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${repoRoot()}/cli/main.ts`, "unshare", "rm", "-rf", dir],
  }).output();
}

/** The ids of the store's containers (none left: the example cleaned up). */
function containersIn(store: string): string[] {
  try {
    return [...Deno.readDirSync(`${store}/containers`)].filter((e) => e.isDirectory)
      .map((e) => e.name);
  } catch {
    return [];
  }
}

testNeeds([requireAnyTool(NET_HELPERS)], {
  name: "the README's service-container example runs as written",
  fn: async () => {
    const code = readmeExample();
    assert.ok(code.includes('"/path/to/busybox-rootfs"') && code.includes('"./mod.ts"'));
    const dir = Deno.makeTempDirSync({ prefix: "nook-api-example-" });
    try {
      const file = `${dir}/readme_example_test.ts`;
      Deno.writeTextFileSync(
        file,
        modUrl(code.replace('"/path/to/busybox-rootfs"', JSON.stringify(await busyboxRootfs()))),
      );
      Deno.mkdirSync(`${dir}/store`);
      const r = await new Deno.Command(Deno.execPath(), {
        args: ["test", "-A", "--no-check", "--config", `${repoRoot()}/deno.json`, file],
        env: { NOOK_ROOT: `${dir}/store` },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const out = new TextDecoder().decode(r.stdout) + new TextDecoder().decode(r.stderr);
      assert.equal(r.code, 0, out);
      assert.match(out, /the page is served \.\.\. .*ok/);
      assert.deepEqual(containersIn(`${dir}/store`), [], "`await using` removes the container");
    } finally {
      await removeAll(dir);
    }
  },
});

Deno.test("the README's log-following example runs as written (an image named busybox)", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "nook-api-example-logs-" });
  try {
    const store = `${dir}/store`;
    Deno.mkdirSync(store);
    const made = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${repoRoot()}/cli/main.ts`, "import", await busyboxRootfs(), "busybox"],
      env: { NOOK_ROOT: store },
    }).output();
    assert.equal(made.code, 0, new TextDecoder().decode(made.stderr));
    const file = `${dir}/example.ts`;
    Deno.writeTextFileSync(file, modUrl(readmeExample("<!-- api-example-logs -->")));
    const r = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--no-check", "--config", `${repoRoot()}/deno.json`, file],
      env: { NOOK_ROOT: store },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const out = new TextDecoder().decode(r.stdout);
    assert.equal(r.code, 0, out + new TextDecoder().decode(r.stderr));
    assert.match(out, /^[1-9][0-9]*\n$/, "it prints the container's pid");
    assert.deepEqual(containersIn(store), [], "`await using` removes the container");
  } finally {
    await removeAll(dir);
  }
});
