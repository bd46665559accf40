/**
 * The one message that says which limits were not applied, why, and how to
 * get them applied: a warning (`--cgroups=enabled`) or the error of
 * `--cgroups=required`.
 *
 * @module
 */
import type { Unapplied } from "./apply_limits.ts";
import {
  type CgroupPlacement,
  DELEGATE_FIX,
  type NoPlacement,
  UNIFY_FIX,
} from "./cgroup_placement.ts";
import { type LimitName, LIMITS } from "./resource_limits.ts";

/** What the message says. */
export interface LimitsProblem {
  /** Which limits and why ("--memory, --cpus: ..."). */
  what: string;
  /** How to get them applied. */
  fix: string;
}

function list(items: readonly string[]): string {
  return items.length <= 1
    ? items.join("")
    : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

function flags(limits: readonly LimitName[]): string {
  return limits.map((l) => LIMITS[l].flag).join(", ");
}

/** Why the placement's cgroup does not have `controllers`, and the fix. */
function controllerWhy(
  placement: CgroupPlacement,
  controllers: string[],
): { why: string; fix: string } {
  const names = `${list(controllers)} controller${controllers.length > 1 ? "s" : ""}`;
  const blocked = controllers.filter((c) => placement.blocked.includes(c));
  if (blocked.length === controllers.length) {
    return {
      why: `${placement.delegated} (${placement.source}) holds processes itself, so cgroup v2 ` +
        `lets it hand no ${names} down to new cgroups (the no-internal-process rule)`,
      fix: "give --cgroup-parent (or NOOK_CGROUP_PARENT) a cgroup delegated to you that holds " +
        "no process itself",
    };
  }
  if (placement.info.mode === "hybrid") {
    return {
      why: `the cgroup2 at ${placement.info.mount} has no ${names}: this host mounts cgroups ` +
        "in hybrid mode, where the controllers belong to the v1 hierarchies",
      fix: UNIFY_FIX,
    };
  }
  return {
    why: `the ${names} ${controllers.length > 1 ? "are" : "is"} not delegated to you in ` +
      `${placement.delegated} (${placement.source})`,
    fix: "have systemd delegate them: sudo mkdir -p /etc/systemd/system/user@.service.d && " +
      "printf '[Service]\\nDelegate=cpu cpuset io memory pids\\n' | sudo tee " +
      "/etc/systemd/system/user@.service.d/delegate.conf && sudo systemctl daemon-reload " +
      `(then log in again); or ${DELEGATE_FIX}`,
  };
}

/**
 * Words the limits a container's cgroup could not apply.
 *
 * @param placement Where the cgroup is.
 * @param unapplied What it could not apply.
 * @returns What and how to fix it.
 *
 * @example
 * ```ts ignore
 * const { what, fix } = unappliedProblem(placement, made.unapplied);
 * ```
 */
export function unappliedProblem(
  placement: CgroupPlacement,
  unapplied: readonly Unapplied[],
): LimitsProblem {
  const parts: string[] = [];
  const fixes: string[] = [];
  const byController = unapplied.filter((u) => u.why === "controller");
  if (byController.length > 0) {
    const controllers = [...new Set(byController.map((u) => u.controller))];
    const { why, fix } = controllerWhy(placement, controllers);
    parts.push(`${flags(byController.map((u) => u.limit))}: ${why}`);
    fixes.push(fix);
  }
  for (const u of unapplied.filter((u) => u.why === "file")) {
    parts.push(`${LIMITS[u.limit].flag}: this kernel's cgroups have no ${u.file}`);
    fixes.push(
      u.file === "memory.swap.max"
        ? "turn on swap accounting (a kernel with CONFIG_MEMCG_SWAP, booted without swapaccount=0)"
        : `use a kernel whose cgroups have ${u.file}`,
    );
  }
  return { what: parts.join("; "), fix: fixes.join("; ") };
}

/**
 * Words limits asked for where no container can have a cgroup.
 *
 * @param none Why there is no placement.
 * @param limits The limits asked for.
 * @returns What and how to fix it.
 *
 * @example
 * ```ts ignore
 * const { what, fix } = noPlacementProblem(none, ["memory"]);
 * ```
 */
export function noPlacementProblem(none: NoPlacement, limits: readonly LimitName[]): LimitsProblem {
  return { what: `${flags(limits)}: ${none.reason}`, fix: none.fix };
}
