/**
 * Errors nook reports, with the exit codes the CLI maps them to.
 *
 * @module
 */
export * from "./nook_error.ts";
export * from "./errno.ts";
