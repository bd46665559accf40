// cgroup v2 delegation end to end, as the unprivileged test user: each
// container in a cgroup of its own (foreground, detached, across restarts,
// exec'd processes too), which it sees as "/" and which goes away with it
// (also after rm -f of a container whose monitor was killed); limits written
// into it, changed by update; and the degraded path: limits asked where
// nothing is delegated (the container runs, one warning), --cgroups=disabled
// (silence) and --cgroups=required (exit 125, nothing left).
//
// scripts/test.sh (as root) delegates a cgroup2 subtree to the test user as
// systemd would and names it in NOOK_TEST_CGROUP; each test makes its own
// parent in it (NOOK_CGROUP_PARENT). Tests that need it are skipped, with the
// reason in their name, where it is unset; limits are checked against the
// real files only where the subtree has the controllers (a full v2 host).
import assert from "node:assert/strict";
import { busyboxRootfs, requireHost, sleep, storesRoot, testNeeds, until } from "./helpers.ts";
import { TestStore, withTestStore } from "./store_helpers.ts";

const DELEGATED = Deno.env.get("NOOK_TEST_CGROUP") || undefined;
/** Where cgroup2 is mounted (as lib/host/detect_cgroups.ts looks for it). */
const MOUNT = ["/sys/fs/cgroup", "/sys/fs/cgroup/unified"].find((m) => {
  try {
    return Deno.statSync(`${m}/cgroup.controllers`).isFile;
  } catch {
    return false;
  }
}) ?? "/sys/fs/cgroup";
const root = storesRoot("nook-cgroups-test-");

function words(text: string | null): string[] {
  return (text ?? "").split(/\s+/).filter(Boolean);
}

function read(path: string): string | null {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return null;
  }
}

/** The controllers the delegated subtree offers. */
const OFFERED = DELEGATED ? words(read(`${DELEGATED}/cgroup.controllers`)) : [];
const FULL = ["cpu", "memory", "pids", "io"].every((c) => OFFERED.includes(c));

const NEED_DELEGATED = DELEGATED
  ? undefined
  : "NOOK_TEST_CGROUP is unset: no cgroup2 subtree is delegated to this user (scripts/test.sh " +
    "delegates one, as root, where the host has cgroup2)";
const NEED_FULL = NEED_DELEGATED ??
  (FULL ? undefined : `the delegated ${DELEGATED} offers only '${OFFERED.join(" ")}', not ` +
    "the cpu, memory, pids and io controllers (a hybrid host, or a v2 one that does not " +
    "delegate them)");
const ROOT_USER = Deno.uid() === 0
  ? "run as root, who may write any cgroup: nothing is undelegated"
  : undefined;

/**
 * Deno.test, skipped (with the reason in its name) when `skip` gives one, also with CI=true:
 * each reason is a property of the host (no cgroup2 to delegate, a hybrid tree) or of the user
 * (root), which no package changes.
 */
function test(name: string, skip: string | undefined, fn: () => Promise<void>): void {
  testNeeds([requireHost(skip === undefined, skip ?? "")], { name, fn });
}

function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function isDir(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

/** The cgroup2 path of a process as the host sees it (the 0:: line of /proc/PID/cgroup). */
function cgroupOf(pid: number): string | null {
  const line = (read(`/proc/${pid}/cgroup`) ?? "").split("\n").find((l) => l.startsWith("0::"));
  return line === undefined ? null : line.slice(3);
}

/** A cgroup directory's path in the hierarchy. */
function inHierarchy(dir: string): string {
  return dir.slice(MOUNT.length) || "/";
}

/** The pids whose parent is `pid`. */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    const stat = read(`/proc/${e.name}/stat`);
    if (stat && Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid) {
      out.push(Number(e.name));
    }
  }
  return out;
}

/** The pid of the process whose argv is exactly `argv`, if one runs. */
function processWith(argv: string[]): number | undefined {
  const want = argv.join("\0") + "\0";
  for (const e of Deno.readDirSync("/proc")) {
    if (/^\d+$/.test(e.name) && read(`/proc/${e.name}/cmdline`) === want) return Number(e.name);
  }
  return undefined;
}

/** One test's store, its own cgroup parent in the delegated subtree, and helpers. */
class Store extends TestStore {
  /** Where its containers' cgroups go (null: no delegated subtree). */
  readonly parent: string | null;

