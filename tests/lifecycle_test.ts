// The container lifecycle end to end, as the unprivileged test user: run -d
// under the monitor, ps, logs, stop, kill, wait, restart and restart
// policies, --rm, create/start, rename, inspect, many containers at once,
// crash safety (killed monitor, killed foreground CLI, reboot) and bad input.
// Every test works in its own store under one temp directory and removes
// (rm -f) what it started, even when it fails.
import assert from "node:assert/strict";
import { busyboxRootfs, repoRoot, sleep, until } from "./helpers.ts";
import { pushBusyboxImage, startRegistry, type TestRegistry } from "./registry_helpers.ts";
import { HEX64, TestStore, withTestStore } from "./store_helpers.ts";

const root = Deno.makeTempDirSync({ prefix: "nook-lifecycle-test-" });
/** Monitors (pid, start time) the tests saw, to kill by pid if one outlives its test. */
const seenMonitors = new Map<number, string>();

let registry: TestRegistry | undefined;
let image: Promise<string> | undefined;

/** A busybox image in a local registry, pushed once for the file. */
function busyboxImage(): Promise<string> {
  image ??= (async () => {
    registry = await startRegistry();
    return (await pushBusyboxImage(registry.host, "test/busybox", "latest")).reference;
  })();
  return image;
}

globalThis.addEventListener("unload", () => {
  killSeenMonitors();
  registry?.stop();
  // Image layers hold files of subordinate ids: remove them as root in the user namespace.
  new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${repoRoot()}/cli/main.ts`, "unshare", "rm", "-rf", root],
  }).outputSync();
});

const ZERO_TIME = "0001-01-01T00:00:00Z";

/** Fields of /proc/PID/stat we need, or null when the process is gone. */
function procStat(pid: number): { state: string; ppid: number; start: string } | null {
  try {
    const text = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const f = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { state: f[0], ppid: Number(f[1]), start: f[19] };
  } catch {
    return null;
  }
}

/** Whether `pid` runs (a zombie nobody reaped yet does not). */
function alive(pid: number): boolean {
  const s = procStat(pid);
  return s !== null && s.state !== "Z" && s.state !== "X";
}

function killSeenMonitors(): void {
  for (const [pid, start] of seenMonitors) {
    const s = procStat(pid);
    if (s && s.start === start && alive(pid)) {
      try {
        Deno.kill(pid, "SIGKILL");
      } catch {
        // gone meanwhile
      }
    }
  }
}

/** `$XDG_RUNTIME_DIR/nook`, as lib/paths/dirs.ts chooses it. */
function runtimeRoot(): string {
  const xdg = Deno.env.get("XDG_RUNTIME_DIR");
  let isDir = false;
  try {
    isDir = xdg !== undefined && xdg !== "" && Deno.statSync(xdg).isDirectory;
  } catch {
    // no such directory
  }
  return isDir ? `${xdg}/nook` : `/tmp/nook-${Deno.uid()}`;
}

function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Parses a state file ("key value" lines). */
function parseState(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const at = line.indexOf(" ");
    if (at > 0) out[line.slice(0, at)] = line.slice(at + 1);
  }
  return out;
}

/** One test's store: NOOK_ROOT, the CLI in it, and what is inside. */
class Store extends TestStore {
  constructor(name: string) {
    super(root, name);
  }

  /** `run -d ARGS`: the new container's id (and its monitor is remembered). */
  override async detach(args: string[]): Promise<string> {
    const id = await super.detach(args);
    this.state(id);
    return id;
  }

  /** `inspect -f TEMPLATE REF`, trimmed. */
  async inspect(ref: string, template: string): Promise<string> {
    return (await this.ok(["inspect", "-f", template, ref])).trim();
  }

  /** The container's directory. */
  containerDir(id: string): string {
    return `${this.dir}/containers/${id}`;
  }

  /** The ids of the container directories. */
  ids(): string[] {
    try {
      return [...Deno.readDirSync(`${this.dir}/containers`)].map((e) => e.name)
        .filter((n) => HEX64.test(n));
    } catch {
      return [];
    }
  }

  /** Everything in the containers directory but the lock. */
  leftovers(): string[] {
    try {
      return [...Deno.readDirSync(`${this.dir}/containers`)].map((e) => e.name)
        .filter((n) => n !== ".lock");
    } catch {
      return [];
    }
  }

  /** The container's state file (its monitor is remembered for the cleanup). */
  state(id: string): Record<string, string> {
    const s = parseState(Deno.readTextFileSync(`${this.containerDir(id)}/state`));
    if (Number(s.monitor) > 0 && s["monitor-start"]) {
      seenMonitors.set(Number(s.monitor), s["monitor-start"]);
    }
    return s;
  }

  /** Removes every container of the store (rm -f), then kills monitors that survived it. */
  override async cleanup(): Promise<void> {
    for (const id of this.ids()) {
      try {
        this.state(id);
      } catch {
        // never started
      }
    }
    const ids = this.ids();
    if (ids.length > 0) {
      await this.run(["rm", "-f", ...ids], { timeoutMs: 120_000 }).catch(() => {});
    }
    killSeenMonitors();
  }
}

/** Runs `fn` with a fresh store and removes what it started, whatever happens. */
function withStore(name: string, fn: (s: Store) => Promise<void>): Promise<void> {
  return withTestStore(new Store(name), fn);
}

/** Pulls the test image into the store. */
async function pulled(s: Store): Promise<string> {
  const ref = await busyboxImage();
  await s.ok(["pull", "-q", ref]);
  return ref;
}

/** `text` for a RegExp that matches it literally. */
function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Lines of a text, without the empty last one. */
function lines(text: string): string[] {
  return text.split("\n").filter((l) => l !== "");
}

Deno.test("run -d returns at once with the id; the container outlives the CLI; ps lists, filters and formats", async () => {
  await withStore("ps", async (s) => {
    const ref = await pulled(s);
    const rootfs = await busyboxRootfs();
    const t0 = Date.now();
    const args = ["--name", "web", "-l", "tier=front", ref, "busybox", "sleep", "60"];
    const r = await s.run(["run", "-d", ...args]);
    const took = Date.now() - t0;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^[0-9a-f]{64}\n$/);
    assert.ok(took < 15_000, `run -d took ${took} ms: it must not wait for the container`);
    const id = r.stdout.trim();

    // The CLI has exited; the container runs on, a child of its monitor.
    const pid = Number(await s.inspect("web", "{{.State.Pid}}"));
    assert.ok(pid > 0, `State.Pid ${pid}`);
    assert.ok(alive(pid), `the container's process ${pid} runs after the CLI exited`);
    const state = s.state(id);
    assert.equal(Number(state.pid), pid);
    assert.equal(procStat(pid)!.ppid, Number(state.monitor), "its parent is the monitor");
    const cmdline = Deno.readTextFileSync(`/proc/${pid}/cmdline`).split("\0");
    assert.deepEqual(cmdline.slice(0, 3), ["busybox", "sleep", "60"]);

    const other = await s.detach(["--name", "other", "--rootfs", rootfs, "sh", "-c", "exit 3"]);
    assert.equal(await s.ok(["wait", "other"]), "3\n");

    const table = await s.ok(["ps"]);
    const rows = lines(table);
    assert.match(rows[0], /^CONTAINER ID\s+IMAGE\s+COMMAND\s+CREATED\s+STATUS\s+PORTS\s+NAMES$/);
    assert.equal(rows.length, 2, `ps shows the running container only:\n${table}`);
    assert.match(
      rows[1],
      new RegExp(
        `^${id.slice(0, 12)}\\s+${
          escape(ref)
        }\\s+"busybox sleep 60"\\s.*\\sUp (Less than a second|\\d+ seconds?)\\s+web$`,
      ),
    );
    assert.equal(await s.ok(["ps", "-q"]), `${id.slice(0, 12)}\n`);
    assert.equal(await s.ok(["ps", "-aq", "--no-trunc"]), `${other}\n${id}\n`, "newest first");
    const noTrunc = await s.ok(["ps", "--no-trunc"]);
    assert.ok(noTrunc.includes(id), noTrunc);

    const names = async (...args: string[]) =>
      await s.ok(["ps", "--format", "{{.Names}}", ...args]);
    assert.equal(await names(), "web\n");
    assert.equal(await names("-a"), "other\nweb\n");
    assert.equal(await names("--filter", "status=exited"), "other\n");
    assert.equal(await names("--filter", "status=running"), "web\n");
    assert.equal(await names("-a", "--filter", "name=oth"), "other\n");
    assert.equal(await names("-a", "--filter", "name=web"), "web\n");
    assert.equal(await names("-a", "--filter", "name=nobody"), "");
    assert.equal(await names("-a", "--filter", "label=tier=front"), "web\n");
    assert.equal(await names("-a", "--filter", "label=tier"), "web\n");
    assert.equal(await names("-a", "--filter", "label=tier=back"), "");
    assert.equal(await names("-a", "--filter", `ancestor=${ref}`), "web\n");
    const imageId = await s.inspect("web", "{{.Image}}");
    assert.equal(await names("-a", "--filter", `ancestor=${imageId.slice(7, 19)}`), "web\n");
    assert.equal(await names("-a", "--filter", `id=${other.slice(0, 6)}`), "other\n");
    assert.equal(await names("-a", "--filter", "status=exited", "--filter", "name=web"), "");
    const bad = await s.run(["ps", "--filter", "colour=red"]);
    assert.equal(bad.code, 125);
    assert.match(bad.stderr, /Invalid --filter 'colour=red'/);

    const json = lines(await s.ok(["ps", "-a", "--format", "json"])).map((l) => JSON.parse(l));
    assert.equal(json.length, 2);
    assert.equal(json[0].Names, "other");
    assert.equal(json[0].State, "exited");
    assert.match(json[0].Status, /^Exited \(3\) .* ago$/);
    assert.equal(json[1].ID, id.slice(0, 12));
    assert.equal(json[1].Names, "web");
    assert.equal(json[1].Image, ref);
    assert.equal(json[1].State, "running");
    assert.equal(json[1].Labels, "tier=front");
    assert.match(json[1].Status, /^Up /);

    // It ends (SIGKILL): ps no longer shows it, ps -a says how it ended.
    assert.equal(await s.ok(["kill", "web"]), "web\n");
    assert.equal(await s.ok(["wait", "web"]), "137\n");
    await until(`process ${pid} to end`, () => !alive(pid));
    assert.equal(await s.ok(["ps", "-q"]), "");
    const after = await s.ok(["ps", "-a", "--format", "{{.Names}} {{.Status}}"]);
    assert.match(after, /^other Exited \(3\) .* ago\nweb Exited \(137\) .* ago\n$/);
  });
});

