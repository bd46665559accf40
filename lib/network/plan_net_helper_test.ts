import assert from "node:assert/strict";
import { parseDefaultRoute } from "./host_route.ts";
import { publishPorts } from "./host_ports.ts";
import { parseNetwork } from "./network_option.ts";
import { planNetHelper } from "./plan_net_helper.ts";
import { parsePublish } from "./port_mapping.ts";

const context = {
  path: "/usr/bin/tool",
  dir: "/run/nook/c/x",
  features: { sandbox: true, seccomp: true },
  route: { iface: "eth0", gateway: "192.0.2.1", address: "192.0.2.2" },
};

Deno.test("planNetHelper() gives slirp4netns its fds, no host loopback, and one request per port", () => {
  const ports = [...parsePublish("127.0.0.1:8080:80"), ...parsePublish("9000:90/udp")];
  const { helper, addresses } = planNetHelper(parseNetwork("slirp4netns"), ports, context);
  assert.deepEqual(helper.argv, [
    "/usr/bin/tool",
    "--configure",
    "--mtu=65520",
    "--disable-host-loopback",
    "--ready-fd=3",
    "--exit-fd=4",
    "--api-socket=/run/nook/c/x/slirp4netns.sock",
    "--enable-sandbox",
    "--enable-seccomp",
    "{pid}",
    "tap0",
  ]);
  assert.equal(helper.api, "/run/nook/c/x/slirp4netns.sock");
  assert.deepEqual(helper.requests.map((r) => JSON.parse(r).arguments), [
    {
      proto: "tcp",
      host_addr: "127.0.0.1",
      host_port: 8080,
      guest_addr: "10.0.2.100",
      guest_port: 80,
    },
    {
      proto: "udp",
      host_addr: "0.0.0.0",
      host_port: 9000,
      guest_addr: "10.0.2.100",
      guest_port: 90,
    },
  ]);
  assert.deepEqual(addresses, {
    ip: "10.0.2.100",
    gateway: "10.0.2.2",
    dns: "10.0.2.3",
    hostLoopback: "",
  });
  const open = planNetHelper(parseNetwork("slirp4netns:allow_host_loopback=true"), [], {
    ...context,
    features: { sandbox: false, seccomp: false },
  });
  assert.ok(!open.helper.argv.includes("--disable-host-loopback"));
  assert.ok(
    !open.helper.argv.some((a) => a.startsWith("--api-socket") || a.startsWith("--enable-")),
  );
  assert.equal(open.addresses.hostLoopback, "10.0.2.2");
  assert.throws(
    () => planNetHelper(parseNetwork("slirp4netns"), parsePublish("[::1]:80:80"), context),
    /IPv4 host addresses only/,
  );
});

Deno.test("planNetHelper() gives pasta its ports grouped by address, and nothing automatic", () => {
  const ports = [
    ...parsePublish("127.0.0.1:8000-8002:80-82"),
    ...parsePublish("127.0.0.1:9000:90"),
    ...parsePublish("7000:70"),
  ];
  const { helper, addresses } = planNetHelper(parseNetwork("pasta:--ipv4-only"), ports, context);
  const argv = helper.argv.join(" ");
  assert.match(
    argv,
    /^\/usr\/bin\/tool --config-net --foreground --quiet --mtu 65520 --no-map-gw /,
  );
  assert.match(
    argv,
    / -t 127\.0\.0\.1\/8000-8002:80-82,9000:90 -t 7000:70 -u none -T none -U none /,
  );
  assert.match(argv, / --dns-forward 169\.254\.1\.1 --pid \/dev\/fd\/3 --ipv4-only \{pid\}$/);
  assert.deepEqual(addresses, {
    ip: "192.0.2.2",
    gateway: "192.0.2.1",
    dns: "169.254.1.1",
    hostLoopback: "",
  });
  const open = planNetHelper(parseNetwork("pasta:allow_host_loopback=true"), [], context);
  assert.ok(!open.helper.argv.includes("--no-map-gw"));
  assert.match(open.helper.argv.join(" "), / -t none -u none -T none -U none /);
  assert.equal(open.addresses.hostLoopback, "192.0.2.1");
});

Deno.test("publishPorts() picks free ports and names a taken or privileged one", () => {
  const taken = new Set([8080]);
  let next = 40000;
  const probe = (_p: string, _ip: string, port: number) =>
    port === 0 ? next++ : taken.has(port) ? -98 : port;
  const picked = publishPorts([...parsePublish("80"), ...parsePublish("127.0.0.1:9000:90")], {
    probe,
    unprivilegedStart: 1024,
  });
  assert.deepEqual(picked.map((p) => p.hostPort), [40000, 9000]);
  assert.throws(
    () => publishPorts(parsePublish("127.0.0.1:8080:80"), { probe, unprivilegedStart: 1024 }),
    /Cannot publish 127\.0\.0\.1:8080\/tcp to container port 80: host port 8080 is already in use/,
  );
  assert.throws(
    () => publishPorts(parsePublish("80:80"), { probe, unprivilegedStart: 1024 }),
    /host port 80 .*net\.ipv4\.ip_unprivileged_port_start/,
  );
  assert.throws(
    () =>
      publishPorts([...parsePublish("9000:90"), ...parsePublish("9000:91")], {
        probe,
        unprivilegedStart: 1024,
      }),
    /Host port 9000 .* is published twice/,
  );
  // The same host port for tcp and udp is two ports.
  assert.equal(
    publishPorts([...parsePublish("9000:90"), ...parsePublish("9000:90/udp")], {
      probe,
      unprivilegedStart: 1024,
    }).length,
    2,
  );
});

Deno.test("parseDefaultRoute() takes the lowest-metric default route and the address on its interface", () => {
  const route = "Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\n" +
    "wlan0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\n" +
    "eth0\t00000000\t010200C0\t0003\t0\t0\t100\t00000000\n" +
    "eth0\t000200C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\n" +
    "wlan0\t0001A8C0\t00000000\t0001\t0\t0\t600\t00FFFFFF\n";
  const trie = "Main:\n  +-- 0.0.0.0/0 3 0 5\n     |-- 127.0.0.1\n        /32 host LOCAL\n" +
    "     |-- 192.168.1.7\n        /32 host LOCAL\n     |-- 192.0.2.9\n        /32 host LOCAL\n" +
    "     |-- 192.0.2.255\n        /32 link BROADCAST\n";
  assert.deepEqual(parseDefaultRoute(route, trie), {
    iface: "eth0",
    gateway: "192.0.2.1",
    address: "192.0.2.9",
  });
  assert.equal(parseDefaultRoute("Iface\tDestination\n", ""), null);
});
