import assert from "node:assert/strict";
import { UsageError } from "../errors/mod.ts";
import { checkNetworkFlags, parseNetworkMode } from "./network_mode.ts";

Deno.test("parseNetworkMode() takes none, host, container:REF and ns:PATH", () => {
  assert.deepEqual(parseNetworkMode(), { mode: "none" });
  assert.deepEqual(parseNetworkMode("host"), { mode: "host" });
  assert.deepEqual(parseNetworkMode("container:web"), { mode: "container", container: "web" });
  assert.deepEqual(parseNetworkMode("ns:/proc/7/ns/net"), { mode: "ns", path: "/proc/7/ns/net" });
});

Deno.test("parseNetworkMode() refuses other modes and ones that name nothing", () => {
  assert.throws(() => parseNetworkMode("bridge"), /'bridge' is not supported yet: use none, host/);
  assert.throws(() => parseNetworkMode("container:"), /names no container/);
  assert.throws(() => parseNetworkMode("ns:net"), /absolute path/);
  assert.throws(() => parseNetworkMode("ns"), UsageError);
});

Deno.test("checkNetworkFlags() refuses what docker refuses with container:", () => {
  const web = parseNetworkMode("container:web");
  const cases: [Parameters<typeof checkNetworkFlags>[1], RegExp][] = [
    [{ hostname: "x" }, /-h\/--hostname and --network container:web: .*hostname of container web/],
    [{ publish: ["80:80"] }, /-p\/--publish and --network container:web: publish the ports on/],
    [{ dns: ["1.1.1.1"] }, /--dns and --network container:web: .*resolv\.conf/],
    [{ addHost: ["a:1.2.3.4"] }, /--add-host and --network container:web: .*\/etc\/hosts/],
    [{ userns: "keep-id" }, /--userns keep-id and --network container:web/],
  ];
  for (const [flags, message] of cases) {
    assert.throws(() => checkNetworkFlags(web, flags), message);
  }
  checkNetworkFlags(web, { publish: [], dns: [], hostname: undefined });
});

Deno.test("checkNetworkFlags() lets ns:PATH choose the hostname, not ports or ids", () => {
  const ns = parseNetworkMode("ns:/proc/7/ns/net");
  checkNetworkFlags(ns, { hostname: "box", dns: ["1.1.1.1"] });
  assert.throws(() => checkNetworkFlags(ns, { publish: ["80"] }), /-p\/--publish/);
  assert.throws(() => checkNetworkFlags(ns, { userns: "keep-id" }), /--userns/);
  checkNetworkFlags(parseNetworkMode("none"), { hostname: "x", publish: ["80"] });
});
