import assert from "node:assert/strict";
import { applyImageConfig, chainIds } from "./image_config.ts";

const config = {
  Entrypoint: ["/entry"],
  Cmd: ["default"],
  Env: ["A=1"],
  WorkingDir: "/w",
  User: "app",
};

Deno.test("applyImageConfig() follows docker: args replace Cmd, --entrypoint drops Cmd", () => {
  assert.deepEqual(applyImageConfig(config, {}).argv, ["/entry", "default"]);
  assert.deepEqual(applyImageConfig(config, { command: ["x", "y"] }).argv, ["/entry", "x", "y"]);
  assert.deepEqual(applyImageConfig(config, { entrypoint: "sh" }).argv, ["sh"]);
  assert.deepEqual(applyImageConfig(config, { entrypoint: "sh", command: ["-c", "id"] }).argv, [
    "sh",
    "-c",
    "id",
  ]);
  assert.deepEqual(applyImageConfig(config, { entrypoint: "", command: ["ls"] }).argv, ["ls"]);
  assert.deepEqual(applyImageConfig({ Cmd: ["sh"] }, {}).argv, ["sh"]);
});

Deno.test('applyImageConfig() takes an --entrypoint list as the argv; [""] clears the image\'s', () => {
  assert.deepEqual(applyImageConfig(config, { entrypoint: ["/bin/echo", "a b"] }).argv, [
    "/bin/echo",
    "a b",
  ]);
  assert.deepEqual(
    applyImageConfig(config, { entrypoint: ["/bin/echo"], command: ["x"] }).argv,
    ["/bin/echo", "x"],
  );
  assert.deepEqual(applyImageConfig(config, { entrypoint: [""], command: ["ls"] }).argv, ["ls"]);
});

Deno.test("applyImageConfig() takes env, workdir and user from the image unless overridden", () => {
  const p = applyImageConfig(config, {});
  assert.deepEqual([p.env, p.workdir, p.user], [["A=1"], "/w", "app"]);
  const o = applyImageConfig(config, { workdir: "/o", user: "0" });
  assert.deepEqual([o.workdir, o.user], ["/o", "0"]);
  assert.deepEqual(applyImageConfig({}, {}), {
    argv: [],
    env: [],
    workdir: undefined,
    user: undefined,
  });
});

Deno.test("chainIds() chains diff ids as docker does", async () => {
  const d1 = "sha256:" + "1".repeat(64);
  const d2 = "sha256:" + "2".repeat(64);
  const [c1, c2] = await chainIds([d1, d2]);
  assert.equal(c1, d1);
  const sum = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${d1} ${d2}`)),
  );
  assert.equal(c2, "sha256:" + Array.from(sum, (b) => b.toString(16).padStart(2, "0")).join(""));
});
