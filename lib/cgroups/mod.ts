/**
 * cgroup v2 for rootless containers: where the host delegates a subtree to
 * the user, each container gets a cgroup of its own (made before its first
 * process is cloned into it, removed when it ends) carrying docker's
 * resource limits; where it does not, containers run without, and one
 * warning says which limits were not applied, why, and how to fix it.
 *
 * @example Where would containers' cgroups go?
 * ```ts
 * import { findCgroupPlacement } from "./mod.ts";
 * import { realHost } from "../host/real_host.ts";
 * const p = await findCgroupPlacement(realHost());
 * console.log(p.ok ? `in ${p.base}` : `nowhere: ${p.reason}`);
 * ```
 *
 * @module
 */
export * from "./resource_limits.ts";
export * from "./parse_limits.ts";
export * from "./limit_writes.ts";
export * from "./apply_limits.ts";
export * from "./cgroup_placement.ts";
export * from "./make_container_cgroup.ts";
export * from "./limits_warning.ts";
export * from "./prepare_container_cgroup.ts";
export * from "./container_cgroup_dir.ts";
export * from "./inspect_limits.ts";
export * from "./freeze.ts";
export * from "./kill_all.ts";
export * from "./memory_events.ts";
export * from "./cgroup_stats.ts";