Deno.test("logs keeps stdout and stderr apart and takes --tail, -t, --since and --until", async () => {
  await withStore("logs", async (s) => {
    const rootfs = await busyboxRootfs();
    const script =
      "echo out1; echo err1 >&2; echo out2; sleep 1.5; echo late-out; echo late-err >&2";
    await s.detach(["--name", "talk", "--rootfs", rootfs, "sh", "-c", script]);
    assert.equal(await s.ok(["wait", "talk"]), "0\n");

    const all = await s.run(["logs", "talk"]);
    assert.equal(all.code, 0, all.stderr);
    assert.equal(all.stdout, "out1\nout2\nlate-out\n");
    assert.equal(all.stderr, "err1\nlate-err\n");

    const tail2 = await s.run(["logs", "--tail", "2", "talk"]);
    assert.equal(tail2.stdout, "late-out\n");
    assert.equal(tail2.stderr, "late-err\n");
    const tail1 = await s.run(["logs", "-n", "1", "talk"]);
    assert.equal(tail1.stdout, "");
    assert.equal(tail1.stderr, "late-err\n");
    const tail0 = await s.run(["logs", "--tail", "0", "talk"]);
    assert.equal(tail0.stdout + tail0.stderr, "");
    const tailAll = await s.run(["logs", "--tail", "all", "talk"]);
    assert.equal(tailAll.stdout, all.stdout);

    const stamped = await s.run(["logs", "-t", "talk"]);
    const out = lines(stamped.stdout).map((l) => l.split(" "));
    assert.deepEqual(out.map((f) => f[1]), ["out1", "out2", "late-out"]);
    for (const [time] of out) assert.match(time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
    assert.match(stamped.stderr, /^\S+Z err1\n\S+Z late-err\n$/);
    const ms = out.map(([time]) => Date.parse(time.replace(/(\.\d{3})\d*Z$/, "$1Z")));
    assert.ok(ms[0] <= ms[1] && ms[1] < ms[2], `times in order: ${out}`);
    assert.ok(ms[2] - ms[1] >= 1_200, `the sleep is between out2 and late-out: ${out}`);

    // A time between out2 and late-out, as RFC 3339 and as unix seconds.
    const mid = Math.round((ms[1] + ms[2]) / 2);
    for (const since of [new Date(mid).toISOString(), (mid / 1000).toFixed(3)]) {
      const late = await s.run(["logs", "--since", since, "talk"]);
      assert.equal(late.stdout, "late-out\n", `--since ${since}`);
      assert.equal(late.stderr, "late-err\n", `--since ${since}`);
    }
    const early = await s.run(["logs", "--until", new Date(mid).toISOString(), "talk"]);
    assert.equal(early.stdout, "out1\nout2\n");
    assert.equal(early.stderr, "err1\n");
    const recent = await s.run(["logs", "--since", "1h", "talk"]);
    assert.equal(recent.stdout, all.stdout);
    const badTime = await s.run(["logs", "--since", "yesterday-ish", "talk"]);
    assert.equal(badTime.code, 125);
  });
});

Deno.test("logs -f follows a container as it writes and returns when it exits, with every line", async () => {
  await withStore("follow", async (s) => {
    const rootfs = await busyboxRootfs();
    const script = "i=1; while [ $i -le 12 ]; do echo line $i; echo eline $i >&2; " +
      "i=$((i+1)); sleep 0.25; done";
    await s.detach(["--name", "ticker", "--rootfs", rootfs, "sh", "-c", script]);
    const follower = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${repoRoot()}/cli/main.ts`, "logs", "-f", "ticker"],
      env: s.env,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const guard = setTimeout(() => follower.kill("SIGKILL"), 30_000);
    try {
      const stderr = new Response(follower.stderr).text();
      const reader = follower.stdout.getReader();
      const decoder = new TextDecoder();
      let stdout = "";
      let statusAtFirstLine = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        if (stdout === "") statusAtFirstLine = await s.inspect("ticker", "{{.State.Status}}");
        stdout += decoder.decode(value, { stream: true });
      }
      const returned = Date.now();
      const status = await follower.status;
      assert.equal(status.code, 0, await stderr);
      assert.equal(statusAtFirstLine, "running", "the first line came while it still ran");
      const want = (p: string) => Array.from({ length: 12 }, (_, i) => `${p} ${i + 1}\n`).join("");
      assert.equal(stdout, want("line"));
      assert.equal(await stderr, want("eline"));
      assert.equal(await s.inspect("ticker", "{{.State.Status}}"), "exited");
      const finished = Date.parse(await s.inspect("ticker", "{{.State.FinishedAt}}"));
      assert.ok(returned >= finished, "logs -f returned after the container exited");
      assert.ok(returned - finished < 5_000, `logs -f returned ${returned - finished} ms after`);
    } finally {
      clearTimeout(guard);
      try {
        follower.kill("SIGKILL");
      } catch {
        // ended
      }
      await follower.status;
    }
    // Following a stopped container prints what is there and returns.
    const again = await s.run(["logs", "-f", "--tail", "1", "ticker"]);
    assert.equal(again.stdout + again.stderr, "eline 12\n");
  });
});

Deno.test("stop, --stop-signal, kill -s, wait and restart", async () => {
  await withStore("signals", async (s) => {
    const rootfs = await busyboxRootfs();
    const loop = "echo ready; while true; do sleep 0.1; done";
    const ready = (ref: string) =>
      until(`${ref} to be ready`, async () => (await s.ok(["logs", ref])).includes("ready\n"));

    // Ignores SIGTERM: stop -t 1 kills it after a second.
    await s.detach(["--name", "stubborn", "--rootfs", rootfs, "sh", "-c", `trap "" TERM; ${loop}`]);
    await ready("stubborn");
    let t0 = Date.now();
    assert.equal(await s.ok(["stop", "-t", "1", "stubborn"]), "stubborn\n");
    let took = Date.now() - t0;
    assert.ok(took >= 900, `stop -t 1 gave it a second before SIGKILL, took ${took} ms`);
    assert.ok(took < 10_000, `stop -t 1 took ${took} ms`);
    assert.equal(
      await s.inspect("stubborn", "{{.State.Status}} {{.State.ExitCode}}"),
      "exited 137",
    );
    assert.equal(await s.ok(["wait", "stubborn"]), "137\n");
    // Stopping a stopped container is fine.
    assert.equal(await s.ok(["stop", "stubborn"]), "stubborn\n");

    // Traps TERM: exits with its own code at once.
    const polite = `trap "echo bye; exit 7" TERM; ${loop}`;
    await s.detach(["--name", "polite", "--rootfs", rootfs, "sh", "-c", polite]);
    await ready("polite");
    t0 = Date.now();
    assert.equal(await s.ok(["stop", "polite"]), "polite\n");
    took = Date.now() - t0;
    assert.ok(took < 5_000, `stop of a container that handles TERM took ${took} ms`);
    assert.equal(await s.inspect("polite", "{{.State.ExitCode}}"), "7");
    assert.equal(await s.ok(["logs", "polite"]), "ready\nbye\n");

    // --stop-signal: stop sends that one.
    const usr2 = `trap "echo usr2; exit 9" USR2; ${loop}`;
    await s.detach([
      "--name",
      "custom",
      "--stop-signal",
      "USR2",
      "--rootfs",
      rootfs,
      "sh",
      "-c",
      usr2,
    ]);
    assert.equal(await s.inspect("custom", "{{.Config.StopSignal}}"), "SIGUSR2");
    await ready("custom");
    t0 = Date.now();
    await s.ok(["stop", "custom"]);
    assert.ok(Date.now() - t0 < 5_000);
    assert.equal(await s.inspect("custom", "{{.State.ExitCode}}"), "9");
    assert.equal(await s.ok(["logs", "custom"]), "ready\nusr2\n");

    // kill -s USR1 reaches a trap and the container goes on; wait prints the exit code.
    const trap = `trap "echo got usr1" USR1; ${loop}`;
    const id = await s.detach(["--name", "trapper", "--rootfs", rootfs, "sh", "-c", trap]);
    await ready("trapper");
    assert.equal(await s.ok(["kill", "-s", "USR1", "trapper"]), "trapper\n");
    await until(
      "the trap's echo",
      async () => (await s.ok(["logs", "trapper"])).includes("got usr1"),
    );
    assert.equal(
      await s.ok(["kill", "--signal", "SIGUSR1", id.slice(0, 12)]),
      `${id.slice(0, 12)}\n`,
    );
    await until(
      "the second echo",
      async () => (await s.ok(["logs", "trapper"])).split("got usr1").length === 3,
    );
    assert.equal(await s.inspect("trapper", "{{.State.Running}}"), "true");
    const waiting = s.run(["wait", "trapper"]);
    await sleep(300);
    await s.ok(["kill", "-s", "KILL", "trapper"]);
    const waited = await waiting;
    assert.equal(waited.code, 0, waited.stderr);
    assert.equal(waited.stdout, "137\n", "wait blocked until it ended and printed its code");
    const badSignal = await s.run(["kill", "-s", "NOSUCHSIG", "polite"]);
    assert.equal(badSignal.code, 125);
    assert.match(badSignal.stderr, /Invalid signal 'NOSUCHSIG'/);

    // restart: a new process, running again; an exited container starts again.
    const before = Number(await s.inspect("polite", "{{.State.Pid}}"));
    assert.equal(before, 0);
    assert.equal(await s.ok(["restart", "polite"]), "polite\n");
    const first = Number(await s.inspect("polite", "{{.State.Pid}}"));
    assert.ok(first > 0 && alive(first));
    await until(
      "polite to be ready again",
      async () => (await s.ok(["logs", "polite"])) === "ready\nbye\nready\n",
    );
    assert.equal(await s.ok(["restart", "-t", "5", "polite"]), "polite\n");
    const second = Number(await s.inspect("polite", "{{.State.Pid}}"));
    assert.ok(second > 0 && second !== first, `restart made a new process (${first} -> ${second})`);
    assert.ok(alive(second));
    await until("the old process to end", () => !alive(first));
    await until(
      "the third start",
      async () => (await s.ok(["logs", "polite"])) === "ready\nbye\nready\nbye\nready\n",
    );
    assert.equal(await s.inspect("polite", "{{.State.Status}} {{.RestartCount}}"), "running 0");
  });
});

Deno.test("restart policies: on-failure:2 runs 3 times; always restarts until stop, and stop sticks", async () => {
  await withStore("policies", async (s) => {
    const rootfs = await busyboxRootfs();
    await s.detach([
      "--name",
      "flaky",
      "--restart",
      "on-failure:2",
      "--rootfs",
      rootfs,
      "sh",
      "-c",
      "echo run; exit 5",
    ]);
    assert.equal(await s.ok(["wait", "flaky"]), "5\n");
    assert.equal(await s.ok(["logs", "flaky"]), "run\nrun\nrun\n", "the first run and 2 restarts");
    assert.equal(
      await s.inspect("flaky", "{{.State.Status}} {{.State.ExitCode}} {{.RestartCount}}"),
      "exited 5 2",
    );
    assert.equal(
      await s.inspect("flaky", "{{json .HostConfig.RestartPolicy}}"),
      '{"Name":"on-failure","MaximumRetryCount":2}',
    );
    // on-failure does not restart a success.
    await s.detach([
      "--name",
      "fine",
      "--restart",
      "on-failure",
      "--rootfs",
      rootfs,
      "sh",
      "-c",
      "echo run",
    ]);
    assert.equal(await s.ok(["wait", "fine"]), "0\n");
    await sleep(500);
    assert.equal(await s.ok(["logs", "fine"]), "run\n");
    assert.equal(await s.inspect("fine", "{{.RestartCount}}"), "0");

    const id = await s.detach([
      "--name",
      "forever",
      "--restart",
      "always",
      "--rootfs",
      rootfs,
      "sh",
      "-c",
      "echo run; sleep 0.3",
    ]);
    const monitor = Number(s.state(id).monitor);
    await until(
      "two restarts",
      async () => lines(await s.ok(["logs", "forever"])).length >= 3,
      20_000,
    );
    assert.ok(Number(await s.inspect("forever", "{{.RestartCount}}")) >= 2);
    const listed = await s.ok(["ps", "--format", "{{.Names}} {{.State}}"]);
    assert.match(listed, /^forever (running|restarting)\n$/, "ps lists it between runs too");
    assert.equal(await s.ok(["stop", "-t", "1", "forever"]), "forever\n");
    const runs = lines(await s.ok(["logs", "forever"])).length;
    assert.equal(await s.inspect("forever", "{{.State.Status}}"), "exited");
    await sleep(2_000); // longer than the backoff after a few restarts
    assert.equal(lines(await s.ok(["logs", "forever"])).length, runs, "no restart after stop");
    assert.equal(
      await s.inspect("forever", "{{.State.Status}} {{.State.Running}}"),
      "exited false",
    );
    await until("the monitor to end", () => !alive(monitor));

    // docker refuses --restart with --rm, and --restart on a foreground run is nook's rule.
    const both = await s.run([
      "run",
      "-d",
      "--rm",
      "--restart",
      "always",
      "--rootfs",
      rootfs,
      "true",
    ]);
    assert.equal(both.code, 125);
    const bad = await s.run(["run", "-d", "--restart", "sometimes", "--rootfs", rootfs, "true"]);
    assert.equal(bad.code, 125);
    assert.match(bad.stderr, /Invalid --restart 'sometimes'/);
    assert.equal(await s.ok(["ps", "-aq"]).then((o) => lines(o).length), 3, "no record left");
  });
});

Deno.test("run --rm -d leaves nothing once the container exits", async () => {
  await withStore("autoremove", async (s) => {
    const rootfs = await busyboxRootfs();
    const id = await s.detach(["--rm", "--rootfs", rootfs, "sh", "-c", "echo bye; sleep 2"]);
    const state = s.state(id);
    const runDir = `${runtimeRoot()}/c/${id.slice(0, 12)}`;
    assert.ok(exists(runDir), "the runtime directory exists while it runs");
    assert.equal(await s.inspect(id, "{{.HostConfig.AutoRemove}}"), "true");
    await until("the container to be removed", () => !exists(s.containerDir(id)), 20_000);
    await until("the monitor to end", () => !alive(Number(state.monitor)));
    assert.ok(!alive(Number(state.pid)));
    assert.ok(!exists(runDir), `${runDir} is removed`);
    assert.deepEqual(s.leftovers(), []);
    assert.equal(
      await s.ok(["ps", "-a"]).then((o) => lines(o).length),
      1,
      "ps -a: the header only",
    );
    assert.equal(await s.ok(["ps", "-aq"]), "");
    const gone = await s.run(["inspect", id]);
    assert.equal(gone.code, 1);
  });
});

Deno.test("restart keeps a --rm container (as docker does), and stop then removes it", async () => {
  await withStore("autoremove-restart", async (s) => {
    const rootfs = await busyboxRootfs();
    const id = await s.detach([
      "--rm",
      "--name",
      "again",
      "--rootfs",
      rootfs,
      "sh",
      "-c",
      "echo start; sleep 60",
    ]);
    const first = Number(s.state(id).pid);
    await until("the first start", async () => (await s.ok(["logs", "again"])) === "start\n");
    assert.equal(await s.ok(["restart", "-t", "1", "again"]), "again\n");
    await sleep(1_000); // time for a wrong removal to happen
    assert.ok(exists(s.containerDir(id)), "restart did not remove the container");
    const second = Number(await s.inspect("again", "{{.State.Pid}}"));
    assert.ok(second > 0 && second !== first && alive(second), `${first} -> ${second}`);
    assert.equal(await s.inspect("again", "{{.State.Status}}"), "running");
    assert.equal(await s.ok(["logs", "again"]), "start\nstart\n");
    const monitor = Number(s.state(id).monitor);
    await s.ok(["stop", "-t", "1", "again"]);
    await until(
      "the container to be removed after stop",
      () => !exists(s.containerDir(id)),
      20_000,
    );
    await until("the monitor to end", () => !alive(monitor));
    assert.equal(await s.ok(["ps", "-aq"]), "");
  });
});

Deno.test("create, start, wait, start -a, rename and inspect's fields", async () => {
  await withStore("create", async (s) => {
    const rootfs = await busyboxRootfs();
    const script = 'echo "hi $FOO"; pwd; echo oops >&2; exit 3';
    const created = await s.ok([
      "create",
      "--name",
      "made",
      "-e",
      "FOO=bar",
      "-w",
      "/tmp",
      "-l",
      "k=v",
      "--rootfs",
      rootfs,
      "sh",
      "-c",
      script,
    ]);
    assert.match(created, /^[0-9a-f]{64}\n$/);
    const id = created.trim();
    assert.ok(!exists(`${s.containerDir(id)}/state`), "create starts nothing");
    assert.equal(await s.ok(["ps", "-q"]), "");
    assert.match(
      await s.ok(["ps", "-a", "--format", "{{.Names}} {{.Status}}"]),
      /^made Created\n$/,
    );

    const [fresh] = JSON.parse(await s.ok(["inspect", "made"]));
    assert.equal(fresh.Id, id);
    assert.equal(fresh.Name, "/made");
    assert.equal(fresh.State.Status, "created");
    assert.equal(fresh.State.Running, false);
    assert.equal(fresh.State.Pid, 0);
    assert.equal(fresh.State.StartedAt, ZERO_TIME);
    assert.equal(fresh.State.FinishedAt, ZERO_TIME);
    assert.equal(fresh.RestartCount, 0);
    assert.equal(fresh.Path, "sh");
    assert.deepEqual(fresh.Args, ["-c", script]);
    assert.deepEqual(fresh.Config.Cmd, ["sh", "-c", script]);
    assert.ok(fresh.Config.Env.includes("FOO=bar"), JSON.stringify(fresh.Config.Env));
    assert.equal(fresh.Config.WorkingDir, "/tmp");
    assert.deepEqual(fresh.Config.Labels, { k: "v" });
    assert.equal(fresh.Config.StopSignal, "SIGTERM");
    assert.equal(fresh.HostConfig.AutoRemove, false);
    assert.ok(Math.abs(Date.parse(fresh.Created) - Date.now()) < 60_000);

    assert.equal(await s.ok(["start", "made"]), "made\n");
    assert.equal(await s.ok(["wait", "made"]), "3\n");
    const logs = await s.run(["logs", "made"]);
    assert.equal(logs.stdout, "hi bar\n/tmp\n");
    assert.equal(logs.stderr, "oops\n");
    const [ended] = JSON.parse(await s.ok(["inspect", id.slice(0, 10)]));
    assert.equal(ended.State.Status, "exited");
    assert.equal(ended.State.Running, false);
    assert.equal(ended.State.Pid, 0);
    assert.equal(ended.State.ExitCode, 3);
    const startedAt = Date.parse(ended.State.StartedAt);
    const finishedAt = Date.parse(ended.State.FinishedAt);
    assert.ok(startedAt >= Date.parse(fresh.Created) - 1_000, ended.State.StartedAt);
    assert.ok(finishedAt >= startedAt, `${ended.State.StartedAt} <= ${ended.State.FinishedAt}`);
    assert.ok(finishedAt <= Date.now() + 1_000);

    // start -a prints the output and returns the exit code.
    const attached = await s.run(["start", "-a", "made"]);
    assert.equal(attached.code, 3, attached.stderr);
    assert.equal(attached.stdout, "hi bar\n/tmp\n");
    assert.match(attached.stderr, /oops\n/);
    assert.equal((await s.run(["logs", "made"])).stdout, "hi bar\n/tmp\nhi bar\n/tmp\n");

    // While it runs: Running, Pid, StartedAt set, FinishedAt not yet.
    const runner = await s.detach(["--name", "runner", "--rootfs", rootfs, "sleep", "60"]);
    const [live] = JSON.parse(await s.ok(["inspect", "runner"]));
    assert.equal(live.Id, runner);
    assert.equal(live.State.Status, "running");
    assert.equal(live.State.Running, true);
    assert.equal(live.State.Pid, Number(s.state(runner).pid));
    assert.ok(alive(live.State.Pid));
    assert.ok(Date.parse(live.State.StartedAt) > 0);
    assert.equal(live.State.FinishedAt, ZERO_TIME);
    assert.equal(live.State.ExitCode, 0);

    // rename, also while it runs; names stay unique.
    assert.equal(await s.ok(["rename", "runner", "sprinter"]), "");
    assert.equal(await s.inspect(runner, "{{.Name}} {{.State.Running}}"), "/sprinter true");
    const old = await s.run(["inspect", "runner"]);
    assert.equal(old.code, 1);
    assert.match(old.stderr, /No such object: runner/);
    const taken = await s.run(["rename", "sprinter", "made"]);
    assert.equal(taken.code, 125);
    assert.match(taken.stderr, /already in use/);
    assert.equal(await s.inspect(runner, "{{.Name}}"), "/sprinter");
    assert.equal(await s.inspect(id, "{{.Name}}"), "/made");
    const invalid = await s.run(["rename", "sprinter", "-bad name"]);
    assert.equal(invalid.code, 125);
    assert.equal(await s.ok(["ps", "-a", "--format", "{{.Names}}"]), "sprinter\nmade\n");
    await s.ok(["rename", id, "made2"]);
    assert.equal(await s.ok(["ps", "-a", "--format", "{{.Names}}"]), "sprinter\nmade2\n");
  });
});

Deno.test("20 concurrent run -d and rm -f: distinct ids and names, all listed, no half state", async () => {
  await withStore("many", async (s) => {
    const rootfs = await busyboxRootfs();
    const containers = `${s.dir}/containers`;
    const problems: string[] = [];
    let checking = true;
    let reads = 0;
    // Reads every record and state file while the CLIs work: each must parse.
    const checker = (async () => {
      while (checking) {
        let names: string[] = [];
        try {
          names = [...Deno.readDirSync(containers)].map((e) => e.name).filter((n) => HEX64.test(n));
        } catch {
          // not made yet
        }
        for (const name of names) {
          let json: string | null = null;
          let state: string | null = null;
          try {
            json = Deno.readTextFileSync(`${containers}/${name}/container.json`);
          } catch {
            // being made or removed
          }
          try {
            state = Deno.readTextFileSync(`${containers}/${name}/state`);
          } catch {
            // not started yet, or removed
          }
          if (json !== null) {
            reads++;
            try {
              const r = JSON.parse(json);
              if (r.id !== name || typeof r.name !== "string") problems.push(`${name}: ${json}`);
            } catch (err) {
              problems.push(`${name}/container.json: ${(err as Error).message}: ${json}`);
            }
          }
          if (state !== null && !/^status (running|restarting|exited)\npid \d+\n/.test(state)) {
            problems.push(`${name}/state: ${JSON.stringify(state)}`);
          }
        }
        await sleep(5);
      }
    })();
    // And ps, run over and over meanwhile, never fails on a container half made or removed.
    let listings = 0;
    const lister = (async () => {
      while (checking) {
        const r = await s.run(["ps", "-a", "--no-trunc", "--format", "json"]);
        listings++;
        if (r.code !== 0) problems.push(`ps -a failed (${r.code}): ${r.stderr}`);
        for (const line of lines(r.stdout)) {
          try {
            if (!HEX64.test(JSON.parse(line).ID)) problems.push(`ps -a: ${line}`);
          } catch {
            problems.push(`ps -a printed ${JSON.stringify(line)}`);
          }
        }
      }
    })();
    try {
      const runs = await Promise.all(
        Array.from(
          { length: 20 },
          (_, i) =>
            s.run(["run", "-d", "-l", `n=${i}`, "--rootfs", rootfs, "sleep", "60"], {
              timeoutMs: 120_000,
            }),
        ),
      );
      for (const r of runs) assert.equal(r.code, 0, r.stderr);
      const ids = runs.map((r) => r.stdout.trim());
      for (const id of ids) assert.match(id, HEX64);
      assert.equal(new Set(ids).size, 20, "20 distinct ids");
      assert.equal(new Set(ids.map((id) => id.slice(0, 12))).size, 20, "distinct short ids");
      for (const id of ids) s.state(id);

      const listed = lines(
        await s.ok(["ps", "--no-trunc", "--format", "{{.ID}} {{.Names}} {{.State}}"]),
      );
      assert.equal(listed.length, 20, listed.join("\n"));
      const rows = listed.map((l) => l.split(" "));
      assert.deepEqual(rows.map((r) => r[0]).sort(), [...ids].sort());
      assert.equal(new Set(rows.map((r) => r[1])).size, 20, "20 distinct names");
      assert.ok(rows.every((r) => r[2] === "running"), listed.join("\n"));
      const pids = await Promise.all(
        ids.map(async (id) => Number(await s.inspect(id, "{{.State.Pid}}"))),
      );
      assert.equal(new Set(pids).size, 20);
      assert.ok(pids.every(alive), "every container runs");
      const monitors = ids.map((id) => Number(s.state(id).monitor));

      const removals = await Promise.all(
        ids.map((id) => s.run(["rm", "-f", id], { timeoutMs: 120_000 })),
      );
      for (const [i, r] of removals.entries()) {
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout, `${ids[i]}\n`);
      }
      assert.equal(await s.ok(["ps", "-aq"]), "");
      assert.deepEqual(s.leftovers(), [], "no container directory and no half-removed one");
      for (const id of ids) assert.ok(!exists(`${runtimeRoot()}/c/${id.slice(0, 12)}`));
      await until(
        "the containers and monitors to end",
        () => [...pids, ...monitors].every((p) => !alive(p)),
      );
    } finally {
      checking = false;
      await Promise.all([checker, lister]);
    }
    assert.ok(reads > 0, "the checker read records while they existed");
    assert.ok(listings > 0);
    assert.deepEqual(problems, []);
  });
});

/** A process and all its descendants (by the parent pids in /proc). */
function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    const ppid = procStat(Number(e.name))?.ppid;
    if (ppid !== undefined) children.set(ppid, [...(children.get(ppid) ?? []), Number(e.name)]);
  }
  const out = [pid];
  for (let i = 0; i < out.length; i++) out.push(...(children.get(out[i]) ?? []));
  return out;
}

for (const [what, user] of [["as root", []], ["as a user (-u 1000:1000)", ["-u", "1000:1000"]]]) {
  Deno.test(`a killed monitor ${what}: the container is not Up, rm -f removes it completely`, async () => {
    await withStore(`killed-monitor-${user.length}`, async (s) => {
      const rootfs = await busyboxRootfs();
      const script = "sleep 60 & sleep 60";
      const id = await s.detach([
        "--name",
        "orphan",
        ...user,
        "--rootfs",
        rootfs,
        "sh",
        "-c",
        script,
      ]);
      const state = s.state(id);
      const [pid, monitor] = [Number(state.pid), Number(state.monitor)];
      assert.ok(alive(pid) && alive(monitor));
      assert.equal(await s.inspect(id, "{{.State.Status}}"), "running");
      const tree = await until("the shell's child", () => {
        const t = processTree(pid);
        return t.length >= 2 ? t : undefined;
      });
      Deno.kill(monitor, "SIGKILL");
      await until("the monitor to die", () => !alive(monitor));
      // The container dies with its monitor: nothing would record its end.
      await until("the container's processes to end", () => tree.every((p) => !alive(p)));

      const ps = await s.ok(["ps", "-a", "--format", "{{.Names}} {{.Status}}"]);
      assert.equal(ps, "orphan Unknown\n");
      assert.equal(await s.ok(["ps", "-q"]), "", "ps does not list it as running");
      const [info] = JSON.parse(await s.ok(["inspect", "orphan"]));
      assert.equal(info.State.Status, "unknown");
      assert.equal(info.State.Running, false);
      assert.equal(info.State.Pid, 0);
      assert.notEqual(info.State.Error, "");
      const stopped = await s.run(["kill", "orphan"]);
      assert.equal(stopped.code, 125, "kill refuses a container that is not running");

      assert.equal(await s.ok(["rm", "-f", "orphan"]), "orphan\n");
      assert.ok(!exists(s.containerDir(id)));
      assert.ok(!exists(`${runtimeRoot()}/c/${id.slice(0, 12)}`));
      assert.deepEqual(s.leftovers(), []);
      assert.equal(await s.ok(["ps", "-aq"]), "");
    });
  });
}

Deno.test("a container process that outlived its monitor is Unknown, and rm -f ends it", async () => {
  await withStore("outlived", async (s) => {
    const rootfs = await busyboxRootfs();
    const id = (await s.ok(["create", "--name", "stray", "--rootfs", rootfs, "sleep", "60"]))
      .trim();
    // What a container whose parent-death signal was lost leaves: its process runs, its
    // monitor is gone. A process of ours plays the container, a finished one the monitor.
    const monitor = new Deno.Command("true").spawn();
    const monitorStart = procStat(monitor.pid)?.start ?? "1";
    await monitor.status;
    const stray = new Deno.Command("sleep", { args: ["60"] }).spawn();
    try {
      const boot = Deno.readTextFileSync("/proc/sys/kernel/random/boot_id").trim();
      const state = [
        "status running",
        `pid ${stray.pid}`,
        `pid-start ${procStat(stray.pid)!.start}`,
        `monitor ${monitor.pid}`,
        `monitor-start ${monitorStart}`,
        `boot ${boot}`,
        `started ${Date.now() * 1e6}`,
        "restarts 0",
      ];
      Deno.writeTextFileSync(`${s.containerDir(id)}/state`, state.join("\n") + "\n");
      assert.equal(
        await s.ok(["ps", "-a", "--format", "{{.Names}} {{.Status}}"]),
        "stray Unknown\n",
      );
      assert.equal(await s.ok(["ps", "-q"]), "");
      assert.equal(
        await s.inspect("stray", "{{.State.Status}} {{.State.Running}}"),
        "unknown false",
      );
      assert.equal(await s.ok(["rm", "-f", "stray"]), "stray\n");
      assert.equal((await stray.status).signal, "SIGKILL", "rm -f ended the stray process");
      assert.ok(!exists(s.containerDir(id)));
    } finally {
      try {
        stray.kill("SIGKILL");
      } catch {
        // ended
      }
      await stray.status;
    }
  });
});

Deno.test("a foreground run (as nobody) whose CLI is killed is not Up afterwards; rm -f removes it", async () => {
  await withStore("killed-cli", async (s) => {
    const ref = await pulled(s);
    // As nobody: the parent-death signal must survive the uid change.
    const args = ["run", "--name", "fg", "-u", "nobody", ref, "busybox", "sleep", "60"];
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${repoRoot()}/cli/main.ts`, ...args],
      env: s.env,
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    let state: Record<string, string> | undefined;
    try {
      const id = await until("the foreground container to run", () => {
        const found = s.ids().find((i) => exists(`${s.containerDir(i)}/state`));
        return found && s.state(found).status === "running" ? found : undefined;
      }, 30_000);
      state = s.state(id);
      assert.equal(Number(state.monitor), child.pid, "the foreground CLI keeps the record");
      const pid = Number(state.pid);
      assert.ok(alive(pid));
      assert.match(await s.ok(["ps", "--format", "{{.Names}} {{.Status}}"]), /^fg Up /);
      assert.equal(Number(await s.inspect("fg", "{{.State.Pid}}")), pid);

      child.kill("SIGKILL");
      assert.equal((await child.status).signal, "SIGKILL");
      const ps = await s.ok(["ps", "-a", "--format", "{{.Names}} {{.Status}}"]);
      assert.doesNotMatch(ps, /Up/);
      assert.equal(ps, "fg Unknown\n");
      assert.equal(await s.inspect("fg", "{{.State.Running}}"), "false");
      await until("the container's process to end with its CLI", () => !alive(pid));

      assert.equal(await s.ok(["rm", "-f", "fg"]), "fg\n");
      assert.ok(!exists(s.containerDir(id)));
      assert.deepEqual(s.leftovers(), []);
    } finally {
      try {
        child.kill("SIGKILL");
      } catch {
        // already ended
      }
      await child.status;
      if (state && alive(Number(state.pid))) Deno.kill(Number(state.pid), "SIGKILL");
    }
  });
});

