// Shared networks end to end, as the unprivileged test user: `--network
// container:NAME|ID` joins the network namespace of a running container (its
// lo, its listeners, its hostname and /etc files) while the joiner keeps pid,
// mount and uts namespaces of its own; foreground and detached (the monitor
// runs the same program and writes no id maps); a stopped or unknown target
// and docker's conflicting flags are refused with exit code 125 and leave
// nothing behind; `--network ns:PATH` joins a namespace the test makes with
// `unshare --user --net`, and refuses what a rootless user cannot join. Every
// test works in its own store and removes (rm -f) what it started.
import assert from "node:assert/strict";
import { SetupError, UsageError } from "../lib/errors/mod.ts";
import { networkOwnerMaps } from "../lib/runtime/network_join.ts";
import { processStartTime } from "../lib/runtime/process_ref.ts";
import { spawnContainer, waitForOutput } from "../lib/runtime/run_container.ts";
import { busyboxRootfs, httpGetScript, repoRoot, until } from "./helpers.ts";
import { TestStore, withTestStore } from "./store_helpers.ts";

const root = Deno.makeTempDirSync({ prefix: "nook-network-share-test-" });
/** Fetches web's page inside a container that shares its network. */
const GET_PAGE = httpGetScript("http://127.0.0.1:8080/");
globalThis.addEventListener("unload", () => {
  new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${repoRoot()}/cli/main.ts`, "unshare", "rm", "-rf", root],
  }).outputSync();
});

/** Fields of /proc/PID/stat we need, or null when the process is gone. */
function procStat(pid: number): { state: string; ppid: number } | null {
  try {
    const text = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const f = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { state: f[0], ppid: Number(f[1]) };
  } catch {
    return null;
  }
}

/** Whether `pid` runs (a zombie nobody reaped yet does not). */
function alive(pid: number): boolean {
  const s = procStat(pid);
  return s !== null && s.state !== "Z" && s.state !== "X";
}

/** readlink /proc/PID/ns/NAME as the host sees it. */
function nsLink(pid: number | "self", name: string): string {
  return Deno.readLinkSync(`/proc/${pid}/ns/${name}`);
}

/** Every process whose pid namespace is `ns` (as far as the host lets the user read it). */
function processesIn(ns: string): number[] {
  const out: number[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      if (Deno.readLinkSync(`/proc/${e.name}/ns/pid`) === ns && alive(Number(e.name))) {
        out.push(Number(e.name));
      }
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}

/** One test's store: NOOK_ROOT and the CLI in it. */
class Store extends TestStore {
  constructor(name: string) {
    super(root, name);
  }

  /** The pid of a running container's first process. */
  async pid(ref: string): Promise<number> {
    const pid = Number((await this.ok(["inspect", "-f", "{{.State.Pid}}", ref])).trim());
    assert.ok(pid > 0, `container ${ref} has no pid`);
    return pid;
  }

  /** The names of every container, stopped ones too. */
  async names(): Promise<string[]> {
    const out = await this.ok(["ps", "-a", "--format", "{{.Names}}"]);
    return out.split("\n").filter(Boolean).sort();
  }
}

function withStore(name: string, fn: (s: Store) => Promise<void>): Promise<void> {
  return withTestStore(new Store(name), fn);
}

/** A detached target that serves "hello from web" on 127.0.0.1:8080 (busybox httpd). */
async function startWeb(s: Store, name = "web", extra: string[] = []): Promise<string> {
  const rootfs = await busyboxRootfs();
  const id = await s.detach([
    "--name",
    name,
    "--hostname",
    `${name}-host`,
    ...extra,
    "--rootfs",
    rootfs,
    "sh",
    "-c",
    "mkdir -p /tmp/www && echo hello from web >/tmp/www/index.html && " +
    "exec httpd -f -p 127.0.0.1:8080 -h /tmp/www",
  ]);
  // Listening once a client gets the page (from inside, through exec).
  await until(`${name} to listen`, async () => {
    const r = await s.run(["exec", name, "sh", "-c", GET_PAGE]);
    return r.code === 0 && r.stdout.includes("hello from web");
  });
  return id;
}

/** What a joiner reports about itself, one `key=value` per line. */
const REPORT = [
  "echo net=$(readlink /proc/self/ns/net)",
  "echo mnt=$(readlink /proc/self/ns/mnt)",
  "echo pid=$(readlink /proc/self/ns/pid)",
  "echo uts=$(readlink /proc/self/ns/uts)",
  "echo user=$(readlink /proc/self/ns/user)",
  "echo init=$(tr '\\0' ' ' </proc/1/cmdline)",
  "echo self=$$",
  "echo hostname=$(hostname)",
  `echo page=$(${GET_PAGE})`,
  "echo hosts=$(grep -c web-host /etc/hosts)",
].join("; ");

function parseReport(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const at = line.indexOf("=");
    if (at > 0) out[line.slice(0, at)] = line.slice(at + 1).trim();
  }
  return out;
}

Deno.test("run --network container:NAME shares the target's network and nothing else", async () => {
  await withStore("foreground", async (s) => {
    await startWeb(s);
    const web = await s.pid("web");
    const out = await s.ok([
      "run",
      "--rm",
      "--network",
      "container:web",
      "--rootfs",
      await busyboxRootfs(),
      "sh",
      "-c",
      REPORT,
    ]);
    const r = parseReport(out);
    // The same network namespace (and so the same lo, with the target's listener on it).
    assert.equal(r.net, nsLink(web, "net"), out);
    assert.equal(r.page, "hello from web", out);
    // The user namespace that owns it, with its maps: no new one.
    assert.equal(r.user, nsLink(web, "user"), out);
    // Its own pid namespace (its command is PID 1), mount and uts namespaces.
    assert.notEqual(r.pid, nsLink(web, "pid"), out);
    assert.equal(r.self, "1", out);
    assert.match(r.init, /^sh -c /, out);
    assert.notEqual(r.mnt, nsLink(web, "mnt"), out);
    assert.notEqual(r.uts, nsLink(web, "uts"), out);
    // docker's rule: the target's hostname and /etc/hosts.
    assert.equal(r.hostname, "web-host", out);
    assert.equal(r.hosts, "1", out);
    // None of the namespaces is nook's own.
    for (const name of ["net", "mnt", "pid", "user"]) {
      assert.notEqual(r[name], nsLink("self", name));
    }
  });
});

Deno.test("run --network container:ID joins by id prefix, with --init, and the target's user", async () => {
  await withStore("by-id", async (s) => {
    const id = await startWeb(s);
    const web = await s.pid("web");
    const out = await s.ok([
      "run",
      "--rm",
      "--init",
      "--network",
      `container:${id.slice(0, 12)}`,
      "--user",
      "1000",
      "--rootfs",
      await busyboxRootfs(),
      "sh",
      "-c",
      "echo net=$(readlink /proc/self/ns/net); echo init=$(cat /proc/1/comm); echo id=$(id -u); " +
      `echo page=$(${GET_PAGE})`,
    ]);
    const r = parseReport(out);
    assert.equal(r.net, nsLink(web, "net"), out);
    assert.equal(r.init, "nook-init", out);
    assert.equal(r.id, "1000", out);
    assert.equal(r.page, "hello from web", out);
  });
});

Deno.test("run -d --network container: under the monitor; exec, top; it outlives the target", async () => {
  await withStore("detached", async (s) => {
    await startWeb(s);
    const web = await s.pid("web");
    const net = nsLink(web, "net");
    const rootfs = await busyboxRootfs();
    await s.detach([
      "--name",
      "joiner",
      "--network",
      "container:web",
      "--rootfs",
      rootfs,
      "sleep",
      "600",
    ]);
    await s.detach([
      "--name",
      "reaped",
      "--init",
      "--network",
      "container:web",
      "--rootfs",
      rootfs,
      "sleep",
      "600",
    ]); // deno-fmt-ignore
    for (const name of ["joiner", "reaped"]) {
      const page = await s.ok(["exec", name, "sh", "-c", GET_PAGE]);
      assert.equal(page.trim(), "hello from web", name);
      assert.equal((await s.ok(["exec", name, "readlink", "/proc/self/ns/net"])).trim(), net, name);
      assert.equal((await s.ok(["exec", name, "hostname"])).trim(), "web-host", name);
      const top = await s.ok(["top", name]);
      assert.match(top, /sleep 600/, `${name}: ${top}`);
    }
    // The monitor waits for the container's PID 1 itself: the sibling the join cloned. (With
    // --init that is a reaper the host may not inspect: it never exec'd after the join.)
    const pid = await s.pid("joiner");
    const monitor = procStat(pid)?.ppid ?? 0;
    assert.equal(Deno.readTextFileSync(`/proc/${monitor}/comm`).trim(), "nook-monitor");
    assert.equal(nsLink(pid, "net"), net);
    assert.equal(nsLink(pid, "user"), nsLink(web, "user"));
    assert.notEqual(nsLink(pid, "pid"), nsLink(web, "pid"));
    assert.deepEqual(Deno.readTextFileSync(`/proc/${pid}/cmdline`).split("\0"), [
      "sleep",
      "600",
      "",
    ]);
    // The target's /etc/hosts is shared, not copied (as docker does).
    await s.ok(["exec", "web", "sh", "-c", "echo 10.9.8.7 added-later >>/etc/hosts"]);
    assert.match(await s.ok(["exec", "joiner", "cat", "/etc/hosts"]), /10\.9\.8\.7 added-later/);
    const joiner = await s.pid("joiner");
    const joinerPids = nsLink(joiner, "pid");
    // docker keeps the namespace when the target goes away.
    await s.ok(["rm", "-f", "web"]);
    await until("web to be gone", () => !alive(web));
    assert.equal(nsLink(joiner, "net"), net);
    const lo = await s.ok(["exec", "joiner", "cat", "/sys/class/net/lo/operstate"]);
    assert.match(lo, /unknown|up/);
    assert.deepEqual(await s.names(), ["joiner", "reaped"]);
    // And removing the joiners leaves no process of theirs.
    await s.ok(["rm", "-f", "joiner", "reaped"]);
    await until("the joiner's processes to end", () => processesIn(joinerPids).length === 0);
    assert.ok(!alive(joiner));
    assert.deepEqual(await s.names(), []);
  });
});

Deno.test("run --network container: joins a container that runs in the foreground", async () => {
  await withStore("fg-target", async (s) => {
    const rootfs = await busyboxRootfs();
    const fg = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        `${repoRoot()}/cli/main.ts`,
        "run",
        "--name",
        "fg",
        "-h",
        "fg-host",
        "--rootfs",
        rootfs,
        "sleep",
        "600",
      ], // deno-fmt-ignore
      env: s.env,
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    try {
      const pid = await until("fg to run", async () => {
        const r = await s.run(["inspect", "-f", "{{.State.Pid}}", "fg"]);
        return r.code === 0 && Number(r.stdout.trim()) > 0 ? Number(r.stdout.trim()) : 0;
      });
      const out = await s.ok([
        "run",
        "--rm",
        "--network",
        "container:fg",
        "--rootfs",
        rootfs,
        "sh",
        "-c",
        "readlink /proc/self/ns/net; cat /etc/hostname; hostname",
      ]);
      assert.deepEqual(out.split("\n"), [nsLink(pid, "net"), "fg-host", "fg-host", ""]);
    } finally {
      await s.run(["rm", "-f", "fg"]);
      await fg.status;
    }
  });
});

Deno.test("joining a stopped or unknown container fails with 125 and leaves nothing", async () => {
  await withStore("refused", async (s) => {
    const rootfs = await busyboxRootfs();
    const before = await s.names();
    const unknown = await s.run([
      "run",
      "--network",
      "container:nosuch",
      "--rootfs",
      rootfs,
      "true",
    ]);
    assert.equal(unknown.code, 125, unknown.stderr);
    assert.match(unknown.stderr, /No such container: nosuch/);
    await s.ok(["create", "--name", "idle", "--rootfs", rootfs, "sleep", "60"]);
    await s.ok(["run", "--name", "done", "--rootfs", rootfs, "true"]);
    for (const target of ["idle", "done"]) {
      for (const detach of [[], ["-d"]]) {
        const r = await s.run([
          "run",
          ...detach,
          "--name",
          "joiner",
          "--network",
          `container:${target}`,
          "--rootfs",
          rootfs,
          "true",
        ]);
        assert.equal(r.code, 125, `${target} ${detach}: ${r.stderr}`);
        assert.match(
          r.stderr,
          new RegExp(`Cannot join the network of container ${target}: it is not running`),
        );
        assert.equal(r.stdout, "", "no id is printed");
      }
    }
    assert.deepEqual(await s.names(), [...before, "done", "idle"].sort());
  });
});

Deno.test("container: refuses -h, -p, --dns, --add-host and --userns as docker does", async () => {
  await withStore("conflicts", async (s) => {
    const rootfs = await busyboxRootfs();
    const cases: [string[], RegExp][] = [
      [["-h", "box"], /Conflicting options: -h\/--hostname and --network container:web/],
      [["--hostname=box"], /Conflicting options: -h\/--hostname and --network container:web/],
      // -p, --dns and --add-host come with published ports: refused as unknown until then.
      [["-p", "8080:80"], /-p\/--publish and --network container:web|unknown flag: -p/],
      [["--dns", "9.9.9.9"], /--dns and --network container:web|unknown flag: --dns/],
      [["--add-host", "a:1.2.3.4"], /--add-host and --network|unknown flag: --add-host/],
      [["--userns", "keep-id"], /--userns keep-id and --network container:web/],
    ];
    for (const verb of ["run", "create"]) {
      for (const [flags, message] of cases) {
        const args = [verb, ...flags, "--network", "container:web", "--rootfs", rootfs, "true"];
        const r = await s.run(args);
        assert.equal(r.code, 125, `${args.join(" ")}: ${r.stderr}`);
        assert.match(r.stderr, message);
      }
    }
    assert.deepEqual(await s.names(), []);
  });
});

/** Runs `fn` with a process of the test user in a new user and network namespace. */
async function withUnsharedNet(fn: (pid: number) => Promise<void>): Promise<void> {
  const child = new Deno.Command("unshare", {
    args: ["--user", "--map-root-user", "--net", "sleep", "600"],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  try {
    // Unshared once its network namespace differs from ours (after the exec of sleep).
    await until("unshare to make its namespaces", () => {
      try {
        return nsLink(child.pid, "net") !== nsLink("self", "net") &&
          Deno.readTextFileSync(`/proc/${child.pid}/comm`).trim() === "sleep";
      } catch {
        return false;
      }
    });
    await fn(child.pid);
  } finally {
    child.kill("SIGKILL");
    await child.status;
    await child.stderr.cancel();
  }
}

Deno.test("run --network ns:PATH joins a namespace of the user's, foreground and detached", async () => {
  await withStore("ns-path", async (s) => {
    const rootfs = await busyboxRootfs();
    await withUnsharedNet(async (holder) => {
      const path = `/proc/${holder}/ns/net`;
      const net = nsLink(holder, "net");
      const out = await s.ok([
        "run",
        "--rm",
        "--network",
        `ns:${path}`,
        "--hostname",
        "in-ns",
        "--rootfs",
        rootfs,
        "sh",
        "-c",
        "echo net=$(readlink /proc/self/ns/net); echo user=$(readlink /proc/self/ns/user); " +
        "echo self=$$; echo hostname=$(hostname); echo map=$(cat /proc/self/uid_map); echo id=$(id -u)",
      ]);
      const r = parseReport(out);
      assert.equal(r.net, net, out);
      // The user namespace unshare made (which maps only the user, as root) is joined.
      assert.equal(r.user, nsLink(holder, "user"), out);
      assert.match(r.map, new RegExp(`^0 +${Deno.uid()} +1$`), out);
      assert.equal(r.id, "0", out);
      assert.equal(r.self, "1", out);
      assert.equal(r.hostname, "in-ns", out);

      await s.detach([
        "--name",
        "ns-joiner",
        "--network",
        `ns:${path}`,
        "--rootfs",
        rootfs,
        "sleep",
        "600",
      ]); // deno-fmt-ignore
      const pid = await s.pid("ns-joiner");
      assert.equal(nsLink(pid, "net"), net);
      const pids = nsLink(pid, "pid");
      assert.equal(
        (await s.ok(["exec", "ns-joiner", "readlink", "/proc/self/ns/net"])).trim(),
        net,
      );
      // A user the namespace does not map is refused before anything starts.
      const unmapped = await s.run([
        "run",
        "-u",
        "1000",
        "--network",
        `ns:${path}`,
        "--rootfs",
        rootfs,
        "true",
      ]); // deno-fmt-ignore
      assert.equal(unmapped.code, 125, unmapped.stderr);
      assert.match(unmapped.stderr, /Cannot run as uid 1000: the user namespace that owns/);
      await s.ok(["rm", "-f", "ns-joiner"]);
      await until("the ns joiner's processes to end", () => processesIn(pids).length === 0);
    });
  });
});

Deno.test("run --network ns:PATH refuses what a rootless user cannot join, with 125", async () => {
  await withStore("ns-refused", async (s) => {
    const rootfs = await busyboxRootfs();
    const run = (mode: string) => s.run(["run", "--network", mode, "--rootfs", rootfs, "true"]);
    await withUnsharedNet(async (holder) => {
      const cases: [string, RegExp][] = [
        // The host's network belongs to the host's user namespace.
        [`ns:/proc/${Deno.pid}/ns/net`, /belongs to the host's user namespace/],
        [`ns:/proc/${holder}/ns/uts`, /is a uts namespace, not a network namespace/],
        [`ns:/proc/${holder}/ns/nosuch`, /does not exist/],
        ["ns:/etc/hostname", /is not a namespace file/],
        ["ns:relative/path", /needs an absolute path/],
        ["ns:/proc/1/ns/net", /Permission denied|belongs to the host's user namespace/],
      ];
      for (const [mode, message] of cases) {
        const r = await run(mode);
        assert.equal(r.code, 125, `${mode}: ${r.stderr}`);
        assert.match(r.stderr, message, mode);
      }
    });
    assert.deepEqual(await s.names(), []);
  });
});

/** Children of this test process, zombies included. */
function ownChildren(): number[] {
  const out: number[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (/^\d+$/.test(e.name) && procStat(Number(e.name))?.ppid === Deno.pid) {
      out.push(Number(e.name));
    }
  }
  return out;
}

Deno.test("the join checks the target's start time; failures after the clone leave no child", async () => {
  const rootfs = await busyboxRootfs();
  const target = await spawnContainer({
    rootfs,
    command: ["sleep", "60"],
    stdout: "null",
    stderr: "null",
  });
  const before = ownChildren();
  try {
    const path = `/proc/${target.pid}/ns/net`;
    const what = "the network of container web";
    const join = {
      what,
      path,
      pid: target.pid,
      startTime: "1",
      maps: networkOwnerMaps(path, what),
    };
    const options = { rootfs, network: "container:web" as const, stdout: "pipe" as const };
    // A pid whose start time differs is another process: never joined.
    await assert.rejects(
      spawnContainer({ ...options, command: ["true"] }, { networkJoin: join }),
      (e) =>
        e instanceof SetupError && e.exitCode === 125 &&
        /^join the network of container web: its process has ended/.test(e.message),
    );
    // The right one is joined.
    const startTime = processStartTime(target.pid)!;
    const joined = await waitForOutput(
      await spawnContainer({ ...options, command: ["readlink", "/proc/self/ns/net"] }, {
        networkJoin: { ...join, startTime },
      }),
    );
    assert.equal(new TextDecoder().decode(joined.stdout).trim(), nsLink(target.pid, "net"));
    // A step of the cloned sibling fails: both it and the first child are reaped.
    await assert.rejects(
      spawnContainer({ ...options, command: ["/no/such/command"] }, {
        networkJoin: { ...join, startTime },
      }),
      (e) => e instanceof SetupError && e.exitCode === 127,
    );
    assert.deepEqual(ownChildren(), before);
    // container: needs the container layer to resolve it.
    await assert.rejects(
      spawnContainer({ ...options, command: ["true"] }),
      (e) => e instanceof UsageError && /looked up among nook's containers/.test(e.message),
    );
  } finally {
    target.kill("SIGKILL");
    await target.status;
  }
});

Deno.test("run -d --network container: whose command is not found: 127, nothing left", async () => {
  await withStore("not-found", async (s) => {
    await startWeb(s);
    const rootfs = await busyboxRootfs();
    for (const detach of [["-d"], []]) {
      const r = await s.run([
        "run",
        ...detach,
        "--name",
        "joiner",
        "--network",
        "container:web",
        "--rootfs",
        rootfs,
        "/no/such/command",
      ]); // deno-fmt-ignore
      assert.equal(r.code, 127, r.stderr);
      assert.match(r.stderr, /exec "\/no\/such\/command": no such file or directory/);
    }
    assert.deepEqual(await s.names(), ["web"]);
  });
});
