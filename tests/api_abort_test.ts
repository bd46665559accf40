/**
 * AbortSignals of the container API (`mod.ts`) on a real detached container,
 * as the unprivileged test user: an aborted exec ends its command, an
 * aborted `logs({ follow })` and `watchStats()` end their loops.
 *
 * @module
 */
import assert from "node:assert/strict";
import { runDetached } from "../mod.ts";
import { busyboxRootfs, repoRoot } from "./helpers.ts";

const root = Deno.makeTempDirSync({ prefix: "nook-api-abort-test-" });
globalThis.addEventListener("unload", () => {
  new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${repoRoot()}/cli/main.ts`, "unshare", "rm", "-rf", root],
  }).outputSync();
});
Deno.env.set("NOOK_ROOT", root);

Deno.test("exec, logs follow and watchStats end when their signal aborts", async () => {
  await using c = await runDetached({
    rootfs: await busyboxRootfs(),
    command: ["sh", "-c", "echo ready; while true; do sleep 1; done"],
  });

  // logs({ follow }) runs until aborted; the entries before come first.
  const following = new AbortController();
  const texts: string[] = [];
  for await (const e of c.logs({ follow: true, signal: following.signal })) {
    texts.push(e.text);
    if (e.text === "ready") following.abort();
  }
  assert.deepEqual(texts, ["ready"]);

  // An aborted exec ends its command (SIGKILL: 137); the container runs on.
  const stopExec = new AbortController();
  const p = await c.exec(["sleep", "600"], { signal: stopExec.signal });
  stopExec.abort();
  const { exitCode } = await p.status;
  assert.equal(exitCode, 137);
  assert.equal(c.inspect().State.Status, "running");

  // watchStats() samples until aborted.
  const watching = new AbortController();
  const samples = [];
  for await (const s of c.watchStats({ intervalMs: 100, signal: watching.signal })) {
    samples.push(s);
    if (samples.length === 2) watching.abort();
  }
  assert.equal(samples.length, 2);
  assert.ok(samples.every((s) => s.id === c.id));
});
