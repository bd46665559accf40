// podman's command lines and exit codes that scripts written for podman (and docker) rely on
// (issue 15): inspect of any object, the exit codes of the verbs on named objects, untag,
// --noout, ps --noheading/--sort, start --filter, stop --timeout and its warning, the
// "stopping" state, images' podman fields. As the unprivileged test user, against real
// containers; every test works in its own store and removes what it started.
import assert from "node:assert/strict";
import { busyboxRootfs, storesRoot, until } from "./helpers.ts";
import { TestStore, withTestStore } from "./store_helpers.ts";

const root = storesRoot("nook-podman-compat-test-");

/** Runs `fn` with a fresh store named `name` and removes what it started. */
function withStore(name: string, fn: (s: TestStore) => Promise<void>): Promise<void> {
  return withTestStore(new TestStore(root, name), fn);
}

/** Lines of a text, without the empty last one. */
function lines(text: string): string[] {
  return text.split("\n").filter((l) => l !== "");
}

Deno.test("inspect finds a container, else an image, else a network; --type narrows; a miss exits 1", async () => {
  await withStore("inspect", async (s) => {
    const rootfs = await busyboxRootfs();
    const image = (await s.ok(["import", "--change", "LABEL made_by=test", rootfs, "test/i:1"]))
      .trim();
    await s.ok(["network", "create", "inspectnet"]);
    const id = (await s.ok(["create", "--name", "c1", "test/i:1", "true"])).trim();
    assert.equal(
      await s.ok(["inspect", "-f", "{{.Id}} {{.ID}} {{.ImageName}}", "c1"]),
      `${id} ${id} test/i:1\n`,
    );
    // An image: docker's Id, podman's .ID (the hex), .Labels, .Digest and names history.
    const img = await s.ok([
      "inspect",
      "-f",
      "{{.Id}}|{{.ID}}|{{.Labels.made_by}}|{{.NamesHistory}}",
      "test/i:1",
    ]);
    assert.equal(img, `${image}|${image.slice(7)}|test|[test/i:1]\n`);
    assert.equal(JSON.parse(await s.ok(["inspect", "test/i:1"]))[0].Id, image);
    assert.equal(await s.ok(["inspect", "-f", "{{.Name}}", "inspectnet"]), "inspectnet\n");
    // A container that has the name comes first; --type picks.
    await s.ok(["create", "--name", "inspectnet", "test/i:1", "true"]);
    assert.equal(await s.ok(["inspect", "-f", "{{.Name}}", "inspectnet"]), "/inspectnet\n");
    assert.equal(
      await s.ok(["inspect", "--type", "network", "-f", "{{.Name}}", "inspectnet"]),
      "inspectnet\n",
    );
    const notImage = await s.run(["inspect", "--type", "image", "c1"]);
    assert.equal(notImage.code, 1);
    assert.equal(notImage.stderr, "nook: No such image: c1\n");
    const none = await s.run(["inspect", "nosuch", "c1"]);
    assert.equal(none.code, 1);
    assert.equal(none.stderr, "nook: No such object: nosuch\n");
    assert.equal(JSON.parse(none.stdout).length, 1, "what was found is printed");
    const badType = await s.run(["inspect", "--type", "volume", "c1"]);
    assert.equal(badType.code, 125);
    assert.match(badType.stderr, /Invalid --type 'volume'/);
    await s.ok(["rm", "inspectnet", "c1"]);
    await s.ok(["network", "rm", "inspectnet"]);
  });
});

