/**
 * Storage drivers: how a container's root filesystem is made from image layers.
 *
 * @module
 */
export * from "./overlay.ts";
