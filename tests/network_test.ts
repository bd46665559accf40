// User-mode networking end to end, as the unprivileged test user, for each
// helper (pasta, slirp4netns; the tests of one that is not installed are
// skipped, saying so, or fail with CI=true: see testNeeds): published TCP and UDP ports reach a
// container's servers from the host (foreground runs, whose helper nook
// starts, and detached ones, whose helper the monitor starts), -P publishes
// an image's EXPOSE, a taken or privileged host port fails with nothing left,
// the host's loopback is closed unless allowed, /etc/hosts and resolv.conf,
// `nook port`, ps PORTS and inspect. Only loopback addresses are used. Every
// test works in its own store and removes what it started (rm -f, or SIGKILL
// by pid for a process it spawned itself), even when it fails; helpers are
// checked by pid and by listing processes.
import assert from "node:assert/strict";
import dgram from "node:dgram";
import {
  busyboxRootfs,
  httpGetScript,
  NET_HELPERS,
  nook,
  type NookResult,
  repoRoot,
  requireAnyTool,
  requireHost,
  requireTool,
  sleep,
  testNeeds,
  until,
} from "./helpers.ts";
import { HEX64, TestStore, withTestStore } from "./store_helpers.ts";
import { pushBusyboxImage, startRegistry, type TestRegistry } from "./registry_helpers.ts";

type Tool = "pasta" | "slirp4netns";

function onPath(tool: string): boolean {
  return (Deno.env.get("PATH") ?? "").split(":").some((dir) => {
    try {
      return Deno.statSync(`${dir}/${tool}`).isFile;
    } catch {
      return false;
    }
  });
}

/** The Debian package of each helper. */
const PACKAGES: Record<Tool, string> = { pasta: "passt", slirp4netns: "slirp4netns" };
/** The helpers installed here (what `nook info` must name). */
const TOOLS: Tool[] = (["pasta", "slirp4netns"] as const).filter((t) => onPath(t));
const root = Deno.makeTempDirSync({ prefix: "nook-network-test-" });
Deno.chmodSync(root, 0o755); // bind sources below it must be reachable from the container's ids
let registry: TestRegistry | undefined;
/** Processes this file spawned itself (nook CLIs in the background): killed by pid at the end. */
const spawned = new Set<Deno.ChildProcess>();

