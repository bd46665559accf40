/**
 * AbortSignals of the container API (`mod.ts`) on a real detached container,
 * as the unprivileged test user: an aborted exec ends its command, an
 * aborted `logs({ follow })` and `watchStats()` end their loops.
 *
 * @module
 */
import assert from "node:assert/strict";
import { getContainer, NoSuchContainerError, runDetached } from "../mod.ts";
import { busyboxRootfs, repoRoot, until } from "./helpers.ts";

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

Deno.test("wait() ends when its signal aborts; the container runs on and wait() sees its exit", async () => {
  await using c = await runDetached({
    rootfs: await busyboxRootfs(),
    command: ["sh", "-c", "trap 'exit 7' TERM; while true; do sleep 0.1; done"],
  });
  const waiting = new AbortController();
  const waited = c.wait({ signal: waiting.signal });
  waiting.abort(new Error("gave up"));
  await assert.rejects(waited, /gave up/);
  assert.equal(c.status().status, "running");
  await c.kill("SIGTERM");
  assert.equal(await c.wait(), 7);
});

Deno.test("restart(), rename() and update() on a container handle", async () => {
  await using c = await runDetached({
    rootfs: await busyboxRootfs(),
    command: ["sh", "-c", "echo started; while true; do sleep 0.1; done"],
    name: "api-handle-before",
  });
  const firstPid = c.inspect().State.Pid;
  const pid = await c.restart(1);
  assert.notEqual(pid, firstPid);
  assert.equal(c.inspect().State.Pid, pid);
  assert.equal(c.inspect().State.Status, "running");
  // Both starts wrote to the one log.
  await until("the restarted container's output in its log", async () => {
    let n = 0;
    for await (const e of c.logs()) if (e.text === "started") n++;
    return n === 2;
  });

  await c.rename("api-handle-after");
  assert.equal(c.inspect().Name, "/api-handle-after");
  assert.equal(getContainer("api-handle-after").id, c.id);
  assert.throws(() => getContainer("api-handle-before"), NoSuchContainerError);

  // The limits are kept in the record (applied where the host delegates cgroup v2).
  const warnings: string[] = [];
  const limits = await c.update({ pidsLimit: 64 }, { onWarning: (w) => warnings.push(w) });
  assert.equal(limits.pidsLimit, 64);
  assert.equal(getContainer(c.id).inspect().HostConfig.PidsLimit, 64);
});
