import assert from "node:assert/strict";
import { infraRuleset, networkHelperTool, SUBNET_POOL } from "./network_infra.ts";

Deno.test("infraRuleset() masquerades the network's subnet and rejects the pool and other subnets", () => {
  const rules = infraRuleset({ subnet: "10.89.3.0/24" }, ["10.89.3.0/24", "192.168.7.0/24"])
    .split("\n");
  assert.ok(
    rules.includes('add rule ip nook post ip saddr 10.89.3.0/24 oifname != "nook0" masquerade'),
  );
  const rejects = rules.filter((r) => r.includes("reject"));
  assert.deepEqual(rejects.map((r) => / ip daddr (\S+) reject/.exec(r)?.[1]), [
    SUBNET_POOL,
    "192.168.7.0/24",
  ]);
  // Only traffic from the bridge, and never to the network's own subnet.
  for (const r of rejects) assert.match(r, /iifname "nook0" ip daddr != 10\.89\.3\.0\/24 /);
  assert.ok(rules.includes("add chain ip nook ports { type nat hook prerouting priority -100 ; }"));
});

Deno.test("networkHelperTool(): slirp4netns first (it publishes ports at run time), pasta with a route", () => {
  const only = (tool: string) => (t: string) => t === tool ? `/usr/bin/${tool}` : null;
  assert.equal(networkHelperTool(() => "/usr/bin/x", () => true), "slirp4netns");
  assert.equal(networkHelperTool(only("pasta"), () => true), "pasta");
  assert.equal(networkHelperTool(only("pasta"), () => false), null);
  assert.equal(networkHelperTool(() => null, () => true), null);
});
