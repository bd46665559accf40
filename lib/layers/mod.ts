/**
 * Layers on disk: unpacking them as root in the user namespace, removing them.
 *
 * @module
 */
export * from "./unpack_in_userns.ts";
export * from "./remove_tree.ts";