Deno.test("after a reboot (another boot id) a container is not Up", async () => {
  await withStore("reboot", async (s) => {
    const rootfs = await busyboxRootfs();
    const id = await s.detach(["--name", "before", "--rootfs", rootfs, "sleep", "60"]);
    const path = `${s.containerDir(id)}/state`;
    const original = Deno.readTextFileSync(path);
    const monitor = Number(s.state(id).monitor);
    // Stop the monitor so that it cannot rewrite the file, then pretend the host rebooted.
    Deno.kill(monitor, "SIGSTOP");
    try {
      const rebooted = original.replace(/^boot .*$/m, `boot ${crypto.randomUUID()}`);
      assert.notEqual(rebooted, original);
      Deno.writeTextFileSync(`${path}.edit`, rebooted);
      Deno.renameSync(`${path}.edit`, path);
      assert.equal(await s.ok(["ps", "-q"]), "");
      assert.equal(
        await s.ok(["ps", "-a", "--format", "{{.Names}} {{.Status}}"]),
        "before Unknown\n",
      );
      assert.equal(
        await s.inspect("before", "{{.State.Status}} {{.State.Running}} {{.State.Pid}}"),
        "unknown false 0",
      );
      const waited = await s.run(["wait", "before"], { timeoutMs: 10_000 });
      assert.equal(waited.code, 0, "wait does not block on a container of another boot");

      // The same file with this boot's id: Up again (the boot id was what mattered).
      Deno.writeTextFileSync(`${path}.edit`, original);
      Deno.renameSync(`${path}.edit`, path);
      assert.match(await s.ok(["ps", "--format", "{{.Names}} {{.Status}}"]), /^before Up /);
    } finally {
      Deno.kill(monitor, "SIGCONT");
    }
    assert.equal(await s.ok(["rm", "-f", "before"]), "before\n");
    assert.deepEqual(s.leftovers(), []);
    await until("the monitor to end", () => !alive(monitor));
  });
});