  constructor(name: string, env: Record<string, string> = {}) {
    const parent = DELEGATED ? `${DELEGATED}/t-${name}-${crypto.randomUUID().slice(0, 8)}` : null;
    if (parent) Deno.mkdirSync(parent);
    super(root, name, parent ? { NOOK_CGROUP_PARENT: parent, ...env } : env);
    this.parent = parent;
  }

  async inspect(ref: string, template: string): Promise<string> {
    return (await this.ok(["inspect", "-f", template, ref])).trim();
  }

  /** The ids of its containers. */
  ids(): string[] {
    try {
      return [...Deno.readDirSync(`${this.dir}/containers`)].map((e) => e.name)
        .filter((n) => /^[0-9a-f]{64}$/.test(n));
    } catch {
      return [];
    }
  }

  /** The cgroups left in its parent. */
  cgroups(): string[] {
    if (!this.parent || !isDir(this.parent)) return [];
    return [...Deno.readDirSync(this.parent)].filter((e) => e.isDirectory).map((e) => e.name);
  }

  override async cleanup(): Promise<void> {
    await super.cleanup();
    if (this.parent) {
      for (const name of this.cgroups()) await removeLater(`${this.parent}/${name}`);
      await removeLater(this.parent);
    }
  }
}

/** rmdir, retrying while the cgroup is busy. */
async function removeLater(dir: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      Deno.removeSync(dir);
      return;
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return;
      await sleep(20);
    }
  }
}

function withStore(
  name: string,
  fn: (s: Store) => Promise<void>,
  env: Record<string, string> = {},
): Promise<void> {
  return withTestStore(new Store(name, env), fn);
}

/** The lines of stderr that warn about cgroups or limits. */
function warnings(stderr: string): string[] {
  return stderr.split("\n").filter((l) => l.startsWith("nook: ") && /limits|cgroup/.test(l));
}

test(
  "run: a named container gets its own cgroup, sees it as /, and it goes when the container ends",
  NEED_DELEGATED,
  async () => {
    await withStore("fg", async (s) => {
      const rootfs = await busyboxRootfs();
      const running = s.run([
        "run",
        "--name",
        "fg",
        "--rootfs",
        rootfs,
        "sh",
        "-c",
        "tail -n1 /proc/self/cgroup; sleep 60 & wait",
      ]);
      const id = await until("the record", () => s.ids()[0]);
      const dir = `${s.parent}/${id}`;
      const pid = await until("the container to run", async () => {
        const r = await s.run(["inspect", "-f", "{{.State.Pid}}", "fg"]);
        return r.code === 0 ? Number(r.stdout.trim()) : 0;
      });
      // Before its first process ran, the record named the cgroup; inspect shows it while it is there.
      assert.equal(await s.inspect("fg", "{{.NookCgroup}}"), dir);
      const child = await until("the sleep the container started", () => childrenOf(pid)[0]);
      assert.equal(cgroupOf(child), inHierarchy(dir), "a process the container started is in it");
      assert.equal(cgroupOf(pid), inHierarchy(dir));
      await s.ok(["kill", "fg"]);
      const r = await running;
      assert.equal(r.code, 137, r.stderr);
      assert.equal(r.stdout, "0::/\n", "the container sees its own cgroup as /");
      assert.equal(isDir(dir), false, "the cgroup is removed when the container has ended");
      assert.equal(await s.inspect("fg", "{{.NookCgroup}}"), "");
      assert.equal(warnings(r.stderr).length, 0, r.stderr);
    });
  },
);

test(
  "run --rm: a container without a record gets a cgroup of its own when it asks for limits",
  NEED_DELEGATED,
  async () => {
    await withStore("fast", async (s) => {
      const rootfs = await busyboxRootfs();
      // The container tells when it runs (a file in a volume), then waits to be let go.
      const door = Deno.makeTempDirSync({ dir: root, prefix: "door-" });
      Deno.chmodSync(door, 0o777);
      const script = "tail -n1 /proc/self/cgroup; touch /door/in; " +
        "while [ ! -e /door/out ]; do sleep 0.05; done";
      const seen = async (args: string[]) => {
        const running = s.run([
          "run",
          "--rm",
          "-v",
          `${door}:/door`,
          "--rootfs",
          rootfs,
          ...args,
          "sh",
          "-c",
          script,
        ]);
        await until("the container to run", () => isDir(door) && exists(`${door}/in`));
        const cgroups = s.cgroups();
        Deno.writeTextFileSync(`${door}/out`, "");
        const r = await running;
        Deno.removeSync(`${door}/in`);
        Deno.removeSync(`${door}/out`);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout, "0::/\n");
        return cgroups;
      };
      const limited = await seen(["--pids-limit", "64"]);
      assert.equal(limited.length, 1, "with limits it runs in a cgroup of its own");
      assert.deepEqual(s.cgroups(), [], "which is gone after");
      // A run without limits and without a record takes the fast path: no cgroup of its own.
      assert.deepEqual(await seen([]), []);
    });
  },
);