globalThis.addEventListener("unload", () => {
  for (const child of spawned) {
    try {
      child.kill("SIGKILL");
    } catch {
      // ended
    }
  }
  registry?.stop();
  new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${repoRoot()}/cli/main.ts`, "unshare", "rm", "-rf", root],
  }).outputSync();
});

// ---------------------------------------------------------------------------
// Processes

/** A process as /proc shows it. */
interface Proc {
  pid: number;
  ppid: number;
  state: string;
  start: string;
  argv: string[];
}

function readProc(pid: number): Proc | null {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const argv = Deno.readTextFileSync(`/proc/${pid}/cmdline`).split("\0").filter((a) => a);
    return { pid, ppid: Number(f[1]), state: f[0], start: f[19], argv };
  } catch {
    return null;
  }
}

/** Every process of this user. */
function myProcesses(): Proc[] {
  const uid = Deno.uid();
  const out: Proc[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      if (Deno.statSync(`/proc/${e.name}`).uid !== uid) continue;
    } catch {
      continue;
    }
    const p = readProc(Number(e.name));
    if (p) out.push(p);
  }
  return out;
}

function isHelper(p: Proc, tool?: Tool): boolean {
  const name = p.argv[0]?.split("/").pop();
  return tool ? name === tool : name === "pasta" || name === "slirp4netns";
}

/** Whether that very process (same start time) still runs (a zombie does not). */
function alive(p: Proc): boolean {
  const now = readProc(p.pid);
  return now !== null && now.start === p.start && now.state !== "Z" && now.state !== "X";
}

/** The helper whose parent is `parent` (nook or a monitor). */
async function helperOf(parent: number, tool: Tool): Promise<Proc> {
  return await until(
    `a ${tool} child of ${parent}`,
    () => myProcesses().find((p) => p.ppid === parent && isHelper(p, tool)),
  );
}

/** Helpers of this user that are not in `before` (by pid and start time). */
function newHelpers(before: readonly Proc[]): Proc[] {
  const known = new Set(before.map((p) => `${p.pid}/${p.start}`));
  return myProcesses().filter((p) => isHelper(p) && !known.has(`${p.pid}/${p.start}`));
}

// ---------------------------------------------------------------------------
// Ports and servers on the host

/** A TCP port free on 127.0.0.1 right now (and the next `count - 1` too). */
function freePorts(count = 1): number {
  for (let tries = 0; tries < 50; tries++) {
    const first = 20000 + Math.floor(Math.random() * 30000);
    const listeners: Deno.Listener[] = [];
    try {
      for (let i = 0; i < count; i++) {
        listeners.push(Deno.listen({ hostname: "127.0.0.1", port: first + i }));
      }
      return first;
    } catch {
      // taken: try another
    } finally {
      for (const l of listeners) l.close();
    }
  }
  throw new Error("no free ports on 127.0.0.1");
}

/** Whether the test can bind 127.0.0.1:port itself (nothing holds it). */
function bindable(port: number): boolean {
  try {
    Deno.listen({ hostname: "127.0.0.1", port }).close();
    return true;
  } catch {
    return false;
  }
}

/** GETs a page, or null when nothing answers within the time. */
async function get(url: string, timeoutMs = 3000): Promise<string | null> {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    const text = await r.text();
    return r.ok ? text : null;
  } catch {
    return null;
  }
}

/** Polls a page until it answers (the container's server may still be starting). */
function page(url: string): Promise<string> {
  return until(`${url} to answer`, () => get(url, 1000));
}

/**
 * Sends a datagram to 127.0.0.1:port every 250 ms until `received()` says it
 * arrived (UDP may drop the first ones while the server starts).
 */
async function udpDeliver(
  port: number,
  text: string,
  received: () => Promise<boolean>,
  timeoutMs = 15_000,
): Promise<void> {
  const socket = dgram.createSocket("udp4");
  try {
    const end = Date.now() + timeoutMs;
    for (;;) {
      socket.send(text, port, "127.0.0.1");
      await sleep(250);
      if (await received()) return;
      if (Date.now() > end) throw new Error(`'${text}' sent to 127.0.0.1:${port} never arrived`);
    }
  } finally {
    socket.close();
  }
}

/** The host's default IPv4 gateway (pasta gives the container the same), or "". */
function hostGateway(): string {
  for (const line of Deno.readTextFileSync("/proc/net/route").split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f[1] === "00000000" && f[7] === "00000000") {
      const n = parseInt(f[2], 16);
      return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255].join(".");
    }
  }
  return "";
}

/**
 * The helper an image's container gets: without ports slirp4netns, else
 * pasta; with ports (-p, -P) pasta where the host has a route for it, else
 * slirp4netns.
 */
function defaultHelper(ports = false): string {
  const pasta = TOOLS.includes("pasta") && hostGateway() !== "";
  const slirp = TOOLS.includes("slirp4netns");
  if (ports && pasta) return "pasta";
  return slirp ? "slirp4netns" : pasta ? "pasta" : "none";
}

// ---------------------------------------------------------------------------
// Fixtures

let www: Promise<{ dir: string; token: string }> | undefined;
/** A directory with index.html (a random token) and second/index.html, for httpd. */
function website(): Promise<{ dir: string; token: string }> {
  www ??= (async () => {
    const dir = `${root}/www`;
    const token = `page-${crypto.randomUUID()}`;
    await Deno.mkdir(`${dir}/second`, { recursive: true, mode: 0o755 });
    await Deno.chmod(dir, 0o755);
    await Deno.writeTextFile(`${dir}/index.html`, token);
    await Deno.writeTextFile(`${dir}/second/index.html`, `second-${token}`);
    return { dir, token };
  })();
  return www;
}

let echo: Promise<string> | undefined;
/** tests/fixtures/udp_echo.c, built static, alone in a directory (to mount on /usr/bin). */
function udpEcho(): Promise<string> {
  echo ??= (async () => {
    await Deno.mkdir(`${root}/echo`, { mode: 0o755 });
    const out = `${root}/echo/udp_echo`;
    const cc = await new Deno.Command("cc", {
      args: ["-static", "-O2", "-o", out, `${repoRoot()}/tests/fixtures/udp_echo.c`],
    }).output();
    assert.equal(cc.code, 0, `cc: ${new TextDecoder().decode(cc.stderr)}`);
    return out;
  })();
  return echo;
}

let image: Promise<string> | undefined;
/** A busybox image exposing 80/tcp and 5353/udp, with a page in /www. */
function exposingImage(): Promise<string> {
  image ??= (async () => {
    registry = await startRegistry();
    const pushed = await pushBusyboxImage(registry.host, "test/netbox", "1", {
      files: { "/www/index.html": "from-the-image" },
      exposedPorts: ["80/tcp", "5353/udp"],
    });
    return pushed.reference;
  })();
  return image;
}

/** One test's store (NOOK_ROOT), with every published port on 127.0.0.1 by default. */
class Store extends TestStore {
  constructor(name: string) {
    super(root, name, { NOOK_DEFAULT_HOST_IP: "127.0.0.1" });
  }

  /** Starts the CLI in the background (for a foreground container the test talks to). */
  spawn(args: string[]): { child: Deno.ChildProcess; done: Promise<NookResult> } {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${repoRoot()}/cli/main.ts`, ...args],
      env: this.env,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    spawned.add(child);
    const done = child.output().then((o) => {
      spawned.delete(child);
      const text = new TextDecoder();
      return { code: o.code, stdout: text.decode(o.stdout), stderr: text.decode(o.stderr) };
    });
    return { child, done };
  }

  /** The monitor of a detached container, from its state file. */
  monitor(id: string): number {
    const state = Deno.readTextFileSync(`${this.env.NOOK_ROOT}/containers/${id}/state`);
    return Number(/^monitor (\d+)$/m.exec(state)?.[1]);
  }
}

