/**
 * End-to-end tests of nook's public API (`mod.ts`): `run()`,
 * `spawnContainer()` and `unshare()` against the real kernel, as an
 * unprivileged user with a subordinate id range.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  EXIT_NOT_FOUND,
  NookError,
  run,
  type RunOptions,
  SetupError,
  spawnContainer,
  unshare,
  UsageError,
} from "../mod.ts";
import { busyboxRootfs, hostUid } from "./helpers.ts";

/** The first uid of the test user's /etc/subuid range. */
function subuidStart(): number {
  const names = new Set([String(hostUid()), Deno.env.get("USER") ?? ""]);
  for (const line of Deno.readTextFileSync("/etc/subuid").split("\n")) {
    const [owner, start, count] = line.trim().split(":");
    if (names.has(owner) && Number(count) > 0) return Number(start);
  }
  throw new Error(`No /etc/subuid range for uid ${hostUid()}: run these tests as nooktest`);
}

const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** `run()` on the busybox rootfs with stdout and stderr captured. */
async function runPiped(command: string[], options: Partial<RunOptions> = {}) {
  const result = await run({
    rootfs: await busyboxRootfs(),
    command,
    stdout: "pipe",
    stderr: "pipe",
    ...options,
  });
  return {
    exitCode: result.exitCode,
    stdout: decode(result.stdout),
    stderr: decode(result.stderr),
  };
}

/** Reads a byte stream as lines of text, as they come. */
async function* lines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let buffered = "";
  for await (const text of stream.pipeThrough(new TextDecoderStream())) {
    buffered += text;
    let newline: number;
    while ((newline = buffered.indexOf("\n")) >= 0) {
      yield buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
    }
  }
  if (buffered !== "") yield buffered;
}

Deno.test("run() with stdout 'pipe' captures the output and the exit code", async () => {
  const result = await run({
    rootfs: await busyboxRootfs(),
    command: ["sh", "-c", "echo hello; exit 3"],
    stdout: "pipe",
  });
  assert.equal(result.exitCode, 3);
  assert.equal(decode(result.stdout), "hello\n");
  assert.equal(result.stderr.length, 0);
});

Deno.test("run() with stderr 'pipe' keeps stderr apart from stdout", async () => {
  const result = await runPiped(["sh", "-c", "echo out; echo err >&2; echo out2"]);
  assert.deepEqual(result, { exitCode: 0, stdout: "out\nout2\n", stderr: "err\n" });
});

Deno.test("run() with stdout 'null' discards the output", async () => {
  const result = await run({
    rootfs: await busyboxRootfs(),
    command: ["echo", "discarded"],
    stdout: "null",
    stderr: "pipe",
  });
  assert.equal(result.exitCode, 0);
  assert.equal(result.stdout.length, 0);
  assert.equal(decode(result.stderr), "");
});

Deno.test("run() captures output larger than a pipe buffer in full", async () => {
  const result = await runPiped(["sh", "-c", "seq 1 100000"]);
  assert.equal(result.exitCode, 0);
  const numbers = result.stdout.trim().split("\n");
  assert.equal(numbers.length, 100_000);
  assert.equal(numbers.at(-1), "100000");
});

Deno.test("run() takes env as a record", async () => {
  const result = await runPiped(["sh", "-c", 'echo "$GREETING|$EMPTY|$HOME"'], {
    env: { GREETING: "hello world", EMPTY: "" },
  });
  assert.deepEqual(result, { exitCode: 0, stdout: "hello world||/root\n", stderr: "" });
});

Deno.test("run() takes env as NAME=VALUE entries", async () => {
  const result = await runPiped(["sh", "-c", 'echo "$A $B"'], { env: ["A=1", "B=x=y"] });
  assert.equal(result.stdout, "1 x=y\n");
});

Deno.test("run() mounts volumes given as strings and as mount objects", async () => {
  const rw = await Deno.makeTempDir({ prefix: "nook-test-api-rw-" });
  const ro = await Deno.makeTempDir({ prefix: "nook-test-api-ro-" });
  try {
    await Deno.writeTextFile(`${ro}/in`, "from host\n");
    const result = await runPiped(
      ["sh", "-c", "cat /in/in; echo from container > /out/f; touch /in/x"],
      { volumes: [`${rw}:/out`, { type: "bind", source: ro, target: "/in", readOnly: true }] },
    );
    assert.equal(result.stdout, "from host\n");
    assert.equal(await Deno.readTextFile(`${rw}/f`), "from container\n");
    assert.equal(result.exitCode, 1, JSON.stringify(result));
    assert.match(result.stderr, /Read-only file system/);
  } finally {
    await Deno.remove(rw, { recursive: true });
    await Deno.remove(ro, { recursive: true });
  }
});

Deno.test("run() with user, workdir and hostname runs there as that user", async () => {
  const result = await runPiped(["sh", "-c", "id -u; pwd; hostname"], {
    user: "tester",
    workdir: "/home/tester",
    hostname: "api-box",
  });
  assert.deepEqual(result, { exitCode: 0, stdout: "1000\n/home/tester\napi-box\n", stderr: "" });
});

