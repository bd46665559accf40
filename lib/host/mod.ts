/**
 * Facts about the host that nook needs (user namespaces, subordinate ids,
 * id-map helpers, cgroups, storage and network helpers), each check with a
 * fix. Everything reads the host through {@linkcode Host}, so tests use
 * {@linkcode fakeHost}.
 *
 * @example Run the checks on this machine
 * ```ts
 * import { realHost, runChecks } from "./mod.ts";
 * for (const check of await runChecks(realHost())) {
 *   console.log(check.id, check.status, check.detail);
 * }
 * ```
 *
 * @module
 */
export * from "./host.ts";
export * from "./real_host.ts";
export * from "./fake_host.ts";
export * from "./check.ts";
export * from "./parse_subid_file.ts";
export * from "./subid_ranges.ts";
export * from "./id_mapping.ts";
export * from "./detect_cgroups.ts";
export * from "./inspect_runtime_dir.ts";
export * from "./user_namespace_problem.ts";
export * from "./check_kernel.ts";
export * from "./check_userns.ts";
export * from "./check_subid.ts";
export * from "./check_idmap_helper.ts";
export * from "./check_cgroups.ts";
export * from "./check_overlay.ts";
export * from "./check_helper_tool.ts";
export * from "./check_runtime_dir.ts";
export * from "./check_linger.ts";
export * from "./run_checks.ts";
export * from "./host_info.ts";