function withStore(name: string, fn: (s: Store) => Promise<void>): Promise<void> {
  return withTestStore(new Store(name), fn);
}

/**
 * The busybox rootfs with the website on /var (an empty directory of it: the
 * shared rootfs must not gain mount points).
 */
async function rootfsArgs(): Promise<string[]> {
  const { dir } = await website();
  return ["--rootfs", await busyboxRootfs(), "-v", `${dir}:/var:ro`];
}

// ---------------------------------------------------------------------------
// Tests, per helper

for (const tool of ["pasta", "slirp4netns"] as const) {
  /** Deno.test for this helper: skipped where it is not installed (fails with CI=true). */
  const test = (name: string, fn: () => Promise<void>) =>
    testNeeds([requireTool(tool, PACKAGES[tool])], { name, fn });

  test(`${tool}: a published port reaches a foreground container's server; the helper ends with it`, async () => {
    await withStore(`fg-${tool}`, async (s) => {
      const { token } = await website();
      const port = freePorts();
      const run = s.spawn([
        "run",
        "--rm",
        "--init",
        "--network",
        tool,
        ...await rootfsArgs(),
        "-p",
        `127.0.0.1:${port}:80`,
        "httpd",
        "-f",
        "-p",
        "80",
        "-h",
        "/var",
      ]);
      assert.equal(await page(`http://127.0.0.1:${port}/`), token);
      const helper = await helperOf(run.child.pid, tool);
      assert.ok(alive(helper));
      assert.ok(!bindable(port), "the helper holds the host port");
      run.child.kill("SIGTERM"); // forwarded to the container's init
      const r = await run.done;
      assert.ok(r.code === 143 || r.code === 0, `nook ended with ${r.code}: ${r.stderr}`);
      assert.ok(!alive(helper), `${tool} (pid ${helper.pid}) outlived its container`);
      assert.ok(bindable(port), `host port ${port} still taken`);
      assert.equal(await get(`http://127.0.0.1:${port}/`, 1000), null);
    });
  });

  test(`${tool}: the helper lives as long as its container, and a killed nook takes it along`, async () => {
    await withStore(`kill-${tool}`, async (s) => {
      const port = freePorts();
      const run = s.spawn([
        "run",
        "--rm",
        "--network",
        tool,
        ...await rootfsArgs(),
        "-p",
        `127.0.0.1:${port}:80`,
        "httpd",
        "-f",
        "-p",
        "80",
        "-h",
        "/var",
      ]);
      await page(`http://127.0.0.1:${port}/`);
      const helper = await helperOf(run.child.pid, tool);
      if (tool === TOOLS[0]) {
        // The helper's parent-death signal follows the thread that started it: a runtime
        // worker thread would end after 10 s idle, and take the helper along.
        await sleep(11_000);
        assert.ok(alive(helper), `${tool} (pid ${helper.pid}) died while its container ran`);
        assert.notEqual(await get(`http://127.0.0.1:${port}/`), null);
      }
      run.child.kill("SIGKILL");
      await run.done;
      await until(`${tool} (pid ${helper.pid}) to die with nook`, () => !alive(helper), 5000);
    });
  });

  test(`${tool}: a detached container's ports (a range), ps PORTS, nook port, inspect; restart and rm -f`, async () => {
    await withStore(`detached-${tool}`, async (s) => {
      const { token } = await website();
      const port = freePorts(2);
      const id = (await s.ok([
        "run",
        "-d",
        "--name",
        "web",
        "--network",
        tool,
        ...await rootfsArgs(),
        "-p",
        `127.0.0.1:${port}-${port + 1}:80-81`,
        "sh",
        "-c",
        "httpd -p 81 -h /var/second && exec httpd -f -p 80 -h /var",
      ])).trim();
      assert.match(id, HEX64);
      assert.equal(await page(`http://127.0.0.1:${port}/`), token);
      assert.equal(await page(`http://127.0.0.1:${port + 1}/`), `second-${token}`);
      const monitor = s.monitor(id);
      const helper = await helperOf(monitor, tool);

      assert.equal(
        await s.ok(["ps", "--format", "{{.Names}} {{.Ports}}"]),
        `web 127.0.0.1:${port}-${port + 1}->80-81/tcp\n`,
      );
      assert.match(
        await s.ok(["ps"]),
        new RegExp(`127\\.0\\.0\\.1:${port}-${port + 1}->80-81/tcp`),
      );
      assert.equal(
        await s.ok(["port", "web"]),
        `80/tcp -> 127.0.0.1:${port}\n81/tcp -> 127.0.0.1:${port + 1}\n`,
      );
      assert.equal(await s.ok(["port", "web", "81/tcp"]), `127.0.0.1:${port + 1}\n`);
      assert.equal(await s.ok(["container", "port", "web", "80"]), `127.0.0.1:${port}\n`);
      const missing = await s.run(["port", "web", "82"]);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /No public port '82\/tcp' published for web/);
      const inspect = JSON.parse(await s.ok(["inspect", "web"]))[0];
      assert.deepEqual(inspect.NetworkSettings.Ports, {
        "80/tcp": [{ HostIp: "127.0.0.1", HostPort: String(port) }],
        "81/tcp": [{ HostIp: "127.0.0.1", HostPort: String(port + 1) }],
      });
      assert.deepEqual(inspect.HostConfig.PortBindings["81/tcp"], [
        { HostIp: "127.0.0.1", HostPort: String(port + 1) },
      ]);
      assert.equal(inspect.HostConfig.NetworkMode, tool);
      if (tool === "slirp4netns") assert.equal(inspect.NetworkSettings.IPAddress, "10.0.2.100");
      else assert.ok(inspect.NetworkSettings.IPAddress !== "" || hostGateway() === "");

      // `restart` stops the container (its helper goes) and starts it again under a new monitor.
      await s.ok(["restart", "-t", "0", "web"]);
      assert.ok(!alive(helper), `${tool} (pid ${helper.pid}) outlived the restarted process`);
      const monitor2 = s.monitor(id);
      const second = await helperOf(monitor2, tool);
      assert.notEqual(second.pid, helper.pid);
      assert.equal(await page(`http://127.0.0.1:${port}/`), token);

      await s.ok(["rm", "-f", "web"]);
      assert.ok(!alive(second), `${tool} (pid ${second.pid}) outlived rm -f`);
      await until(
        "the monitors and the container to end",
        () =>
          myProcesses().filter((p) =>
            p.state !== "Z" && (p.pid === monitor || p.pid === monitor2 || p.ppid === monitor2 ||
              p.argv.some((a) => a.includes(id.slice(0, 12))))
          ).length === 0,
        5000,
      );
      assert.ok(bindable(port) && bindable(port + 1), "the host ports are still taken");
      assert.equal(await s.ok(["ps", "-aq"]), "");
    });
  });

  test(`${tool}: the monitor gives each process of a restart policy a new helper`, async () => {
    await withStore(`policy-${tool}`, async (s) => {
      const port = freePorts();
      const id = (await s.ok([
        "run",
        "-d",
        "--name",
        "flaky",
        "--restart",
        "on-failure:2",
        "--network",
        tool,
        ...await rootfsArgs(),
        "-p",
        `127.0.0.1:${port}:80`,
        "sh",
        "-c",
        "httpd -p 80 -h /var; sleep 1; exit 3",
      ])).trim();
      const monitor = s.monitor(id);
      const seen = new Map<string, Proc>();
      await until("two restarts and the end", async () => {
        const helpers = myProcesses().filter((p) => p.ppid === monitor && isHelper(p, tool));
        assert.ok(helpers.length <= 1, `${helpers.length} helpers at once`);
        for (const h of helpers) seen.set(`${h.pid}/${h.start}`, h);
        const state = await s.ok(["inspect", "-f", "{{.State.Status}} {{.RestartCount}}", "flaky"]);
        return state.trim() === "exited 2";
      }, 30_000);
      assert.ok(seen.size >= 2, `helpers seen: ${[...seen.keys()].join(", ")}`);
      for (const h of seen.values()) assert.ok(!alive(h), `${tool} (pid ${h.pid}) is left`);
      assert.ok(bindable(port));
    });
  });

  test(`${tool}: a published udp port reaches a detached container's server`, async () => {
    await withStore(`udp-${tool}`, async (s) => {
      const echo = await udpEcho();
      const port = freePorts();
      await s.ok([
        "run",
        "-d",
        "--name",
        "echo",
        "--network",
        tool,
        "--rootfs",
        await busyboxRootfs(),
        "-v",
        `${echo.slice(0, echo.lastIndexOf("/"))}:/usr/bin:ro`,
        "-p",
        `127.0.0.1:${port}:5353/udp`,
        "/usr/bin/udp_echo",
        "5353",
      ]);
      // Inbound delivery is what publishing guarantees. (The installed helpers may not route
      // the reply to a client on the host's loopback: slirp4netns without host loopback, and
      // pasta before its 2024 UDP flow tracking.)
      const token = `ping-${crypto.randomUUID()}`;
      await udpDeliver(port, token, async () => {
        const logs = await s.ok(["logs", "echo"]);
        return new RegExp(`^from [0-9.]+:\\d+: ${token}$`, "m").test(logs);
      });
      assert.equal(await s.ok(["port", "echo"]), `5353/udp -> 127.0.0.1:${port}\n`);
      assert.equal(
        await s.ok(["ps", "--format", "{{.Ports}}"]),
        `127.0.0.1:${port}->5353/udp\n`,
      );
    });
  });

  test(`${tool}: a host port in use fails the start naming the port, and nothing is left`, async () => {
    await withStore(`busy-${tool}`, async (s) => {
      const before = myProcesses().filter((p) => isHelper(p));
      const port = freePorts();
      const holder = Deno.listen({ hostname: "127.0.0.1", port });
      try {
        const fg = await s.run([
          "run",
          "--rm",
          "--network",
          tool,
          "--rootfs",
          await busyboxRootfs(),
          "-p",
          `127.0.0.1:${port}:80`,
          "true",
        ]);
        assert.equal(fg.code, 125, fg.stderr);
        assert.match(
          fg.stderr,
          new RegExp(`127\\.0\\.0\\.1:${port}/tcp.*host port ${port} is already in use`),
        );
        const bg = await s.run([
          "run",
          "-d",
          "--name",
          "busy",
          "--network",
          tool,
          "--rootfs",
          await busyboxRootfs(),
          "-p",
          `127.0.0.1:${port}:80`,
          "sleep",
          "100",
        ]);
        assert.equal(bg.code, 125, bg.stderr);
        assert.match(bg.stderr, new RegExp(`host port ${port} is already in use`));
        assert.equal(await s.ok(["ps", "-aq"]), "", "the failed container is still listed");
        assert.deepEqual(newHelpers(before), [], "a helper was left running");
        assert.equal(
          myProcesses().filter((p) => p.argv.join(" ") === "sleep 100").length,
          0,
          "the container's process was left running",
        );
      } finally {
        holder.close();
      }
    });
  });

  test(`${tool}: the host's loopback is closed to the container unless allow_host_loopback=true`, async () => {
    await withStore(`loopback-${tool}`, async (s) => {
      const secret = `host-only-${crypto.randomUUID()}`;
      const server = Deno.serve(
        { hostname: "127.0.0.1", port: 0, onListen: () => {} },
        () => new Response(secret),
      );
      try {
        const port = server.addr.port;
        const host = tool === "slirp4netns" ? "10.0.2.2" : hostGateway();
        const probe = (url: string) =>
          `${httpGetScript(url, { timeoutS: 5 })} 2>/dev/null; echo " rc=$?"`;
        const closed = await s.ok([
          "run",
          "--rm",
          "--network",
          tool,
          "--rootfs",
          await busyboxRootfs(),
          "sh",
          "-c",
          `${probe(`http://${host}:${port}/`)}; ${probe(`http://127.0.0.1:${port}/`)}; ` +
          "grep -c host.containers.internal /etc/hosts; true",
        ]);
        assert.ok(
          !closed.includes(secret),
          `the container reached the host's loopback:\n${closed}`,
        );
        assert.match(closed, /rc=[1-9]\d*\n.*rc=[1-9]\d*\n0\n$/s);
        const open = await s.ok([
          "run",
          "--rm",
          "--network",
          `${tool}:allow_host_loopback=true`,
          "--rootfs",
          await busyboxRootfs(),
          "sh",
          "-c",
          `${
            probe(`http://host.containers.internal:${port}/`)
          }; grep host.containers.internal /etc/hosts`,
        ]);
        assert.ok(open.startsWith(`${secret} rc=0\n`), open);
        assert.match(
          open,
          new RegExp(`^${host.replaceAll(".", "\\.")}\\thost\\.containers\\.internal`, "m"),
        );
      } finally {
        await server.shutdown();
      }
    });
  });

  test(`${tool}: /etc/hosts and /etc/resolv.conf name the container, --add-host and --dns*`, async () => {
    await withStore(`files-${tool}`, async (s) => {
      const out = await s.ok([
        "run",
        "--rm",
        "--name",
        "named",
        "-h",
        "myhost",
        "--network",
        tool,
        "--add-host",
        "db:10.1.2.3",
        "--add-host",
        "gw:host-gateway",
        "--add-host",
        "v6=fd00::7",
        "--dns",
        "192.0.2.53",
        "--dns-search",
        "example.org",
        "--dns-option",
        "ndots:2",
        "--rootfs",
        await busyboxRootfs(),
        "sh",
        "-c",
        "cat /etc/hosts; echo ---; cat /etc/resolv.conf; echo ---; " +
        "ip -4 addr show | grep inet | grep -v 127.0.0.1 | sed 's/.*inet \\([0-9.]*\\).*/\\1/'",
      ]);
      const [hosts, resolv, address] = out.split("---\n");
      const ip = address.trim();
      const gateway = tool === "slirp4netns" ? "10.0.2.2" : hostGateway();
      if (tool === "slirp4netns") assert.equal(ip, "10.0.2.100");
      assert.equal(
        hosts,
        "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n10.1.2.3\tdb\n" +
          `${gateway}\tgw\nfd00::7\tv6\n${ip}\tmyhost named\n`,
      );
      const lines = resolv.split("\n").filter((l) => /^(nameserver|search|domain|options)/.test(l));
      assert.deepEqual(lines, ["nameserver 192.0.2.53", "search example.org", "options ndots:2"]);

      // Without --dns: the host's nameservers, loopback ones through the helper's forwarder.
      const plain = await s.ok([
        "run",
        "--rm",
        "--network",
        tool,
        "--rootfs",
        await busyboxRootfs(),
        "cat",
        "/etc/resolv.conf",
      ]);
      const forwarder = tool === "slirp4netns" ? "10.0.2.3" : "169.254.1.1";
      const hostServers = Deno.readTextFileSync("/etc/resolv.conf").split("\n")
        .map((l) => /^\s*nameserver\s+(\S+)/.exec(l)?.[1]).filter((x): x is string => !!x);
      const servers = plain.split("\n").map((l) => /^nameserver (\S+)/.exec(l)?.[1])
        .filter((x): x is string => !!x);
      const loopback = (a: string) => a.startsWith("127.") || a === "::1";
      assert.deepEqual(
        servers.filter((a) => a !== forwarder),
        hostServers.filter((a) => !loopback(a)),
      );
      assert.equal(servers.includes(forwarder), hostServers.some(loopback), plain);
    });
  });
}

// ---------------------------------------------------------------------------
// Tests of the default and the errors

testNeeds([requireAnyTool(NET_HELPERS)], {
  name: "-P publishes an image's EXPOSE on free host ports, with the default helper",
  fn: async () => {
    await withStore("publish-all", async (s) => {
      const ref = await exposingImage();
      await s.ok(["pull", "-q", ref]);
      await s.ok([
        "run",
        "-d",
        "--name",
        "pub",
        "-P",
        ref,
        "busybox",
        "httpd",
        "-f",
        "-p",
        "80",
        "-h",
        "/www",
      ]);
      const mode = (await s.ok(["inspect", "-f", "{{.HostConfig.NetworkMode}}", "pub"])).trim();
      assert.equal(mode, defaultHelper(true), "the default helper for ports");
      const listed = await s.ok(["port", "pub"]);
      const m = /^80\/tcp -> 127\.0\.0\.1:(\d+)\n5353\/udp -> 127\.0\.0\.1:(\d+)\n$/.exec(listed);
      assert.ok(m, `nook port: ${listed}`);
      assert.equal((await s.ok(["port", "pub", "80/tcp"])).trim(), `127.0.0.1:${m[1]}`);
      assert.equal(await page(`http://127.0.0.1:${m[1]}/`), "from-the-image");
      const inspect = JSON.parse(await s.ok(["inspect", "pub"]))[0];
      assert.equal(inspect.HostConfig.PublishAllPorts, true);
      assert.deepEqual(inspect.NetworkSettings.Ports["80/tcp"], [{
        HostIp: "127.0.0.1",
        HostPort: m[1],
      }]);
      // -P with --network none publishes nothing (there is nothing to publish into).
      await s.ok([
        "run",
        "-d",
        "--name",
        "quiet",
        "-P",
        "--network",
        "none",
        ref,
        "busybox",
        "sleep",
        "100",
      ]);
      assert.equal(await s.ok(["port", "quiet"]), "");
    });
  },
});

Deno.test("ports with --network none fail, with host are ignored with a warning, bad ones are named", async () => {
  await withStore("errors", async (s) => {
    const rootfs = await busyboxRootfs();
    const none = await s.run([
      "run",
      "--rm",
      "--network",
      "none",
      "-p",
      "8080:80",
      "--rootfs",
      rootfs,
      "true",
    ]);
    assert.equal(none.code, 125);
    assert.match(
      none.stderr,
      /Cannot publish ports with --network none.*--network pasta or slirp4netns/,
    );
    const host = await s.run([
      "run",
      "--rm",
      "--network",
      "host",
      "-p",
      "127.0.0.1:1:80",
      "--rootfs",
      rootfs,
      "true",
    ]);
    assert.equal(host.code, 0, host.stderr);
    assert.match(host.stderr, /published ports are discarded with --network host/);
    const bad = await s.run([
      "run",
      "--rm",
      "--network",
      "slirp4netns:cidr=10.9.0.0/24",
      "--rootfs",
      rootfs,
      "true",
    ]);
    assert.equal(bad.code, 125);
    assert.match(bad.stderr, /Unknown network option 'cidr=10\.9\.0\.0\/24'/);
    const badPort = await s.run([
      "run",
      "--rm",
      "-p",
      "127.0.0.1:99999:80",
      "--rootfs",
      rootfs,
      "true",
    ]);
    assert.equal(badPort.code, 125);
    assert.match(badPort.stderr, /Invalid port '99999' in -p '127\.0\.0\.1:99999:80'/);
    assert.equal(await s.ok(["ps", "-aq"]), "");
  });
});

const UNPRIVILEGED_PORT_START = Number(
  Deno.readTextFileSync("/proc/sys/net/ipv4/ip_unprivileged_port_start"),
);

testNeeds([
  requireAnyTool(NET_HELPERS),
  // A sysctl of the host, which the tests do not change: by design, skipped even in CI.
  requireHost(
    UNPRIVILEGED_PORT_START > 80,
    `net.ipv4.ip_unprivileged_port_start is ${UNPRIVILEGED_PORT_START}: port 80 is not privileged`,
  ),
], {
  name: "a privileged host port fails naming the sysctl, and nothing is left",
  fn: async () => {
    await withStore("privileged", async (s) => {
      const rootfs = await busyboxRootfs();
      const low = await s.run(["run", "--rm", "-p", "127.0.0.1:80:80", "--rootfs", rootfs, "true"]);
      assert.equal(low.code, 125);
      assert.match(low.stderr, /host port 80 .*net\.ipv4\.ip_unprivileged_port_start/);
      assert.equal(await s.ok(["ps", "-aq"]), "");
    });
  },
});

Deno.test("info names the network helpers and the default", async () => {
  const info = JSON.parse((await nook(["info", "--format", "json"])).stdout);
  assert.deepEqual(info.networkHelpers.map((h: { name: string }) => h.name), TOOLS);
  assert.equal(info.networkDefault, defaultHelper());
  assert.equal(info.networkDefaultPorts, defaultHelper(true));
  const text = (await nook(["info"])).stdout;
  assert.match(text, new RegExp(`^network default: +${defaultHelper()}`, "m"));
});
