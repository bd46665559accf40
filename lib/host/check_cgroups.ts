/**
 * Check that nook can give containers cgroups of their own and apply limits.
 *
 * @module
 */
import { findCgroupPlacement } from "../cgroups/cgroup_placement.ts";
import { unappliedProblem } from "../cgroups/limits_warning.ts";
import { type LimitName, LIMITS } from "../cgroups/resource_limits.ts";
import type { Check } from "./check.ts";
import type { CgroupInfo } from "./detect_cgroups.ts";
import type { Host } from "./host.ts";

/** Controllers that carry the limits nook sets (--memory, --pids-limit, --cpus). */
const WANTED = ["cpu", "memory", "pids"];

/**
 * The hierarchy in words: "v2", "hybrid (v1 controllers, cgroup2 at M)", "v1 only", "none".
 *
 * @param info What detectCgroups found.
 * @returns The words.
 *
 * @example
 * ```ts
 * import { cgroupModeText } from "./check_cgroups.ts";
 * console.assert(cgroupModeText({ mode: "v1" } as never) === "v1 only");
 * ```
 */
export function cgroupModeText(info: Pick<CgroupInfo, "mode" | "mount">): string {
  switch (info.mode) {
    case "v2":
      return "v2";
    case "hybrid":
      return `hybrid (v1 controllers, cgroup2 at ${info.mount})`;
    case "v1":
      return "v1 only";
    case "none":
      return "none";
  }
}

/**
 * Checks where containers' cgroups would go (a cgroup2 subtree delegated to
 * the user) and that it has the cpu, memory and pids controllers; anything
 * less is a warning, with the fix: `systemd.unified_cgroup_hierarchy=1`,
 * `Delegate=`, or `--cgroup-parent`.
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
  const placement = await findCgroupPlacement(host);
  const mode = cgroupModeText(placement.info);
  if (!placement.ok) {
    return {
      ...base,
      status: "warn",
      detail: `${mode}: containers get no cgroup of their own and limits are not applied: ` +
        placement.reason,
      fix: placement.fix,
    };
  }
  const where = `containers' cgroups in ${placement.base} (${placement.source})`;
  const missing = WANTED.filter((c) => !placement.controllers.includes(c));
  if (missing.length > 0) {
    const names = (Object.keys(LIMITS) as LimitName[]).filter((l) =>
      missing.includes(LIMITS[l].controller)
    );
    const { what, fix } = unappliedProblem(
      placement,
      names.map((limit) => ({ limit, controller: LIMITS[limit].controller, why: "controller" })),
    );
    return {
      ...base,
      status: "warn",
      detail: `${mode}, ${where}, but these limits are not applied: ${what}`,
      fix,
    };
  }
  return {
    ...base,
    status: "ok",
    detail: `${mode}, ${where} (controllers: ${placement.controllers.join(" ")})`,
  };
}
