import assert from "node:assert/strict";
import { UsageError } from "../errors/mod.ts";
import { containerHosts, containerResolvConf, parseAddHost } from "./init_layer.ts";

const slirp = { ip: "10.0.2.100", gateway: "10.0.2.2", dns: "10.0.2.3", hostLoopback: "" };

Deno.test("containerResolvConf() replaces loopback nameservers with the helper's forwarder", () => {
  const host = "# generated\nnameserver 127.0.0.53\nnameserver ::1\nnameserver 9.9.9.9\n" +
    "search lan\noptions edns0\n";
  assert.equal(
    containerResolvConf(host, { ownNetwork: true, forwarder: "10.0.2.3" }),
    "# generated\nnameserver 10.0.2.3\nnameserver 9.9.9.9\nsearch lan\noptions edns0\n",
  );
  assert.equal(
    containerResolvConf(host, { ownNetwork: true }),
    "# generated\nnameserver 9.9.9.9\nsearch lan\noptions edns0\n",
  );
  assert.equal(containerResolvConf(host, { ownNetwork: false, forwarder: "10.0.2.3" }), host);
});

Deno.test("containerResolvConf() lets --dns, --dns-search and --dns-option replace the host's", () => {
  const host = "nameserver 127.0.0.53\nsearch lan\noptions edns0\n";
  assert.equal(
    containerResolvConf(host, {
      ownNetwork: true,
      forwarder: "169.254.1.1",
      servers: ["1.1.1.1", "fd00::53"],
      search: ["a.example", "b.example"],
      options: ["ndots:2", "timeout:1"],
    }),
    "nameserver 1.1.1.1\nnameserver fd00::53\nsearch a.example b.example\noptions ndots:2 timeout:1\n",
  );
  assert.equal(containerResolvConf("", { ownNetwork: true, search: ["."] }), "");
});

Deno.test("containerHosts() names the container, --add-host entries and the host when allowed", () => {
  assert.equal(
    containerHosts({
      hostname: "abc",
      name: "web",
      network: "slirp4netns",
      addresses: { ...slirp, hostLoopback: "10.0.2.2" },
      addHosts: ["db:10.1.2.3", "gw:host-gateway", "v6=fd00::7"],
    }, ""),
    "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n10.1.2.3\tdb\n" +
      "10.0.2.2\tgw\nfd00::7\tv6\n10.0.2.2\thost.containers.internal host.docker.internal\n" +
      "10.0.2.100\tabc web\n",
  );
  const closed = containerHosts({ hostname: "abc", network: "slirp4netns", addresses: slirp }, "");
  assert.ok(!closed.includes("host.containers.internal"), closed);
  assert.ok(closed.endsWith("10.0.2.100\tabc\n"), closed);
  assert.equal(
    containerHosts({ hostname: "h", network: "host", addHosts: ["db:10.1.2.3"] }, "127.0.0.1 me"),
    "127.0.0.1 me\n10.1.2.3\tdb\n",
  );
});

Deno.test("parseAddHost() refuses bad values and host-gateway without a way to the host", () => {
  assert.throws(() => parseAddHost("nocolon", "10.0.2.2"), UsageError);
  assert.throws(() => parseAddHost("db:not-an-ip", "10.0.2.2"), /'not-an-ip' is not an IP address/);
  assert.throws(() => parseAddHost("gw:host-gateway", ""), /does not reach the host/);
  assert.deepEqual(parseAddHost("v6:[fd00::1]", ""), ["v6", "fd00::1"]);
});
