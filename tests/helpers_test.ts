import {
  busyboxRootfs,
  hasSubidRange,
  hostUid,
  httpGetScript,
  inCi,
  needsDefinition,
  NET_HELPERS,
  nook,
  repoRoot,
  requireAnyTool,
  requireHost,
  requireSubidRange,
  requireTool,
  testNeeds,
} from "./helpers.ts";

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

// ---------------------------------------------------------------------------
// Needs: the one way a test is skipped (or, with CI=true, fails)

/** Runs `fn` with a temporary directory, removed after. */
async function withTempDir(fn: (dir: string) => Promise<void> | void): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "nook-test-needs-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("requireTool() finds an executable file in the directories it is given, and nothing else", async () => {
  await withTempDir((dir) => {
    // A PATH without nft, as on a host where nftables is not installed.
    const missing = requireTool("nft", "nftables", { path: `${dir}/none:${dir}` });
    assert.deepEqual(missing, {
      met: false,
      reason: "needs 'nft' (Debian package nftables)",
      fix: "install it, e.g. with scripts/provision.sh",
      failsInCi: true,
    });
    Deno.writeTextFileSync(`${dir}/nft`, "#!/bin/sh\n", { mode: 0o644 });
    Deno.chmodSync(`${dir}/nft`, 0o644);
    assert.equal(requireTool("nft", "nftables", { path: dir }).met, false, "not executable");
    Deno.chmodSync(`${dir}/nft`, 0o755);
    assert.equal(requireTool("nft", "nftables", { path: `/nonexistent:${dir}` }).met, true);
    Deno.mkdirSync(`${dir}/ip`, { mode: 0o755 });
    assert.equal(requireTool("ip", "iproute2", { path: dir }).met, false, "a directory");
  });
  // By default: PATH and the system directories, where the test host has sh.
  assert.equal(requireTool("sh", "dash").met, true);
  assert.equal(requireTool("nook-no-such-tool", "nook-no-such-package").met, false);
});

Deno.test("requireAnyTool() is met by any one of its tools and names each package", async () => {
  await withTempDir((dir) => {
    const none = requireAnyTool(NET_HELPERS, { path: dir });
    assert.equal(none.met, false);
    assert.equal(
      none.reason,
      "needs 'pasta' (Debian package passt) or 'slirp4netns' (Debian package slirp4netns)",
    );
    assert.equal(none.fix, "install one, e.g. with scripts/provision.sh");
    Deno.writeTextFileSync(`${dir}/slirp4netns`, "#!/bin/sh\n", { mode: 0o755 });
    Deno.chmodSync(`${dir}/slirp4netns`, 0o755);
    assert.equal(requireAnyTool(NET_HELPERS, { path: dir }).met, true);
  });
  let thrown: unknown;
  try {
    requireAnyTool([]);
  } catch (err) {
    thrown = err;
  }
  assert.ok(thrown instanceof RangeError, `${thrown}`);
});

Deno.test("requireSubidRange() and requireHost() say why, and only the range fails in CI", () => {
  const range = requireSubidRange();
  assert.equal(range.met, hasSubidRange());
  assert.equal(range.reason, `needs an /etc/subuid range of uid ${hostUid()}`);
  assert.equal(range.failsInCi, true);
  assert.deepEqual(requireHost(false, "run as root"), {
    met: false,
    reason: "run as root",
    fix: "",
    failsInCi: false,
  });
});

Deno.test("inCi() is true for CI=true or 1, false when CI is unset, empty, 0 or false", () => {
  assert.deepEqual(
    ["true", "TRUE", "1", "yes", undefined, "", "0", "false", "False"].map((CI) => inCi({ CI })),
    [true, true, true, true, false, false, false, false, false],
  );
});

/** The error a test definition's fn throws, or undefined. */
async function thrownBy(definition: Deno.TestDefinition): Promise<unknown> {
  try {
    await definition.fn({} as Deno.TestContext);
  } catch (err) {
    return err;
  }
  return undefined;
}