test(
  "run -d: the container and what exec starts run in its cgroup; stop removes it, start makes it again, rm -f removes it",
  NEED_DELEGATED,
  async () => {
    await withStore("detached", async (s) => {
      const rootfs = await busyboxRootfs();
      const id = await s.detach([
        "--name",
        "dd",
        "--rootfs",
        rootfs,
        "sh",
        "-c",
        "sleep 600 & wait",
      ]);
      const dir = `${s.parent}/${id}`;
      assert.equal(await s.inspect("dd", "{{.NookCgroup}}"), dir);
      const record = JSON.parse(Deno.readTextFileSync(`${s.dir}/containers/${id}/container.json`));
      assert.equal(record.cgroup, dir, "the record names the cgroup");
      const pid = Number(await s.inspect("dd", "{{.State.Pid}}"));
      assert.equal(cgroupOf(pid), inHierarchy(dir));
      const child = await until("the sleep the container started", () => childrenOf(pid)[0]);
      assert.equal(cgroupOf(child), inHierarchy(dir));

      assert.equal(await s.ok(["exec", "dd", "tail", "-n1", "/proc/self/cgroup"]), "0::/\n");
      await s.ok(["exec", "-d", "dd", "sleep", "601"]);
      const exec = await until("the exec'd sleep", () => processWith(["sleep", "601"]));
      assert.equal(
        cgroupOf(exec),
        inHierarchy(dir),
        "an exec'd process is in the container's cgroup",
      );

      await s.ok(["stop", "-t", "1", "dd"]);
      assert.equal(isDir(dir), false, "the monitor removes the cgroup when the container ends");
      await s.ok(["start", "dd"]);
      assert.equal(isDir(dir), true, "start makes it again");
      const again = Number(await s.inspect("dd", "{{.State.Pid}}"));
      assert.equal(cgroupOf(again), inHierarchy(dir));
      await s.ok(["rm", "-f", "dd"]);
      assert.equal(isDir(dir), false, "rm -f removes it");
      assert.deepEqual(s.cgroups(), []);
    });
  },
);

test(
  "run -d --restart: every restart runs in the container's cgroup, removed after the last",
  NEED_DELEGATED,
  async () => {
    await withStore("restarts", async (s) => {
      const rootfs = await busyboxRootfs();
      const id = await s.detach([
        "--restart",
        "on-failure:2",
        "--rootfs",
        rootfs,
        "sh",
        "-c",
        "tail -n1 /proc/self/cgroup; exit 3",
      ]);
      assert.equal((await s.ok(["wait", id])).trim(), "3");
      assert.equal(await s.ok(["logs", id]), "0::/\n0::/\n0::/\n");
      assert.deepEqual(s.cgroups(), [], "the cgroup is gone after the last run");
    });
  },
);

test("rm -f removes the cgroup a killed monitor left", NEED_DELEGATED, async () => {
  await withStore("killed", async (s) => {
    const rootfs = await busyboxRootfs();
    const id = await s.detach(["--rootfs", rootfs, "sleep", "600"]);
    const dir = `${s.parent}/${id}`;
    const state = read(`${s.dir}/containers/${id}/state`)!;
    const monitor = Number(state.match(/^monitor (\d+)$/m)![1]);
    const pid = Number(state.match(/^pid (\d+)$/m)![1]);
    assert.equal(cgroupOf(pid), inHierarchy(dir));
    // The container dies with its monitor (its parent-death signal); the cgroup stays behind.
    Deno.kill(monitor, "SIGKILL");
    await until("the container to end", () => cgroupOf(pid) === null);
    assert.equal(isDir(dir), true, "nobody removed the cgroup");
    assert.equal(await s.inspect(id, "{{.State.Status}}"), "unknown");
    await s.ok(["rm", "-f", id]);
    assert.equal(isDir(dir), false, "rm -f removes it");
  });
});