Deno.test("bad input: unknown, ambiguous, names in use, rm of a running one, kill of a stopped one", async () => {
  await withStore("bad", async (s) => {
    const rootfs = await busyboxRootfs();
    for (
      const verb of [
        ["inspect"],
        ["logs"],
        ["start"],
        ["stop"],
        ["restart"],
        ["kill"],
        ["wait"],
        ["rm"],
        ["rm", "-f"],
        ["rename"],
        ["top"],
        ["attach"],
      ]
    ) {
      const args = verb[0] === "rename" ? [...verb, "nosuch", "other"] : [...verb, "nosuch"];
      const r = await s.run(args);
      // docker's and podman's codes: 1 for the verbs on named objects, 0 for rm -f (podman),
      // 125 for the others (podman's).
      const code = verb.join(" ") === "rm -f"
        ? 0
        : ["logs", "rename", "top", "attach"].includes(verb[0])
        ? 125
        : 1;
      assert.equal(r.code, code, `nook ${args.join(" ")}: ${r.code} ${r.stderr}`);
      if (code === 0) continue;
      const what = verb[0] === "inspect" ? "object" : "container";
      assert.match(r.stderr, new RegExp(`No such ${what}: nosuch`), `nook ${args.join(" ")}`);
    }

    // Containers until two share their first hex digit (at most 17).
    const byDigit = new Map<string, string[]>();
    let shared: string | undefined;
    for (let i = 0; i < 17 && !shared; i++) {
      const id = (await s.ok(["create", "--rootfs", rootfs, "true"])).trim();
      byDigit.set(id[0], [...(byDigit.get(id[0]) ?? []), id]);
      if (byDigit.get(id[0])!.length === 2) shared = id[0];
    }
    assert.ok(shared !== undefined);
    const [a, b] = byDigit.get(shared)!;
    for (const verb of ["inspect", "rm", "start"]) {
      const r = await s.run([verb, shared]);
      assert.equal(r.code, 125, `${verb} ${shared}: ${r.stderr}`);
      assert.match(r.stderr, /ambiguous/);
    }
    assert.ok(exists(s.containerDir(a)) && exists(s.containerDir(b)), "rm removed neither");
    // A longer prefix that is unique works.
    let n = 1;
    while (a.slice(0, n) === b.slice(0, n)) n++;
    assert.equal(await s.inspect(a.slice(0, n), "{{.Id}}"), a);
    await s.ok(["rm", ...[...byDigit.values()].flat()]);
    assert.equal(await s.ok(["ps", "-aq"]), "");

    // A name in use: refused, the holder unchanged.
    const holder = await s.detach(["--name", "taken", "--rootfs", rootfs, "sleep", "60"]);
    const pid = Number(await s.inspect("taken", "{{.State.Pid}}"));
    for (const verb of ["run", "create"]) {
      const args = verb === "run" ? ["run", "-d"] : ["create"];
      const r = await s.run([
        ...args,
        "--name",
        "taken",
        "--rootfs",
        rootfs,
        "sh",
        "-c",
        "echo second",
      ]);
      assert.equal(r.code, 125, `${verb}: ${r.stderr}`);
      assert.match(r.stderr, /name 'taken' is already in use by container/);
      assert.equal(r.stdout, "");
    }
    assert.equal(
      await s.ok(["ps", "-a", "--no-trunc", "--format", "{{.ID}} {{.Names}}"]),
      `${holder} taken\n`,
    );
    assert.equal(await s.inspect("taken", "{{.Id}} {{.State.Pid}}"), `${holder} ${pid}`);
    assert.deepEqual(s.ids(), [holder]);
    const badName = await s.run(["run", "-d", "--name", "no way", "--rootfs", rootfs, "true"]);
    assert.equal(badName.code, 125);
    assert.match(badName.stderr, /Invalid container name/);

    // rm without -f refuses a running container, which goes on.
    const rm = await s.run(["rm", "taken"]);
    assert.equal(rm.code, 2, "podman's code for a running container");
    assert.match(rm.stderr, /running/);
    assert.equal(rm.stdout, "");
    assert.ok(exists(s.containerDir(holder)));
    assert.equal(await s.inspect("taken", "{{.State.Running}} {{.State.Pid}}"), `true ${pid}`);
    assert.ok(alive(pid));

    // kill of a stopped container.
    await s.ok(["stop", "-t", "0", "taken"]);
    assert.ok(!alive(pid));
    const kill = await s.run(["kill", "taken"]);
    assert.equal(kill.code, 125);
    assert.match(kill.stderr, /not running/);
    assert.equal(await s.inspect("taken", "{{.State.Status}}"), "exited");

    // One bad name among good ones: the others are still done, the exit code is 1 (a missing name).
    const mixed = await s.run(["rm", "nosuch", "taken"]);
    assert.equal(mixed.code, 1);
    assert.equal(mixed.stdout, "taken\n");
    assert.ok(!exists(s.containerDir(holder)));

    // A command that cannot start: run -d fails and leaves no container.
    const missing = await s.run([
      "run",
      "-d",
      "--name",
      "broken",
      "--rootfs",
      rootfs,
      "/no/such/program",
    ]);
    assert.notEqual(missing.code, 0);
    assert.equal(missing.stdout, "");
    assert.equal(await s.ok(["ps", "-aq"]), "");
    assert.deepEqual(s.leftovers(), []);
  });
});