Deno.test("needsDefinition() with CI=true fails a test whose tool is missing, naming the Debian package", async () => {
  await withTempDir(async (dir) => {
    // The PATH trick: nft is installed on this host, but not in `dir`.
    const nft = requireTool("nft", "nftables", { path: dir });
    let ran = false;
    const definition = { name: "a network's way out", fn: () => void (ran = true) };
    const failing = needsDefinition([nft], definition, { ci: true });
    assert.equal(failing.name, "a network's way out", "the same test, not a skipped one");
    assert.ok(!failing.ignore);
    const err = await thrownBy(failing);
    assert.ok(err instanceof Error, `${err}`);
    assert.equal(
      (err as Error).message,
      "needs 'nft' (Debian package nftables): install it, e.g. with scripts/provision.sh",
    );
    assert.equal(ran, false, "the test's own body does not run");
    // Each missing tool is named; a by-design condition does not fail it on its own.
    const both = needsDefinition(
      [nft, requireTool("ip", "iproute2", { path: dir }), requireHost(false, "run as root")],
      definition,
      { ci: true },
    );
    assert.equal(
      ((await thrownBy(both)) as Error).message,
      "needs 'nft' (Debian package nftables): install it, e.g. with scripts/provision.sh; " +
        "needs 'ip' (Debian package iproute2): install it, e.g. with scripts/provision.sh",
    );
    const byDesign = needsDefinition([requireHost(false, "run as root")], definition, { ci: true });
    assert.equal(byDesign.ignore, true, "by design: skipped even in CI");
    assert.equal(byDesign.name, "a network's way out (skipped: run as root)");
  });
});

Deno.test("needsDefinition() outside CI ignores the test, the reason in its name; met needs change nothing", () => {
  const definition = { name: "t", fn: () => {}, sanitizeOps: false };
  const nft = requireTool("nft", "nftables", { path: "" });
  const skipped = needsDefinition([nft, requireHost(false, "run as root")], definition, {
    ci: false,
  });
  assert.equal(skipped.ignore, true);
  assert.equal(skipped.name, "t (skipped: needs 'nft' (Debian package nftables); run as root)");
  assert.equal(skipped.sanitizeOps, false, "the definition's options are kept");
  assert.equal(skipped.fn, definition.fn);
  assert.equal(needsDefinition([requireHost(true, "x")], definition, { ci: true }), definition);
  assert.equal(needsDefinition([], definition, { ci: false }), definition);
});

/** A test file with a test that needs a missing tool, one skipped by design and one that passes. */
const NEEDS_FILE = (helpers: string) => `
import { requireHost, requireTool, testNeeds } from ${JSON.stringify(helpers)};
testNeeds([requireTool("nook-absent-tool", "nook-absent-package")], {
  name: "a test that needs a tool",
  fn() {},
});
testNeeds([requireHost(false, "so by design")], { name: "a test skipped by design", fn() {} });
Deno.test("a test that runs", () => {});
`;

testNeeds([
  requireHost(hostUid() !== 0, "run as root, whom scripts/test.sh provisions for instead"),
], {
  name: "scripts/test.sh lists skipped tests with their reasons; with CI=true a missing tool fails",
  fn: async () => {
    await withTempDir(async (dir) => {
      const file = `${dir}/needs_test.ts`;
      Deno.writeTextFileSync(file, NEEDS_FILE(`file://${repoRoot()}/tests/helpers.ts`));
      Deno.chmodSync(dir, 0o755);
      const testSh = async (ci: string) => {
        const out = await new Deno.Command("bash", {
          args: [`${repoRoot()}/scripts/test.sh`, file],
          env: { CI: ci, NO_COLOR: "1" },
          stdin: "null",
        }).output();
        const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
        return { code: out.code, text, last: text.trimEnd().split("\n").at(-1) };
      };
      const local = await testSh("");
      assert.equal(local.last, "1 passed, 0 failed, 2 skipped", local.text);
      assert.equal(local.code, 0, local.text);
      assert.match(local.text, /^test\.sh: skipped \(2\):$/m);
      assert.match(
        local.text,
        /^ {2}\S*needs_test\.ts: a test that needs a tool \(skipped: needs 'nook-absent-tool' \(Debian package nook-absent-package\)\)$/m,
      );
      assert.match(
        local.text,
        /^ {2}\S*needs_test\.ts: a test skipped by design \(skipped: so by design\)$/m,
      );
      const ci = await testSh("true");
      assert.equal(ci.last, "1 passed, 1 failed, 1 skipped", ci.text);
      assert.equal(ci.code, 1, ci.text);
      assert.ok(
        ci.text.includes(
          "needs 'nook-absent-tool' (Debian package nook-absent-package): install it, e.g. with " +
            "scripts/provision.sh",
        ),
        ci.text,
      );
    });
  },
});

// ---------------------------------------------------------------------------
// The fixture's tools: busybox's sh, nc, httpd and timeout, which the tests run in containers

