/**
 * End-to-end tests of exec into a running container (the runtime half of
 * `nook exec`) against the real kernel, as an unprivileged user with a
 * subordinate id range: the command joins the container's namespaces and
 * appears in its pid namespace; exit codes, environment, users, working
 * directory, capabilities, terminals and signals behave as docker's exec;
 * a container that is gone (or a reused pid) is refused. Also the pidfd
 * signal helper, which never hits a reused pid, and `nook exec`'s user: the
 * container's configured one, else root, whatever its PID 1 dropped to.
 *
 * @module
 */
import assert from "node:assert/strict";
import { NookError, SetupError, UsageError } from "../lib/errors/mod.ts";
import { execInContainer, type ExecOptions } from "../lib/runtime/exec_process.ts";
import {
  NotRunningError,
  processStartTime,
  signalNumber,
  signalProcess,
} from "../lib/runtime/process_ref.ts";
import {
  type RunningContainer,
  spawnContainer,
  waitForOutput,
} from "../lib/runtime/run_container.ts";
import type { RunOptions } from "../lib/runtime/run_options.ts";
import { loadShim } from "../shim/binding.ts";
import { busyboxRootfs, repoRoot } from "./helpers.ts";
import { TestStore, withTestStore } from "./store_helpers.ts";

const NAMESPACES = ["pid", "mnt", "uts", "ipc", "net", "user", "cgroup"];
/** Docker's default capability set (CapBnd of `docker exec` in a default container). */
const DOCKER_DEFAULT_CAPS = "00000000a80425fb";
const decoder = new TextDecoder();

/** Starts `sleep 60` in a busybox container, runs `fn`, and kills the container. */
async function withContainer(
  options: Partial<RunOptions>,
  fn: (c: RunningContainer) => Promise<void>,
): Promise<void> {
  const c = await spawnContainer({
    rootfs: await busyboxRootfs(),
    command: ["sleep", "60"],
    hostname: "exec-box",
    stdout: "null",
    stderr: "null",
    ...options,
  });
  try {
    await fn(c);
  } finally {
    c.kill("SIGKILL");
    await c.status;
  }
}

interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Execs in the container with piped output and waits for it. */
async function exec(
  c: RunningContainer,
  command: string[],
  options: Partial<ExecOptions> = {},
): Promise<ExecResult> {
  const p = await execInContainer({ pid: c.pid }, {
    command,
    stdout: "pipe",
    stderr: "pipe",
    ...options,
  });
  const r = await waitForOutput(p);
  return {
    exitCode: r.exitCode,
    stdout: decoder.decode(r.stdout),
    stderr: decoder.decode(r.stderr),
  };
}

/** Execs a shell script and fails with its output unless it exits 0; returns stdout. */
async function sh(
  c: RunningContainer,
  script: string,
  options: Partial<ExecOptions> = {},
): Promise<string> {
  const r = await exec(c, ["sh", "-c", script], options);
  assert.equal(r.exitCode, 0, `exec sh -c ${JSON.stringify(script)}: ${JSON.stringify(r)}`);
  return r.stdout;
}

