import { strictEqual } from "node:assert";
import { checkUserns } from "./check_userns.ts";
import { fakeHost } from "./fake_host.ts";

const ENABLED = {
  "/proc/sys/user/max_user_namespaces": "63000\n",
  "/proc/sys/user/max_mnt_namespaces": "63000\n",
};

Deno.test("checkUserns() is ok when no sysctl disables user namespaces", async () => {
  const check = await checkUserns(fakeHost({ files: ENABLED }));
  strictEqual(check.status, "ok");
  strictEqual(check.detail, "enabled (user.max_user_namespaces is 63000)");
  strictEqual(check.fix, undefined);
});

Deno.test("checkUserns() errors on user.max_user_namespaces = 0", async () => {
  const files = { ...ENABLED, "/proc/sys/user/max_user_namespaces": "0\n" };
  const check = await checkUserns(fakeHost({ files }));
  strictEqual(check.status, "error");
  strictEqual(check.detail, "User namespaces are disabled: user.max_user_namespaces is 0");
  strictEqual(
    check.fix,
    "sudo sysctl -w user.max_user_namespaces=15000 (persist it in /etc/sysctl.d/)",
  );
});

Deno.test("checkUserns() errors on kernel.unprivileged_userns_clone = 0", async () => {
  const files = { ...ENABLED, "/proc/sys/kernel/unprivileged_userns_clone": "0\n" };
  const check = await checkUserns(fakeHost({ files }));
  strictEqual(check.status, "error");
  strictEqual(
    check.detail,
    "Unprivileged user namespaces are disabled: kernel.unprivileged_userns_clone is 0",
  );
  strictEqual(
    check.fix,
    "sudo sysctl -w kernel.unprivileged_userns_clone=1 (persist it in /etc/sysctl.d/)",
  );
});

Deno.test("checkUserns() errors on kernel.apparmor_restrict_unprivileged_userns = 1", async () => {
  const files = { ...ENABLED, "/proc/sys/kernel/apparmor_restrict_unprivileged_userns": "1\n" };
  const check = await checkUserns(fakeHost({ files }));
  strictEqual(check.status, "error");
  strictEqual(
    check.detail,
    "AppArmor restricts unprivileged user namespaces: " +
      "kernel.apparmor_restrict_unprivileged_userns is 1",
  );
  strictEqual(
    check.fix?.startsWith("sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0"),
    true,
  );
  strictEqual(check.fix?.includes("AppArmor profile"), true);
});

Deno.test("checkUserns() errors on user.max_mnt_namespaces = 0", async () => {
  const files = { ...ENABLED, "/proc/sys/user/max_mnt_namespaces": "0\n" };
  const check = await checkUserns(fakeHost({ files }));
  strictEqual(check.status, "error");
  strictEqual(check.detail, "Mount namespaces are disabled: user.max_mnt_namespaces is 0");
  strictEqual(check.fix?.startsWith("sudo sysctl -w user.max_mnt_namespaces=15000"), true);
});

Deno.test("checkUserns() lists every problem and every fix", async () => {
  const files = {
    "/proc/sys/user/max_user_namespaces": "0",
    "/proc/sys/kernel/unprivileged_userns_clone": "0",
  };
  const check = await checkUserns(fakeHost({ files }));
  strictEqual(check.detail.split("; ").length, 2);
  strictEqual(check.fix?.split("; ").length, 2);
});

Deno.test("checkUserns() ignores the unprivileged-only sysctls for root", async () => {
  const files = {
    ...ENABLED,
    "/proc/sys/kernel/unprivileged_userns_clone": "0",
    "/proc/sys/kernel/apparmor_restrict_unprivileged_userns": "1",
  };
  strictEqual((await checkUserns(fakeHost({ uid: 0, user: "root", files }))).status, "ok");
});

Deno.test("checkUserns() is ok on a kernel without these sysctls", async () => {
  const check = await checkUserns(fakeHost());
  strictEqual(check.status, "ok");
  strictEqual(check.detail, "no sysctl disables them");
});