test(
  "update changes the limits in the record, and in the cgroup where it has the controller",
  NEED_DELEGATED,
  async () => {
    await withStore("update", async (s) => {
      const rootfs = await busyboxRootfs();
      const id = await s.detach([
        "--name",
        "uu",
        "--rootfs",
        rootfs,
        "--cgroups",
        "enabled",
        "sleep",
        "600",
      ]);
      const r = await s.run(["update", "--pids-limit", "50", "--memory", "128m", "uu"]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, "uu\n");
      assert.equal(await s.inspect("uu", "{{.HostConfig.PidsLimit}}"), "50");
      assert.equal(await s.inspect("uu", "{{.HostConfig.Memory}}"), String(128 * 1024 * 1024));
      const dir = `${s.parent}/${id}`;
      const has = words(read(`${dir}/cgroup.controllers`));
      if (has.includes("pids")) assert.equal(read(`${dir}/pids.max`)?.trim(), "50");
      if (has.includes("memory")) {
        assert.equal(read(`${dir}/memory.max`)?.trim(), String(128 * 1024 * 1024));
      }
      const missing = ["pids", "memory"].filter((c) => !has.includes(c));
      assert.equal(warnings(r.stderr).length, missing.length > 0 ? 1 : 0, r.stderr);
      if (missing.length > 0) {
        assert.match(
          r.stderr,
          /^nook: limits stored but not applied to the running container uu: /,
        );
      }
      const bad = await s.run(["update", "--memory", "1m", "uu"]);
      assert.equal(bad.code, 125);
      assert.match(bad.stderr, /Minimum memory limit allowed is 6MB/);
      const none = await s.run(["update", "uu"]);
      assert.equal(none.code, 125);
      assert.match(none.stderr, /You must provide one or more flags when using this command/);
    });
  },
);

test(
  "limits a delegated cgroup lacks the controllers for: the container runs in its cgroup, with one warning",
  NEED_DELEGATED ??
    (OFFERED.includes("memory") ? "the delegated subtree has the memory controller" : undefined),
  async () => {
    await withStore("lacking", async (s) => {
      const rootfs = await busyboxRootfs();
      const r = await s.run([
        "run",
        "-d",
        "--name",
        "ll",
        "--rootfs",
        rootfs,
        "--memory",
        "64m",
        "sleep",
        "600",
      ]);
      assert.equal(r.code, 0, r.stderr);
      const w = warnings(r.stderr);
      assert.equal(w.length, 1, r.stderr);
      assert.match(w[0], /^nook: resource limits not applied: --memory: /);
      assert.match(w[0], /memory controller/);
      assert.match(w[0], /; to apply them, .*; --cgroups=disabled silences this warning$/);
      assert.equal(isDir(await s.inspect("ll", "{{.NookCgroup}}")), true, "it has its cgroup");
      const required = await s.run([
        "run",
        "--rm",
        "--cgroups=required",
        "--rootfs",
        rootfs,
        "--memory",
        "64m",
        "true",
      ]);
      assert.equal(required.code, 125, required.stderr);
      assert.match(
        required.stderr,
        /Cannot apply resource limits \(--cgroups=required\): --memory: /,
      );
      assert.equal(s.cgroups().length, 1, "only the running container's cgroup is there");
    });
  },
);

