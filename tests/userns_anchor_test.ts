// The user namespace foreground runs share (lib/runtime/userns_anchor.ts): one
// anchor process per user holds it, with the subordinate maps; a run joins it
// instead of mapping a namespace of its own. A killed anchor, a file naming a
// reused or foreign pid, or garbage: the next run makes a new one (and joins
// no other process's namespace, kills nothing it did not make); runs started
// together make one; keep-id and detached containers keep their own. An
// anchor ends once its file no longer names it (its directory removed).
import assert from "node:assert/strict";
import { busyboxRootfs, nook, requireSubidRange, testNeeds, until } from "./helpers.ts";

const SHOW = "readlink /proc/self/ns/user; cat /proc/self/uid_map /proc/self/gid_map; id -u";

/** A runtime directory of the test's own, so that its anchor is its own. */
async function withRunroot(fn: (env: Record<string, string>, file: string) => Promise<void>) {
  const runroot = await Deno.makeTempDir({ prefix: "nook-anchor-test-" });
  const env = { NOOK_RUNROOT: runroot };
  try {
    await fn(env, `${runroot}/anchor-userns`);
  } finally {
    await Deno.remove(runroot, { recursive: true }); // its anchor ends then
  }
}

function anchorPid(file: string): number | null {
  try {
    return Number(Deno.readTextFileSync(file).split(" ")[0]);
  } catch {
    return null;
  }
}

function comm(pid: number): string | null {
  try {
    return Deno.readTextFileSync(`/proc/${pid}/comm`).trim();
  } catch {
    return null;
  }
}

function startTime(pid: number): string {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
}

async function show(env: Record<string, string>, extra: string[] = []) {
  const rootfs = await busyboxRootfs();
  const r = await nook(["run", "--rm", ...extra, "--rootfs", rootfs, "sh", "-c", SHOW], { env });
  assert.equal(r.code, 0, r.stderr);
  const [userns, ...rest] = r.stdout.trim().split("\n");
  return { userns, maps: rest.slice(0, -1).map((l) => l.trim().split(/\s+/).join(" ")) };
}

const needs = [requireSubidRange()];

testNeeds(needs, {
  name: "foreground runs share one user namespace, which an anchor with the subordinate maps holds",
  fn: () =>
    withRunroot(async (env, file) => {
      const first = await show(env);
      const second = await show(env);
      assert.equal(second.userns, first.userns);
      assert.notEqual(first.userns, Deno.readLinkSync("/proc/self/ns/user"));
      const pid = anchorPid(file)!;
      assert.equal(comm(pid), "nook-userns");
      assert.equal(Deno.readLinkSync(`/proc/${pid}/ns/user`), first.userns);
      // Two ranges (root, then the subordinate ids), as a namespace of the run's own had.
      assert.equal(first.maps.length, 4, first.maps.join("\n"));
      const ppid = Number(
        Deno.readTextFileSync(`/proc/${pid}/stat`).split(") ")[1].split(" ")[1],
      );
      assert.notEqual(ppid, Deno.pid, "the anchor is no child of whoever made it");
      // Its own namespaces, as before: another pid namespace per run.
      const rootfs = await busyboxRootfs();
      const r = await nook(["run", "--rm", "--rootfs", rootfs, "sh", "-c", "echo $$"], { env });
      assert.equal(r.stdout, "1\n", r.stderr);
    }),
});

testNeeds(needs, {
  name: "a killed anchor, a reused pid, a dead one or garbage: the next run makes a new anchor",
  fn: () =>
    withRunroot(async (env, file) => {
      const first = await show(env);
      const old = anchorPid(file)!;
      Deno.kill(old, "SIGKILL");
      await until("the anchor to end", () => comm(old) === null);
      const second = await show(env);
      assert.notEqual(second.userns, first.userns);
      assert.notEqual(anchorPid(file), old);

      // The file names a process of ours that is no anchor (with its real start time).
      const other = new Deno.Command("sleep", { args: ["30"] }).spawn();
      try {
        Deno.writeTextFileSync(file, `${other.pid} ${startTime(other.pid)}\n`);
        const third = await show(env);
        assert.notEqual(third.userns, Deno.readLinkSync(`/proc/${other.pid}/ns/user`));
        assert.equal(comm(other.pid), "sleep", "not killed");
        assert.notEqual(anchorPid(file), other.pid);
        // The anchor's own pid with another start time (as when reused): not taken; the new
        // anchor's file names it no more, and so it ends.
        const anchor = anchorPid(file)!;
        Deno.writeTextFileSync(file, `${anchor} 1\n`);
        const fourth = await show(env);
        assert.notEqual(fourth.userns, third.userns);
        await until("the replaced anchor to end", () => comm(anchor) === null);
      } finally {
        other.kill("SIGKILL");
        await other.status;
      }
      for (const text of ["999999999 1\n", "garbage", ""]) {
        Deno.writeTextFileSync(file, text);
        await show(env);
        assert.equal(comm(anchorPid(file)!), "nook-userns", JSON.stringify(text));
      }
    }),
});

testNeeds(needs, {
  name: "runs started together make one anchor and share its namespace",
  fn: () =>
    withRunroot(async (env) => {
      const all = await Promise.all([1, 2, 3, 4].map(() => show(env)));
      assert.equal(new Set(all.map((r) => r.userns)).size, 1, all.map((r) => r.userns).join());
    }),
});

testNeeds(needs, {
  name: "keep-id and detached containers map user namespaces of their own",
  fn: () =>
    withRunroot(async (env) => {
      const shared = await show(env);
      const keepId = await show(env, ["--userns", "keep-id"]);
      assert.notEqual(keepId.userns, shared.userns);
      const rootfs = await busyboxRootfs();
      const store = await Deno.makeTempDir({ prefix: "nook-anchor-store-" });
      const denv = { ...env, NOOK_ROOT: store };
      try {
        const d = await nook(["run", "-d", "--name", "own", "--rootfs", rootfs, "sleep", "30"], {
          env: denv,
        });
        assert.equal(d.code, 0, d.stderr);
        const e = await nook(["exec", "own", "readlink", "/proc/self/ns/user"], { env: denv });
        assert.equal(e.code, 0, e.stderr);
        assert.notEqual(e.stdout.trim(), shared.userns);
      } finally {
        await nook(["rm", "-f", "own"], { env: denv });
        await Deno.remove(store, { recursive: true }).catch(() => {});
      }
    }),
});

testNeeds(needs, {
  name: "an anchor ends when its runtime directory is removed",
  fn: async () => {
    let pid = 0;
    await withRunroot(async (env, file) => {
      await show(env);
      pid = anchorPid(file)!;
      assert.equal(comm(pid), "nook-userns");
    });
    // withRunroot removed the directory (it kills only an anchor the file still names).
    await until("the anchor to end", () => comm(pid) === null);
  },
});
