import { strictEqual } from "node:assert";
import { checkSubid } from "./check_subid.ts";
import { fakeHost } from "./fake_host.ts";

Deno.test("checkSubid() is ok with a full range and lists the ranges", async () => {
  const host = fakeHost({
    user: "alice",
    files: { "/etc/subuid": "alice:100000:65536\n1000:300000:10\n" },
  });
  const check = await checkSubid(host, "uid");
  strictEqual(check.id, "subuid");
  strictEqual(check.status, "ok");
  strictEqual(check.detail, "100000-165535, 300000-300009");
});

Deno.test("checkSubid() warns when the file is missing and says nook maps one id", async () => {
  const check = await checkSubid(fakeHost({ user: "alice" }), "gid");
  strictEqual(check.id, "subgid");
  strictEqual(check.status, "warn");
  strictEqual(
    check.detail,
    "/etc/subgid does not exist: nook maps only your own gid into containers",
  );
  strictEqual(check.fix, "sudo usermod --add-subgids 100000-165535 alice");
});

Deno.test("checkSubid() warns when the user has no range and picks a free one", async () => {
  const host = fakeHost({
    user: "alice",
    uid: 1000,
    files: { "/etc/subuid": "bob:100000:65536\ncarol:165536:65536\n" },
  });
  const check = await checkSubid(host, "uid");
  strictEqual(check.status, "warn");
  strictEqual(
    check.detail,
    "no range for 'alice' (uid 1000) in /etc/subuid: nook maps only your own uid into containers",
  );
  strictEqual(check.fix, "sudo usermod --add-subuids 231072-296607 alice");
});

Deno.test("checkSubid() warns about a range smaller than 65536 ids", async () => {
  const host = fakeHost({ user: "alice", files: { "/etc/subuid": "alice:100000:1000\n" } });
  const check = await checkSubid(host, "uid");
  strictEqual(check.status, "warn");
  strictEqual(check.detail.startsWith("only 1000 ids for 'alice' (uid 1000)"), true);
});

Deno.test("checkSubid() fixes a nameless uid by appending to the file", async () => {
  const host = fakeHost({ user: null, uid: 1234, files: { "/etc/subuid": "" } });
  const check = await checkSubid(host, "uid");
  strictEqual(
    check.detail,
    "no range for uid 1234 in /etc/subuid: nook maps only your own uid into containers",
  );
  strictEqual(check.fix, "echo '1234:100000:65536' | sudo tee -a /etc/subuid");
});
