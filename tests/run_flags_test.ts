// The run and create flags that scripts written for docker and podman pass
// (issue 15), each checked by what it does in a real container as the
// unprivileged test user: --label-file, --annotation, --cidfile, --pid,
// --ipc, --uts, --shm-size, --detach-keys, --sig-proxy, --expose (with -P),
// --log-driver, --pull newer, --replace, --tz, --no-healthcheck, and inspect
// showing them where docker (or podman) has them. Every test works in its
// own store and removes what it started.
import assert from "node:assert/strict";
import {
  busyboxRootfs,
  NET_HELPERS,
  repoRoot,
  requireAnyTool,
  sleep,
  storesRoot,
  testNeeds,
  until,
} from "./helpers.ts";
import { HEX64, TestStore, withTestStore } from "./store_helpers.ts";
import { pushBusyboxImage, startRegistry } from "./registry_helpers.ts";

const root = storesRoot("nook-run-flags-test-");

/** Runs `fn` with a fresh store named `name` and removes what it started. */
function withStore(name: string, fn: (s: TestStore) => Promise<void>): Promise<void> {
  return withTestStore(new TestStore(root, name), fn);
}

/** `inspect` of one container, parsed. */
async function inspect(s: TestStore, ref: string) {
  return JSON.parse(await s.ok(["inspect", ref]))[0];
}

/** Starts `sleep 600` detached as container `name`, which writes `hello` to /dev/shm/note. */
async function target(s: TestStore, name: string): Promise<string> {
  const rootfs = await busyboxRootfs();
  const id = await s.detach([
    "--name",
    name,
    "--rootfs",
    rootfs,
    "sh",
    "-c",
    "echo hello > /dev/shm/note; exec sleep 600",
  ]);
  await until(
    `${name} to run sleep`,
    async () => (await s.run(["top", name])).stdout.includes("sleep"),
  );
  return id;
}