Deno.test("exec joins the running container: its PID 1, env, user, workdir and exit codes", async () => {
  await withStore("exec", async (s) => {
    const ref = await pulled(s);
    const id = await s.detach([
      "--name",
      "ex",
      "-e",
      "FROM_RUN=1",
      "-w",
      "/tmp",
      ref,
      "busybox",
      "sleep",
      "60",
    ]);
    const r = await s.run([
      "exec",
      "-e",
      "FROM_EXEC=2",
      "ex",
      "sh",
      "-c",
      'echo "$FROM_RUN $FROM_EXEC $(pwd) $(hostname)"; tr "\\0" " " < /proc/1/cmdline; echo; ' +
      "readlink /proc/self/ns/pid; exit 7",
    ]);
    assert.equal(r.code, 7, r.stderr);
    const [envLine, cmdline, ns] = lines(r.stdout);
    assert.equal(envLine, `1 2 /tmp ${id.slice(0, 12)}`);
    assert.equal(cmdline.trim(), "busybox sleep 60", "PID 1 is the container's command");
    const pid = Number(await s.inspect("ex", "{{.State.Pid}}"));
    assert.equal(ns, Deno.readLinkSync(`/proc/${pid}/ns/pid`), "the container's pid namespace");
    // The exec'd process shows in the container's ps while it runs.
    const ps = await s.ok(["exec", "ex", "busybox", "ps", "-o", "pid,args"]);
    assert.match(ps, /^\s*1 busybox sleep 60$/m);
    assert.match(ps, /busybox ps -o pid,args/);
    assert.equal((await s.ok(["exec", "-u", "1000:1000", "ex", "id", "-u"])).trim(), "1000");
    assert.equal((await s.ok(["exec", "-w", "/", "ex", "sh", "-c", "pwd"])).trim(), "/");
    const missing = await s.run(["exec", "ex", "no-such-command"]);
    assert.equal(missing.code, 127);
    assert.match(missing.stderr, /executable file not found/);
    assert.equal((await s.run(["exec", "ex", "/tmp"])).code, 126);
    // top lists the container's processes by host pid.
    assert.match(await s.ok(["top", "ex"]), new RegExp(`^\\S+\\s+${pid}\\s`, "m"));
    await s.ok(["stop", "-t", "0", "ex"]);
    const stopped = await s.run(["exec", "ex", "true"]);
    assert.equal(stopped.code, 125);
    assert.match(stopped.stderr, /ex is not running/);
  });
});