Deno.test("run() with init gives 128+N when the command dies of signal N", async () => {
  // With an init the command is not PID 1, which the kernel shields from its own kill.
  const result = await runPiped(["sh", "-c", "kill -USR1 $$"], { init: true });
  assert.equal(result.exitCode, 128 + 10, JSON.stringify(result));
});

Deno.test("spawnContainer() streams stdout line by line while it runs", async () => {
  const container = await spawnContainer({
    rootfs: await busyboxRootfs(),
    command: ["sh", "-c", "for i in 1 2 3; do echo line $i; sleep 0.1; done; exit 4"],
    stdout: "pipe",
  });
  assert.match(container.id, /^[0-9a-f]{64}$/);
  assert.ok(container.pid > 0);
  assert.equal(container.stderr, null);
  assert.ok(container.stdout, "no stdout stream");
  const seen: [string, number][] = [];
  const started = Date.now();
  for await (const line of lines(container.stdout)) seen.push([line, Date.now() - started]);
  assert.deepEqual(seen.map(([line]) => line), ["line 1", "line 2", "line 3"]);
  // The first line arrives before the container has ended (it sleeps 0.3 s in all).
  assert.ok(seen[0][1] < seen[2][1], `lines came at ${seen.map(([, t]) => t)} ms`);
  assert.equal((await container.status).exitCode, 4);
});

Deno.test("spawnContainer() kill() sends SIGTERM to the container's process", async () => {
  const container = await spawnContainer({
    rootfs: await busyboxRootfs(),
    command: [
      "sh",
      "-c",
      'trap "echo term; exit 6" TERM; echo ready; while :; do sleep 0.05; done',
    ],
    stdout: "pipe",
  });
  const reader = lines(container.stdout!);
  assert.deepEqual(await reader.next(), { value: "ready", done: false });
  container.kill();
  assert.deepEqual(await reader.next(), { value: "term", done: false });
  assert.equal((await reader.next()).done, true);
  assert.equal((await container.status).exitCode, 6);
});

Deno.test("run() with an AbortSignal kills a running container with exit code 137", async () => {
  const controller = new AbortController();
  const started = Date.now();
  const timer = setTimeout(() => controller.abort(), 300);
  try {
    const result = await run({
      rootfs: await busyboxRootfs(),
      command: ["sleep", "30"],
      signal: controller.signal,
    });
    assert.equal(result.exitCode, 137);
    assert.ok(Date.now() - started < 10_000, "the container was not killed");
  } finally {
    clearTimeout(timer);
  }
});

Deno.test("run() with a bad rootfs rejects with UsageError", async () => {
  const error = await run({ rootfs: "/nonexistent", command: ["true"] }).then(
    () => assert.fail("run() resolved"),
    (err: unknown) => err,
  );
  assert.ok(error instanceof UsageError, `got ${error}`);
  assert.ok(error instanceof NookError);
  assert.equal(error.exitCode, 125);
  assert.match(error.message, /\/nonexistent/);
});

Deno.test("run() with a relative rootfs rejects with UsageError", async () => {
  await assert.rejects(run({ rootfs: "relative/dir", command: ["true"] }), UsageError);
});

Deno.test("run() with no command rejects with UsageError", async () => {
  await assert.rejects(run({ rootfs: await busyboxRootfs(), command: [] }), UsageError);
});

Deno.test("run() of nosuchcmd rejects with SetupError whose exitCode is 127", async () => {
  const error = await run({ rootfs: await busyboxRootfs(), command: ["nosuchcmd"] }).then(
    () => assert.fail("run() resolved"),
    (err: unknown) => err,
  );
  assert.ok(error instanceof SetupError, `got ${error}`);
  assert.equal(error.exitCode, 127);
  assert.equal(error.exitCode, EXIT_NOT_FOUND);
  assert.equal(error.step, "exec");
  assert.equal(error.errno, 2);
  assert.match(error.message, /executable file not found in \$PATH/);
});

Deno.test("run() of a file that is not executable rejects with SetupError 126", async () => {
  const error = await run({ rootfs: await busyboxRootfs(), command: ["/bin/notexec"] }).catch((e) =>
    e
  );
  assert.ok(error instanceof SetupError, `got ${error}`);
  assert.equal(error.exitCode, 126);
  assert.equal(error.errno, 13);
});

Deno.test("unshare() runs a command as root in the user namespace", async () => {
  // unshare() inherits stdout; have the command report through its exit code.
  const status = await unshare(["sh", "-c", '[ "$(id -u)" = 0 ] && [ "$NOOK_UNSHARE" = 1 ]']);
  assert.equal(status.exitCode, 0);
  assert.equal((await unshare(["sh", "-c", "exit 12"])).exitCode, 12);
});

Deno.test("unshare() lets the user own files as a subordinate uid", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nook-test-unshare-" });
  try {
    await Deno.writeTextFile(`${dir}/f`, "x");
    const status = await unshare(["chown", "1", `${dir}/f`]);
    assert.equal(status.exitCode, 0);
    assert.equal(
      (await Deno.stat(`${dir}/f`)).uid,
      subuidStart(),
      "uid 1 inside is not the first subuid",
    );
    // Only nook unshare can give it back: the host user does not own it any more.
    assert.equal((await unshare(["chown", "0", `${dir}/f`])).exitCode, 0);
    assert.equal((await Deno.stat(`${dir}/f`)).uid, hostUid());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
