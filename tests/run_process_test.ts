/**
 * End-to-end tests of `nook run` (and `nook unshare`) against the real
 * kernel, as an unprivileged user with a subordinate id range: environment,
 * working directory, users and groups, exit codes, signals, terminals,
 * capabilities and mounts, each checked the way docker behaves.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  busyboxRootfs,
  hostUid,
  nook,
  type NookOptions,
  type NookResult,
  repoRoot,
} from "./helpers.ts";

/** Docker's default capability set (CapBnd of `docker run busybox`). */
const DOCKER_DEFAULT_CAPS = "00000000a80425fb";
const CAP_NET_ADMIN_BIT = 12;

/** `nook run --rootfs <busybox> ...args`. */
async function run(args: string[], options?: NookOptions): Promise<NookResult> {
  return nook(["run", "--rootfs", await busyboxRootfs(), ...args], options);
}

/** Runs `nook run` and fails with its output unless it exits 0; returns stdout. */
async function runOk(args: string[], options?: NookOptions): Promise<string> {
  const result = await run(args, options);
  assert.equal(result.code, 0, `nook run ${args.join(" ")} failed: ${JSON.stringify(result)}`);
  return result.stdout;
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

/** Quotes a word for sh. */
function shQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** The nook CLI as a shell command line, for `script -c`. */
function nookCommandLine(args: string[]): string {
  return [Deno.execPath(), "run", "-A", `${repoRoot()}/cli/main.ts`, ...args].map(shQuote)
    .join(" ");
}

/**
 * Runs a shell command line in a new pseudo-terminal with util-linux
 * `script`, whose exit code is the command's. The terminal is 30 rows by 100
 * columns.
 */
async function inPty(commandLine: string, stdin?: string): Promise<NookResult> {
  const child = new Deno.Command("script", {
    args: ["-qec", `stty rows 30 cols 100; exec ${commandLine}`, "/dev/null"],
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  try {
    if (stdin !== undefined) {
      const writer = child.stdin.getWriter();
      await writer.write(new TextEncoder().encode(stdin));
      await writer.close();
    }
    const out = await child.output();
    return {
      code: out.code,
      stdout: new TextDecoder().decode(out.stdout),
      stderr: new TextDecoder().decode(out.stderr),
    };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The non-empty lines of terminal output, without escape sequences (Deno
 * clears its progress line on a terminal) and carriage returns (each pty on
 * the way turns "\n" into "\r\n").
 */
function terminalLines(text: string): string[] {
  // deno-lint-ignore no-control-regex
  const plain = text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "").replaceAll("\r", "");
  return plain.split("\n").filter((line) => line !== "");
}

/** A `nook` CLI started in the background, with its output read as it comes. */
interface Background {
  child: Deno.ChildProcess;
  /** Everything read from stdout so far. */
  stdout(): string;
  /** Resolves once stdout holds `text`; rejects after `timeoutMs`. */
  waitForOutput(text: string, timeoutMs?: number): Promise<void>;
  /** Waits for the exit; returns the code and all the output. */
  finish(): Promise<NookResult>;
  /** Kills the CLI (SIGKILL) if it still runs. */
  kill(): void;
}

function startNook(args: string[]): Background {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${repoRoot()}/cli/main.ts`, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let out = "";
  let err = "";
  const read = async (stream: ReadableStream<Uint8Array>, add: (s: string) => void) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) add(decoder.decode(chunk, { stream: true }));
  };
  const reading = Promise.all([
    read(child.stdout, (s) => out += s),
    read(child.stderr, (s) => err += s),
  ]);
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  return {
    child,
    stdout: () => out,
    waitForOutput: (text, timeoutMs = 10_000) =>
      waitFor(() => out.includes(text), timeoutMs, () => `'${text}' on stdout (got '${out}')`),
    async finish() {
      const timer = setTimeout(() => this.kill(), 15_000);
      try {
        const { code } = await status;
        await reading;
        return { code, stdout: out, stderr: err };
      } finally {
        clearTimeout(timer);
      }
    },
    kill() {
      if (exited) return;
      try {
        child.kill("SIGKILL");
      } catch {
        // It exited meanwhile.
      }
    },
  };
}

/** Polls `ready` every 20 ms until it is true; throws after `timeoutMs`. */
async function waitFor(
  ready: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ready())) {
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The children of `pid` (every thread's), from /proc/<pid>/task/<tid>/children. */
function childrenOf(pid: number): number[] {
  const pids: number[] = [];
  let tasks: Iterable<Deno.DirEntry>;
  try {
    tasks = Deno.readDirSync(`/proc/${pid}/task`);
  } catch {
    return pids;
  }
  for (const task of tasks) {
    try {
      const text = Deno.readTextFileSync(`/proc/${pid}/task/${task.name}/children`);
      pids.push(...text.split(/\s+/).filter((s) => s !== "").map(Number));
    } catch {
      // The thread ended meanwhile.
    }
  }
  return pids;
}

/** argv of a process, or [] when it is gone. */
function cmdline(pid: number): string[] {
  try {
    return Deno.readTextFileSync(`/proc/${pid}/cmdline`).split("\0").filter((s) => s !== "");
  } catch {
    return [];
  }
}

/** Every descendant of `pid` whose argv[0] is `name` (after exec). */
function descendantsNamed(pid: number, name: string): number[] {
  const found: number[] = [];
  const queue = childrenOf(pid);
  while (queue.length > 0) {
    const p = queue.shift()!;
    if (cmdline(p)[0] === name) found.push(p);
    queue.push(...childrenOf(p));
  }
  return found;
}

/** The subuid range of the test user from /etc/subuid: [start, count]. */
function subuidRange(): [number, number] {
  const names = new Set([String(hostUid()), Deno.env.get("USER") ?? ""]);
  for (const line of Deno.readTextFileSync("/etc/subuid").split("\n")) {
    const [owner, start, count] = line.trim().split(":");
    if (names.has(owner) && Number(count) > 0) return [Number(start), Number(count)];
  }
  throw new Error(`No /etc/subuid range for uid ${hostUid()}: run these tests as nooktest`);
}

// --- Environment -------------------------------------------------------------

Deno.test("run -e A=1 sets A and -e B takes B's value from nook's environment", async () => {
  const env = parseEnv(
    await runOk(["-e", "A=1", "-e", "B", "env"], { env: { B: "from-host" } }),
  );
  assert.equal(env.A, "1");
  assert.equal(env.B, "from-host");
});

Deno.test("run -e B leaves B out when nook's environment has no B", async () => {
  const name = "NOOK_TEST_UNSET_VARIABLE";
  assert.equal(Deno.env.get(name), undefined);
  const env = parseEnv(await runOk(["-e", name, "-e", "A=1", "env"]));
  assert.equal(env.A, "1");
  assert.equal(name in env, false, `${name} is set: ${JSON.stringify(env)}`);
});

Deno.test("run --env-file skips comments and blank lines and a later -e overrides it", async () => {
  const file = await Deno.makeTempFile({ prefix: "nook-test-env-" });
  try {
    await Deno.writeTextFile(
      file,
      [
        "# a comment",
        "",
        "FROM_FILE=file value",
        "OVERRIDDEN=file",
        "  # an indented comment",
        "WITH_EQUALS=a=b",
      ].join("\n") + "\n",
    );
    const env = parseEnv(await runOk(["--env-file", file, "-e", "OVERRIDDEN=cli", "env"]));
    assert.equal(env.FROM_FILE, "file value");
    assert.equal(env.OVERRIDDEN, "cli");
    assert.equal(env.WITH_EQUALS, "a=b");
    assert.ok(!Object.keys(env).some((k) => k.includes("#")), JSON.stringify(env));
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("run sets PATH, HOSTNAME and HOME=/root by default and no TERM without -t", async () => {
  const out = await runOk(["sh", "-c", "env; echo host=$(hostname)"]);
  const env = parseEnv(out);
  assert.equal(env.PATH, "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  assert.match(env.HOSTNAME ?? "", /^[0-9a-f]{12}$/);
  assert.equal(env.host, env.HOSTNAME, "HOSTNAME is not the container's hostname");
  assert.equal(env.HOME, "/root");
  assert.equal("TERM" in env, false, out);
});

Deno.test("run -u tester sets HOME to tester's home from /etc/passwd", async () => {
  assert.equal(parseEnv(await runOk(["-u", "tester", "env"])).HOME, "/home/tester");
});

Deno.test("run -t sets TERM=xterm", async () => {
  assert.equal(parseEnv(await runOk(["-t", "env"])).TERM, "xterm");
});

Deno.test("run -e PATH=... replaces the default PATH", async () => {
  assert.equal(parseEnv(await runOk(["-e", "PATH=/bin", "/bin/env"])).PATH, "/bin");
});

Deno.test("run -h sets the hostname and HOSTNAME", async () => {
  const out = await runOk(["-h", "box1", "sh", "-c", "hostname; echo $HOSTNAME"]);
  assert.equal(out, "box1\nbox1\n");
});

Deno.test("run writes the hostname into /etc/hostname and /etc/hosts", async () => {
  const out = await runOk(["-h", "box2", "sh", "-c", "cat /etc/hostname; grep -c box2 /etc/hosts"]);
  assert.equal(out, "box2\n1\n");
});

// --- Working directory -------------------------------------------------------

Deno.test("run -w creates a missing working directory and starts the command in it", async () => {
  assert.equal(await runOk(["-w", "/some/new/dir", "pwd"]), "/some/new/dir\n");
});

Deno.test("run starts the command in / by default", async () => {
  assert.equal(await runOk(["pwd"]), "/\n");
});

// --- Users and groups --------------------------------------------------------

Deno.test("run runs as root (uid 0, gid 0) by default", async () => {
  assert.equal(await runOk(["id"]), "uid=0(root) gid=0(root) groups=0(root)\n");
});

Deno.test("run -u tester runs as uid 1000 gid 1000 with its groups from /etc/group", async () => {
  assert.equal(
    await runOk(["-u", "tester", "id"]),
    "uid=1000(tester) gid=1000(tester) groups=1000(tester),2000(extra)\n",
  );
});

Deno.test("run -u 1000:2000 runs as uid 1000 with primary group 2000", async () => {
  const out = await runOk(["-u", "1000:2000", "sh", "-c", "id -u; id -g"]);
  assert.equal(out, "1000\n2000\n");
});

Deno.test("run -u nobody runs as uid 65534 gid 65534", async () => {
  assert.equal(await runOk(["-u", "nobody", "sh", "-c", "id -u; id -g"]), "65534\n65534\n");
});

Deno.test("run --group-add extra adds gid 2000 to the supplementary groups", async () => {
  const groups = (await runOk(["--group-add", "extra", "id", "-G"])).trim().split(" ");
  assert.ok(groups.includes("2000"), `groups: ${groups}`);
  assert.ok(groups.includes("0"), `groups: ${groups}`);
});

Deno.test("run --userns keep-id runs as the host uid and gid", async () => {
  const out = await runOk(["--userns", "keep-id", "sh", "-c", "id -u; id -g"]);
  assert.equal(out, `${hostUid()}\n${Deno.gid()}\n`);
});

// --- Exit codes ----------------------------------------------------------------

Deno.test("run exits 0 when the command does", async () => {
  const result = await run(["true"]);
  assert.deepEqual(result, { code: 0, stdout: "", stderr: "" });
});

Deno.test("run exits with the command's own exit code", async () => {
  assert.equal((await run(["sh", "-c", "exit 7"])).code, 7);
});

Deno.test("run exits 126 with 'permission denied' on a file that is not executable", async () => {
  const result = await run(["/bin/notexec"]);
  assert.equal(result.code, 126, JSON.stringify(result));
  assert.match(result.stderr, /permission denied/i);
  assert.match(result.stderr, /\/bin\/notexec/);
});

Deno.test("run exits 127 with 'executable file not found in $PATH' on an unknown command", async () => {
  const result = await run(["nosuchcmd"]);
  assert.equal(result.code, 127, JSON.stringify(result));
  assert.match(result.stderr, /nosuchcmd/);
  assert.match(result.stderr, /executable file not found in \$PATH/);
});

Deno.test("run exits 127 naming the path when an absolute command path does not exist", async () => {
  const result = await run(["/no/such/path"]);
  assert.equal(result.code, 127, JSON.stringify(result));
  assert.match(result.stderr, /\/no\/such\/path/);
  assert.match(result.stderr, /no such file or directory/i);
});

Deno.test("run exits 137 when the container process is killed with SIGKILL", async () => {
  const bg = startNook(["run", "--rootfs", await busyboxRootfs(), "sleep", "30"]);
  try {
    let sleeper: number[] = [];
    await waitFor(
      () => (sleeper = descendantsNamed(bg.child.pid, "sleep")).length > 0,
      10_000,
      () => `the container's 'sleep' under nook pid ${bg.child.pid}`,
    );
    assert.equal(sleeper.length, 1);
    Deno.kill(sleeper[0], "SIGKILL");
    const result = await bg.finish();
    assert.equal(result.code, 137, JSON.stringify(result));
  } finally {
    bg.kill();
  }
});

// --- Signals -------------------------------------------------------------------

Deno.test("run forwards SIGTERM to the container's process and exits with its code", async () => {
  const script = 'trap "echo got-term; exit 3" TERM; echo ready; while :; do sleep 0.1; done';
  const bg = startNook(["run", "--rootfs", await busyboxRootfs(), "sh", "-c", script]);
  try {
    await bg.waitForOutput("ready\n");
    bg.child.kill("SIGTERM");
    const result = await bg.finish();
    assert.equal(result.stdout, "ready\ngot-term\n", JSON.stringify(result));
    assert.equal(result.code, 3, JSON.stringify(result));
  } finally {
    bg.kill();
  }
});

Deno.test("run forwards SIGINT, SIGHUP, SIGQUIT and SIGUSR1 to the container's process", async () => {
  for (const signal of ["SIGINT", "SIGHUP", "SIGQUIT", "SIGUSR1"] as const) {
    const name = signal.slice(3);
    const script =
      `trap "echo got-${name}; exit 4" ${name}; echo ready; while :; do sleep 0.05; done`;
    const bg = startNook(["run", "--rootfs", await busyboxRootfs(), "sh", "-c", script]);
    try {
      await bg.waitForOutput("ready\n");
      bg.child.kill(signal);
      const result = await bg.finish();
      assert.deepEqual([result.code, result.stdout], [4, `ready\ngot-${name}\n`], signal);
    } finally {
      bg.kill();
    }
  }
});

Deno.test("run --init passes SIGTERM to a command without a handler and exits 143", async () => {
  const bg = startNook(["run", "--rootfs", await busyboxRootfs(), "--init", "sleep", "30"]);
  try {
    await waitFor(
      () => descendantsNamed(bg.child.pid, "sleep").length > 0,
      10_000,
      () => `the container's 'sleep' under nook pid ${bg.child.pid}`,
    );
    const started = Date.now();
    bg.child.kill("SIGTERM");
    const result = await bg.finish();
    assert.equal(result.code, 143, JSON.stringify(result));
    assert.ok(Date.now() - started < 10_000, "sleep was not ended by the SIGTERM");
  } finally {
    bg.kill();
  }
});

Deno.test("run --init runs an init as PID 1 and the command as PID 2 or later", async () => {
  const out = await runOk([
    "--init",
    "sh",
    "-c",
    'echo "pid=$$"; tr "\\0" " " < /proc/1/cmdline; echo',
  ]);
  const [pidLine, init] = out.split("\n");
  const pid = Number(pidLine.replace("pid=", ""));
  assert.ok(pid >= 2, `the command is PID ${pid}`);
  assert.ok(init !== "" && !init.startsWith("sh "), `PID 1 is the command: '${init}'`);
});

Deno.test("run without --init runs the command as PID 1", async () => {
  assert.equal(await runOk(["sh", "-c", "echo $$"]), "1\n");
});

Deno.test("run --init reaps orphaned processes that exit", async () => {
  // The subshell exits at once, so its background sleep is reparented to PID 1.
  const out = await runOk([
    "--init",
    "sh",
    "-c",
    "(sleep 0.1 &); sleep 0.8; cat /proc/[0-9]*/stat",
  ]);
  const states = out.trim().split("\n").map((line) => line.slice(line.lastIndexOf(")") + 2)[0]);
  assert.ok(states.length >= 2, out);
  assert.ok(!states.includes("Z"), `a zombie is left:\n${out}`);
});

// --- Terminals -----------------------------------------------------------------

Deno.test("run -t gives the container its own pty /dev/pts/0 with the caller's size", async () => {
  const result = await inPty(
    nookCommandLine([
      "run",
      "-t",
      "--rootfs",
      await busyboxRootfs(),
      "sh",
      "-c",
      "tty; stty size; exit 4",
    ]),
  );
  const lines = terminalLines(result.stdout);
  assert.deepEqual(lines, ["/dev/pts/0", "30 100"], JSON.stringify(result));
  assert.equal(result.code, 4, JSON.stringify(result));
});

Deno.test("run -it relays typed input to the shell and exits with its code", async () => {
  const result = await inPty(
    nookCommandLine(["run", "-it", "--rootfs", await busyboxRootfs(), "sh"]),
    "echo h''i; exit 5\n",
  );
  // The typed line is echoed as "echo h''i"; only the shell's output reads "hi".
  assert.ok(terminalLines(result.stdout).includes("hi"), JSON.stringify(result));
  assert.equal(result.code, 5, JSON.stringify(result));
});

Deno.test("run without -t gives no terminal: tty says 'not a tty' and exits 1", async () => {
  const result = await run(["tty"]);
  assert.deepEqual(result, { code: 1, stdout: "not a tty\n", stderr: "" });
});

Deno.test("run without -i gives the command an empty stdin", async () => {
  const result = await run(["cat"], { stdin: "not for the container\n" });
  assert.deepEqual(result, { code: 0, stdout: "", stderr: "" });
});

Deno.test("run -it with a stdin that is not a terminal fails instead of hanging", async () => {
  // docker: "the input device is not a TTY". Hanging on a pty whose input
  // never ends is the one wrong answer.
  // A private runtime dir: a nook killed on timeout leaves its state there.
  const home = await Deno.makeTempDir({ prefix: "nook-test-xdg-" });
  let result: NookResult;
  try {
    result = await run(["-it", "cat"], {
      stdin: "abc\n",
      timeoutMs: 5_000,
      env: { XDG_RUNTIME_DIR: home },
    });
  } catch (err) {
    assert.fail(`nook run -it with piped stdin hangs: ${err}`);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
  assert.notEqual(result.code, 0, JSON.stringify(result));
  assert.match(result.stderr, /not a TTY/i);
});

Deno.test("run -i passes stdin to the command", async () => {
  const result = await run(["-i", "cat"], { stdin: "line one\nline two\n" });
  assert.deepEqual(result, { code: 0, stdout: "line one\nline two\n", stderr: "" });
});

// --- Capabilities ----------------------------------------------------------------

Deno.test("run gives docker's default capability set and sets no_new_privs", async () => {
  const out = await runOk(["grep", "-E", "^(CapBnd|CapEff|NoNewPrivs)", "/proc/self/status"]);
  const status = parseStatus(out);
  assert.equal(status.CapBnd, DOCKER_DEFAULT_CAPS);
  assert.equal(status.CapEff, DOCKER_DEFAULT_CAPS);
  assert.equal(status.NoNewPrivs, "1");
});

Deno.test("run --cap-drop ALL leaves no capabilities", async () => {
  const status = parseStatus(
    await runOk(["--cap-drop", "ALL", "grep", "^Cap", "/proc/self/status"]),
  );
  for (const name of ["CapBnd", "CapEff", "CapPrm", "CapInh", "CapAmb"]) {
    assert.equal(status[name], "0000000000000000", name);
  }
});

Deno.test("run --cap-add NET_ADMIN adds bit 12 to docker's default set", async () => {
  const status = parseStatus(
    await runOk(["--cap-add", "NET_ADMIN", "grep", "^CapBnd", "/proc/self/status"]),
  );
  const expected = BigInt(`0x${DOCKER_DEFAULT_CAPS}`) | (1n << BigInt(CAP_NET_ADMIN_BIT));
  assert.equal(BigInt(`0x${status.CapBnd}`), expected);
});

Deno.test("run --cap-add ALL --cap-drop CHOWN keeps every capability but CHOWN", async () => {
  // docker: with ALL added, the set is every capability except those dropped.
  const last = Number((await Deno.readTextFile("/proc/sys/kernel/cap_last_cap")).trim());
  const all = (1n << BigInt(last + 1)) - 1n;
  for (
    const order of [["--cap-add", "ALL", "--cap-drop", "CHOWN"], [
      "--cap-drop",
      "CHOWN",
      "--cap-add",
      "ALL",
    ]]
  ) {
    const status = parseStatus(await runOk([...order, "grep", "^CapBnd", "/proc/self/status"]));
    assert.equal(
      BigInt(`0x${status.CapBnd}`).toString(16),
      (all & ~1n).toString(16),
      order.join(" "),
    );
  }
});

Deno.test("run --cap-drop ALL --cap-add NET_ADMIN leaves only NET_ADMIN", async () => {
  const status = parseStatus(
    await runOk([
      "--cap-drop",
      "ALL",
      "--cap-add",
      "NET_ADMIN",
      "grep",
      "^CapBnd",
      "/proc/self/status",
    ]),
  );
  assert.equal(BigInt(`0x${status.CapBnd}`), 1n << BigInt(CAP_NET_ADMIN_BIT));
});

Deno.test("run --cap-drop takes lower-case names with the cap_ prefix", async () => {
  const status = parseStatus(
    await runOk(["--cap-drop", "cap_chown", "grep", "^CapBnd", "/proc/self/status"]),
  );
  assert.equal(BigInt(`0x${status.CapBnd}`), BigInt(`0x${DOCKER_DEFAULT_CAPS}`) & ~1n);
});

Deno.test("run --cap-drop CHOWN makes chown fail for root inside", async () => {
  const result = await run([
    "--cap-drop",
    "CHOWN",
    "sh",
    "-c",
    "touch /tmp/f && chown 1000 /tmp/f",
  ]);
  assert.equal(result.code, 1, JSON.stringify(result));
  assert.match(result.stderr, /Operation not permitted/);
});

Deno.test("run --cap-add bogus exits 125 naming the capability", async () => {
  const result = await run(["--cap-add", "bogus", "true"]);
  assert.equal(result.code, 125);
  assert.match(result.stderr, /bogus/);
});

function parseStatus(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.trim().split("\n")) {
    const [key, value] = line.split(":");
    out[key] = value.trim();
  }
  return out;
}

// --- Mounts ------------------------------------------------------------------------

Deno.test("run -v HOST:/data shares a host directory read-write", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nook-test-vol-" });
  try {
    await Deno.writeTextFile(`${dir}/from-host`, "host text\n");
    const out = await runOk([
      "-v",
      `${dir}:/data`,
      "sh",
      "-c",
      "cat /data/from-host; echo container text > /data/from-container",
    ]);
    assert.equal(out, "host text\n");
    assert.equal(await Deno.readTextFile(`${dir}/from-container`), "container text\n");
    // Root inside is the host user, so the file is the host user's.
    assert.equal((await Deno.stat(`${dir}/from-container`)).uid, hostUid());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("run -v HOST:/data:ro makes writes fail with 'Read-only file system'", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nook-test-vol-" });
  try {
    await Deno.writeTextFile(`${dir}/f`, "x\n");
    const result = await run(["-v", `${dir}:/data:ro`, "sh", "-c", "cat /data/f; touch /data/new"]);
    assert.equal(result.stdout, "x\n");
    assert.equal(result.code, 1, JSON.stringify(result));
    assert.match(result.stderr, /Read-only file system/);
    await assert.rejects(Deno.stat(`${dir}/new`), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("run -v HOSTFILE:/etc/motd:ro binds a single file read-only", async () => {
  const file = await Deno.makeTempFile({ prefix: "nook-test-motd-" });
  try {
    await Deno.writeTextFile(file, "message of the day\n");
    const result = await run([
      "-v",
      `${file}:/etc/motd:ro`,
      "sh",
      "-c",
      "cat /etc/motd; echo changed > /etc/motd",
    ]);
    assert.equal(result.stdout, "message of the day\n");
    assert.equal(result.code, 1, JSON.stringify(result));
    assert.match(result.stderr, /Read-only file system/);
    assert.equal(await Deno.readTextFile(file), "message of the day\n");
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("run --tmpfs /scratch:size=1m mounts a 1 MiB tmpfs on /scratch", async () => {
  const out = await runOk([
    "--tmpfs",
    "/scratch:size=1m",
    "sh",
    "-c",
    "grep ' /scratch ' /proc/mounts; echo x > /scratch/f && cat /scratch/f",
  ]);
  const [mount, content] = out.trim().split("\n");
  const [, target, type, options] = mount.split(" ");
  assert.equal(target, "/scratch");
  assert.equal(type, "tmpfs");
  assert.ok(options.split(",").includes("size=1024k"), options);
  assert.equal(content, "x");
});

Deno.test("run --mount type=bind,source=..,target=..,readonly binds read-only", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nook-test-mount-" });
  try {
    await Deno.writeTextFile(`${dir}/f`, "bound\n");
    const result = await run([
      "--mount",
      `type=bind,source=${dir},target=/mnt/b,readonly`,
      "sh",
      "-c",
      "cat /mnt/b/f; grep ' /mnt/b ' /proc/mounts | cut -d' ' -f4; touch /mnt/b/new",
    ]);
    const [content, options] = result.stdout.trim().split("\n");
    assert.equal(content, "bound");
    assert.ok(options.split(",").includes("ro"), options);
    assert.equal(result.code, 1, JSON.stringify(result));
    assert.match(result.stderr, /Read-only file system/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("run --mount type=tmpfs,target=/t mounts a writable tmpfs on /t", async () => {
  const out = await runOk([
    "--mount",
    "type=tmpfs,target=/t",
    "sh",
    "-c",
    "grep ' /t ' /proc/mounts | cut -d' ' -f3; echo y > /t/f && cat /t/f",
  ]);
  assert.equal(out, "tmpfs\ny\n");
});

Deno.test("run --read-only makes writes to the root filesystem fail", async () => {
  const result = await run(["--read-only", "sh", "-c", "cat /etc/passwd >/dev/null && touch /x"]);
  assert.equal(result.code, 1, JSON.stringify(result));
  assert.match(result.stderr, /Read-only file system/);
});

// --- Isolation -----------------------------------------------------------------------

Deno.test("run has a network namespace with only lo by default", async () => {
  const out = await runOk(["sh", "-c", "tail -n +3 /proc/net/dev | cut -d: -f1"]);
  assert.equal(out.trim(), "lo");
});

Deno.test("run --network host shares the host's network interfaces", async () => {
  const host = (await Deno.readTextFile("/proc/net/dev")).split("\n").slice(2)
    .map((line) => line.split(":")[0].trim()).filter((name) => name !== "").sort();
  assert.ok(host.length >= 2, `the host has only ${host}`);
  const out = await runOk([
    "--network",
    "host",
    "sh",
    "-c",
    "tail -n +3 /proc/net/dev | cut -d: -f1",
  ]);
  assert.deepEqual(out.trim().split("\n").map((name) => name.trim()).sort(), host);
});

Deno.test("run --entrypoint puts the entrypoint in front of the arguments", async () => {
  assert.equal(await runOk(["--entrypoint", "echo", "a", "b"]), "a b\n");
});

// --- unshare ---------------------------------------------------------------------------

Deno.test("unshare runs the command as uid 0", async () => {
  const result = await nook(["unshare", "id", "-u"]);
  assert.deepEqual(result, { code: 0, stdout: "0\n", stderr: "" });
});

Deno.test("unshare maps uid 0 to the user and 1.. to the /etc/subuid range", async () => {
  const result = await nook(["unshare", "sh", "-c", "cat /proc/self/uid_map"]);
  assert.equal(result.code, 0, JSON.stringify(result));
  const lines = result.stdout.trim().split("\n").map((l) => l.trim().split(/\s+/).map(Number));
  const [start, count] = subuidRange();
  assert.deepEqual(lines, [[0, hostUid(), 1], [1, start, count]]);
});

Deno.test("unshare exits with the command's exit code", async () => {
  assert.equal((await nook(["unshare", "sh", "-c", "exit 9"])).code, 9);
});
