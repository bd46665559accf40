/**
 * Check that nook can apply resource limits.
 *
 * @module
 */
import type { Check } from "./check.ts";
import type { Host } from "./host.ts";
import { detectCgroups } from "./detect_cgroups.ts";

/** Controllers that carry the limits nook sets (--memory, --pids-limit, --cpus). */
const WANTED = ["cpu", "memory", "pids"];

const UNIFY_FIX = "boot with systemd.unified_cgroup_hierarchy=1 (add it to GRUB_CMDLINE_LINUX " +
  "in /etc/default/grub, then sudo update-grub and reboot), and set Delegate=yes for user@.service";
const DELEGATE_FIX = "sudo mkdir -p /etc/systemd/system/user@.service.d && " +
  "printf '[Service]\\nDelegate=cpu cpuset io memory pids\\n' | " +
  "sudo tee /etc/systemd/system/user@.service.d/delegate.conf && " +
  "sudo systemctl daemon-reload (then log in again)";
const SCOPE_FIX =
  "run nook in a delegated scope: systemd-run --user --scope -p Delegate=yes nook ...";

/**
 * Checks the cgroup hierarchy. Only a cgroup2 this user may write, with the
 * cpu, memory and pids controllers, lets nook apply limits; anything else is
 * a warning, with a fix that names `systemd.unified_cgroup_hierarchy=1` or
 * `Delegate=`.
 *
 * @param host The host to read.
 * @returns The `cgroups` check.
 *
 * @example
 * ```ts
 * import { checkCgroups } from "./check_cgroups.ts";
 * import { fakeHost } from "./fake_host.ts";
 * const host = fakeHost({ files: { "/proc/self/cgroup": "4:memory:/user.slice\n" } });
 * const check = await checkCgroups(host);
 * console.assert(check.status === "warn" && check.detail.startsWith("v1"));
 * ```
 */
export async function checkCgroups(host: Host): Promise<Check> {
  const base = { id: "cgroups", title: "Cgroups" };
  const info = await detectCgroups(host);
  switch (info.mode) {
    case "none":
      return {
        ...base,
        status: "warn",
        detail: "no cgroup filesystem found: limits are not applied",
        fix: "sudo mount -t cgroup2 none /sys/fs/cgroup",
      };
    case "v1":
      return {
        ...base,
        status: "warn",
        detail: "v1 only: limits are not applied",
        fix: UNIFY_FIX,
      };
    case "hybrid":
      return {
        ...base,
        status: "warn",
        detail: `hybrid (v1 controllers, cgroup2 at ${info.mount}): limits are not applied`,
        fix: UNIFY_FIX,
      };
  }
  if (info.path === null) {
    return {
      ...base,
      status: "warn",
      detail: "v2, but /proc/self/cgroup has no '0::' line: limits are not applied",
    };
  }
  const where = info.path;
  if (!info.writable) {
    return {
      ...base,
      status: "warn",
      detail: `v2, but your cgroup ${where} is not writable by you: limits are not applied`,
      fix: SCOPE_FIX,
    };
  }
  const missing = WANTED.filter((c) => !info.controllers.includes(c));
  if (missing.length > 0) {
    return {
      ...base,
      status: "warn",
      detail: `v2 at ${where}, but controllers ${
        missing.map((c) => `'${c}'`).join(", ")
      } are not delegated to you: those limits are not applied`,
      fix: DELEGATE_FIX,
    };
  }
  return {
    ...base,
    status: "ok",
    detail: `v2 at ${where} (controllers: ${info.controllers.join(" ")})`,
  };
}
