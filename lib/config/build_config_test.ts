import assert from "node:assert/strict";
import { UsageError } from "../errors/mod.ts";
import { buildContainerConfig } from "./build_config.ts";
import type { ContainerOptions } from "./container_options.ts";

const rootfs = (over: ContainerOptions = {}) =>
  buildContainerConfig({ rootfs: "/r", command: ["sh"], ...over }, { cwd: "/work" });

const refuses = (over: ContainerOptions, message: RegExp) =>
  assert.throws(() => rootfs(over), (e) => e instanceof UsageError && message.test(e.message));

Deno.test("buildContainerConfig() resolves a rootfs run's options into schema 2", () => {
  const c = rootfs({
    env: ["A=1", "B=2"],
    volumes: ["/tmp:/data:ro"],
    tmpfs: ["/run:size=1m"],
    labels: ["team=core", "flag"],
    stopSignal: "hup",
    logOptions: ["max-size=2k", "max-file=3"],
    restart: "on-failure:4",
    capAdd: ["NET_ADMIN"],
  });
  assert.equal(c.schemaVersion, 2);
  assert.deepEqual(c.env, ["A=1", "B=2"]);
  assert.deepEqual(c.network, { mode: "none" });
  assert.deepEqual(c.mounts.map((m) => [m.type, m.target]), [["bind", "/data"], ["tmpfs", "/run"]]);
  assert.deepEqual(c.labels, { team: "core", flag: "" });
  assert.equal(c.stopSignal, "SIGHUP");
  assert.equal(c.stopTimeout, 10);
  assert.deepEqual(c.log, { maxSize: 2048, maxFiles: 3 });
  assert.deepEqual(c.restart, { name: "on-failure", maximumRetryCount: 4 });
  assert.equal(c.autoRemove, false);
  assert.deepEqual(c.capAdd, ["NET_ADMIN"]);
  // It is stored as JSON: nothing in it is lost there (absent values are left out).
  const given = Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined));
  assert.deepEqual(JSON.parse(JSON.stringify(c)), given);
});

Deno.test("buildContainerConfig() parses the network once into a typed value", () => {
  assert.deepEqual(rootfs({ network: "container:web" }).network, {
    mode: "container",
    container: "web",
  });
  assert.deepEqual(rootfs({ network: "ns:/proc/7/ns/net" }).network, {
    mode: "ns",
    path: "/proc/7/ns/net",
  });
  const helper = rootfs({ network: "slirp4netns:allow_host_loopback=true,mtu=1500" }).network;
  assert.equal(helper.mode, "slirp4netns");
  assert.ok(helper.mode === "slirp4netns" && helper.allowHostLoopback && helper.mtu === 1500);
  const found: string[] = [];
  const c = buildContainerConfig({ rootfs: "/r", command: ["sh"], network: "backend" }, {
    findNetwork: (name) => found.push(name),
  });
  assert.deepEqual(c.network, { mode: "network", name: "backend" });
  assert.deepEqual(found, ["backend"], "a user-defined network is looked up at create");
});

Deno.test("buildContainerConfig() refuses bad values, naming them", () => {
  refuses({ network: "bridge" }, /Network mode 'bridge' is not supported yet/);
  refuses({ network: "pasta:mtu=9" }, /Invalid network option 'mtu=9' in 'pasta:mtu=9'/);
  refuses(
    { network: "container:web", hostname: "x" },
    /-h\/--hostname and --network container:web/,
  );
  refuses({ network: "none", publish: ["8080:80"] }, /Cannot publish ports with --network none/);
  refuses({ publish: ["80:x"] }, /'80:x'/);
  refuses({ dns: ["one.one"] }, /Invalid --dns 'one.one': give an IP address/);
  refuses({ dnsSearch: ["a b"] }, /Invalid --dns-search 'a b'/);
  refuses({ addHosts: ["db"] }, /Invalid --add-host 'db'/);
  refuses({ addHosts: ["gw:host-gateway"] }, /Cannot resolve --add-host 'gw:host-gateway'/);
  refuses({ volumes: ["/no/such/dir/here:/x"] }, /Cannot bind '\/no\/such\/dir\/here' on '\/x'/);
  refuses({ restart: "sometimes" }, /Invalid --restart 'sometimes'/);
  refuses({ restart: "always", rm: true }, /Conflicting options: --restart and --rm/);
  refuses({ logOptions: ["max-file=0"] }, /Invalid --log-opt max-file '0'/);
  refuses({ logOptions: ["mode=fast"] }, /Unknown --log-opt 'mode=fast'/);
  refuses({ stopSignal: "SIGNOPE" }, /NOPE|SIGNOPE/);
  refuses({ userns: "host" as "keep-id" }, /Unsupported --userns 'host': use keep-id/);
  refuses({ workdir: "work" }, /Working directory 'work' must be an absolute path/);
  refuses({ resources: { memory: 1024 } }, /Minimum memory limit allowed is 6MB/);
  assert.throws(
    () => buildContainerConfig({ command: ["sh"] }),
    /Give either an image or a rootfs directory to run/,
  );
});

