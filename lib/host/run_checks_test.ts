import { deepStrictEqual, strictEqual } from "node:assert";
import type { Host } from "./host.ts";
import { fakeHost } from "./fake_host.ts";
import { runChecks } from "./run_checks.ts";

Deno.test("runChecks() runs every check in a fixed order", async () => {
  const checks = await runChecks(fakeHost());
  deepStrictEqual(checks.map((c) => c.id), [
    "kernel",
    "userns",
    "subuid",
    "subgid",
    "newuidmap",
    "newgidmap",
    "cgroups",
    "overlay",
    "fuse-overlayfs",
    "slirp4netns",
    "pasta",
    "runtime-dir",
    "linger",
  ]);
});

Deno.test("runChecks() passes the overlay probe on", async () => {
  const checks = await runChecks(fakeHost(), { probeOverlay: () => Promise.resolve(true) });
  strictEqual(checks.find((c) => c.id === "overlay")?.status, "ok");
});

Deno.test("runChecks() turns a check that throws into an error check", async () => {
  const host: Host = {
    ...fakeHost(),
    which: () => Promise.reject(new Error("Cannot read PATH")),
  };
  const checks = await runChecks(host);
  const pasta = checks.find((c) => c.id === "pasta");
  strictEqual(pasta?.status, "error");
  strictEqual(pasta?.detail, "the check failed: Cannot read PATH");
  strictEqual(checks.find((c) => c.id === "kernel")?.status, "ok");
});