Deno.test("create --label-file, --annotation, --expose, --shm-size, --no-healthcheck, --log-driver: inspect shows them as docker does", async () => {
  await withStore("inspect", async (s) => {
    const labels = `${s.dir}/labels`;
    Deno.writeTextFileSync(labels, "# the team\nteam=core\n\ntier=web\nflag\n");
    const rootfs = await busyboxRootfs();
    await s.ok([
      "create",
      "--name",
      "shown",
      "--label-file",
      labels,
      "-l",
      "tier=db",
      "--annotation",
      "io.nook/owner=ci",
      "--expose",
      "8080",
      "--expose",
      "53/udp",
      "--shm-size",
      "2m",
      "--no-healthcheck",
      "--log-driver",
      "json-file",
      "--log-opt",
      "max-size=1m",
      "--pid",
      "host",
      "--ipc",
      "shareable",
      "--uts",
      "host",
      "--tz",
      "UTC",
      "--detach-keys",
      "ctrl-a,d",
      "--rootfs",
      rootfs,
      "true",
    ]); // deno-fmt-ignore
    const i = await inspect(s, "shown");
    assert.deepEqual(i.Config.Labels, { team: "core", tier: "db", flag: "" });
    assert.deepEqual(i.Config.Annotations, { "io.nook/owner": "ci" });
    assert.deepEqual(i.HostConfig.Annotations, { "io.nook/owner": "ci" });
    assert.deepEqual(i.Config.ExposedPorts, { "8080/tcp": {}, "53/udp": {} });
    assert.deepEqual(i.Config.Healthcheck, { Test: ["NONE"] });
    assert.equal(i.Config.Timezone, "UTC");
    assert.equal(i.HostConfig.ShmSize, 2 * 1024 * 1024);
    assert.deepEqual(i.HostConfig.LogConfig, {
      Type: "json-file",
      Config: { "max-size": "1048576", "max-file": "1" },
    });
    assert.equal(i.HostConfig.PidMode, "host");
    assert.equal(i.HostConfig.IpcMode, "shareable");
    assert.equal(i.HostConfig.UTSMode, "host");
    // The defaults, as docker shows them.
    await s.ok(["create", "--name", "plain", "--rootfs", rootfs, "true"]);
    const p = await inspect(s, "plain");
    assert.deepEqual(
      [p.HostConfig.PidMode, p.HostConfig.IpcMode, p.HostConfig.UTSMode, p.HostConfig.ShmSize],
      ["", "private", "", 67108864],
    );
    assert.equal(p.HostConfig.ContainerIDFile, "");
    assert.equal(p.HostConfig.LogConfig.Type, "k8s-file");
    assert.equal(p.Config.ExposedPorts, undefined);
    // Bad values fail at create, naming them, and leave nothing.
    for (
      const [flags, message] of [
        [["--pid", "nope"], /--pid: invalid PID mode 'nope'/],
        [["--uts", "host", "-h", "box"], /Conflicting options: -h\/--hostname and --uts host/],
        [["--shm-size", "big"], /Invalid --shm-size 'big'/],
        [["--expose", "70000"], /Invalid --expose '70000'/],
        [["--log-driver", "syslog"], /Unsupported --log-driver 'syslog'/],
        [["--label-file", `${s.dir}/missing`], /Cannot read --label-file/],
        [["--detach-keys", "ctrl-"], /Invalid detach keys 'ctrl-'/],
        [["--tz", "Mars/Olympus"], /Invalid --tz 'Mars\/Olympus'/],
      ] as const
    ) {
      const r = await s.run(["create", ...flags, "--rootfs", rootfs, "true"]);
      assert.equal(r.code, 125, `${flags.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    assert.equal((await s.ok(["ps", "-aq"])).trim().split("\n").length, 2);
  });
});

Deno.test("run --cidfile writes the full id, and a second run with that file is refused as docker does", async () => {
  await withStore("cidfile", async (s) => {
    const rootfs = await busyboxRootfs();
    const file = `${s.dir}/cid`;
    const r = await s.run(["run", "--cidfile", file, "--rootfs", rootfs, "true"]);
    assert.equal(r.code, 0, r.stderr);
    const id = Deno.readTextFileSync(file);
    assert.match(id, HEX64, "the full id, without a newline");
    assert.equal((await inspect(s, id)).HostConfig.ContainerIDFile, file);
    const again = await s.run(["run", "-d", "--cidfile", file, "--rootfs", rootfs, "true"]);
    assert.equal(again.code, 125);
    assert.match(
      again.stderr,
      new RegExp(
        `Container ID file found, make sure the other container isn't running or delete ${file}`,
      ),
    );
    assert.equal((await s.ok(["ps", "-aq", "--no-trunc"])).trim(), id, "no second container");
    assert.equal(Deno.readTextFileSync(file), id, "the file is left as it was");
    // create writes it too, relative to the working directory.
    const made = (await s.ok(["create", "--cidfile", "made.cid", "--rootfs", rootfs, "true"], {
      env: { PWD: s.dir },
    })).trim();
    assert.equal(Deno.readTextFileSync(`${s.dir}/made.cid`), made);
  });
});

