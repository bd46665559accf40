// bin/nook runs the bundled CLI from dist/ (made by `deno task build`) and
// behaves exactly as `deno run -A cli/main.ts`.
import assert from "node:assert/strict";
import { busyboxRootfs, repoRoot } from "./helpers.ts";

async function launch(args: string[]) {
  const out = await new Deno.Command(`${repoRoot()}/bin/nook`, { args, stdin: "null" }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

Deno.test("bin/nook runs the bundle from dist/", () => {
  assert.ok(
    Deno.statSync(`${repoRoot()}/dist/main.js`).isFile,
    "deno task build makes dist/main.js",
  );
});

Deno.test("bin/nook --version and run behave as the sources do", async () => {
  const version = await launch(["--version"]);
  assert.equal(version.code, 0);
  assert.match(version.stdout, /^nook version \d+\.\d+\.\d+ \(deno /);
  const rootfs = await busyboxRootfs();
  const r = await launch([
    "run",
    "--rm",
    "--rootfs",
    rootfs,
    "sh",
    "-c",
    "echo $$ $(id -u); exit 9",
  ]);
  assert.equal(r.code, 9, r.stderr);
  assert.equal(r.stdout, "1 0\n");
  const bad = await launch(["run", "--rootfs", rootfs, "nosuchcmd"]);
  assert.equal(bad.code, 127);
  assert.match(bad.stderr, /^nook: exec: "nosuchcmd": executable file not found in \$PATH\n$/);
});