Deno.test("buildContainerConfig() resolves issue 15's run flags into the config", () => {
  const dir = Deno.makeTempDirSync();
  try {
    Deno.writeTextFileSync(`${dir}/labels`, "# team\nteam=core\n\n  tier=web  \nbare\n");
    const c = rootfs({
      labelFiles: [`${dir}/labels`],
      labels: ["tier=db"],
      annotations: ["io.nook/x=1"],
      cidFile: `${dir}/cid`,
      pid: "host",
      ipc: "shareable",
      uts: "host",
      shmSize: "1m",
      expose: ["80", "53/udp", "8000-8001"],
      logDriver: "none",
      detachKeys: "ctrl-a,d",
      sigProxy: false,
      noHealthcheck: true,
    });
    // --label wins over --label-file, as docker merges them.
    assert.deepEqual(c.labels, { team: "core", tier: "db", bare: "" });
    assert.deepEqual(c.annotations, { "io.nook/x": "1" });
    assert.equal(c.cidFile, `${dir}/cid`);
    assert.deepEqual([c.pid, c.ipc, c.uts], [{ mode: "host" }, { mode: "shareable" }, {
      mode: "host",
    }]);
    assert.equal(c.shmSize, 1024 * 1024);
    assert.deepEqual(c.expose, ["80/tcp", "53/udp", "8000/tcp", "8001/tcp"]);
    assert.equal(c.log.driver, "none");
    assert.equal(c.detachKeys, "ctrl-a,d");
    assert.equal(c.sigProxy, false);
    assert.equal(c.noHealthcheck, true);
    // Defaults stay out of the record.
    const d = rootfs({ expose: [], annotations: [], labelFiles: [], logDriver: "k8s-file" });
    for (const key of ["pid", "ipc", "uts", "shmSize", "expose", "annotations", "cidFile"]) {
      assert.equal((d as unknown as Record<string, unknown>)[key], undefined, key);
    }
    assert.equal(d.log.driver, undefined);
    // A relative --cidfile is resolved against the working directory; one that exists is refused.
    Deno.writeTextFileSync(`${dir}/taken`, "x");
    assert.equal(
      buildContainerConfig({ rootfs: "/r", command: ["sh"], cidFile: "cid" }, { cwd: dir }).cidFile,
      `${dir}/cid`,
    );
    refuses(
      { cidFile: `${dir}/taken` },
      /^Container ID file found, make sure the other container isn't running or delete .*taken$/,
    );
    refuses({ labelFiles: [`${dir}/missing`] }, /Cannot read --label-file '.*missing'/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("buildContainerConfig() refuses bad values of issue 15's flags, naming them", () => {
  refuses({ pid: "nope" }, /^--pid: invalid PID mode 'nope': use private, host or container:NAME$/);
  refuses({ ipc: "container:" }, /^--ipc: invalid IPC mode 'container:'/);
  refuses({ uts: "private2" }, /^--uts: invalid UTS mode 'private2': use host$/);
  refuses({ uts: "host", hostname: "box" }, /Conflicting options: -h\/--hostname and --uts host/);
  refuses({ pid: "container:a", userns: "keep-id" }, /--userns keep-id and --pid container:a/);
  refuses({ ipc: "host", shmSize: "1m" }, /Conflicting options: --shm-size and --ipc host/);
  refuses({ shmSize: "lots" }, /Invalid --shm-size 'lots'/);
  refuses({ shmSize: 0 }, /Invalid --shm-size '0'/);
  refuses({ expose: ["0"] }, /Invalid --expose '0'/);
  refuses({ expose: ["90-80"] }, /Invalid --expose '90-80'/);
  refuses({ expose: ["80/sctp"] }, /Invalid --expose '80\/sctp'/);
  refuses({ logDriver: "syslog" }, /Unsupported --log-driver 'syslog'/);
  refuses({ detachKeys: "ctrl-1" }, /Invalid detach keys 'ctrl-1': 'ctrl-1' is neither/);
  refuses({ timezone: "Nowhere/Atlantis" }, /Invalid --tz 'Nowhere\/Atlantis': no such time zone/);
  refuses({ timezone: "../../etc/passwd" }, /Invalid --tz '..\/..\/etc\/passwd'/);
});

Deno.test("buildContainerConfig() gives -P of --expose ports a network helper, as -p", () => {
  const c = rootfs({ publishAll: true, expose: ["80"] });
  assert.ok(c.network.mode === "pasta" || c.network.mode === "slirp4netns", c.network.mode);
  assert.equal(rootfs({ expose: ["80"] }).network.mode, "none", "without -P nothing is published");
});
