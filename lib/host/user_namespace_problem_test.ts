import { strictEqual } from "node:assert";
import { fakeHost } from "./fake_host.ts";
import { userNamespaceProblem } from "./user_namespace_problem.ts";

Deno.test("userNamespaceProblem() names user.max_user_namespaces", async () => {
  const host = fakeHost({ files: { "/proc/sys/user/max_user_namespaces": "0\n" } });
  strictEqual(
    await userNamespaceProblem(host),
    "User namespaces are disabled: user.max_user_namespaces is 0",
  );
});

Deno.test("userNamespaceProblem() names kernel.unprivileged_userns_clone", async () => {
  const host = fakeHost({ files: { "/proc/sys/kernel/unprivileged_userns_clone": "0\n" } });
  strictEqual(
    await userNamespaceProblem(host),
    "Unprivileged user namespaces are disabled: kernel.unprivileged_userns_clone is 0",
  );
});

Deno.test("userNamespaceProblem() names the AppArmor restriction", async () => {
  const host = fakeHost({
    files: { "/proc/sys/kernel/apparmor_restrict_unprivileged_userns": "1\n" },
  });
  strictEqual(
    await userNamespaceProblem(host),
    "AppArmor restricts unprivileged user namespaces: " +
      "kernel.apparmor_restrict_unprivileged_userns is 1",
  );
});

Deno.test("userNamespaceProblem() returns the first problem only", async () => {
  const host = fakeHost({
    files: {
      "/proc/sys/user/max_pid_namespaces": "0",
      "/proc/sys/user/max_user_namespaces": "0",
    },
  });
  strictEqual(
    await userNamespaceProblem(host),
    "User namespaces are disabled: user.max_user_namespaces is 0",
  );
});

Deno.test("userNamespaceProblem() returns null when nothing explains it", async () => {
  const host = fakeHost({
    files: {
      "/proc/sys/user/max_user_namespaces": "15000",
      "/proc/sys/kernel/unprivileged_userns_clone": "1",
      "/proc/sys/kernel/apparmor_restrict_unprivileged_userns": "0",
    },
  });
  strictEqual(await userNamespaceProblem(host), null);
});
