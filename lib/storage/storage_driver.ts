/**
 * The storage driver names and their validation.
 *
 * @module
 */
import { UsageError } from "../errors/mod.ts";

/** The storage drivers, best first. */
export const STORAGE_DRIVERS = ["overlay", "fuse-overlayfs", "vfs"] as const;

/**
 * How a container's rootfs is made from image layers: `overlay` (kernel
 * overlayfs in the user namespace), `fuse-overlayfs` (the same in FUSE) or
 * `vfs` (a full copy).
 */
export type StorageDriverName = typeof STORAGE_DRIVERS[number];

/**
 * Checks a storage driver name.
 *
 * @param value The name as given.
 * @param source Where it came from, for the message ("--storage-driver").
 * @returns The name.
 * @throws {UsageError} When it is not a storage driver.
 *
 * @example
 * ```ts
 * import { parseStorageDriver } from "./storage_driver.ts";
 * console.assert(parseStorageDriver("vfs", "--storage-driver") === "vfs");
 * ```
 */
export function parseStorageDriver(value: string, source: string): StorageDriverName {
  if ((STORAGE_DRIVERS as readonly string[]).includes(value)) return value as StorageDriverName;
  throw new UsageError(
    `Invalid storage driver '${value}' (from ${source}): use ${
      STORAGE_DRIVERS.slice(0, -1).join(", ")
    } or ${STORAGE_DRIVERS.at(-1)}`,
  );
}
