import assert from "node:assert/strict";
import { UsageError } from "../errors/mod.ts";
import { formatNetwork, parseNetwork } from "./network_option.ts";

Deno.test("parseNetwork() reads the modes and their options", () => {
  assert.deepEqual(parseNetwork("none"), {
    mode: "none",
    allowHostLoopback: false,
    mtu: 65520,
    helperArgs: [],
  });
  assert.equal(parseNetwork("host").mode, "host");
  const slirp = parseNetwork("slirp4netns:allow_host_loopback=true,mtu=1500");
  assert.equal(slirp.mode, "slirp4netns");
  assert.equal(slirp.allowHostLoopback, true);
  assert.equal(slirp.mtu, 1500);
  const pasta = parseNetwork("pasta:allow_host_loopback=false,--ipv4-only,-a,10.0.2.100");
  assert.equal(pasta.allowHostLoopback, false);
  assert.deepEqual(pasta.helperArgs, ["--ipv4-only", "-a", "10.0.2.100"]);
  assert.equal(formatNetwork(slirp), "slirp4netns:allow_host_loopback=true,mtu=1500");
  assert.equal(formatNetwork(parseNetwork("pasta")), "pasta");
});

Deno.test("parseNetwork() refuses what it does not know, naming the fix", () => {
  const cases: [string, RegExp][] = [
    ["bridge", /'bridge' is not supported yet: use none, host, slirp4netns/],
    [
      "slirp4netns:cidr=10.1.0.0/24",
      /Unknown network option 'cidr=10.1.0.0\/24'.*allow_host_loopback/,
    ],
    ["slirp4netns:allow_host_loopback=yes", /allow_host_loopback=true or =false/],
    ["pasta:mtu=9", /mtu=68..65520/],
    ["none:x", /takes no options/],
  ];
  for (const [text, message] of cases) {
    assert.throws(
      () => parseNetwork(text),
      (e: Error) => e instanceof UsageError && message.test(e.message),
      text,
    );
  }
});
