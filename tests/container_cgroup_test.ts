// The container verbs that work on a container's own cgroup, end to end as
// the test user: pause and unpause (ps and inspect say Paused), stop of a
// paused container, stop / kill / rm -f leaving no process of the cgroup
// behind (one outside the container's pid namespace included), stats, and
// inspect's OOMKilled.
//
// A container's cgroup is the one nook made for it (record field `cgroup`).
// Where nook made none (before containers got cgroups, or on a host without
// delegation), the test makes one below NOOK_TEST_CGROUP, moves the
// container's first process into it and writes it into the record, which is
// what nook does. Without NOOK_TEST_CGROUP these tests skip.
import assert from "node:assert/strict";
import { busyboxRootfs, repoRoot } from "./helpers.ts";
import { TestStore, withTestStore } from "./store_helpers.ts";
import {
  cgroupEvent,
  cgroupTest,
  makeCgroup,
  moveInto,
  readOr,
  running,
  type TestCgroup,
} from "./cgroup_helpers.ts";
import { until } from "./helpers.ts";

const root = Deno.makeTempDirSync({ prefix: "nook-cgroup-cli-test-" });
/** Cgroups the tests made, removed at the end of each test. */
const made: TestCgroup[] = [];

globalThis.addEventListener("unload", () => {
  new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${repoRoot()}/cli/main.ts`, "unshare", "rm", "-rf", root],
  }).outputSync();
});

/** A store whose containers are removed, and whose test cgroups too, after the test. */
class Store extends TestStore {
  constructor(name: string) {
    super(root, name);
  }

  /** `inspect -f TEMPLATE REF`, trimmed. */
  async inspect(ref: string, template: string): Promise<string> {
    return (await this.ok(["inspect", "-f", template, ref])).trim();
  }

  /** A container's record file. */
  recordPath(id: string): string {
    return `${this.dir}/containers/${id}/container.json`;
  }

  /** A container's state file. */
  statePath(id: string): string {
    return `${this.dir}/containers/${id}/state`;
  }

  override async cleanup(): Promise<void> {
    await super.cleanup();
    for (const cg of made.splice(0)) await cg.remove();
  }
}

function withStore(name: string, fn: (s: Store) => Promise<void>): Promise<void> {
  return withTestStore(new Store(name), fn);
}

/**
 * The running container's cgroup: nook's, or (where nook made none) one made
 * here with its first process moved in and named in its record. The
 * container's command must not have started other processes yet.
 */
async function cgroupOf(s: Store, id: string, cgroupRoot: string): Promise<string> {
  const record = JSON.parse(Deno.readTextFileSync(s.recordPath(id)));
  if (record.cgroup) return record.cgroup;
  const cg = makeCgroup(cgroupRoot, "ctr");
  made.push(cg);
  moveInto(cg.dir, Number(await s.inspect(id, "{{.State.Pid}}")));
  const tmp = `${s.recordPath(id)}.tmp`;
  Deno.writeTextFileSync(tmp, JSON.stringify({ ...record, cgroup: cg.dir }, null, 2) + "\n");
  Deno.renameSync(tmp, s.recordPath(id));
  return cg.dir;
}

/** A host process (outside the container's pid namespace) put into `cgroup`. */
function strayIn(cgroup: string): Deno.ChildProcess {
  const stray = new Deno.Command("sleep", { args: ["1000"], stdin: "null" }).spawn();
  moveInto(cgroup, stray.pid);
  return stray;
}

/** Fields of a container's state file. */
function stateOf(s: Store, id: string): Record<string, string> {
  return Object.fromEntries(
    readOr(s.statePath(id)).split("\n").filter((l) => l.includes(" "))
      .map((l) => [l.slice(0, l.indexOf(" ")), l.slice(l.indexOf(" ") + 1)]),
  );
}

cgroupTest(
  "pause freezes the container's cgroup (ps: 'Up ... (Paused)', inspect: paused); unpause thaws it",
  async (cgroupRoot) => {
    await withStore("pause", async (s) => {
      const rootfs = await busyboxRootfs();
      const id = await s.detach([
        "--name",
        "pz",
        "--rootfs",
        rootfs,
        "sh",
        "-c",
        "while :; do :; done",
      ]);
      const cgroup = await cgroupOf(s, id, cgroupRoot);

      assert.equal(await s.ok(["pause", "pz"]), "pz\n");
      assert.equal(cgroupEvent(cgroup, "frozen"), 1, "frozen when pause returns");
      assert.equal(
        await s.inspect("pz", "{{.State.Status}} {{.State.Paused}} {{.State.Running}}"),
        "paused true true",
      );
      assert.match(
        await s.ok(["ps", "--format", "{{.Status}}|{{.State}}"]),
        /^Up .* \(Paused\)\|paused\n$/,
      );
      assert.equal(await s.ok(["ps", "-q", "--filter", "status=paused"]), `${id.slice(0, 12)}\n`);
      assert.equal(await s.ok(["ps", "-q", "--filter", "status=running"]), "");

      const again = await s.run(["pause", "pz"]);
      assert.equal(again.code, 125);
      assert.match(again.stderr, /Container pz is already paused/);
      const exec = await s.run(["exec", "pz", "true"]);
      assert.equal(exec.code, 125);
      assert.match(exec.stderr, /Container pz is paused: unpause it before exec/);

      assert.equal(await s.ok(["unpause", "pz"]), "pz\n");
      assert.equal(cgroupEvent(cgroup, "frozen"), 0);
      assert.equal(await s.inspect("pz", "{{.State.Status}} {{.State.Paused}}"), "running false");
      assert.match(await s.ok(["ps", "--format", "{{.Status}}"]), /^Up [^(]*\n$/);
      const notPaused = await s.run(["unpause", "pz"]);
      assert.equal(notPaused.code, 125);
      assert.match(notPaused.stderr, /Container pz is not paused/);

      // kill (SIGKILL) of a paused container ends it, and leaves its cgroup thawed.
      await s.ok(["pause", "pz"]);
      assert.equal(await s.ok(["kill", "pz"]), "pz\n");
      assert.equal(await s.ok(["wait", "pz"]), "137\n");
      assert.equal(cgroupEvent(cgroup, "frozen") ?? 0, 0);
      const stopped = await s.run(["pause", "pz"]);
      assert.equal(stopped.code, 125);
      assert.match(stopped.stderr, /Container pz is not running \(status exited\)/);
    });
  },
);

cgroupTest(
  "stop of a paused container thaws it so that it gets its stop signal (docker's order)",
  async (cgroupRoot) => {
    await withStore("stop-paused", async (s) => {
      const rootfs = await busyboxRootfs();
      const script = 'trap "exit 7" TERM; echo ready; while :; do sleep 0.1; done';
      const id = await s.detach(["--name", "tp", "--rootfs", rootfs, "sh", "-c", script]);
      await until("the trap to be set", async () => (await s.ok(["logs", "tp"])).includes("ready"));
      await cgroupOf(s, id, cgroupRoot);
      await s.ok(["pause", "tp"]);
      const t0 = Date.now();
      assert.equal(await s.ok(["stop", "-t", "20", "tp"]), "tp\n");
      assert.ok(Date.now() - t0 < 10_000, "it did not wait for the timeout's SIGKILL");
      assert.equal(await s.inspect("tp", "{{.State.ExitCode}}"), "7", "its TERM trap ran");
    });
  },
);

cgroupTest(
  "stop, kill (its monitor and first process gone) and rm -f leave no process of the container's cgroup",
  async (cgroupRoot) => {
    await withStore("strays", async (s) => {
      const rootfs = await busyboxRootfs();

      // stop: the first process ends on SIGTERM; a process outside its pid namespace does not.
      const a = await s.detach(["--name", "sa", "--rootfs", rootfs, "sleep", "1000"]);
      const ca = await cgroupOf(s, a, cgroupRoot);
      const strayA = strayIn(ca);
      assert.equal(await s.ok(["stop", "-t", "1", "sa"]), "sa\n");
      assert.equal((await strayA.status).signal, "SIGKILL");
      assert.equal(cgroupEvent(ca, "populated") ?? 0, 0);

      // kill: its monitor died and its first process was killed behind nook's back; what is
      // left in its cgroup is found and killed.
      const b = await s.detach(["--name", "sb", "--rootfs", rootfs, "sleep", "1000"]);
      const cb = await cgroupOf(s, b, cgroupRoot);
      const strayB = strayIn(cb);
      const state = stateOf(s, b);
      Deno.kill(Number(state.monitor), "SIGKILL");
      Deno.kill(Number(state.pid), "SIGKILL");
      await until("its first process to end", () => !running(Number(state.pid)));
      assert.equal(await s.inspect("sb", "{{.State.Status}}"), "unknown");
      assert.ok(running(strayB.pid));
      assert.equal(await s.ok(["kill", "sb"]), "sb\n");
      assert.equal((await strayB.status).signal, "SIGKILL");
      assert.equal(cgroupEvent(cb, "populated") ?? 0, 0);
      const again = await s.run(["kill", "sb"]);
      assert.equal(again.code, 125, "nothing is left to kill");
      assert.match(again.stderr, /Cannot kill container sb: it is not running \(status unknown\)/);

      // rm -f of a running container.
      const c = await s.detach(["--name", "sc", "--rootfs", rootfs, "sleep", "1000"]);
      const cc = await cgroupOf(s, c, cgroupRoot);
      const strayC = strayIn(cc);
      assert.equal(await s.ok(["rm", "-f", "sc"]), "sc\n");
      assert.equal((await strayC.status).signal, "SIGKILL");
      assert.equal(cgroupEvent(cc, "populated") ?? 0, 0);
    });
  },
);

/** Rows of a `stats` table: the header, then one per container. */
function statsTable(text: string): string[][] {
  return text.split("\n").filter((l) => l !== "").map((l) => l.split(/ {3,}/));
}

cgroupTest(
  "stats shows CPU % from cpu.stat, tasks, and network I/O; what the host does not count is '--'",
  async (cgroupRoot) => {
    await withStore("stats", async (s) => {
      const rootfs = await busyboxRootfs();
      const id = await s.detach([
        "--name",
        "busy",
        "--rootfs",
        rootfs,
        "sh",
        "-c",
        "while :; do :; done",
      ]);
      const cgroup = await cgroupOf(s, id, cgroupRoot);
      const plain = await s.detach(["--name", "plain", "--rootfs", rootfs, "sleep", "1000"]);

      const t0 = Date.now();
      const rows = statsTable(await s.ok(["stats", "--no-stream", "busy", "plain"]));
      assert.ok(Date.now() - t0 >= 1000, "two readings a second apart");
      assert.deepEqual(rows[0], [
        "CONTAINER ID",
        "NAME",
        "CPU %",
        "MEM USAGE / LIMIT",
        "MEM %",
        "NET I/O",
        "BLOCK I/O",
        "PIDS",
      ]);
      const [busyId, busyName, cpu, mem, memPerc, net, block, pids] = rows[1];
      assert.equal(busyId, id.slice(0, 12));
      assert.equal(busyName, "busy");
      assert.ok(parseFloat(cpu) > 20, `the busy loop's CPU %: ${cpu}`);
      assert.match(cpu, /^\d+\.\d\d%$/);
      assert.equal(pids, "1");
      assert.equal(net, "0B / 0B", "no network: only lo, which is not counted");
      const controllers = readOr(`${cgroup}/cgroup.controllers`).split(/\s+/);
      if (controllers.includes("memory")) {
        assert.match(mem, /^[\d.]+[KMG]?i?B \/ [\d.]+[KMGT]?i?B$/);
        assert.match(memPerc, /^\d+\.\d\d%$/);
      } else {
        assert.equal(mem, "-- / --", "a hybrid host's cgroup2 has no memory controller");
        assert.equal(memPerc, "--");
      }
      assert.equal(block === "--", !controllers.includes("io"));
      // Without a cgroup of its own nook cannot tell its CPU or tasks; its network it can.
      const plainRecord = JSON.parse(Deno.readTextFileSync(s.recordPath(plain)));
      if (!plainRecord.cgroup) {
        assert.deepEqual(rows[2], [
          plain.slice(0, 12),
          "plain",
          "--",
          "-- / --",
          "--",
          "0B / 0B",
          "--",
          "--",
        ]);
      }

      const json = (await s.ok(["stats", "--no-stream", "--no-trunc", "--format", "json", "busy"]))
        .trim().split("\n").map((l) => JSON.parse(l));
      assert.equal(json.length, 1);
      assert.deepEqual(Object.keys(json[0]).sort(), [
        "BlockIO",
        "CPUPerc",
        "Container",
        "ID",
        "MemPerc",
        "MemUsage",
        "Name",
        "NetIO",
        "PIDs",
      ]);
      assert.equal(json[0].ID, id);
      assert.equal(json[0].Container, "busy");
      assert.equal(
        await s.ok(["stats", "--no-stream", "--format", "{{.Name}}: {{.PIDs}}", "busy"]),
        "busy: 1\n",
      );
      // Without names: the running containers.
      assert.deepEqual(
        statsTable(await s.ok(["stats", "--no-stream", "--format", "table {{.Name}}"])),
        [["NAME"], ["busy"], ["plain"]],
      );
      const bad = await s.run(["stats", "--no-stream", "--format", "table {{.Colour}}"]);
      assert.equal(bad.code, 125);
      assert.match(
        bad.stderr,
        /Invalid --format 'table \{\{\.Colour\}\}': template: 1:2: .*can't evaluate field Colour/,
      );

      // Streaming: a table a second until interrupted.
      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", `${repoRoot()}/cli/main.ts`, "stats", "busy"],
        env: s.env,
        stdout: "piped",
        stderr: "null",
      }).spawn();
      let out = "";
      const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
      const end = Date.now() + 15_000;
      while ((out.match(/CONTAINER ID/g) ?? []).length < 3 && Date.now() < end) {
        const { value, done } = await reader.read();
        if (done) break;
        out += value;
      }
      child.kill("SIGINT");
      await child.status;
      await reader.cancel().catch(() => {});
      assert.equal((out.match(/CONTAINER ID/g) ?? []).length, 3, out);
      assert.equal((out.match(/\bbusy\b/g) ?? []).length, 3, out);
    });
  },
);

Deno.test("inspect says OOMKilled when the end of the container's run recorded it", async () => {
  await withStore("oom", async (s) => {
    const rootfs = await busyboxRootfs();
    const id = await s.detach(["--name", "oo", "--rootfs", rootfs, "true"]);
    assert.equal(await s.ok(["wait", "oo"]), "0\n");
    assert.equal(await s.inspect("oo", "{{.State.OOMKilled}}"), "false");
    // What the monitor writes when memory.events of the container's cgroup counted an OOM kill.
    Deno.writeTextFileSync(s.statePath(id), "oom-kills 1\n", { append: true });
    assert.equal(await s.inspect("oo", "{{.State.OOMKilled}}"), "true");
  });
});
