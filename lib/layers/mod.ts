/**
 * Layers on disk: unpacking them as root in the user namespace, removing them;
 * and the start-up of every worker nook runs there.
 *
 * @module
 */
export * from "./unpack_in_userns.ts";
export * from "./remove_tree.ts";
export * from "./spread_layers.ts";
export * from "./start_userns_worker.ts";
export * from "./userns_worker_main.ts";
