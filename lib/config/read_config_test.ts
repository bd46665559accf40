import assert from "node:assert/strict";
import { NookError } from "../errors/mod.ts";
import { buildContainerConfig } from "./build_config.ts";
import { configFromRecord } from "./read_config.ts";

// container.json as the nook before configs wrote it (trimmed to the config's part).
const SCHEMA_0 = {
  id: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
  name: "web",
  image: "sha256:ab",
  imageName: "busybox",
  command: ["httpd", "-f"],
  created: "2024-05-01T10:00:00.000Z",
  storageDriver: "overlay",
  options: {
    command: ["httpd", "-f"],
    env: ["A=1"],
    hostname: "box",
    network: "slirp4netns:allow_host_loopback=true",
    publish: [{ hostIp: "127.0.0.1", hostPort: 8080, containerPort: 80, protocol: "tcp" }],
    mounts: [{ type: "tmpfs", target: "/run", options: [] }],
    tty: true,
    resources: { memory: 268435456 },
  },
  labels: { team: "core" },
  restart: { name: "on-failure", maximumRetryCount: 3 },
  autoRemove: false,
  stopSignal: "SIGINT",
  stopTimeout: 5,
  log: { maxSize: 1024, maxFiles: 2 },
  process: { env: ["PATH=/bin"], user: "www" },
};

Deno.test("configFromRecord() converts a record of the nook before configs", () => {
  const c = configFromRecord(structuredClone(SCHEMA_0) as never, "web");
  assert.equal(c.schemaVersion, 2);
  assert.deepEqual(c.network, {
    mode: "slirp4netns",
    allowHostLoopback: true,
    mtu: 65520,
    helperArgs: [],
  });
  assert.deepEqual(c.env, ["A=1"]);
  assert.equal(c.hostname, "box");
  assert.equal(c.publish?.[0].hostPort, 8080);
  assert.deepEqual(c.mounts, SCHEMA_0.options.mounts);
  assert.equal(c.tty, true);
  assert.deepEqual(c.resources, { memory: 268435456 });
  assert.deepEqual(c.labels, { team: "core" });
  assert.deepEqual(c.restart, { name: "on-failure", maximumRetryCount: 3 });
  assert.equal(c.stopSignal, "SIGINT");
  assert.equal(c.stopTimeout, 5);
  assert.deepEqual(c.log, { maxSize: 1024, maxFiles: 2 });
});

Deno.test("configFromRecord() fills the defaults of a record with no options (an old foreground run)", () => {
  const c = configFromRecord({}, "x");
  assert.deepEqual(c.network, { mode: "none" });
  assert.deepEqual([c.env, c.mounts, c.labels], [[], [], {}]);
  assert.deepEqual(c.restart, { name: "no", maximumRetryCount: 0 });
  assert.equal(c.stopSignal, "SIGTERM");
});

Deno.test("configFromRecord() reads schema 2 as it is, schema 1 as 2, and refuses a newer one", () => {
  const config = buildContainerConfig({ rootfs: "/r", command: ["sh"], network: "host" });
  const stored = JSON.parse(JSON.stringify({ config }));
  assert.deepEqual(configFromRecord(stored, "a"), stored.config);
  const one = configFromRecord({ config: { ...stored.config, schemaVersion: 1 } }, "a");
  assert.deepEqual(one, stored.config, "schema 1: the same config, without schema 2's settings");
  assert.equal(one.pid, undefined);
  assert.throws(
    () => configFromRecord({ config: { ...config, schemaVersion: 3 as never } }, "web", "/d/web"),
    (e) =>
      e instanceof NookError &&
      e.message ===
        "Container web was made by a newer nook (config schema 3): upgrade nook, or remove it " +
          "with 'nook unshare rm -rf /d/web' (its files belong to your subordinate ids)",
  );
});
