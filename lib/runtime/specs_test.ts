import assert from "node:assert/strict";
import { UsageError } from "../errors/mod.ts";
import { CAPABILITIES, capabilitySet } from "./capabilities.ts";
import { envEntry, mergeEnv, parseEnvFile } from "./env_spec.ts";
import { parseMount, parseTmpfs, parseVolume } from "./mount_spec.ts";

Deno.test("parseVolume() reads HOST:CTR[:ro|rw] and resolves ./relative host paths", () => {
  assert.deepEqual(parseVolume("/a/b/:/data/../x:ro", "/"), {
    type: "bind",
    source: "/a/b",
    target: "/x",
    readOnly: true,
  });
  assert.equal(parseVolume("./d:/d", "/home/u").source, "/home/u/d");
  assert.equal(parseVolume("/a:/b:rw,z", "/").readOnly, false);
});

Deno.test("parseVolume() names the problem in a bad spec", () => {
  assert.throws(
    () => parseVolume("nocolon", "/"),
    (e: Error) => e instanceof UsageError && /'nocolon'/.test(e.message),
  );
  assert.throws(() => parseVolume("name:/x", "/"), /not an absolute host path/);
  assert.throws(() => parseVolume("/a:rel", "/"), /'rel' is not an absolute path/);
  assert.throws(() => parseVolume("/a:/b:bogus", "/"), /unknown option 'bogus'/);
});

Deno.test("parseTmpfs() and parseMount() read docker's forms", () => {
  assert.deepEqual(parseTmpfs("/run:size=1m,mode=1777"), {
    type: "tmpfs",
    target: "/run",
    options: ["size=1m", "mode=1777"],
    readOnly: false,
  });
  assert.deepEqual(parseMount("type=bind,source=/a,target=/b,readonly", "/"), {
    type: "bind",
    source: "/a",
    target: "/b",
    readOnly: true,
  });
  assert.deepEqual(parseMount("type=tmpfs,dst=/t,tmpfs-size=2m", "/"), {
    type: "tmpfs",
    target: "/t",
    options: ["size=2m"],
    readOnly: false,
  });
  assert.throws(() => parseMount("type=volume,target=/x", "/"), /type 'volume' is not supported/);
  assert.throws(() => parseMount("type=bind,target=/x", "/"), /source= is missing/);
  assert.throws(() => parseMount("type=tmpfs,target=/x,bogus=1", "/"), /unknown key 'bogus'/);
});

Deno.test("env helpers: files, bare names, later wins", () => {
  assert.deepEqual(parseEnvFile("# c\n\nA=1\r\n  B=x y\n", "f"), ["A=1", "B=x y"]);
  assert.equal(envEntry("NOOK_SURELY_UNSET_VAR", "-e"), null);
  assert.throws(() => envEntry("=x", "-e"), /Invalid environment variable '=x'/);
  assert.deepEqual(mergeEnv(["PATH=/a", "HOME=/"], ["PATH=/b"]), ["PATH=/b", "HOME=/"]);
});

Deno.test("capabilitySet() is docker's default set, with drop then add", () => {
  assert.equal(capabilitySet(), 0xa80425fbn);
  assert.equal(capabilitySet({ drop: ["ALL"] }), 0n);
  assert.equal(capabilitySet({ drop: ["all"], add: ["cap_chown"] }), 1n);
  assert.equal(capabilitySet({ add: ["ALL"] }), (1n << BigInt(CAPABILITIES.length)) - 1n);
  assert.equal(capabilitySet({ add: ["NET_ADMIN"] }) & (1n << 12n), 1n << 12n);
  assert.throws(() => capabilitySet({ add: ["bogus"] }), /Unknown capability 'bogus'/);
});
