import assert from "node:assert/strict";
import { UsageError } from "../errors/mod.ts";
import { formatPorts, hostAddress, parseExposedPort, parsePublish } from "./port_mapping.ts";

const m = (hostIp: string, hostPort: number, containerPort: number, protocol = "tcp") => ({
  hostIp,
  hostPort,
  containerPort,
  protocol,
});

Deno.test("parsePublish() reads docker's -p forms", () => {
  assert.deepEqual(parsePublish("80"), [m("", 0, 80)]);
  assert.deepEqual(parsePublish("8080:80"), [m("", 8080, 80)]);
  assert.deepEqual(parsePublish("127.0.0.1:8080:80/udp"), [m("127.0.0.1", 8080, 80, "udp")]);
  assert.deepEqual(parsePublish("127.0.0.1::80"), [m("127.0.0.1", 0, 80)]);
  assert.deepEqual(parsePublish("[::1]:8080:80/TCP"), [m("::1", 8080, 80)]);
  assert.deepEqual(parsePublish("8000-8002:80-82"), [
    m("", 8000, 80),
    m("", 8001, 81),
    m("", 8002, 82),
  ]);
  assert.deepEqual(parsePublish("80-81"), [m("", 0, 80), m("", 0, 81)]);
});

Deno.test("parsePublish() names the bad part and the fix", () => {
  const cases: [string, RegExp][] = [
    ["80/sctp", /protocol 'sctp'.*tcp or udp/],
    ["8000-8002:80-81", /differ in length; give as many host ports/],
    ["localhost:8080:80", /host address 'localhost'.*give an IP address/],
    ["70000", /port '70000'.*1-65535/],
    ["0", /port '0'.*container port must be a number 1-65535/],
    ["1:2:3:4", /\[IP:\]\[HOSTPORT:\]CONTAINERPORT/],
    ["x:80", /port 'x'/],
    ["82-80", /port '82-80'/],
  ];
  for (const [spec, message] of cases) {
    assert.throws(
      () => parsePublish(spec),
      (e: Error) => e instanceof UsageError && message.test(e.message),
      spec,
    );
  }
});

Deno.test("formatPorts() writes docker's PORTS column, ranges collapsed", () => {
  assert.equal(formatPorts([]), "");
  assert.equal(
    formatPorts(
      [m("127.0.0.1", 8080, 80), m("", 9000, 90, "udp"), m("", 9001, 91, "udp")] as never,
    ),
    "127.0.0.1:8080->80/tcp, 0.0.0.0:9000-9001->90-91/udp",
  );
  assert.equal(formatPorts([m("::1", 8080, 80)] as never), "[::1]:8080->80/tcp");
  // Not consecutive on the host side: two entries.
  assert.equal(
    formatPorts([m("", 8000, 80), m("", 8005, 81)] as never),
    "0.0.0.0:8000->80/tcp, 0.0.0.0:8005->81/tcp",
  );
  assert.equal(hostAddress(m("", 8080, 80) as never), "0.0.0.0:8080");
});

Deno.test("parseExposedPort() reads an image's ExposedPorts keys", () => {
  assert.deepEqual(parseExposedPort("80/tcp"), { port: 80, protocol: "tcp" });
  assert.deepEqual(parseExposedPort("53/udp"), { port: 53, protocol: "udp" });
  assert.deepEqual(parseExposedPort("8080"), { port: 8080, protocol: "tcp" });
  assert.equal(parseExposedPort("9/sctp"), null);
  assert.equal(parseExposedPort("0/tcp"), null);
});
