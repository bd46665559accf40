// `nook events` (issue 15): the journal the library (and the monitor, for a detached
// container's death) appends to, read with --since/--until/--filter/--format and followed.
// As the unprivileged test user, against real containers, images and networks; every test
// works in its own store.
import assert from "node:assert/strict";
import { busyboxRootfs, repoRoot, storesRoot, until } from "./helpers.ts";
import { TestStore, withTestStore } from "./store_helpers.ts";

const root = storesRoot("nook-events-test-");

function withStore(name: string, fn: (s: TestStore) => Promise<void>): Promise<void> {
  return withTestStore(new TestStore(root, name), fn);
}

function lines(text: string): string[] {
  return text.split("\n").filter((l) => l !== "");
}

/** The past events of the last minute, one line each in `format`. */
async function past(s: TestStore, format: string, ...filters: string[]): Promise<string[]> {
  const args = ["events", "--since", "1m", "--until", "0s", "--format", format];
  return lines(await s.ok([...args, ...filters.flatMap((f) => ["--filter", f])]));
}

Deno.test("events --since --until lists a detached container's life in order, its death once", async () => {
  await withStore("detached", async (s) => {
    const rootfs = await busyboxRootfs();
    const id = await s.detach([
      "--name",
      "web",
      "-l",
      "tier=front",
      "--rootfs",
      rootfs,
      "sh",
      "-c",
      "trap 'exit 0' TERM; while :; do sleep 0.1; done",
    ]);
    await s.ok(["run", "--name", "other", "--rootfs", rootfs, "true"]);
    await s.ok(["stop", "-t", "5", "web"]);
    await s.ok(["rm", "web"]);
    assert.deepEqual(await past(s, "{{.Action}}", "container=web"), [
      "create",
      "start",
      "kill",
      "die",
      "stop",
      "destroy",
    ]);
    // The monitor wrote the death: with its exit code and the container's attributes.
    assert.deepEqual(
      await past(
        s,
        "{{.Actor.ID}} {{.Actor.Attributes.exitCode}} {{.Actor.Attributes.name}} " +
          "{{.Actor.Attributes.tier}} {{.Type}}",
        "event=die",
        `container=${id.slice(0, 12)}`,
      ),
      [`${id} 0 web front container`],
    );
    assert.deepEqual(await past(s, "{{.Actor.Attributes.signal}}", "event=kill"), ["15"]);
    // Filters of one key are alternatives; of different keys, all must match.
    assert.deepEqual(
      await past(s, "{{.Actor.Attributes.name}} {{.Action}}", "event=die", "event=destroy"),
      ["other die", "web die", "web destroy"],
    );
    assert.deepEqual(await past(s, "{{.Action}}", "label=tier=front", "event=create"), ["create"]);
    assert.deepEqual(await past(s, "{{.Action}}", "type=image"), []);
  });
});

Deno.test("events shows a foreground run's exit code, and --format json has docker's fields", async () => {
  await withStore("foreground", async (s) => {
    const rootfs = await busyboxRootfs();
    const r = await s.run(["run", "--name", "fg", "--rootfs", rootfs, "sh", "-c", "exit 3"]);
    assert.equal(r.code, 3);
    assert.deepEqual(await past(s, "{{.Status}} {{.Actor.Attributes.exitCode}}", "container=fg"), [
      "create <no value>",
      "start <no value>",
      "die 3",
    ]);
    const json = await past(s, "json", "event=die");
    assert.equal(json.length, 1);
    const e = JSON.parse(json[0]);
    assert.equal(e.Type, "container");
    assert.equal(e.Action, "die");
    assert.equal(e.status, "die");
    assert.equal(e.id, e.Actor.ID);
    assert.equal(e.from, rootfs);
    assert.equal(e.scope, "local");
    assert.equal(e.Actor.Attributes.name, "fg");
    // timeNano is an exact int64: its seconds are .time.
    const nano = /"timeNano":(\d+)\}$/.exec(json[0])![1];
    assert.equal(String(BigInt(nano) / 1_000_000_000n), String(e.time));
    const [time, timeNano] = (await past(s, "{{.Time}} {{.TimeNano}}", "event=die"))[0].split(" ");
    assert.equal(time, String(e.time));
    assert.equal(timeNano, nano);
    // The default line: time, type, action, id, attributes sorted.
    const plain = lines(await s.ok(["events", "--since", "1m", "--until", "0s"]));
    assert.match(
      plain.at(-1)!,
      new RegExp(
        `^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}(Z|[+-]\\d\\d:\\d\\d) container die ` +
          `${e.id} \\(execDuration=\\d+, exitCode=3, image=${rootfs}, name=fg\\)$`,
      ),
    );
  });
});