/** Runs `script` with the host's busybox sh; code and output. */
async function busyboxSh(
  script: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command("/bin/busybox", {
    args: ["sh", "-c", script],
    stdin: "null",
    signal: AbortSignal.timeout(20_000),
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

/** Fails loudly: a broken fixture tool fails many tests for a reason that is not nook's. */
function brokenTool(tool: string, what: string, result: unknown): never {
  throw new Error(
    `THE TEST FIXTURE IS BROKEN, NOT NOOK: ${tool} (Debian package busybox-static) ${what}: ` +
      `${JSON.stringify(result)}. The tests that fetch pages inside containers use it ` +
      "(tests/helpers.ts httpGetScript()); reinstall busybox-static or replace the tool",
  );
}

Deno.test("httpGetScript() fetches with the host's busybox nc: the body exactly, 1 on errors, killed at the timeout", async () => {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (req) =>
      new URL(req.url).pathname === "/page"
        ? new Response(`line one\r\n\nno newline at the end ${new URL(req.url).search}`)
        : new Response("missing", { status: 404 }),
  );
  const origin = `http://127.0.0.1:${server.addr.port}`;
  const busybox = "/bin/busybox";
  try {
    const page = await busyboxSh(httpGetScript(`${origin}/page?q=1`, { busybox }));
    if (page.code !== 0 || page.stdout !== "line one\r\n\nno newline at the end ?q=1") {
      brokenTool("busybox nc", "cannot fetch a page from a local server", page);
    }
    // Inside "$(...)" and with a timeout, as the network tests use it; it returns at once.
    const started = Date.now();
    const quoted = await busyboxSh(
      `page=$(${httpGetScript(`${origin}/page`, { busybox, timeoutS: 5 })}); ` +
        'echo "page=$page rc=$?"',
    );
    assert.equal(quoted.stdout, "page=line one\r\n\nno newline at the end  rc=0\n", quoted.stderr);
    assert.ok(Date.now() - started < 4_000, `took ${Date.now() - started} ms`);
    const missing = await busyboxSh(httpGetScript(`${origin}/gone`, { busybox }));
    assert.deepEqual(missing, { code: 1, stdout: "", stderr: "http: HTTP/1.0 404 Not Found\n" });
  } finally {
    await server.shutdown();
  }
  const refused = await busyboxSh(httpGetScript(origin, { busybox }));
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /can't connect to remote host \(127\.0\.0\.1\): Connection refused/);
  // A server that accepts and never answers: given up after the timeout, with a failing status.
  const silent = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const url = `http://127.0.0.1:${(silent.addr as Deno.NetAddr).port}/`;
    const started = Date.now();
    const hung = await busyboxSh(
      `page=$(${
        httpGetScript(url, { busybox, timeoutS: 1 })
      }) 2>/dev/null; echo "page=$page rc=$?"`,
    );
    assert.equal(hung.stdout, "page= rc=143\n");
    assert.ok(Date.now() - started < 5_000, `took ${Date.now() - started} ms`);
  } finally {
    silent.close();
  }
  let thrown: unknown;
  try {
    httpGetScript("https://127.0.0.1/");
  } catch (err) {
    thrown = err;
  }
  assert.ok(thrown instanceof TypeError, `${thrown}`);
});

Deno.test("the fixture's busybox httpd serves a directory that busybox nc fetches, on the host", async () => {
  await withTempDir(async (dir) => {
    Deno.writeTextFileSync(`${dir}/index.html`, "served by busybox httpd\n");
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    listener.close();
    const httpd = new Deno.Command("/bin/busybox", {
      args: ["httpd", "-f", "-p", `127.0.0.1:${port}`, "-h", dir],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    try {
      let page = { code: -1, stdout: "", stderr: "" };
      for (let i = 0; i < 50 && page.code !== 0; i++) {
        page = await busyboxSh(
          httpGetScript(`http://127.0.0.1:${port}/`, { busybox: "/bin/busybox" }),
        );
        if (page.code !== 0) await new Promise((r) => setTimeout(r, 100));
      }
      if (page.stdout !== "served by busybox httpd\n") {
        brokenTool("busybox httpd or nc", "cannot serve or fetch a page on the host", page);
      }
    } finally {
      httpd.kill("SIGKILL");
      await httpd.status;
      await httpd.stderr.cancel();
    }
    // busybox wget is not used: Debian 12's busybox-static has one that segfaults. Say so.
    const wget = await busyboxSh("exec /bin/busybox wget -q -O - http://127.0.0.1:1/");
    if (wget.code > 128) {
      console.warn(
        `note: busybox wget dies of signal ${wget.code - 128} here (the tests do not use it)`,
      );
    }
  });
});
