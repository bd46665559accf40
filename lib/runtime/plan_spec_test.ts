import assert from "node:assert/strict";
import { buildContainerConfig } from "../config/build_config.ts";
import type { ContainerOptions } from "../config/container_options.ts";
import { UsageError } from "../errors/mod.ts";
import { planIdMaps } from "../userns/mod.ts";
import { capabilitySet } from "./capabilities.ts";
import { planSpec, processOf, type SpecFacts } from "./plan_spec.ts";
import { planContainer } from "./plan_steps.ts";
import { joinedIdMap } from "./network_join.ts";

const range = [{ start: 100000, count: 65536 }];
const ID = "0123456789abcdef".repeat(4);

function config(over: ContainerOptions = {}) {
  return buildContainerConfig({ rootfs: "/r", command: ["sh", "-c", "true"], ...over });
}

function facts(over: Partial<SpecFacts> = {}): SpecFacts {
  return {
    id: ID,
    rootfs: "/r",
    idMap: planIdMaps({ uid: 1000, gid: 1000, subuids: range, subgids: range }),
    net: { network: "none", ports: [] },
    user: { uid: 0, gid: 0, groups: [0, 10], home: "/root" },
    initLayer: { hostname: "/x/hostname", hosts: "/x/hosts", resolvConf: "/x/resolv.conf" },
    detached: false,
    stdinIsTerminal: false,
    lastCap: 40,
    ...over,
  };
}

Deno.test("planSpec() takes the config's command, env, mounts and flags", () => {
  const spec = planSpec(
    config({
      entrypoint: ["/init"],
      env: ["A=1", "PATH=/mine"],
      workdir: "/work",
      tmpfs: ["/run"],
      readOnly: true,
      init: true,
      capDrop: ["ALL"],
      hostname: "box",
    }),
    facts(),
  );
  assert.deepEqual(spec.argv, ["/init", "sh", "-c", "true"]);
  assert.equal(spec.cwd, "/work");
  assert.deepEqual(spec.env, ["PATH=/mine", "HOSTNAME=box", "HOME=/root", "A=1"]);
  assert.equal(spec.hostname, "box");
  assert.deepEqual(spec.mounts.map((m) => m.target), ["/run"]);
  assert.equal(spec.readOnly && spec.init, true);
  assert.equal(spec.capabilities, capabilitySet({ drop: ["ALL"] }));
  assert.equal(spec.network, "none");
  // And the planner takes it as it is.
  assert.ok(planContainer(spec).program.steps.length > 0);
});

Deno.test("planSpec() puts an image's process and env beneath the config's", () => {
  const spec = planSpec(
    config({ command: undefined, env: ["B=2"], tty: true }),
    facts({
      image: { argv: ["httpd", "-f"], workdir: "/www", user: "www", env: ["B=1", "C=3"] },
      extraMounts: [{ type: "bind", source: "/v", target: "/data", readOnly: false }],
      ttySize: { rows: 30, columns: 100 },
    }),
  );
  assert.deepEqual(spec.argv, ["httpd", "-f"]);
  assert.equal(spec.cwd, "/www");
  assert.deepEqual(spec.env, [
    `PATH=${spec.env[0].slice(5)}`,
    `HOSTNAME=${ID.slice(0, 12)}`,
    "HOME=/root",
    "TERM=xterm",
    "B=2",
    "C=3",
  ]);
  assert.deepEqual(spec.mounts.map((m) => m.target), ["/data"]);
  assert.deepEqual(spec.ttySize, { rows: 30, columns: 100 });
});

Deno.test("planSpec() refuses what the host cannot run, naming why", () => {
  const refuses = (f: () => unknown, message: RegExp) =>
    assert.throws(f, (e) => e instanceof UsageError && message.test(e.message));
  refuses(() => planSpec(config({ command: [] }), facts()), /No command given/);
  refuses(
    () => planSpec(config({ tty: true, interactive: true }), facts()),
    /The input device is not a TTY/,
  );
  // Detached, the monitor holds the pty: no terminal needed.
  assert.equal(
    planSpec(config({ tty: true, interactive: true }), facts({ detached: true })).tty,
    true,
  );
  const user = { uid: 200000, gid: 0, groups: [], home: "/" };
  refuses(
    () => planSpec(config(), facts({ user })),
    /Cannot run as uid 200000: it is outside your \/etc\/subuid and \/etc\/subgid range/,
  );
  refuses(
    () => processOf({ command: ["sh"] }, { argv: ["sh"], workdir: "www" }),
    /Working directory 'www' must be an absolute path/,
  );
});

Deno.test("planSpec() drops supplementary groups the maps do not map", () => {
  const spec = planSpec(
    config(),
    facts({ user: { uid: 0, gid: 0, groups: [0, 70000], home: "/" } }),
  );
  assert.deepEqual(spec.user.groups, [0]);
});

Deno.test("planSpec() carries the namespace modes, /dev/shm size and --tz file into the spec", () => {
  const plain = planSpec(config(), facts());
  assert.deepEqual([plain.pidNs, plain.ipcNs, plain.utsNs], [undefined, undefined, undefined]);
  assert.equal(plain.shmSize, 64 * 1024 * 1024);
  const host = planSpec(
    config({ pid: "host", ipc: "host", uts: "host" }),
    facts({ localtime: "/run/x/localtime" }),
  );
  assert.deepEqual([host.pidNs, host.ipcNs, host.utsNs], ["host", "host", "host"]);
  const hostname = Deno.readTextFileSync("/proc/sys/kernel/hostname").trim();
  assert.equal(host.hostname, hostname, "--uts host: the host's hostname");
  assert.ok(host.env.includes(`HOSTNAME=${hostname}`));
  assert.equal(host.localtime, "/run/x/localtime");
  assert.equal(planSpec(config({ shmSize: "2m" }), facts()).shmSize, 2 * 1024 * 1024);
});

Deno.test("planSpec() takes the id maps' owner from a joined pid namespace for its messages", () => {
  const join = {
    what: "the pid namespace of container web",
    path: "/proc/42/ns/pid",
    type: 0x20000000,
    pid: 42,
    startTime: "1",
    maps: { uid: [{ inside: 0, outside: 1000, count: 1 }], gid: [], setgroups: false },
    userns: "user:[1]",
  };
  const spec = planSpec(config({ pid: "container:web" }), facts({ nsJoins: [join] }));
  assert.equal(spec.pidNs, "join");
  assert.deepEqual(spec.nsJoins, [join]);
  assert.throws(
    () =>
      planSpec(
        config({ pid: "container:web" }),
        facts({
          nsJoins: [join],
          idMap: joinedIdMap(join),
          user: { uid: 5, gid: 0, groups: [], home: "/" },
        }),
      ),
    (e) =>
      e instanceof UsageError &&
      /Cannot run as uid 5: the user namespace that owns the pid namespace of container web/.test(
        e.message,
      ),
  );
});