Deno.test("attach relays a detached container's output and stdin, and returns its exit code", async () => {
  await withStore("attach", async (s) => {
    const ref = await pulled(s);
    await s.detach(["-i", "--name", "cat", ref, "sh", "-c", "cat; echo done >&2; exit 4"]);
    const r = await s.run(["attach", "cat"], { stdin: "line one\nline two\n" });
    assert.equal(r.code, 4, r.stderr);
    assert.equal(r.stdout, "line one\nline two\n");
    assert.equal(r.stderr, "done\n");
    assert.equal(await s.inspect("cat", "{{.State.ExitCode}}"), "4");
    const logs = await s.run(["logs", "cat"]);
    assert.equal(logs.stdout, "line one\nline two\n");
  });
});

Deno.test("the API: runDetached, logs, exec, stop, remove", async () => {
  await withStore("api", async (s) => {
    const ref = await pulled(s);
    const saved = Deno.env.get("NOOK_ROOT");
    Deno.env.set("NOOK_ROOT", s.dir);
    try {
      const { runDetached, getContainer, listContainers } = await import("../mod.ts");
      await using c = await runDetached({
        image: ref,
        name: "svc",
        command: ["sh", "-c", "echo ready; exec busybox sleep 60"],
        pull: "never",
      });
      let ready = false;
      for await (const e of c.logs({ follow: true })) {
        if (e.text === "ready") {
          ready = true;
          break;
        }
      }
      assert.ok(ready);
      assert.equal(getContainer("svc").id, c.id);
      assert.deepEqual(listContainers({ all: false }).map((x) => x.name), ["svc"]);
      const p = await c.exec(["sh", "-c", "echo $HOSTNAME"], { stdout: "pipe" });
      const out = await new Response(p.stdout).text();
      assert.equal(out.trim(), c.id.slice(0, 12));
      assert.equal((await p.status).exitCode, 0);
      assert.equal(c.status().status, "running");
      assert.equal(await c.stop(0), 137);
      assert.equal(c.inspect().State.Status, "exited");
    } finally {
      if (saved === undefined) Deno.env.delete("NOOK_ROOT");
      else Deno.env.set("NOOK_ROOT", saved);
    }
    assert.deepEqual(s.ids(), [], "await using removed it");
  });
});