Deno.test("run --pid container:NAME sees that container's processes; --pid host sees the host's", async () => {
  await withStore("pid", async (s) => {
    const rootfs = await busyboxRootfs();
    await target(s, "web");
    const ps = await s.ok([
      "run",
      "--rm",
      "--pid",
      "container:web",
      "--rootfs",
      rootfs,
      "ps",
      "-o",
      "pid,args",
    ]);
    assert.match(ps, /^\s*1 sleep 600$/m, `web's sleep is pid 1 there: ${ps}`);
    // Detached too, under the monitor; exec reaches it.
    await s.detach([
      "--name",
      "side",
      "--pid",
      "container:web",
      "--rootfs",
      rootfs,
      "sleep",
      "600",
    ]);
    const seen = await s.ok(["exec", "side", "ps", "-o", "pid,args"]);
    assert.match(seen, /^\s*1 sleep 600$/m);
    assert.match(seen, /sleep 600\n[\s\S]*sleep 600/, "both sleeps in one pid namespace");
    assert.equal((await inspect(s, "side")).HostConfig.PidMode, "container:web");
    // The host's: this test's own process is there, by its host pid.
    const host = await s.ok([
      "run",
      "--rm",
      "--pid",
      "host",
      "--rootfs",
      rootfs,
      "sh",
      "-c",
      `test -d /proc/${Deno.pid} && echo seen; echo $$`,
    ]); // deno-fmt-ignore
    const [seenLine, self] = host.trim().split("\n");
    assert.equal(seenLine, "seen");
    assert.ok(Number(self) > 1, `its shell is not pid 1 there: ${self}`);
    // The masks still cover the host's /proc.
    const sysrq = await s.run([
      "run",
      "--rm",
      "--pid",
      "host",
      "--rootfs",
      rootfs,
      "sh",
      "-c",
      "echo h > /proc/sysrq-trigger",
    ]);
    assert.notEqual(sysrq.code, 0, "/proc/sysrq-trigger stays read-only");
    // A stopped or unknown target is refused with 125.
    const none = await s.run([
      "run",
      "--rm",
      "--pid",
      "container:nosuch",
      "--rootfs",
      rootfs,
      "true",
    ]);
    assert.equal(none.code, 125);
    assert.match(none.stderr, /No such container: nosuch/);
  });
});

Deno.test("run --ipc container:NAME shares its IPC namespace and /dev/shm; --ipc host the host's", async () => {
  await withStore("ipc", async (s) => {
    const rootfs = await busyboxRootfs();
    const webPid = (await inspect(s, await target(s, "db"))).State.Pid;
    const out = await s.ok([
      "run",
      "--rm",
      "--ipc",
      "container:db",
      "--rootfs",
      rootfs,
      "sh",
      "-c",
      "cat /dev/shm/note; readlink /proc/self/ns/ipc; echo bye > /dev/shm/back",
    ]); // deno-fmt-ignore
    const [note, ns] = out.trim().split("\n");
    assert.equal(note, "hello", "db's /dev/shm");
    assert.equal(ns, Deno.readLinkSync(`/proc/${webPid}/ns/ipc`));
    assert.equal(await s.ok(["exec", "db", "cat", "/dev/shm/back"]), "bye\n", "both ways");
    // Its own: a fresh /dev/shm, another namespace.
    const own = await s.ok([
      "run",
      "--rm",
      "--rootfs",
      rootfs,
      "sh",
      "-c",
      "ls /dev/shm; readlink /proc/self/ns/ipc",
    ]);
    const ownLines = own.trim().split("\n");
    assert.equal(ownLines.length, 1, `an empty /dev/shm of its own: ${own}`);
    assert.notEqual(ownLines[0], ns);
    const host = await s.ok([
      "run",
      "--rm",
      "--ipc",
      "host",
      "--rootfs",
      rootfs,
      "readlink",
      "/proc/self/ns/ipc",
    ]);
    assert.equal(host.trim(), Deno.readLinkSync("/proc/self/ns/ipc"));
    // --pid and --ipc of one container together, with its network too.
    const all = await s.ok([
      "run",
      "--rm",
      "--pid",
      "container:db",
      "--ipc",
      "container:db",
      "--network",
      "container:db",
      "--rootfs",
      rootfs,
      "sh",
      "-c",
      "cat /dev/shm/note; ps -o pid,comm | grep -c '^ *1 sleep$'",
    ]); // deno-fmt-ignore
    assert.equal(all, "hello\n1\n");
    // Namespaces of two containers (two user namespaces) cannot be joined at once.
    await target(s, "other");
    const mixed = await s.run([
      "run",
      "--rm",
      "--pid",
      "container:db",
      "--network",
      "container:other",
      "--rootfs",
      rootfs,
      "true",
    ]); // deno-fmt-ignore
    assert.equal(mixed.code, 125);
    assert.match(
      mixed.stderr,
      /Cannot join both the network of container other and the pid namespace of container db: they belong to different user namespaces/,
    );
    const shm = await s.run([
      "run",
      "--rm",
      "--ipc",
      "container:db",
      "--shm-size",
      "1m",
      "--rootfs",
      rootfs,
      "true",
    ]);
    assert.equal(shm.code, 125);
    assert.match(shm.stderr, /Conflicting options: --shm-size and --ipc container:db/);
  });
});