/** The NAME=VALUE lines of `env` output as a record. */
function parseEnv(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const eq = line.indexOf("=");
    if (eq > 0) env[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return env;
}

/** Polls `ready` every 20 ms until it is true; throws after `timeoutMs`. */
async function waitFor(ready: () => Promise<boolean>, timeoutMs: number, what: string) {
  const end = Date.now() + timeoutMs;
  while (!(await ready())) {
    if (Date.now() > end) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

for (const init of [false, true]) {
  const main = init ? "nook-init" : "sleep 60";

  Deno.test(`exec (init: ${init}) runs in the container's pid namespace beside its PID 1`, async () => {
    await withContainer({ init }, async (c) => {
      const out = await sh(c, "tr '\\0' ' ' </proc/1/cmdline; echo; echo $$; readlink /proc/self");
      const [cmdline, shellPid, self] = out.split("\n");
      assert.equal(cmdline.trim(), main, out);
      // The shell is a small pid of the container's namespace, not the host's pid.
      assert.ok(Number(shellPid) > 1 && Number(shellPid) < 10, `shell pid ${shellPid}`);
      assert.ok(Number(self) > 1 && Number(self) < 10, `readlink /proc/self: ${self}`);
      const r = await exec(c, ["ps", "-o", "pid,args"]);
      assert.equal(r.exitCode, 0, JSON.stringify(r));
      const rows = r.stdout.split("\n").slice(1).map((l) => l.trim()).filter(Boolean);
      assert.ok(rows.some((r) => new RegExp(`^1 +${main}$`).test(r)), r.stdout);
      assert.ok(rows.some((r) => /^\d+ +sleep 60$/.test(r)), r.stdout);
      assert.ok(rows.some((r) => /^\d+ +ps -o pid,args$/.test(r)), r.stdout);
      // Nothing of the host: only the few processes of this container.
      assert.equal(rows.length, init ? 3 : 2, r.stdout);
    });
  });

  Deno.test(`exec (init: ${init}) joins each of the container's namespaces`, async () => {
    await withContainer({ init }, async (c) => {
      const script = NAMESPACES.map((n) => `readlink /proc/self/ns/${n}`).join("; ");
      const inside = (await sh(c, script)).trim().split("\n");
      NAMESPACES.forEach((n, i) => {
        const container = Deno.readLinkSync(`/proc/${c.pid}/ns/${n}`);
        assert.equal(inside[i], container, `${n} namespace`);
        assert.notEqual(container, Deno.readLinkSync(`/proc/self/ns/${n}`), `${n} is the host's`);
      });
      assert.equal((await sh(c, "hostname")).trim(), "exec-box");
    });
  });
}

Deno.test("exec into a container with the host's network stays in the host's network namespace", async () => {
  await withContainer({ network: "host" }, async (c) => {
    const out = (await sh(c, "readlink /proc/self/ns/net; readlink /proc/self/ns/pid")).trim()
      .split("\n");
    assert.deepEqual(out, [
      Deno.readLinkSync("/proc/self/ns/net"),
      Deno.readLinkSync(`/proc/${c.pid}/ns/pid`),
    ]);
  });
});

Deno.test("exec returns the command's exit code; 127 for a missing command, 126 for a directory", async () => {
  await withContainer({}, async (c) => {
    assert.equal((await exec(c, ["sh", "-c", "exit 7"])).exitCode, 7);
    assert.equal((await exec(c, ["true"])).exitCode, 0);
    const missing = await exec(c, ["no-such-command"]).catch((e) => e);
    assert.ok(missing instanceof SetupError, String(missing));
    assert.equal(missing.exitCode, 127);
    assert.match(missing.message, /exec: "no-such-command": executable file not found in \$PATH/);
    const dir = await exec(c, ["/tmp"]).catch((e) => e);
    assert.ok(dir instanceof SetupError, String(dir));
    assert.equal(dir.exitCode, 126);
    assert.match(dir.message, /exec "\/tmp": permission denied/);
    const notExec = await exec(c, ["/bin/notexec"]).catch((e) => e);
    assert.equal(notExec.exitCode, 126);
    // The container is unharmed by the failures.
    assert.equal((await sh(c, "echo still here")).trim(), "still here");
  });
});

Deno.test("exec gives the container's environment, then --env-file, then -e on top", async () => {
  const envFile = await Deno.makeTempFile();
  try {
    await Deno.writeTextFile(envFile, "# comment\nFROM_FILE=3\nSHARED=file\n");
    await withContainer({ env: ["FROM_RUN=1", "SHARED=run"] }, async (c) => {
      const env = parseEnv(
        await sh(c, "env", {
          env: [
            "PATH=/bin:/usr/bin",
            "HOSTNAME=exec-box",
            "HOME=/root",
            "FROM_RUN=1",
            "SHARED=run",
          ],
          envFiles: [envFile],
          envAdd: ["FROM_EXEC=2", "SHARED=exec"],
        }),
      );
      assert.equal(env.FROM_RUN, "1");
      assert.equal(env.FROM_FILE, "3");
      assert.equal(env.FROM_EXEC, "2");
      assert.equal(env.SHARED, "exec");
      assert.equal(env.PATH, "/bin:/usr/bin");
      assert.equal(env.HOSTNAME, "exec-box");
      assert.equal(env.HOME, "/root");
      assert.equal(env.TERM, undefined);
      // Without the container's environment: a default PATH and the user's HOME.
      const bare = parseEnv(await sh(c, "env"));
      assert.match(bare.PATH, /\/bin/);
      assert.equal(bare.HOME, "/root");
      assert.equal(bare.FROM_RUN, undefined);
    });
  } finally {
    await Deno.remove(envFile);
  }
});

Deno.test("exec -u sets uid, gid and groups from the container's files, and HOME", async () => {
  await withContainer({}, async (c) => {
    assert.equal(await sh(c, "id -u; id -g", { user: "1000:1000" }), "1000\n1000\n");
    const tester = await sh(c, 'id -u; id -G; echo "$HOME"', {
      user: "tester",
      env: ["HOME=/root"],
    });
    assert.equal(tester, "1000\n1000 2000\n/home/tester\n");
    assert.equal(await sh(c, "id -u; id -g", { user: "0:2000" }), "0\n2000\n");
    const unknown = await exec(c, ["id"], { user: "nobody-here" }).catch((e) => e);
    assert.ok(unknown instanceof UsageError, String(unknown));
    assert.match(unknown.message, /Unable to find user 'nobody-here'/);
    const unmapped = await exec(c, ["id"], { user: "999999999" }).catch((e) => e);
    assert.ok(unmapped instanceof UsageError, String(unmapped));
    assert.match(unmapped.message, /Cannot exec as uid 999999999/);
  });
});

for (const init of [false, true]) {
  // The container's configured user is lib/container's to pass (tests/lifecycle_test.ts); without
  // one, exec runs as the container's root, as docker's does, whatever ids PID 1 took.
  Deno.test(`exec without a user runs as the container's root, not as its PID 1 (init: ${init})`, async () => {
    await withContainer({ user: "tester", init }, async (c) => {
      assert.equal(await sh(c, 'id -u; id -G; echo "$HOME"'), "0\n0\n/root\n");
      assert.equal(
        await sh(c, 'id -u; id -G; echo "$HOME"', { user: "tester" }),
        "1000\n1000 2000\n/home/tester\n",
      );
    });
  });
}

Deno.test("exec -w changes the working directory; default /; a missing one fails", async () => {
  await withContainer({}, async (c) => {
    assert.equal(await sh(c, "pwd", { workdir: "/tmp" }), "/tmp\n");
    assert.equal(await sh(c, "pwd"), "/\n");
    const missing = await exec(c, ["pwd"], { workdir: "/no/such/dir" }).catch((e) => e);
    assert.ok(missing instanceof SetupError, String(missing));
    assert.match(missing.message, /change to the working directory \/no\/such\/dir: No such file/);
  });
});

Deno.test("exec keeps the container's capability set; --privileged gives every one", async () => {
  await withContainer({}, async (c) => {
    const capBnd = async (options: Partial<ExecOptions>) =>
      /CapBnd:\s*([0-9a-f]+)/.exec(await sh(c, "cat /proc/self/status", options))?.[1];
    assert.equal(await capBnd({}), DOCKER_DEFAULT_CAPS);
    assert.equal(await capBnd({ capabilities: ["CHOWN", "KILL"] }), "0000000000000021");
    const last = Number(Deno.readTextFileSync("/proc/sys/kernel/cap_last_cap").trim());
    const all = ((1n << BigInt(last + 1)) - 1n).toString(16).padStart(16, "0");
    assert.equal(await capBnd({ privileged: true }), all);
    // no_new_privs, as for the container's own processes.
    assert.match(await sh(c, "cat /proc/self/status"), /NoNewPrivs:\s*1/);
  });
});

Deno.test("exec -t gives the command a pty of the container's devpts, TERM=xterm", async () => {
  await withContainer({}, async (c) => {
    const r = await exec(c, ["sh", "-c", 'tty; [ -t 0 ] && [ -t 1 ] && echo "both $TERM"'], {
      tty: true,
    });
    assert.equal(r.exitCode, 0, JSON.stringify(r));
    const lines = r.stdout.replaceAll("\r", "").trim().split("\n");
    assert.match(lines[0], /^\/dev\/pts\/\d+$/);
    assert.equal(lines[1], "both xterm");
    assert.equal(r.stderr, "");
  });
});

Deno.test("exec kill: SIGTERM reaches the command; SIGKILL and abort end it with nook's waiter", async () => {
  await withContainer({}, async (c) => {
    const term = await execInContainer({ pid: c.pid }, { command: ["sleep", "31"] });
    await waitFor(async () => (await sh(c, "ps -o args")).includes("sleep 31"), 5000, "sleep 31");
    term.kill("SIGTERM");
    assert.equal((await term.status).exitCode, 143);

    const killed = await execInContainer({ pid: c.pid }, { command: ["sleep", "32"] });
    await waitFor(async () => (await sh(c, "ps -o args")).includes("sleep 32"), 5000, "sleep 32");
    killed.kill("SIGKILL");
    assert.equal((await killed.status).exitCode, 137);
    // The command dies with its waiter (parent-death signal): nothing is left in the container.
    await waitFor(
      async () => !(await sh(c, "ps -o args")).includes("sleep 32"),
      5000,
      "sleep 32 to end",
    );

    const abort = new AbortController();
    const aborted = await execInContainer({ pid: c.pid }, {
      command: ["sleep", "33"],
      signal: abort.signal,
    });
    abort.abort();
    assert.equal((await aborted.status).exitCode, 137);
  });
});

Deno.test("exec -d returns at once, its output goes nowhere, and it runs to its end", async () => {
  await withContainer({}, async (c) => {
    const p = await execInContainer({ pid: c.pid }, {
      command: ["sh", "-c", "echo lost; echo kept > /tmp/detached"],
      detach: true,
      stdout: "pipe",
    });
    assert.equal(p.stdout, null);
    assert.equal((await p.status).exitCode, 0);
    assert.equal(await sh(c, "cat /tmp/detached"), "kept\n");
    const tty = await execInContainer({ pid: c.pid }, {
      command: ["true"],
      detach: true,
      tty: true,
    })
      .catch((e) => e);
    assert.ok(tty instanceof UsageError, String(tty));
  });
});

Deno.test("exec into a container that has ended fails with 'is not running' (exit 125)", async () => {
  const c = await spawnContainer({
    rootfs: await busyboxRootfs(),
    command: ["sleep", "60"],
    stdout: "null",
  });
  const startTime = processStartTime(c.pid)!;
  assert.match(startTime, /^\d+$/);
  c.kill("SIGKILL");
  await c.status;
  for (const target of [{ pid: c.pid }, { pid: c.pid, startTime, name: "web" }]) {
    const err = await execInContainer(target, { command: ["true"] }).catch((e) => e);
    assert.ok(err instanceof NotRunningError, String(err));
    assert.equal(err.exitCode, 125);
    assert.match(err.message, / is not running: /);
    if (target.name) assert.match(err.message, /^Container web is not running/);
  }
});

Deno.test("exec checks the start time: a pid that belongs to another process is refused", async () => {
  await withContainer({}, async (c) => {
    const startTime = processStartTime(c.pid)!;
    const ok = await execInContainer({ pid: c.pid, startTime }, { command: ["true"] });
    assert.equal((await ok.status).exitCode, 0);
    const other = String(Number(startTime) + 1);
    const err = await execInContainer({ pid: c.pid, startTime: other }, { command: ["true"] })
      .catch((e) => e);
    assert.ok(err instanceof NotRunningError, String(err));
    assert.match(err.message, new RegExp(`pid ${c.pid} now belongs to another process`));
  });
});

Deno.test("exec refuses pid 0, a process outside any container and an empty command", async () => {
  const err = await execInContainer({ pid: 0 }, { command: ["true"] }).catch((e) => e);
  assert.ok(err instanceof NookError, String(err));
  assert.match(err.message, /pid '0' is not a positive integer/);
  const host = await execInContainer({ pid: Deno.pid }, { command: ["true"] }).catch((e) => e);
  assert.ok(host instanceof UsageError, String(host));
  assert.match(host.message, /shares nook's own mount namespace/);
  const empty = await execInContainer({ pid: Deno.pid }, { command: [] }).catch((e) => e);
  assert.ok(empty instanceof UsageError, String(empty));
  assert.match(empty.message, /No command given/);
});

Deno.test("pidfd signals reach the process they were opened for, never a reused pid", async () => {
  const shim = loadShim();
  const spawn = () => new Deno.Command("sleep", { args: ["60"], stdout: "null" }).spawn();

  // A live process: the signal arrives.
  const live = spawn();
  const liveStart = processStartTime(live.pid)!;
  assert.equal(signalProcess({ pid: live.pid, startTime: "1" }, "SIGTERM"), false);
  assert.equal(signalProcess({ pid: live.pid, startTime: liveStart }, "SIGTERM"), true);
  assert.equal((await live.status).signal, "SIGTERM");

  // A pidfd outlives its process: once it is reaped, the pid is free for anyone,
  // and a signal through the pidfd fails with ESRCH instead of reaching them.
  const gone = spawn();
  const pidfd = shim.pidfdOpen(gone.pid);
  assert.ok(pidfd >= 0, `pidfd_open: ${pidfd}`);
  try {
    assert.equal(shim.pidfdSignal(pidfd, 0), 0);
    gone.kill("SIGKILL");
    await gone.status;
    assert.equal(shim.pidfdSignal(pidfd, signalNumber("SIGTERM")), -3); // ESRCH
  } finally {
    shim.close(pidfd);
  }
  assert.equal(signalProcess({ pid: gone.pid }, "SIGTERM"), false);
  assert.equal(shim.pidfdOpen(-1), -22);
  assert.equal(signalNumber("kill"), 9);
  assert.equal(signalNumber("15"), 15);
  assert.throws(() => signalNumber("SIGNOPE"), NookError);
});

// `nook exec` by a container's record: who the command runs as is the container's configured
// user (run -u, else the image's USER), else root; never the ids its PID 1 has dropped to.

const storeRoot = Deno.makeTempDirSync({ prefix: "nook-exec-test-" });
globalThis.addEventListener("unload", () => {
  // Image layers hold files of subordinate ids: remove them as root in the user namespace.
  new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${repoRoot()}/cli/main.ts`, "unshare", "rm", "-rf", storeRoot],
  }).outputSync();
});

/** An entrypoint that drops from root to tester (1000), as a database's does, then sleeps. */
const DROP_TO_TESTER = ["su", "-s", "/bin/sh", "tester", "-c", "exec sleep 60"];

/** Waits until PID 1 of container `ref` runs as uid `uid` (as the container sees it). */
async function waitForPid1Uid(s: TestStore, ref: string, uid: number): Promise<void> {
  const pid1Uid = async () => {
    const status = await s.ok(["exec", "-u", "0", ref, "cat", "/proc/1/status"]);
    return Number(/^Uid:\s*(\d+)/m.exec(status)?.[1]);
  };
  await waitFor(async () => (await pid1Uid()) === uid, 10_000, `PID 1 of ${ref} to be uid ${uid}`);
}

Deno.test("nook exec runs as root when neither the image nor run -u names a user, though PID 1 dropped to 1000", async () => {
  await withTestStore(new TestStore(storeRoot, "root"), async (s) => {
    await s.detach(["--name", "db", "--rootfs", await busyboxRootfs(), ...DROP_TO_TESTER]);
    await waitForPid1Uid(s, "db", 1000);
    assert.equal(
      await s.ok(["exec", "db", "sh", "-c", 'id -u; id -g; id -G; echo "$HOME"']),
      "0\n0\n0\n/root\n",
    );
    // What root may do and PID 1's user may not: become another user.
    assert.equal(
      await s.ok(["exec", "db", "su", "-s", "/bin/sh", "nobody", "-c", "id -u"]),
      "65534\n",
    );
    // -u of exec wins; a uid without a passwd entry gets gid 0, one with an entry its gid and groups.
    assert.equal(await s.ok(["exec", "-u", "2000", "db", "sh", "-c", "id -u; id -G"]), "2000\n0\n");
    assert.equal(
      await s.ok(["exec", "-u", "1000", "db", "sh", "-c", 'id -u; id -G; echo "$HOME"']),
      "1000\n1000 2000\n/home/tester\n",
    );
  });
});

Deno.test("nook exec runs as the image's USER, and as run -u over it, whatever PID 1 runs as", async () => {
  await withTestStore(new TestStore(storeRoot, "configured"), async (s) => {
    const image = "localhost/exec-user:1";
    await s.ok(["import", "-c", "USER tester", await busyboxRootfs(), image]);
    await s.detach(["--name", "tester", image, "sleep", "60"]);
    assert.equal(
      await s.ok(["exec", "tester", "sh", "-c", 'id -u; id -G; echo "$HOME"']),
      "1000\n1000 2000\n/home/tester\n",
    );
    assert.equal(await s.ok(["exec", "-u", "2000", "tester", "id", "-u"]), "2000\n");
    // run -u root replaces the image's USER; its entrypoint then drops to tester.
    await s.detach(["--name", "db", "-u", "root", image, ...DROP_TO_TESTER]);
    await waitForPid1Uid(s, "db", 1000);
    assert.equal(await s.ok(["exec", "db", "sh", "-c", "id -u; id -g"]), "0\n0\n");
    // A configured uid with no group: its passwd gid and groups, and --group-add on top.
    await s.detach([
      "--name",
      "nobody",
      "-u",
      "65534",
      "--group-add",
      "extra",
      image,
      "sleep",
      "60",
    ]);
    assert.equal(await s.ok(["exec", "nobody", "sh", "-c", "id -u; id -G"]), "65534\n65534 2000\n");
    assert.equal(
      await s.ok(["exec", "-u", "2000", "nobody", "sh", "-c", "id -u; id -G"]),
      "2000\n0 2000\n",
    );
  });
});

Deno.test("nook exec without a configured user runs as run's default: your own uid with --userns keep-id", async () => {
  await withTestStore(new TestStore(storeRoot, "keep-id"), async (s) => {
    const rootfs = await busyboxRootfs();
    const id = ["sh", "-c", "id -u; id -g; id -G"];
    const run = await s.ok(["run", "--rm", "--userns", "keep-id", "--rootfs", rootfs, ...id]);
    assert.equal(run, `${Deno.uid()}\n${Deno.gid()}\n${Deno.gid()}\n`);
    await s.detach(["--name", "keep", "--userns", "keep-id", "--rootfs", rootfs, "sleep", "60"]);
    assert.equal(await s.ok(["exec", "keep", ...id]), run);
  });
});
