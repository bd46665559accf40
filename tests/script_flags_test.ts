// Lines that scripts written for docker and podman use, run unchanged against
// nook (issue 15): podman's clean-up line `rm -t 0 --all --force --ignore`,
// `--all`/`--ignore` on the container verbs, several names at once,
// `wait --condition`, `container|image|network exists`, `images -a` and
// `--filter`, `ps -n`/`--filter exited=`, `version --format`. As the
// unprivileged test user, against real containers; every test works in its
// own store and removes what it started.
import assert from "node:assert/strict";
import { busyboxRootfs, repoRoot, until } from "./helpers.ts";
import { TestStore, withTestStore } from "./store_helpers.ts";

const root = Deno.makeTempDirSync({ prefix: "nook-script-flags-test-" });

globalThis.addEventListener("unload", () => {
  // Container and image files of subordinate ids: removed as root in the user namespace.
  new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${repoRoot()}/cli/main.ts`, "unshare", "rm", "-rf", root],
  }).outputSync();
});

/** Runs `fn` with a fresh store named `name` and removes what it started. */
function withStore(name: string, fn: (s: TestStore) => Promise<void>): Promise<void> {
  return withTestStore(new TestStore(root, name), fn);
}

/** Lines of a text, without the empty last one. */
function lines(text: string): string[] {
  return text.split("\n").filter((l) => l !== "");
}

/** The state of a container, as `inspect` says it. */
async function state(s: TestStore, ref: string): Promise<string> {
  return (await s.ok(["inspect", "-f", "{{.State.Status}}", ref])).trim();
}

Deno.test("rm -t 0 --all --force --ignore removes running and stopped containers, and exits 0 on an empty store", async () => {
  await withStore("cleanup", async (s) => {
    const clean = ["rm", "-t", "0", "--all", "--force", "--ignore"];
    const empty = await s.run(clean);
    assert.equal(empty.code, 0, empty.stderr);
    assert.equal(empty.stdout, "");

    const rootfs = await busyboxRootfs();
    const up = await s.detach(["--name", "up", "--rootfs", rootfs, "sleep", "60"]);
    const done = await s.detach(["--name", "done", "--rootfs", rootfs, "true"]);
    assert.equal(await s.ok(["wait", "done"]), "0\n");
    const made = (await s.ok(["create", "--name", "made", "--rootfs", rootfs, "true"])).trim();
    const t0 = Date.now();
    const r = await s.run(clean);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(lines(r.stdout).sort(), [up, done, made].sort(), "rm -a names each by id");
    assert.ok(Date.now() - t0 < 8_000, "-t 0: SIGKILL at once, not after 10 s");
    assert.equal(await s.ok(["ps", "-aq"]), "");

    // Without -f a running container stays, and says why.
    await s.detach(["--name", "stays", "--rootfs", rootfs, "sleep", "60"]);
    const noForce = await s.run(["rm", "-a"]);
    assert.equal(noForce.code, 125);
    assert.match(noForce.stderr, /You cannot remove a running container .* \(stays\)/);
    assert.equal(await state(s, "stays"), "running");
    // Names and --all do not go together.
    const both = await s.run(["rm", "-a", "stays"]);
    assert.equal(both.code, 125);
    assert.match(both.stderr, /'nook rm --all' takes no container names, got 'stays'/);
    // -t gives a running container its stop signal and time to act on it; the default, none.
    const out = `${s.dir}/out`;
    Deno.mkdirSync(out);
    const trapper = (name: string) =>
      s.detach([
        "--name",
        name,
        "-v",
        `${out}:/out`,
        "--rootfs",
        rootfs,
        "sh",
        "-c",
        `trap 'sleep 1; echo term > /out/${name}; exit 7' TERM; echo ready; while :; do sleep 0.1; done`,
      ]);
    for (const name of ["patient", "hasty"]) {
      await trapper(name);
      await until(`${name} is ready`, async () => (await s.ok(["logs", name])).includes("ready"));
    }
    assert.equal(await s.ok(["rm", "-f", "-t", "5", "patient"]), "patient\n");
    assert.equal(Deno.readTextFileSync(`${out}/patient`), "term\n");
    assert.equal(await s.ok(["rm", "-f", "hasty"]), "hasty\n");
    assert.throws(() => Deno.statSync(`${out}/hasty`), "rm -f without -t: SIGKILL at once");
    const badTime = await s.run(["rm", "-f", "-t", "soon", "stays"]);
    assert.equal(badTime.code, 125);
    assert.match(badTime.stderr, /Invalid --time 'soon': give whole seconds/);
    assert.equal(await s.ok(["rm", "-fv", "stays"]), "stays\n");
  });
});

Deno.test("rm of a missing name fails naming it; with --ignore it is skipped and the others go", async () => {
  await withStore("ignore", async (s) => {
    const rootfs = await busyboxRootfs();
    const missing = await s.run(["rm", "nosuch"]);
    // docker and podman exit 1; nook keeps 125 for every missing container (tests/lifecycle_test.ts).
    assert.equal(missing.code, 125);
    assert.equal(missing.stderr, "nook: No such container: nosuch\n");
    const ignored = await s.run(["rm", "--ignore", "nosuch"]);
    assert.equal(ignored.code, 0, ignored.stderr);
    assert.equal(ignored.stdout + ignored.stderr, "");
    await s.ok(["create", "--name", "real", "--rootfs", rootfs, "true"]);
    const mixed = await s.run(["rm", "-i", "nosuch", "real"]);
    assert.equal(mixed.code, 0, mixed.stderr);
    assert.equal(mixed.stdout, "real\n");
    assert.equal(await s.ok(["ps", "-aq"]), "");
    const stop = await s.run(["stop", "--ignore", "nosuch"]);
    assert.equal(stop.code, 0, stop.stderr);
    assert.equal((await s.run(["stop", "nosuch"])).code, 125);
    assert.equal((await s.run(["wait", "--ignore", "nosuch"])).code, 0);
  });
});

Deno.test("stop -a stops every running container; kill -a, restart -a, start --all and wait of two", async () => {
  await withStore("all", async (s) => {
    const rootfs = await busyboxRootfs();
    const empty = await s.run(["stop", "-a"]);
    assert.equal(empty.code, 0, empty.stderr);
    assert.equal(empty.stdout, "");
    const a = await s.detach(["--name", "one", "--rootfs", rootfs, "sleep", "60"]);
    const b = await s.detach(["--name", "two", "--rootfs", rootfs, "sleep", "60"]);
    await s.detach(["--name", "three", "--rootfs", rootfs, "sh", "-c", "exit 3"]);
    assert.equal(await s.ok(["wait", "three"]), "3\n");
    const stopped = await s.ok(["stop", "-a", "-t", "0"]);
    assert.deepEqual(lines(stopped).sort(), [a, b].sort(), "the running ones, not the exited");
    assert.equal(await state(s, "one"), "exited");
    assert.equal(await state(s, "two"), "exited");

    // start --all starts every container that does not run; wait of two prints two codes.
    await s.ok(["start", "--all"]);
    assert.equal(await state(s, "one"), "running");
    assert.equal(await s.ok(["wait", "three", "three"]), "3\n3\n");
    assert.equal(await s.ok(["wait", "--condition", "running", "one"]), "-1\n");
    const badCondition = await s.run(["wait", "--condition", "healthy", "one"]);
    assert.equal(badCondition.code, 125);
    assert.match(badCondition.stderr, /Invalid --condition 'healthy'/);

    // kill -a sends the signal to the running ones; wait of both prints both codes, in order.
    const killed = await s.ok(["kill", "-a"]);
    assert.deepEqual(lines(killed).sort(), [a, b].sort());
    assert.equal(await s.ok(["wait", "one", "two"]), "137\n137\n");
    const restarted = await s.ok(["restart", "-a", "-t", "0"]);
    assert.equal(lines(restarted).length, 3, restarted);
    assert.equal(await state(s, "two"), "running");
    assert.equal(await s.ok(["wait", "--condition", "exited", "three"]), "3\n");
    // restart -a --running leaves the exited one alone.
    assert.deepEqual(
      lines(await s.ok(["restart", "-a", "--running", "-t", "0"])).sort(),
      [a, b].sort(),
    );
    const help = await s.ok(["stop", "--help"]);
    assert.match(help, /-a, --all/);
    assert.match(help, /-i, --ignore/);
  });
});
