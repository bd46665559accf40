/**
 * Where a container's files are: the directories its root is stacked from,
 * by its storage driver. overlay and fuse-overlayfs: the upper directory
 * (`upper/`) over the image's layers; vfs: the full copy (`rootfs/`), with
 * the image's layers only to compare it with.
 *
 * @module
 */
import { NookError } from "../errors/mod.ts";
import { STORAGE_DRIVERS, type StorageDriverName } from "../storage/mod.ts";
import { type ImageRecord, layerPath, readIndex, storeLayout } from "../store/mod.ts";
import { findContainerDir } from "./find_container_dir.ts";
import type { TreeLayer } from "./layered_tree.ts";
import { sys } from "../sys/sys.ts";

/** A container's file system, as its directories. */
export interface ContainerFilesystem {
  /** The container's id. */
  id: string;
  /** Its directory. */
  dir: string;
  /** Its `container.json`. */
  record: Record<string, unknown>;
  /** Its storage driver. */
  driver: StorageDriverName;
  /** The image it was made from. */
  image: ImageRecord;
  /** The directory its changes are in: the upper directory, or the vfs copy. */
  top: TreeLayer;
  /** The image's layers, top first. */
  lowers: TreeLayer[];
  /** The stack the container sees, top first. */
  merged: TreeLayer[];
}

function exists(path: string): boolean {
  try {
    return sys.lstat(path) !== null;
  } catch {
    return false;
  }
}

/**
 * The file system of the container `ref` names.
 *
 * @param ref A container id, id prefix or name.
 * @returns Its directories.
 * @throws {UsageError} "No such container: REF".
 * @throws {NookError} When its image or its files are gone.
 *
 * @example
 * ```ts ignore
 * import { containerFilesystem } from "./container_filesystem.ts";
 * const fs = containerFilesystem("f45a27");
 * console.log(fs.driver, fs.top.path);
 * ```
 */
export function containerFilesystem(ref: string): ContainerFilesystem {
  const { id, dir, record } = findContainerDir(ref);
  const layout = storeLayout();
  const imageId = record.image;
  const image = readIndex(layout).images.find((i) => i.id === imageId);
  if (typeof imageId !== "string" || !image) {
    throw new NookError(
      `Cannot read the files of container ${id.slice(0, 12)}: its image ` +
        `${typeof imageId === "string" ? imageId.slice(7, 19) : "(unknown)"} is not in the store`,
    );
  }
  const named = record.storageDriver;
  const driver: StorageDriverName = (STORAGE_DRIVERS as readonly unknown[]).includes(named)
    ? named as StorageDriverName
    : exists(`${dir}/rootfs`)
    ? "vfs"
    : "overlay";
  const top: TreeLayer = driver === "vfs"
    ? { path: `${dir}/rootfs`, style: "none" }
    : { path: `${dir}/upper`, style: driver === "overlay" ? "overlay" : "fuse-overlayfs" };
  if (!exists(top.path)) {
    throw new NookError(
      `Cannot read the files of container ${id.slice(0, 12)}: '${top.path}' is missing`,
    );
  }
  const lowers: TreeLayer[] = [...image.chainIds].reverse().map((c) => ({
    path: `${layerPath(layout, c)}/diff`,
    style: "overlay",
  }));
  return {
    id,
    dir,
    record,
    driver,
    image,
    top,
    lowers,
    merged: driver === "vfs" ? [top] : [top, ...lowers],
  };
}