Deno.test("verbs exit 1 for a missing name, 2 for rm of a running container and rmi of an image in use", async () => {
  await withStore("codes", async (s) => {
    const rootfs = await busyboxRootfs();
    for (
      const verb of [
        "rm",
        "container rm",
        "stop",
        "kill",
        "start",
        "restart",
        "pause",
        "unpause",
        "wait",
        "port",
        "rmi",
        "image rm",
      ]
    ) {
      const r = await s.run([...verb.split(" "), "nosuch"]);
      assert.equal(r.code, 1, `${verb}: ${r.stderr}`);
      assert.match(r.stderr, /No such (container|image): nosuch/, verb);
    }
    // -f: a missing name is passed over, silently (podman).
    for (const verb of [["rm", "-f"], ["rmi", "-f"], ["image", "rm", "--force"]]) {
      const r = await s.run([...verb, "nosuch"]);
      assert.equal(r.code, 0, `${verb.join(" ")}: ${r.stderr}`);
      assert.equal(r.stdout + r.stderr, "");
    }
    await s.ok(["import", rootfs, "test/used:1"]);
    const id = await s.detach(["--name", "up", "test/used:1", "sleep", "60"]);
    const running = await s.run(["rm", id]);
    assert.equal(running.code, 2);
    assert.match(running.stderr, /You cannot remove a running container/);
    const inUse = await s.run(["rmi", "test/used:1"]);
    assert.equal(inUse.code, 2, inUse.stderr);
    // The worst failure decides: a missing name (1) and a running container (2) give 2.
    assert.equal((await s.run(["rm", "nosuch", "up"])).code, 2);
    // run, create and exec keep 125 for nook's errors.
    assert.equal((await s.run(["exec", "nosuch", "true"])).code, 125);
    assert.equal((await s.run(["run", "--pull=never", "test/nosuch:1", "true"])).code, 125);
    // A command that cannot run: 127 from run, an error of start (125) from start.
    await s.ok(["create", "--name", "nocmd", "--rootfs", rootfs, "/no/such/command"]);
    for (const start of [["start"], ["start", "-a"]]) {
      const r = await s.run([...start, "nocmd"]);
      assert.equal(r.code, 125, `${start.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, /no\/such\/command/);
    }
    assert.equal((await s.run(["run", "--rm", "--rootfs", rootfs, "/no/such/command"])).code, 127);
    await s.ok(["rm", "-f", "-t", "0", "up", "nocmd"]);
  });
});

Deno.test("kill -s checks the signal first (125); --log-level of an unknown level exits 1", async () => {
  await withStore("signal", async (s) => {
    for (const bad of ["BADSIG", "0", "SIG"]) {
      const r = await s.run(["kill", "-s", bad, "nosuch"]);
      assert.equal(r.code, 125, bad);
      assert.match(r.stderr, /Invalid signal/, bad);
    }
    const level = await s.run(["--log-level=telepathic", "ps"]);
    assert.equal(level.code, 1);
    assert.match(level.stderr, /Invalid --log-level 'telepathic'/);
  });
});

Deno.test("untag takes given names or all of them off an image; tag gives several at once", async () => {
  await withStore("untag", async (s) => {
    const rootfs = await busyboxRootfs();
    const id = (await s.ok(["import", rootfs, "test/u:1"])).trim();
    await s.ok(["tag", "test/u:1", "test/u:2", "127.0.0.1:5000/u/v"]);
    const tags = async () =>
      (await s.ok(["image", "inspect", "-f", "{{json .RepoTags}}", id])).trim();
    assert.equal(await tags(), '["test/u:1","test/u:2","127.0.0.1:5000/u/v:latest"]');
    assert.equal(await s.ok(["untag", "test/u:1", "test/u:2"]), "");
    assert.equal(await tags(), '["test/u:1","127.0.0.1:5000/u/v:latest"]');
    const notIts = await s.run(["untag", id, "test/u:9"]);
    assert.equal(notIts.code, 125);
    assert.match(notIts.stderr, /Cannot untag 'test\/u:9': it is not a name of image/);
    assert.equal(await tags(), '["test/u:1","127.0.0.1:5000/u/v:latest"]', "nothing changed");
    await s.ok(["image", "untag", id]);
    assert.equal(await tags(), "[]");
    assert.equal(await s.ok(["images", "-q", "--no-trunc"]), `${id}\n`, "the image stays");
    // Every name it had: the current ones first, then the earlier ones, newest first.
    await s.ok(["tag", id, "test/u:3"]);
    assert.equal(
      await s.ok(["images", "--format", "{{.History}}"]),
      "test/u:3, test/u:1, 127.0.0.1:5000/u/v:latest, test/u:2\n",
    );
  });
});

Deno.test("images: .Labels and .History in templates, podman's fields in json, --noheading", async () => {
  await withStore("images", async (s) => {
    const rootfs = await busyboxRootfs();
    const id = (await s.ok(["import", "--change", "LABEL created_by=me", rootfs, "test/l:1"]))
      .trim();
    assert.equal(
      await s.ok(["images", "--format", "{{.Labels.created_by}}|{{.History}}"]),
      "me|test/l:1\n",
    );
    const [json] = JSON.parse(await s.ok(["images", "--format", "json"]));
    assert.equal(json.Id, id.slice(7));
    assert.deepEqual(json.Names, ["docker.io/test/l:1"]);
    assert.deepEqual(json.Labels, { created_by: "me" });
    assert.match(json.CreatedAt, /^\d{4}-\d\d-\d\dT/);
    assert.equal(typeof json.Digest, "string");
    const plain = lines(await s.ok(["images", "--noheading"]));
    assert.equal(plain.length, 1);
    assert.match(plain[0], /^test\/l\s+1\s+[0-9a-f]{12}\s/);
    assert.equal(await s.ok(["images", "--noheading", "--format", "table {{.Tag}}"]), "1\n");
  });
});

Deno.test("ps --noheading and --sort; status=stopped is exited; --noout drops stdout only", async () => {
  await withStore("ps", async (s) => {
    const rootfs = await busyboxRootfs();
    assert.equal(await s.ok(["ps", "--noheading"]), "");
    await s.detach(["--name", "b-runner", "--rootfs", rootfs, "sleep", "60"]);
    await s.detach(["--name", "c-done", "--rootfs", rootfs, "true"]);
    await s.detach(["--name", "a-failed", "--rootfs", rootfs, "false"]);
    assert.equal(await s.ok(["wait", "c-done", "a-failed"]), "0\n1\n");
    const names = async (...args: string[]) =>
      lines(await s.ok(["ps", "-a", "--format", "{{.Names}}", ...args]));
    assert.deepEqual(await names("--sort", "created"), ["b-runner", "c-done", "a-failed"]);
    assert.deepEqual(await names("--sort", "names"), ["a-failed", "b-runner", "c-done"]);
    assert.deepEqual(await names(), ["a-failed", "c-done", "b-runner"], "default: newest first");
    assert.deepEqual(await names("--filter", "status=stopped", "--sort", "names"), [
      "a-failed",
      "c-done",
    ]);
    const plain = lines(await s.ok(["ps", "--noheading"]));
    assert.equal(plain.length, 1);
    assert.match(plain[0], /b-runner$/);
    const bad = await s.run(["ps", "--sort", "colour"]);
    assert.equal(bad.code, 125);
    assert.match(bad.stderr, /Invalid --sort 'colour'/);
    // --noout: no stdout, the effect and the errors stay.
    const quiet = await s.run(["--noout", "rm", "c-done"]);
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.equal(quiet.stdout + quiet.stderr, "");
    assert.deepEqual(await names("--sort", "names"), ["a-failed", "b-runner"]);
    const err = await s.run(["--noout", "rm", "nosuch"]);
    assert.equal(err.code, 1);
    assert.equal(err.stdout, "");
    assert.match(err.stderr, /No such container: nosuch/);
    await s.ok(["rm", "-f", "-t", "0", "b-runner"]);
  });
});

Deno.test("start --filter starts only the given or --all containers that match", async () => {
  await withStore("start", async (s) => {
    const rootfs = await busyboxRootfs();
    const zero = await s.detach(["--rootfs", rootfs, "true"]);
    const one = await s.detach(["--rootfs", rootfs, "false"]);
    assert.equal(await s.ok(["wait", zero, one]), "0\n1\n");
    assert.equal(await s.ok(["start", "--filter", "restart-policy=always", zero]), "");
    assert.equal(await s.ok(["start", "--filter", "restart-policy=none", zero]), `${zero}\n`);
    assert.equal(await s.ok(["wait", zero]), "0\n");
    assert.equal(await s.ok(["start", "--all", "--filter", "exited=1"]), `${one}\n`);
    assert.equal(await s.ok(["wait", one]), "1\n");
    const bad = await s.run(["start", "--filter", "restart-policy=sometimes", zero]);
    assert.equal(bad.code, 125);
    assert.match(bad.stderr, /'sometimes' is no restart policy/);
  });
});

Deno.test("stop --timeout is --time; stopping shows while the stop waits, and a warning when SIGKILL follows", async () => {
  await withStore("stop", async (s) => {
    const rootfs = await busyboxRootfs();
    const stubborn = [
      "--rootfs",
      rootfs,
      "sh",
      "-c",
      "trap 'echo term' TERM; echo ready; while :; do sleep 0.1; done",
    ];
    await s.detach(["--name", "stubborn", ...stubborn]);
    await until("it traps TERM", async () => (await s.ok(["logs", "stubborn"])).includes("ready"));
    const stop = s.run(["stop", "--timeout", "3", "stubborn"]);
    await until("it got TERM", async () => (await s.ok(["logs", "stubborn"])).includes("term"));
    assert.equal(
      await s.ok(["inspect", "-f", "{{.State.Status}} {{.State.Running}}", "stubborn"]),
      "stopping true\n",
    );
    const r = await stop;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "stubborn\n");
    assert.match(r.stderr, /^nook: warning: .*stubborn.*SIGTERM.*SIGKILL/);
    assert.equal(
      await s.ok(["inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "stubborn"]),
      "exited 137\n",
    );
    // -t 0: SIGKILL at once, no warning; one that ends on its signal: none either.
    await s.ok(["start", "stubborn"]);
    const now = await s.run(["stop", "-t", "0", "stubborn"]);
    assert.equal(now.stderr, "");
    await s.detach([
      "--name",
      "polite",
      "--rootfs",
      rootfs,
      "sh",
      "-c",
      "trap 'exit 0' TERM; while :; do sleep 0.1; done",
    ]);
    const polite = await s.run(["stop", "--timeout=5", "polite"]);
    assert.equal(polite.stdout + polite.stderr, "polite\n");
  });
});
