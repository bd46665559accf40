// Lines that scripts written for docker and podman use, run unchanged against
// nook (issue 15): podman's clean-up line `rm -t 0 --all --force --ignore`,
// `--all`/`--ignore` on the container verbs, several names at once,
// `wait --condition`, `container|image|network exists`, `images -a` and
// `--filter`, `ps -n`/`--filter exited=`, `version --format`. As the
// unprivileged test user, against real containers; every test works in its
// own store and removes what it started.
import assert from "node:assert/strict";
import { busyboxRootfs, repoRoot, storesRoot, until } from "./helpers.ts";
import { TestStore, withTestStore } from "./store_helpers.ts";

const root = storesRoot("nook-script-flags-test-");

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
    assert.equal(noForce.code, 2, "podman's code for a running container");
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
    // docker's and podman's code.
    assert.equal(missing.code, 1);
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
    assert.equal((await s.run(["stop", "nosuch"])).code, 1);
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
    const startHelp = await s.ok(["start", "--help"]);
    assert.match(startHelp, /-a, --attach/);
    assert.match(startHelp, /^ {6}--all /m, "start --all has no -a: that is --attach");
    const help = await s.ok(["stop", "--help"]);
    assert.match(help, /-a, --all/);
    assert.match(help, /-i, --ignore/);
  });
});

Deno.test("ps -n N and -l list the latest in any state; --filter exited=, before=, since=; -s, --external", async () => {
  await withStore("ps", async (s) => {
    const rootfs = await busyboxRootfs();
    const three = await s.detach(["--name", "three", "--rootfs", rootfs, "sh", "-c", "exit 3"]);
    assert.equal(await s.ok(["wait", three]), "3\n");
    await s.detach(["--name", "zero", "--rootfs", rootfs, "true"]);
    assert.equal(await s.ok(["wait", "zero"]), "0\n");
    await s.detach(["--name", "up", "--rootfs", rootfs, "sleep", "60"]);
    const made = await s.ok(["create", "--name", "made", "--rootfs", rootfs, "true"]);
    const names = async (...args: string[]) =>
      lines(await s.ok(["ps", "--format", "{{.Names}}", ...args]));
    assert.deepEqual(await names(), ["up"]);
    assert.deepEqual(await names("-n", "1"), ["made"], "the latest, though not running");
    assert.deepEqual(await names("--last", "2"), ["made", "up"]);
    assert.deepEqual(await names("-n", "-1"), ["up"], "-1: no limit, running ones");
    assert.deepEqual(await names("-l"), ["made"]);
    assert.equal(await s.ok(["ps", "-lq", "--no-trunc"]), made);
    assert.deepEqual(await names("-a", "--filter", "exited=3"), ["three"]);
    assert.deepEqual(await names("-a", "--filter", "exited=0"), ["zero"], "not the created one");
    assert.deepEqual(await names("-a", "--filter", "exited=0", "--filter", "exited=3"), [
      "zero",
      "three",
    ]);
    assert.deepEqual(await names("-a", "--filter", "before=up"), ["zero", "three"]);
    assert.deepEqual(await names("-a", "--filter", "since=zero"), ["made", "up"]);
    assert.deepEqual(await names("-a", "--filter", "since=three", "--filter", "before=up"), [
      "zero",
    ]);
    assert.deepEqual(await names("--external"), ["up"]);
    const unknown = await s.run(["ps", "--filter", "health=healthy"]);
    assert.equal(unknown.code, 125);
    assert.match(unknown.stderr, /Invalid --filter 'health=healthy': no filter 'health'/);
    const badCode = await s.run(["ps", "--filter", "exited=x"]);
    assert.equal(badCode.code, 125);
    assert.match(badCode.stderr, /exited= takes an exit code/);
    const noSuch = await s.run(["ps", "--filter", "before=nosuch"]);
    assert.equal(noSuch.code, 125);
    assert.match(noSuch.stderr, /No such container: nosuch/);
    const badLast = await s.run(["ps", "-n", "many"]);
    assert.equal(badLast.code, 125);
    assert.match(badLast.stderr, /Invalid --last 'many'/);

    const sized = lines(await s.ok(["ps", "-s"]));
    assert.match(sized[0], /\sNAMES\s+SIZE$/);
    assert.match(sized[1], /\sup\s+\d+(\.\d+)?k?B \(virtual \d+(\.\d+)?[kM]?B\)$/);
    assert.match(await s.ok(["ps", "-s", "--format", "{{.Size}}"]), /^\d.*B \(virtual .*B\)\n$/);
    const help = await s.ok(["ps", "--help"]);
    for (const flag of ["-n, --last N", "-s, --size", "--external", "exited=CODE"]) {
      assert.ok(help.includes(flag), `ps --help names ${flag}:\n${help}`);
    }
  });
});

