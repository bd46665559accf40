import { deepStrictEqual, strictEqual } from "node:assert";
import { fakeHost } from "./fake_host.ts";

Deno.test("fakeHost() serves files and stats their parents as directories", async () => {
  const host = fakeHost({ files: { "/etc/subuid": "a:1:2\n" } });
  strictEqual(await host.readTextFile("/etc/subuid"), "a:1:2\n");
  strictEqual(await host.readTextFile("/etc/subgid"), null);
  strictEqual((await host.stat("/etc/subuid"))?.isFile, true);
  strictEqual((await host.stat("/etc"))?.isDirectory, true);
  strictEqual(await host.stat("/nope"), null);
});

Deno.test("fakeHost() derives setuid from the mode of a given stat", async () => {
  const host = fakeHost({
    executables: { newuidmap: "/usr/bin/newuidmap" },
    stats: { "/usr/bin/newuidmap": { mode: 0o4755 } },
  });
  strictEqual(await host.which("newuidmap"), "/usr/bin/newuidmap");
  deepStrictEqual(await host.stat("/usr/bin/newuidmap"), {
    isFile: true,
    isDirectory: false,
    isCharDevice: false,
    mode: 0o4755,
    uid: 0,
    gid: 0,
    setuid: true,
  });
});

Deno.test("fakeHost() has defaults for ids, kernel, capabilities and environment", async () => {
  const host = fakeHost();
  strictEqual(host.uid(), 1000);
  strictEqual(host.gid(), 1000);
  strictEqual(host.userName(), "alice");
  strictEqual(host.kernelRelease(), "6.8.0");
  strictEqual(host.env("HOME"), undefined);
  strictEqual(await host.fileCapabilities("/usr/bin/x"), "");
  strictEqual(await fakeHost({ capabilities: null }).fileCapabilities("/usr/bin/x"), null);
  strictEqual(fakeHost({ user: null }).userName(), null);
});
