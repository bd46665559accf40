import assert from "node:assert/strict";
import { parseArgs } from "./args.ts";
import { REGISTRY_FLAGS, registryOptions } from "./registry_flags.ts";

const parse = (args: string[]) => parseArgs(args, REGISTRY_FLAGS, { command: "pull" });

Deno.test("registryOptions() leaves TLS to the client's default without flags", () => {
  assert.deepEqual(registryOptions(parse(["img"]), "registry.test"), {
    tlsVerify: undefined,
    certDir: undefined,
    insecureRegistries: [],
  });
});

Deno.test("registryOptions() reads --tls-verify and --cert-dir", () => {
  assert.deepEqual(registryOptions(parse(["--tls-verify=false", "--cert-dir", "/certs", "img"])), {
    tlsVerify: false,
    certDir: "/certs",
    insecureRegistries: [],
  });
  assert.equal(registryOptions(parse(["--tls-verify", "img"])).tlsVerify, true);
});

Deno.test("registryOptions() lets the given registry use plain HTTP only with --tls-verify=false", () => {
  const off = registryOptions(parse(["--tls-verify=false", "img"]), "registry.test:5000");
  assert.deepEqual(off.insecureRegistries, ["registry.test:5000"]);
  const on = registryOptions(parse(["--tls-verify=true", "img"]), "registry.test:5000");
  assert.deepEqual(on.insecureRegistries, []);
});