Deno.test("run --uts host has the host's hostname; --shm-size sizes /dev/shm", async () => {
  await withStore("uts", async (s) => {
    const rootfs = await busyboxRootfs();
    const hostname = Deno.readTextFileSync("/proc/sys/kernel/hostname").trim();
    const out = await s.ok([
      "run",
      "--rm",
      "--uts",
      "host",
      "--rootfs",
      rootfs,
      "sh",
      "-c",
      "hostname; cat /etc/hostname; echo $HOSTNAME",
    ]);
    assert.equal(out, `${hostname}\n${hostname}\n${hostname}\n`);
    await s.ok(["create", "--name", "hosted", "--uts", "host", "--rootfs", rootfs, "true"]);
    assert.equal((await inspect(s, "hosted")).Config.Hostname, hostname);
    const df = await s.ok([
      "run",
      "--rm",
      "--shm-size",
      "1m",
      "--rootfs",
      rootfs,
      "df",
      "-k",
      "/dev/shm",
    ]);
    assert.match(df, /^shm\s+1024\s/m, df);
    const plain = await s.ok(["run", "--rm", "--rootfs", rootfs, "df", "-k", "/dev/shm"]);
    assert.match(plain, /^shm\s+65536\s/m, plain);
  });
});

Deno.test("run --tz sets the container's /etc/localtime: a zone, or the host's with local", async () => {
  await withStore("tz", async (s) => {
    const rootfs = await busyboxRootfs();
    const tokyo = await s.ok([
      "run",
      "--rm",
      "--tz",
      "Asia/Tokyo",
      "--rootfs",
      rootfs,
      "date",
      "+%Z %z",
    ]);
    assert.equal(tokyo, "JST +0900\n");
    const hostZone = new Deno.Command("date", { args: ["+%Z"], env: { TZ: "" } }).outputSync();
    const local = await s.ok(["run", "--rm", "--tz", "local", "--rootfs", rootfs, "date", "+%Z"]);
    assert.equal(local, new TextDecoder().decode(hostZone.stdout));
    // Detached, at each start.
    await s.detach([
      "--name",
      "clock",
      "--tz",
      "America/New_York",
      "--rootfs",
      rootfs,
      "date",
      "+%Z",
    ]);
    assert.equal(await s.ok(["wait", "clock"]), "0\n");
    assert.match(await s.ok(["logs", "clock"]), /^E[SD]T\n$/);
  });
});

Deno.test("run --log-driver none keeps no log, and logs says so as docker does", async () => {
  await withStore("logdriver", async (s) => {
    const rootfs = await busyboxRootfs();
    await s.detach(["--name", "quiet", "--log-driver", "none", "--rootfs", rootfs, "echo", "lost"]);
    assert.equal(await s.ok(["wait", "quiet"]), "0\n");
    const logs = await s.run(["logs", "quiet"]);
    assert.equal(logs.code, 125);
    assert.match(
      logs.stderr,
      /configured logging driver does not support reading: container quiet/,
    );
    assert.equal(logs.stdout, "");
    const dir = (await inspect(s, "quiet")).NookDir;
    const files = [...Deno.readDirSync(dir)].map((e) => e.name);
    assert.ok(!files.some((name) => name.startsWith("container.log")), `no log file: ${files}`);
    // json-file is docker's default: accepted, and read back.
    await s.detach([
      "--name",
      "kept",
      "--log-driver",
      "json-file",
      "--rootfs",
      rootfs,
      "echo",
      "kept",
    ]);
    assert.equal(await s.ok(["wait", "kept"]), "0\n");
    assert.equal(await s.ok(["logs", "kept"]), "kept\n");
  });
});

