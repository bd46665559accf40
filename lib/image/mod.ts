/**
 * Images: configs, lookup, and pulling (pull_image.ts, loaded only when pulling).
 *
 * @module
 */
export * from "./image_config.ts";
export * from "./find_image.ts";
export * from "./read_image_config.ts";
