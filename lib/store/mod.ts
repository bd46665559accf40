/**
 * The store: verified blobs, unpacked layers and the image index under the
 * data directory, every shared write atomic and locked.
 *
 * @module
 */
export * from "./layout.ts";
export * from "./atomic_write.ts";
export * from "./lock.ts";
export * from "./image_index.ts";
