import { busyboxRootfs, hasSubidRange, hostUid, nook, repoRoot } from "./helpers.ts";

// Minimal assertions: @std/assert is not reachable (no JSR), and node:assert
// needs @types/node in node_modules to type-check.
const assert = {
  ok(value: unknown, message = "expected a truthy value"): void {
    if (!value) throw new Error(message);
  },
  equal(actual: unknown, expected: unknown, message = ""): void {
    if (!Object.is(actual, expected)) {
      throw new Error(`${message ? message + ": " : ""}'${actual}' !== '${expected}'`);
    }
  },
  deepEqual(actual: unknown, expected: unknown, message = ""): void {
    const [a, e] = [JSON.stringify(actual), JSON.stringify(expected)];
    if (a !== e) throw new Error(`${message ? message + ": " : ""}${a} !== ${e}`);
  },
  match(actual: string, pattern: RegExp): void {
    if (!pattern.test(actual)) throw new Error(`'${actual}' does not match ${pattern}`);
  },
  async rejects(
    promise: Promise<unknown>,
    expected: RegExp | (new (...args: never[]) => Error),
  ): Promise<void> {
    try {
      await promise;
    } catch (err) {
      if (expected instanceof RegExp) this.match(String((err as Error)?.message), expected);
      else if (!(err instanceof expected)) throw new Error(`Expected ${expected.name}, got ${err}`);
      return;
    }
    throw new Error("Expected a rejection, got a result");
  },
};

Deno.test("repoRoot() holds deno.json and scripts/test.sh", async () => {
  const root = repoRoot();
  assert.ok(root.startsWith("/"), `'${root}' is not absolute`);
  assert.ok(!root.endsWith("/"));
  assert.ok((await Deno.stat(`${root}/deno.json`)).isFile);
  assert.ok((await Deno.stat(`${root}/scripts/test.sh`)).isFile);
});

Deno.test("busyboxRootfs() builds it once per process", async () => {
  const [a, b] = await Promise.all([busyboxRootfs(), busyboxRootfs()]);
  assert.equal(a, b);
  assert.equal(await busyboxRootfs(), a);
  assert.match(a, /\/nook-test-rootfs-[^/]+$/);
});

Deno.test("busyboxRootfs() links every applet to /bin/busybox", async () => {
  const rootfs = await busyboxRootfs();
  const busybox = await Deno.lstat(`${rootfs}/bin/busybox`);
  assert.ok(busybox.isFile);
  assert.equal(busybox.mode! & 0o777, 0o755);
  const list = await new Deno.Command("/bin/busybox", { args: ["--list"] }).output();
  const applets = new TextDecoder().decode(list.stdout).split("\n").filter((name) => name);
  assert.ok(applets.length > 100, `only ${applets.length} applets`);
  for (const applet of applets.filter((name) => name !== "busybox")) {
    assert.equal(await Deno.readLink(`${rootfs}/bin/${applet}`), "busybox", applet);
  }
  for (const dir of ["usr/bin", "sbin"]) {
    assert.deepEqual(await Array.fromAsync(Deno.readDir(`${rootfs}/${dir}`)), [], dir);
  }
});

Deno.test("busyboxRootfs() has a /bin/sh that runs", async () => {
  const rootfs = await busyboxRootfs();
  const out = await new Deno.Command(`${rootfs}/bin/sh`, {
    args: ["-c", "echo $((6 * 7))"],
    stdin: "null",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  assert.equal(new TextDecoder().decode(out.stdout), "42\n");
});

Deno.test("busyboxRootfs() writes /etc/passwd and /etc/group", async () => {
  const rootfs = await busyboxRootfs();
  assert.equal(
    await Deno.readTextFile(`${rootfs}/etc/passwd`),
    "root:x:0:0:root:/root:/bin/sh\n" +
      "tester:x:1000:1000:tester:/home/tester:/bin/sh\n" +
      "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n",
  );
  assert.equal(
    await Deno.readTextFile(`${rootfs}/etc/group`),
    "root:x:0:\ntester:x:1000:\nextra:x:2000:tester\nnogroup:x:65534:\n",
  );
});

Deno.test("busyboxRootfs() makes empty dirs with their modes", async () => {
  const rootfs = await busyboxRootfs();
  const modes: Record<string, number> = {
    proc: 0o755,
    sys: 0o755,
    dev: 0o755,
    tmp: 0o1777,
    root: 0o755,
    "home/tester": 0o755,
    var: 0o755,
    run: 0o755,
  };
  for (const [dir, mode] of Object.entries(modes)) {
    const info = await Deno.lstat(`${rootfs}/${dir}`);
    assert.ok(info.isDirectory, dir);
    assert.equal((info.mode! & 0o7777).toString(8), mode.toString(8), dir);
    assert.deepEqual(await Array.fromAsync(Deno.readDir(`${rootfs}/${dir}`)), [], dir);
  }
});

Deno.test("busyboxRootfs() adds /bin/notexec, a script without exec bits", async () => {
  const rootfs = await busyboxRootfs();
  const info = await Deno.lstat(`${rootfs}/bin/notexec`);
  assert.ok(info.isFile);
  assert.equal((info.mode! & 0o7777).toString(8), "644");
  assert.equal(await Deno.readTextFile(`${rootfs}/bin/notexec`), "#!/bin/sh\necho hi\n");
});

Deno.test("hostUid() and hasSubidRange() describe the test user", () => {
  assert.equal(hostUid(), Deno.uid());
  const user = Deno.env.get("USER");
  if (user === "nooktest") assert.equal(hasSubidRange(), true);
  if (user === "nooksingle") assert.equal(hasSubidRange(), false);
});

/** Points repoRoot() at a fake repository whose cli/main.ts is `source`. */
async function withFakeCli(source: string, fn: () => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "nook-test-fakecli-" });
  const saved = Deno.env.get("NOOK_TEST_REPO");
  try {
    await Deno.mkdir(`${dir}/cli`);
    await Deno.writeTextFile(`${dir}/cli/main.ts`, source);
    Deno.env.set("NOOK_TEST_REPO", dir);
    await fn();
  } finally {
    if (saved === undefined) Deno.env.delete("NOOK_TEST_REPO");
    else Deno.env.set("NOOK_TEST_REPO", saved);
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("nook() passes args, stdin and env, and returns code and output", async () => {
  const source = `
    const input = await new Response(Deno.stdin.readable).text();
    console.log(JSON.stringify({ args: Deno.args, input, env: Deno.env.get("NOOK_X") }));
    console.error("to stderr");
    Deno.exit(3);
  `;
  await withFakeCli(source, async () => {
    const result = await nook(["run", "a b"], { stdin: "hello\n", env: { NOOK_X: "y" } });
    assert.equal(result.code, 3);
    assert.deepEqual(JSON.parse(result.stdout), {
      args: ["run", "a b"],
      input: "hello\n",
      env: "y",
    });
    assert.equal(result.stderr, "to stderr\n");
  });
});

Deno.test("nook() kills a CLI that outlives the timeout and throws", async () => {
  const source = `console.log("started"); await new Promise((r) => setTimeout(r, 60_000));`;
  await withFakeCli(source, async () => {
    const started = Date.now();
    await assert.rejects(
      nook(["hang"], { timeoutMs: 1_500 }),
      /did not exit within 1500 ms and was killed[\s\S]*started/,
    );
    assert.ok(Date.now() - started < 10_000);
  });
});

Deno.test("nook() rejects a timeout that is not positive", async () => {
  await assert.rejects(nook([], { timeoutMs: 0 }), RangeError);
});