Deno.test("run --replace removes the container of that name first (podman), and needs --name", async () => {
  await withStore("replace", async (s) => {
    const rootfs = await busyboxRootfs();
    const old = await s.detach(["--name", "svc", "--rootfs", rootfs, "sleep", "600"]);
    const taken = await s.run(["run", "-d", "--name", "svc", "--rootfs", rootfs, "true"]);
    assert.equal(taken.code, 125, "without --replace the name is taken");
    const fresh = await s.detach([
      "--replace",
      "--name",
      "svc",
      "--rootfs",
      rootfs,
      "sleep",
      "600",
    ]);
    assert.notEqual(fresh, old);
    assert.equal((await s.ok(["ps", "-aq", "--no-trunc"])).trim(), fresh);
    // No container of that name yet: --replace just creates it.
    const made = (await s.ok(["create", "--replace", "--name", "new1", "--rootfs", rootfs, "true"]))
      .trim();
    assert.match(made, HEX64);
    const nameless = await s.run(["run", "--rm", "--replace", "--rootfs", rootfs, "true"]);
    assert.equal(nameless.code, 125);
    assert.match(nameless.stderr, /Cannot use --replace without --name/);
  });
});

Deno.test("run --sig-proxy=false does not forward a signal to the container; the default does", async () => {
  await withStore("sigproxy", async (s) => {
    const rootfs = await busyboxRootfs();
    const start = (extra: string[]) =>
      new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          `${repoRoot()}/cli/main.ts`,
          "run",
          "--rm",
          ...extra,
          "--rootfs",
          rootfs,
          "sh",
          "-c",
          "trap 'echo term; exit 7' TERM; echo ready; while :; do sleep 0.1; done",
        ],
        env: s.env,
        stdout: "piped",
        stderr: "piped",
      }).spawn(); // deno-fmt-ignore
    for (const [extra, code, text] of [[[], 7, "ready\nterm\n"], [["--sig-proxy=false"], 143, "ready\n"]] as const) {
      const child = start([...extra]);
      const reader = child.stdout.getReader();
      let out = "";
      while (!out.includes("ready")) {
        const { value, done } = await reader.read();
        if (done) break;
        out += new TextDecoder().decode(value);
      }
      await sleep(200);
      child.kill("SIGTERM");
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        out += new TextDecoder().decode(value);
      }
      const status = await child.status;
      await child.stderr.cancel();
      assert.equal(out, text, `${extra.join(" ") || "default"}: ${out}`);
      // Without the proxy nook itself ends by the signal (and its container with it).
      const got = status.signal === "SIGTERM" ? 143 : status.code;
      assert.equal(got, code, `${extra.join(" ") || "default"}: ${JSON.stringify(status)}`);
    }
  });
});

Deno.test("attach honours the container's --detach-keys: it detaches, the container runs on", async () => {
  await withStore("detachkeys", async (s) => {
    const rootfs = await busyboxRootfs();
    await s.detach([
      "-i",
      "--name",
      "echo",
      "--detach-keys",
      "ctrl-a,d",
      "--rootfs",
      rootfs,
      "sh",
      "-c",
      'while read l; do echo "got $l"; done',
    ]);
    // ctrl-p alone is no detach key here: it goes to the container.
    const r = await s.run(["attach", "echo"], { stdin: "one\n\x10two\n\x01d", timeoutMs: 20_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await inspect(s, "echo")).State.Status, "running", "it runs on");
    await until("the input to arrive", async () => (await s.ok(["logs", "echo"])).includes("two"));
    assert.equal(await s.ok(["logs", "echo"]), "got one\ngot \x10two\n");
    // docker's default sequence, and attach's own flag over the container's.
    const d = await s.run(["attach", "--detach-keys", "ctrl-p,ctrl-q", "echo"], {
      stdin: "three\n\x10\x11",
    });
    assert.equal(d.code, 0, d.stderr);
    assert.equal((await inspect(s, "echo")).State.Status, "running");
  });
});

