/**
 * Containers: an image (or rootfs) plus storage plus the runtime.
 *
 * @module
 */
export * from "./start_container.ts";
export * from "./run.ts";