test(
  "limits on a full cgroup v2 tree: every flag's file, enforced, and updated",
  NEED_FULL,
  async () => {
    await withStore("full", async (s) => {
      const rootfs = await busyboxRootfs();
      const block = [...Deno.readDirSync("/sys/class/block")].map((e) => e.name)[0];
      const dev = block ? read(`/sys/class/block/${block}/dev`)?.trim() : undefined;
      const devArgs = block && dev ? ["--device-read-bps", `/dev/${block}:1mb`] : [];
      const r = await s.run([
        "run",
        "-d",
        "--name",
        "f",
        "--rootfs",
        rootfs,
        "--memory",
        "64m",
        "--memory-reservation",
        "32m",
        "--memory-swap",
        "96m",
        "--cpus",
        "0.5",
        "--cpu-shares",
        "512",
        "--pids-limit",
        "16",
        "--blkio-weight",
        "100",
        ...devArgs,
        "sleep",
        "600",
      ]); // deno-fmt-ignore
      assert.equal(r.code, 0, r.stderr);
      assert.equal(warnings(r.stderr).length, 0, r.stderr);
      const dir = await s.inspect("f", "{{.NookCgroup}}");
      const file = (name: string) => read(`${dir}/${name}`)?.trim();
      assert.equal(file("memory.max"), String(64 << 20));
      assert.equal(file("memory.low"), String(32 << 20));
      if (file("memory.swap.max") !== undefined) {
        assert.equal(file("memory.swap.max"), String(32 << 20));
      }
      assert.equal(file("cpu.max"), "50000 100000");
      assert.equal(file("cpu.weight"), "20");
      assert.equal(file("pids.max"), "16");
      if (devArgs.length) {
        assert.match(file("io.max") ?? "", new RegExp(`^${dev} rbps=1048576 `));
      }
      // The pids limit holds: 20 more processes cannot all start.
      const fork = await s.run([
        "exec",
        "f",
        "sh",
        "-c",
        "for i in $(seq 20); do sleep 5 & done; wait",
      ]);
      assert.notEqual(fork.code, 0, "forking past --pids-limit fails");
      // The monitor notes the OOM killer's count (memory.events) for inspect.
      const id = await s.inspect("f", "{{.Id}}");
      assert.match(read(`${s.dir}/containers/${id}/state`) ?? "", /^oom-kills 0$/m);
      await s.ok(["update", "--pids-limit", "100", "--cpus", "1", "f"]);
      assert.equal(file("pids.max"), "100");
      assert.equal(file("cpu.max"), "100000 100000");
    });
  },
);

test(
  "limits where nothing is delegated: the container runs, with one warning naming them",
  ROOT_USER,
  async () => {
    // The cgroup2 root (or no cgroup2 at all) is no user's: nothing can be made there.
    await withStore("undelegated", async (s) => {
      const rootfs = await busyboxRootfs();
      const r = await s.run([
        "run",
        "--rm",
        "--rootfs",
        rootfs,
        "--memory",
        "64m",
        "--cpus",
        "0.5",
        "--pids-limit",
        "10",
        "sh",
        "-c",
        "echo ran",
      ]); // deno-fmt-ignore
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, "ran\n");
      const w = warnings(r.stderr);
      assert.equal(w.length, 1, r.stderr);
      assert.match(w[0], /^nook: resource limits not applied: --memory, --cpus, --pids-limit: /);
      assert.match(
        w[0],
        /NOOK_CGROUP_PARENT\) cannot be used: .* is not delegated to you|no cgroup|v1/,
      );
      assert.match(w[0], /; to apply them, .*(Delegate=yes|--cgroup-parent|NOOK_CGROUP_PARENT)/);
      assert.match(w[0], /--cgroups=disabled silences this warning$/);

      const d = await s.run([
        "run",
        "-d",
        "--name",
        "dd",
        "--rootfs",
        rootfs,
        "--pids-limit",
        "10",
        "sleep",
        "60",
      ]);
      assert.equal(d.code, 0, d.stderr);
      assert.equal(warnings(d.stderr).length, 1, d.stderr);
      assert.equal(await s.inspect("dd", "{{.State.Running}}"), "true");
      assert.equal(await s.inspect("dd", "{{.NookCgroup}}"), "");

      const quiet = await s.run([
        "run",
        "--rm",
        "--cgroups=disabled",
        "--rootfs",
        rootfs,
        "--memory",
        "64m",
        "true",
      ]);
      assert.equal(quiet.code, 0, quiet.stderr);
      assert.equal(quiet.stderr, "", "--cgroups=disabled says nothing");
    }, { NOOK_CGROUP_PARENT: MOUNT });
  },
);

test(
  "--cgroups=required where nothing is delegated: exit 125, nothing started or left",
  ROOT_USER,
  async () => {
    await withStore("required", async (s) => {
      const rootfs = await busyboxRootfs();
      for (const args of [["--rm"], ["-d", "--name", "req"], ["--name", "req2"]]) {
        const r = await s.run([
          "run",
          ...args,
          "--cgroups=required",
          "--rootfs",
          rootfs,
          "touch",
          "/tmp/ran",
        ]);
        assert.equal(r.code, 125, `${args}: ${r.stderr}`);
        assert.match(
          r.stderr,
          /^nook: Cannot give the container a cgroup of its own \(--cgroups=required\): .*; to get one, /,
        );
        assert.equal(r.stdout, "");
      }
      assert.equal(await s.ok(["ps", "-aq"]), "", "no container is left");
      assert.deepEqual(s.ids(), []);
    }, { NOOK_CGROUP_PARENT: MOUNT });
  },
);