testNeeds([requireAnyTool(NET_HELPERS)], {
  name: "run -P publishes --expose ports on free host ports",
  fn: async () => {
    await withStore("expose", async (s) => {
      const rootfs = await busyboxRootfs();
      await s.detach([
        "--name",
        "web",
        "-P",
        "--expose",
        "8080",
        "--rootfs",
        rootfs,
        "sleep",
        "600",
      ]);
      const port = await s.ok(["port", "web"]);
      assert.match(port, /^8080\/tcp -> 0\.0\.0\.0:\d+$/m, port);
      // A --pid container: joiner cannot take a helper of its own (it attaches before the join).
      const helper = JSON.parse(await s.ok(["inspect", "web"]))[0].HostConfig.NetworkMode;
      const asked = await s.run([
        "run",
        "--rm",
        "--pid",
        "container:web",
        "--network",
        helper,
        "--rootfs",
        rootfs,
        "true",
      ]);
      assert.equal(asked.code, 125);
      assert.match(
        asked.stderr,
        /Cannot give a container that joins the pid namespace of container web a network of its own/,
      );
    });
  },
});

Deno.test("run --pull=newer runs what the registry has now; --pull=missing the stored image", async () => {
  await withStore("pullnewer-registry", async (s) => {
    await using registry = await startRegistry();
    const push = (text: string) =>
      pushBusyboxImage(registry.host, "test/newer", "1", { files: { "/etc/version": text } });
    const { reference } = await push("one\n");
    const cat = (pull: string) =>
      s.ok([
        "run",
        "--rm",
        "-q",
        `--pull=${pull}`,
        "--network",
        "none",
        reference,
        "cat",
        "/etc/version",
      ]);
    assert.equal(await cat("missing"), "one\n", "pulled: the store had none");
    await push("two\n"); // the tag moves on
    assert.equal(await cat("missing"), "one\n", "missing: the stored one");
    assert.equal(await cat("newer"), "two\n", "newer: the registry's, which differs");
    assert.equal(await cat("never"), "two\n", "and it is the stored one now");
  });
});

Deno.test("run --pull=newer uses the stored image when its registry cannot be reached; --pull=always fails", async () => {
  await withStore("pullnewer", async (s) => {
    const image = "127.0.0.1:9/nook/offline:1"; // nothing listens on port 9
    await s.ok(["import", await busyboxRootfs(), image]);
    const r = await s.run([
      "run",
      "--rm",
      "--pull=newer",
      "--network",
      "none",
      image,
      "echo",
      "ran",
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "ran\n");
    assert.match(
      r.stderr,
      /--pull=newer: cannot check '127\.0\.0\.1:9\/nook\/offline:1' in its registry/,
    );
    const always = await s.run([
      "run",
      "--rm",
      "--pull=always",
      "--network",
      "none",
      image,
      "true",
    ]);
    assert.equal(always.code, 125);
    const bad = await s.run(["run", "--rm", "--pull=sometimes", image, "true"]);
    assert.equal(bad.code, 125);
    assert.match(bad.stderr, /Invalid --pull 'sometimes': use missing, always, never or newer/);
  });
});

Deno.test("run --help and create --help list every flag; an unknown flag fails with 125 naming it", async () => {
  await withStore("help", async (s) => {
    const flags = [
      "--label-file",
      "--annotation",
      "--cidfile",
      "--pid",
      "--ipc",
      "--uts",
      "--shm-size",
      "--detach-keys",
      "--sig-proxy",
      "--expose",
      "--log-driver",
      "--log-opt",
      "--pull",
      "--replace",
      "--tz",
      "--no-healthcheck",
      "--platform",
      "--label",
      "--stop-timeout",
    ]; // deno-fmt-ignore
    for (const verb of ["run", "create"]) {
      const help = await s.ok([verb, "--help"]);
      for (const f of flags) assert.ok(help.includes(f), `${verb} --help lists ${f}`);
      const r = await s.run([verb, "--no-such-flag", "--rootfs", "/", "true"]);
      assert.equal(r.code, 125);
      assert.match(r.stderr, /--no-such-flag/);
    }
  });
});
