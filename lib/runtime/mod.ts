/**
 * The runtime: run a command in a container made from a root filesystem, and
 * exec further commands in it while it runs.
 *
 * @module
 */
export * from "./run_options.ts";
export * from "./run_container.ts";
export * from "./spawn_process.ts";
export * from "./exec_process.ts";
export * from "./exec_spec.ts";
export * from "./process_ref.ts";
export * from "./container_process.ts";
export * from "./process_io.ts";
export * from "./plan_steps.ts";
export * from "./container_spec.ts";
export * from "./mount_spec.ts";
export * from "./env_spec.ts";
export * from "./capabilities.ts";
export * from "./user_lookup.ts";
export * from "./in_root.ts";
export * from "./init_layer.ts";
export * from "./network_mode.ts";
export * from "./network_join.ts";
export * from "./defaults.ts";
export * from "./unshare.ts";
export * from "./probe_overlay.ts";