Deno.test("--log-opt max-size rotates the log (max-file files kept); logs reads across them", async () => {
  await withStore("rotate", async (s) => {
    const ref = await pulled(s);
    const id = await s.detach([
      "--log-opt",
      "max-size=2k",
      "--log-opt",
      "max-file=3",
      ref,
      "sh",
      "-c",
      "i=0; while [ $i -lt 200 ]; do echo line-$i; i=$((i+1)); done",
    ]);
    assert.equal((await s.ok(["wait", id])).trim(), "0");
    const dir = s.containerDir(id);
    const files = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) =>
      n.startsWith("container.log")
    ).sort();
    assert.deepEqual(files, ["container.log", "container.log.1", "container.log.2"]);
    for (const f of files) assert.ok(Deno.statSync(`${dir}/${f}`).size <= 2048, `${f} <= 2k`);
    const out = lines(await s.ok(["logs", id]));
    assert.equal(out.at(-1), "line-199");
    assert.ok(out.length < 200, "the oldest lines were rotated away");
    // What is kept is contiguous: rotation drops whole old files, never lines in between.
    const first = Number(out[0].slice(5));
    assert.deepEqual(out, out.map((_, i) => `line-${first + i}`));
  });
});

Deno.test("pause and unpause say clearly that a container without a cgroup has no freezer", async () => {
  await withStore("pause", async (s) => {
    const root = await busyboxRootfs();
    await s.detach(["--name", "pz", "--cgroups=disabled", "--rootfs", root, "sleep", "30"]);
    for (const verb of ["pause", "unpause"]) {
      const r = await s.run([verb, "pz"]);
      assert.equal(r.code, 125);
      assert.match(r.stderr, new RegExp(`Cannot ${verb} container pz: .*cgroup v2`));
    }
    assert.equal(await s.inspect("pz", "{{.State.Status}}"), "running");
  });
});

