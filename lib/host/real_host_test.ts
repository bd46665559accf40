import { ok, strictEqual } from "node:assert";
import { realHost } from "./real_host.ts";
import { runChecks } from "./run_checks.ts";

Deno.test("realHost() reads structural facts true on any Linux", async () => {
  const host = realHost();
  ok(/^\d+\.\d+/.test(host.kernelRelease()), `kernel release '${host.kernelRelease()}'`);
  ok(Number.isInteger(host.uid()) && host.uid() >= 0);
  ok(Number.isInteger(host.gid()) && host.gid() >= 0);
  const name = host.userName();
  ok(name === null || name.length > 0);
  ok((await host.readTextFile("/proc/self/status"))?.includes("Uid:"));
  strictEqual(await host.readTextFile("/nonexistent/nook"), null);
  const root = await host.stat("/");
  strictEqual(root?.isDirectory, true);
  strictEqual(root?.uid, 0);
  strictEqual(await host.stat("/nonexistent/nook"), null);
  strictEqual(await host.stat("/etc/hostname/x"), null);
  strictEqual(await host.which("nook-no-such-command"), null);
  const sh = await host.which("sh");
  ok(sh === null || sh.startsWith("/"), `sh at '${sh}'`);
  strictEqual(host.env("PATH"), Deno.env.get("PATH"));
});

Deno.test("realHost() runs every check without a check failing", async () => {
  for (const check of await runChecks(realHost())) {
    ok(!check.detail.startsWith("the check failed"), `${check.id}: ${check.detail}`);
  }
});