Deno.test("images -a, --no-trunc and --filter dangling=, reference=, before=, since=, label=", async () => {
  await withStore("images", async (s) => {
    const rootfs = await busyboxRootfs();
    const imported = async (...args: string[]) => (await s.ok(["import", ...args])).trim();
    const a = await imported("--change", "LABEL tier=front", rootfs, "test/a:1");
    const b = await imported("--change", "ENV X=1", rootfs, "test/b:2");
    const none = await imported("--change", "ENV X=2", rootfs);
    for (const id of [a, b, none]) assert.match(id, /^sha256:[0-9a-f]{64}$/);
    const ids = async (...args: string[]) =>
      lines(await s.ok(["images", "-q", "--no-trunc", ...args]));
    assert.deepEqual((await ids()).sort(), [a, b, none].sort());
    assert.deepEqual(await ids("-a"), await ids(), "-a: the same list");
    assert.equal(await s.ok(["images", "-aq"]), await s.ok(["images", "-q"]));
    assert.match(await s.ok(["images", "-q"]), /^([0-9a-f]{12}\n){3}$/);
    assert.deepEqual(await ids("--filter", "dangling=true"), [none]);
    assert.deepEqual((await ids("-f", "dangling=false")).sort(), [a, b].sort());
    assert.deepEqual(await ids("--filter", "reference=test/a"), [a]);
    assert.deepEqual(await ids("--filter", "reference=test/*:2"), [b]);
    assert.deepEqual((await ids("--filter", "reference=test/*")).sort(), [a, b].sort());
    assert.deepEqual(await ids("--filter", "label=tier=front"), [a]);
    assert.deepEqual(await ids("--filter", "label=tier"), [a]);
    assert.deepEqual(await ids("--filter", "before=test/b:2"), [a]);
    assert.deepEqual(await ids("--filter", "since=test/b:2"), [none]);
    assert.deepEqual(await ids("--filter", "since=test/a:1", "--filter", "dangling=false"), [b]);
    const table = lines(await s.ok(["images", "--no-trunc"]));
    assert.ok(table.some((l) => l.includes(a)), table.join("\n"));
    const unknown = await s.run(["images", "--filter", "colour=red"]);
    assert.equal(unknown.code, 125);
    assert.match(unknown.stderr, /no filter 'colour'/);
    const noSuch = await s.run(["images", "--filter", "before=test/nosuch"]);
    assert.equal(noSuch.code, 125);
    assert.match(noSuch.stderr, /No such image: test\/nosuch/);

    // podman's image exists.
    assert.equal((await s.run(["image", "exists", "test/a:1"])).code, 0);
    assert.equal((await s.run(["image", "exists", b.slice(7, 19)])).code, 0);
    const missing = await s.run(["image", "exists", "test/a:2"]);
    assert.equal(missing.code, 1);
    assert.equal(missing.stdout + missing.stderr, "");
  });
});

Deno.test("container exists and network exists exit 0 or 1 and print nothing, 125 on bad use", async () => {
  await withStore("exists", async (s) => {
    const rootfs = await busyboxRootfs();
    const id = (await s.ok(["create", "--name", "here", "--rootfs", rootfs, "true"])).trim();
    for (const ref of ["here", id, id.slice(0, 12)]) {
      const r = await s.run(["container", "exists", ref]);
      assert.equal(r.code, 0, `container exists ${ref}: ${r.stderr}`);
      assert.equal(r.stdout + r.stderr, "");
    }
    assert.equal((await s.run(["container", "exists", "--external", "here"])).code, 0);
    const gone = await s.run(["container", "exists", "nosuch"]);
    assert.equal(gone.code, 1);
    assert.equal(gone.stdout + gone.stderr, "");
    const two = await s.run(["container", "exists", "here", "there"]);
    assert.equal(two.code, 125);
    assert.match(two.stderr, /'nook container exists' needs exactly one container, got 2/);

    await s.ok(["network", "create", "scripted"]);
    assert.equal((await s.run(["network", "exists", "scripted"])).code, 0);
    const noNet = await s.run(["network", "exists", "nosuch"]);
    assert.equal(noNet.code, 1);
    assert.equal(noNet.stdout + noNet.stderr, "");
    await s.ok(["network", "rm", "scripted"]);
    assert.equal((await s.run(["network", "exists", "scripted"])).code, 1);
  });
});

Deno.test("version prints docker's Client section and takes --format '{{.Client.Version}}', '{{.Version}}' and json", async () => {
  await withStore("version", async (s) => {
    const version = JSON.parse(Deno.readTextFileSync(`${repoRoot()}/deno.json`)).version;
    const text = await s.ok(["version"]);
    assert.match(
      text,
      /^Client:\n Version: +\S+\n API version: +n\/a\n Go version: +(Deno|Node|Bun) /,
    );
    assert.ok(text.includes(` Version:           ${version}\n`), text);
    assert.match(text, /\n OS\/Arch: +linux\/(amd64|arm64)\n/);
    assert.match(text, /\n Built: +\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\n/);
    assert.ok(!text.includes("Server:"), "no daemon, no Server section");
    assert.equal(await s.ok(["version", "--format", "{{.Client.Version}}"]), `${version}\n`);
    assert.equal(await s.ok(["version", "--format", "{{.Version}}"]), `${version}\n`);
    assert.equal(
      await s.ok(["version", "-f", "{{.Client.OsArch}}"]),
      await s.ok(["version", "-f", "{{.OsArch}}"]),
    );
    const json = JSON.parse(await s.ok(["version", "--format", "json"]));
    assert.equal(json.Client.Version, version);
    assert.equal(json.Server, undefined);
    const bad = await s.run(["version", "--format", "{{.Client.Nope}}"]);
    assert.equal(bad.code, 125);
    assert.match(bad.stderr, /can.t evaluate field Nope/);
    assert.match(await s.ok(["--version"]), /^nook version /, "--version is as it was");
  });
});
