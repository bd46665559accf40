import { deepStrictEqual } from "node:assert";
import { fakeHost, type FakeHostOptions } from "./fake_host.ts";
import { idMapping } from "./id_mapping.ts";

const SETUID = { mode: 0o4755, uid: 0 };
const READY: FakeHostOptions = {
  user: "alice",
  files: { "/etc/subuid": "alice:100000:65536\n", "/etc/subgid": "alice:200000:65536\n" },
  executables: { newuidmap: "/usr/bin/newuidmap", newgidmap: "/usr/bin/newgidmap" },
  stats: { "/usr/bin/newuidmap": SETUID, "/usr/bin/newgidmap": SETUID },
};

Deno.test("idMapping() maps subordinate ranges when ranges and helpers are there", async () => {
  deepStrictEqual(await idMapping(fakeHost(READY)), {
    mode: "subid",
    uidRanges: [{ start: 100000, count: 65536 }],
    gidRanges: [{ start: 200000, count: 65536 }],
    newuidmap: "/usr/bin/newuidmap",
    newgidmap: "/usr/bin/newgidmap",
  });
});

Deno.test("idMapping() is single without subgid ranges", async () => {
  const host = fakeHost({ ...READY, files: { "/etc/subuid": "alice:100000:65536\n" } });
  deepStrictEqual(await idMapping(host), { mode: "single", reason: "no range in /etc/subgid" });
});

Deno.test("idMapping() is single when newgidmap is missing", async () => {
  const host = fakeHost({ ...READY, executables: { newuidmap: "/usr/bin/newuidmap" } });
  deepStrictEqual(await idMapping(host), {
    mode: "single",
    reason: "newgidmap is not found on PATH",
  });
});
