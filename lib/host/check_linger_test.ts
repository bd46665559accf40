import { strictEqual } from "node:assert";
import { checkLinger } from "./check_linger.ts";
import { fakeHost } from "./fake_host.ts";

const dir = { isFile: false, isDirectory: true, uid: 0, mode: 0o755 };
const file = { isFile: true, isDirectory: false, uid: 0, mode: 0o644 };

Deno.test("checkLinger() warns with the fix on systemd when lingering is off", async () => {
  const host = fakeHost({ uid: 1000, user: "ann", stats: { "/run/systemd/system": dir } });
  const check = await checkLinger(host);
  strictEqual(check.status, "warn");
  strictEqual(check.fix, "loginctl enable-linger ann");
});

Deno.test("checkLinger() is ok when lingering is on, or without systemd", async () => {
  const on = fakeHost({
    uid: 1000,
    user: "ann",
    stats: { "/run/systemd/system": dir, "/var/lib/systemd/linger/ann": file },
  });
  strictEqual((await checkLinger(on)).status, "ok");
  strictEqual((await checkLinger(fakeHost({ uid: 1000, user: "ann" }))).status, "ok");
});
