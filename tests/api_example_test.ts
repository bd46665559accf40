/**
 * Runs the README's library example (the block after `<!-- api-example -->`)
 * as it is written, so the two cannot drift: only the rootfs path and the
 * `./mod.ts` specifier are replaced, then `deno test` runs it as the
 * unprivileged test user in a fresh store.
 *
 * @module
 */
import assert from "node:assert/strict";
import { busyboxRootfs, repoRoot } from "./helpers.ts";

const MARKER = "<!-- api-example -->";

/** The example's code: the first ```ts block after the marker. */
function readmeExample(): string {
  const readme = Deno.readTextFileSync(`${repoRoot()}/README.md`);
  const at = readme.indexOf(MARKER);
  assert.ok(at >= 0, `README.md lost its ${MARKER} marker`);
  const m = /```ts\n([\s\S]*?)\n```/.exec(readme.slice(at));
  assert.ok(m, `no \`\`\`ts block after ${MARKER}`);
  return m[1];
}

Deno.test("the README's service-container example runs as written", async () => {
  const code = readmeExample();
  assert.ok(code.includes('"/path/to/busybox-rootfs"') && code.includes('"./mod.ts"'));
  const dir = Deno.makeTempDirSync({ prefix: "nook-api-example-" });
  try {
    const file = `${dir}/readme_example_test.ts`;
    Deno.writeTextFileSync(
      file,
      code.replace('"/path/to/busybox-rootfs"', JSON.stringify(await busyboxRootfs()))
        .replace('"./mod.ts"', JSON.stringify(new URL(`file://${repoRoot()}/mod.ts`).href)),
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
    // `await using` removed the container.
    const left = [...Deno.readDirSync(`${dir}/store`)].map((e) => e.name);
    const containers = left.includes("containers")
      ? [...Deno.readDirSync(`${dir}/store/containers`)].filter((e) => e.isDirectory)
      : [];
    assert.deepEqual(containers, [], "the example left a container behind");
  } finally {
    await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${repoRoot()}/cli/main.ts`, "unshare", "rm", "-rf", dir],
    }).output();
  }
});