Deno.test("commit carries the container's command, env, workdir and labels into the image (docker's commit)", async () => {
  await withStore("commit-config", async (s) => {
    const ref = await pulled(s);
    await s.ok([
      "run",
      "--name",
      "cc",
      "-e",
      "CARRY=1",
      "-w",
      "/tmp",
      "--label",
      "team=core",
      ref,
      "sh",
      "-c",
      'echo "from-cmd $CARRY $(pwd)"',
    ]);
    const image = (await s.ok(["commit", "cc", "test/carry:1"])).trim();
    assert.match(image, /^sha256:[0-9a-f]{64}$/);
    assert.equal(await s.ok(["run", "--rm", "test/carry:1"]), "from-cmd 1 /tmp\n");
    const inspect = JSON.parse(await s.ok(["image", "inspect", "test/carry:1"]));
    assert.equal(inspect[0].Config.Labels.team, "core");
  });
});

Deno.test("a record of the nook before configs starts as it did; a newer nook's is skipped, not misread", async () => {
  await withStore("schema", async (s) => {
    const rootfs = await busyboxRootfs();
    const id = (await s.ok([
      "create",
      "--name",
      "old",
      "-e",
      "FOO=bar",
      "-l",
      "k=v",
      "--stop-timeout",
      "3",
      "--rootfs",
      rootfs,
      "sh",
      "-c",
      'echo "foo=$FOO"',
    ])).trim(); // deno-fmt-ignore
    const file = `${s.containerDir(id)}/container.json`;
    const now = JSON.parse(Deno.readTextFileSync(file));
    assert.equal(now.config.schemaVersion, 2, "a new record holds a versioned config");
    // The shape the nook before configs wrote (schema 0): options, and the settings beside them.
    const { network: _network, labels, restart, autoRemove, stopSignal, stopTimeout, log, ...o } =
      now.config;
    delete o.schemaVersion;
    const { config: _config, ...rest } = now;
    Deno.writeTextFileSync(
      file,
      JSON.stringify({
        ...rest,
        options: o,
        labels,
        restart,
        autoRemove,
        stopSignal,
        stopTimeout,
        log,
      }),
    );
    assert.equal(await s.ok(["start", "-a", "old"]), "foo=bar\n");
    const [old] = JSON.parse(await s.ok(["inspect", "old"]));
    assert.deepEqual(old.Config.Labels, { k: "v" });
    assert.equal(old.Config.StopTimeout, 3);

    const newer = (await s.ok(["create", "--name", "newer", "--rootfs", rootfs, "true"])).trim();
    const newerFile = `${s.containerDir(newer)}/container.json`;
    const record = JSON.parse(Deno.readTextFileSync(newerFile));
    record.config.schemaVersion = 3;
    Deno.writeTextFileSync(newerFile, JSON.stringify(record));
    const ps = await s.run(["ps", "-a", "--format", "{{.Names}}"]);
    assert.equal(ps.code, 0, ps.stderr);
    assert.equal(ps.stdout, "old\n");
    assert.match(ps.stderr, /Container newer was made by a newer nook \(config schema 3\)/);
    assert.match(ps.stderr, /nook unshare rm -rf /);
    const started = await s.run(["start", newer]);
    assert.equal(started.code, 125);
    assert.match(started.stderr, /newer nook \(config schema 3\)/);
    // Remove it as the message says, so that cleanup finds only what it can read.
    const rm = await s.run(["unshare", "rm", "-rf", s.containerDir(newer)]);
    assert.equal(rm.code, 0, rm.stderr);
  });
});

Deno.test("exec runs as the configured user (root by default), not as the ids the entrypoint dropped to", async () => {
  await withStore("execuser", async (s) => {
    const rootfs = await busyboxRootfs();
    // Like a database image's entrypoint: starts as root, then drops to another user for good.
    const drop = "exec su -s /bin/sh tester -c 'exec sleep 60'";
    await s.ok(["run", "-d", "--name", "drops", "--rootfs", rootfs, "sh", "-c", drop]);
    await until("PID 1 to drop to uid 1000", async () => {
      const status = await s.run(["exec", "drops", "cat", "/proc/1/status"]);
      return /^Uid:\s+1000\s/m.test(status.stdout);
    });
    assert.equal(
      await s.ok(["exec", "drops", "sh", "-c", 'id -u; id -g; echo "$HOME"']),
      "0\n0\n/root\n",
    );
    assert.equal(await s.ok(["exec", "-u", "2000", "drops", "id", "-u"]), "2000\n");
    assert.equal(await s.ok(["exec", "-u", "tester", "drops", "id", "-G"]), "1000 2000\n");

    // A configured user is exec's default (HOME as run sets it: beneath the container's -e), with
    // the container's --group-add; -u still overrides it.
    await s.ok([
      "run",
      "-d",
      "--name",
      "tester",
      "-u",
      "tester",
      "--group-add",
      "65534",
      "-e",
      "HOME=/tmp",
      "--rootfs",
      rootfs,
      "sleep",
      "60",
    ]); // deno-fmt-ignore
    assert.equal(
      await s.ok(["exec", "tester", "sh", "-c", 'id -u; id -G; echo "$HOME"']),
      "1000\n1000 2000 65534\n/tmp\n",
    );
    assert.equal(
      await s.ok(["exec", "-u", "tester", "tester", "sh", "-c", 'echo "$HOME"']),
      "/home/tester\n",
    );
    assert.equal(await s.ok(["exec", "-u", "0", "tester", "id", "-u"]), "0\n");

    // With --userns keep-id, the container's root default is your own id (as its PID 1 started).
    await s.ok([
      "run",
      "-d",
      "--name",
      "kept",
      "--userns",
      "keep-id",
      "--rootfs",
      rootfs,
      "sleep",
      "60",
    ]);
    assert.equal(await s.ok(["exec", "kept", "id", "-u"]), `${Deno.uid()}\n`);
  });
});
