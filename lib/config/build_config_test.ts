import assert from "node:assert/strict";
import { UsageError } from "../errors/mod.ts";
import { buildContainerConfig } from "./build_config.ts";
import type { ContainerOptions } from "./container_options.ts";

const rootfs = (over: ContainerOptions = {}) =>
  buildContainerConfig({ rootfs: "/r", command: ["sh"], ...over }, { cwd: "/work" });

const refuses = (over: ContainerOptions, message: RegExp) =>
  assert.throws(() => rootfs(over), (e) => e instanceof UsageError && message.test(e.message));

Deno.test("buildContainerConfig() resolves a rootfs run's options into schema 1", () => {
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
  assert.equal(c.schemaVersion, 1);
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