Deno.test("events follows: a follower started before run sees its events, and Ctrl-C ends it", async () => {
  await withStore("follow", async (s) => {
    const rootfs = await busyboxRootfs();
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        `${repoRoot()}/cli/main.ts`,
        "events",
        "--filter",
        "container=probe",
        "--filter",
        "container=live",
        "--format",
        "{{.Actor.Attributes.name}} {{.Action}}",
      ],
      env: s.env,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    let out = "";
    const reading = (async () => {
      const dec = new TextDecoder();
      for await (const chunk of child.stdout) out += dec.decode(chunk, { stream: true });
    })();
    const errText = new Response(child.stderr).text();
    try {
      // It follows once it prints what happens: a container made and removed until it does.
      await until(
        "the follower to see a container",
        async () => {
          await s.ok(["create", "--name", "probe", "--rootfs", rootfs, "true"]);
          await s.ok(["rm", "probe"]);
          return out.includes("probe destroy");
        },
        30_000,
        10,
      );
      const live = () => lines(out).filter((l) => l.startsWith("live "));
      await s.ok(["run", "-d", "--name", "live", "--rootfs", rootfs, "sh", "-c", "exit 4"]);
      await until("the die event", () => live().includes("live die"));
      await s.ok(["rm", "live"]);
      await until("the destroy event", () => live().includes("live destroy"));
      assert.deepEqual(live(), ["live create", "live start", "live die", "live destroy"]);
    } finally {
      child.kill("SIGINT");
    }
    const status = await child.status;
    await reading;
    assert.equal(status.code, 0, await errText);
  });
});

Deno.test("events --until in the future ends then; --stream=false ends after the past", async () => {
  await withStore("until", async (s) => {
    await s.ok(["network", "create", "evnet"]);
    // A duration counts back from now (docker's rule): "-2s" is in 2 s, as is a Unix time.
    for (const inTwoSeconds of [() => "-2s", () => ((Date.now() + 2_000) / 1000).toFixed(3)]) {
      const later = inTwoSeconds();
      const t0 = Date.now();
      const r = await s.ok([
        "events",
        "--since",
        "1m",
        "--until",
        later,
        "--format",
        "{{.Action}}",
      ]);
      const took = Date.now() - t0;
      assert.deepEqual(lines(r), ["create"]);
      assert.ok(took >= 1_500, `it waited for --until ${later} (${took} ms)`);
    }
    const ago = await s.ok(["events", "--since", "2h", "--until", "1h", "--format", "{{.Action}}"]);
    assert.deepEqual(lines(ago), [], "--until 1h: an hour ago, before the network was made");
    const all = await s.ok(["events", "--stream=false", "--format", "{{.Type}} {{.Action}}"]);
    assert.deepEqual(lines(all), ["network create"]);
  });
});

Deno.test("events lists image and network actions with docker's attributes", async () => {
  await withStore("objects", async (s) => {
    const rootfs = await busyboxRootfs();
    await s.ok(["import", rootfs, "test/ev:1"]);
    await s.ok(["tag", "test/ev:1", "test/ev:2"]);
    await s.ok(["rmi", "test/ev:2"]);
    await s.ok(["save", "-o", `${s.dir}/ev.tar`, "test/ev:1"]);
    await s.ok(["rmi", "test/ev:1"]);
    await s.ok(["load", "-i", `${s.dir}/ev.tar`]);
    const images = await past(s, "{{.Action}} {{.Actor.Attributes.name}}", "type=image");
    assert.equal(images.length, 7, images.join("\n"));
    assert.deepEqual(images.map((l) => l.split(" ")[0]), [
      "import",
      "tag",
      "untag",
      "save",
      "untag",
      "delete",
      "load",
    ]);
    assert.equal(images[0], "import test/ev:1");
    assert.equal(images[1], "tag test/ev:2");
    assert.equal(images[3], "save test/ev:1");
    assert.equal(images[6], "load test/ev:1");
    assert.deepEqual(await past(s, "{{.Action}}", "image=test/ev", "event=tag"), ["tag"]);

    await s.ok(["network", "create", "back"]);
    const c = (await s.ok(["create", "--name", "member", "--rootfs", rootfs, "true"])).trim();
    await s.ok(["network", "connect", "back", "member"]);
    await s.ok(["network", "disconnect", "back", "member"]);
    await s.ok(["network", "rm", "back"]);
    assert.deepEqual(
      await past(
        s,
        "{{.Action}} {{.Actor.Attributes.name}} {{.Actor.Attributes.container}}",
        "network=back",
      ),
      [
        "create back <no value>",
        `connect back ${c}`,
        `disconnect back ${c}`,
        "destroy back <no value>",
      ],
    );
  });
});

Deno.test("events refuses a bad time or filter, naming it", async () => {
  await withStore("bad", async (s) => {
    const since = await s.run(["events", "--since", "yesterday"]);
    assert.equal(since.code, 125);
    assert.match(since.stderr, /Invalid --since 'yesterday': expected a duration/);
    const filter = await s.run(["events", "--filter", "colour=red", "--stream=false"]);
    assert.equal(filter.code, 125);
    assert.match(filter.stderr, /Invalid filter 'colour=red'/);
  });
});
