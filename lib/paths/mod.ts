/**
 * nook's directories: data (images, containers) and runtime state.
 *
 * @module
 */
export * from "./dirs.ts";
