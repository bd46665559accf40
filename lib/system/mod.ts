/**
 * The whole store at once: `system prune` and `system reset`.
 *
 * @module
 */
export * from "./prune_system.ts";
export * from "./reset_store.ts";
