import assert from "node:assert/strict";
import { freeAddress, freeSubnet, parseSubnet } from "./subnet.ts";

Deno.test("parseSubnet() takes IPv4 CIDRs and names what is wrong", () => {
  assert.deepEqual(parseSubnet("10.89.3.0/24"), { base: 0x0a590300, prefix: 24 });
  assert.throws(
    () => parseSubnet("10.89.3.1/24"),
    /host bits are set; did you mean 10\.89\.3\.0\/24/,
  );
  assert.throws(() => parseSubnet("fd00::/64"), /IPv4 CIDR/);
  assert.throws(() => parseSubnet("10.0.0.0/30"), /\/8 to \/29/);
});

Deno.test("freeSubnet() skips overlapping subnets; freeAddress() the gateway and used ones", () => {
  assert.equal(freeSubnet([]), "10.89.0.0/24");
  assert.equal(freeSubnet(["10.89.0.0/23"]), "10.89.2.0/24");
  assert.equal(freeAddress("10.89.0.0/24", ["10.89.0.1", "10.89.0.2"]), "10.89.0.3");
  assert.throws(
    () =>
      freeAddress("10.89.0.0/29", [
        "10.89.0.1",
        "10.89.0.2",
        "10.89.0.3",
        "10.89.0.4",
        "10.89.0.5",
        "10.89.0.6",
      ]),
    /full/,
  );
});
