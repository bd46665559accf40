/**
 * Storage drivers: how a container's root filesystem is made from image
 * layers. `overlay` mounts kernel overlayfs inside the container's user
 * namespace, `fuse-overlayfs` does the same with the FUSE program, `vfs`
 * copies the image; {@linkcode chooseStorageDriver} picks one (asked for, or
 * the best the host offers) and {@linkcode prepareRootfs} uses it.
 *
 * @module
 */
export * from "./storage_driver.ts";
export * from "./choose_storage_driver.ts";
export * from "./prepare_rootfs.ts";
export * from "./overlay.ts";
export * from "./fuse_overlay.ts";
export * from "./vfs.ts";
