/**
 * Check that this user may make user namespaces.
 *
 * @module
 */
import type { Check } from "./check.ts";
import type { Host } from "./host.ts";
import { usernsProblems } from "./_userns_problems.ts";

/**
 * Checks the sysctls that disable user namespaces for unprivileged users:
 * `user.max_user_namespaces` (and the other `user.max_*_namespaces` nook
 * needs) at 0, Debian's `kernel.unprivileged_userns_clone` at 0, Ubuntu's
 * `kernel.apparmor_restrict_unprivileged_userns` at 1.
 *
 * @param host The host to read.
 * @returns The `userns` check: `"error"` with every problem and fix, or `"ok"`.
 *
 * @example
 * ```ts
 * import { checkUserns } from "./check_userns.ts";
 * import { fakeHost } from "./fake_host.ts";
 * const host = fakeHost({ files: { "/proc/sys/user/max_user_namespaces": "0\n" } });
 * const check = await checkUserns(host);
 * console.assert(check.status === "error");
 * console.assert(check.fix?.startsWith("sudo sysctl -w user.max_user_namespaces=15000"));
 * ```
 */
export async function checkUserns(host: Host): Promise<Check> {
  const base = { id: "userns", title: "User namespaces" };
  const problems = await usernsProblems(host);
  if (problems.length === 0) {
    const max = (await host.readTextFile("/proc/sys/user/max_user_namespaces"))?.trim();
    const detail = max === undefined
      ? "no sysctl disables them"
      : `enabled (user.max_user_namespaces is ${max})`;
    return { ...base, status: "ok", detail };
  }
  return {
    ...base,
    status: "error",
    detail: problems.map((p) => p.sentence).join("; "),
    fix: problems.map((p) => p.fix).join("; "),
  };
}
