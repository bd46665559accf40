/**
 * The containers in the store, as far as images care: which image each one
 * uses, and whether it is running. A container exists while its directory
 * `<data>/containers/<id>/` does; `container.json` in it names its image.
 *
 * @module
 */
import { containerStatus } from "../records/container_state.ts";
import type { StoreLayout } from "../store/mod.ts";
import { sys } from "../sys/sys.ts";

/** A container, seen from the image store. */
export interface ContainerUse {
  /** Container id. */
  id: string;
  /** Its directory. */
  dir: string;
  /**
   * Id of the image it was made from; undefined while the container is being
   * created (no `container.json` yet) or when the file is unreadable.
   */
  image?: string;
}

/**
 * The directory that holds the containers.
 *
 * @param layout The store.
 * @returns `<data>/containers`.
 *
 * @example
 * ```ts ignore
 * containersDir(layout); // /home/u/.local/share/nook/containers
 * ```
 */
export function containersDir(layout: StoreLayout): string {
  return `${layout.root}/containers`;
}

/**
 * Every container in the store.
 *
 * @param layout The store.
 * @returns The containers (empty when there are none).
 *
 * @example
 * ```ts
 * import { storeLayout } from "../store/mod.ts";
 * import { listContainers } from "./list_containers.ts";
 * const dir = Deno.makeTempDirSync();
 * Deno.mkdirSync(`${dir}/containers/abc`, { recursive: true });
 * Deno.writeTextFileSync(`${dir}/containers/abc/container.json`, '{"id":"abc","image":"sha256:1"}');
 * console.assert(listContainers(storeLayout(dir))[0].image === "sha256:1");
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export function listContainers(layout: StoreLayout): ContainerUse[] {
  const root = containersDir(layout);
  const out: ContainerUse[] = [];
  for (const name of sys.readDir(root)) {
    if (!sys.lstat(`${root}/${name}`)?.isDirectory) continue;
    const dir = `${root}/${name}`;
    let image: string | undefined;
    try {
      const doc = JSON.parse(sys.readText(`${dir}/container.json`) ?? "null");
      if (typeof doc?.image === "string") image = doc.image;
    } catch {
      // being created, or damaged: it exists, its image is unknown
    }
    out.push({ id: name, dir, image });
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

/**
 * Whether a container exists.
 *
 * @param layout The store.
 * @param id Its id.
 * @returns True while its directory exists.
 *
 * @example
 * ```ts ignore
 * if (!containerExists(layout, id)) console.log("gone");
 * ```
 */
export function containerExists(layout: StoreLayout, id: string): boolean {
  if (id === "" || id.includes("/") || id === "." || id === "..") return false;
  try {
    return sys.lstat(`${containersDir(layout)}/${id}`)?.isDirectory ?? false;
  } catch {
    return false;
  }
}

/**
 * Whether a container is running (or restarting), by its state file checked
 * against the live system (see lib/records/container_state.ts).
 *
 * @param id The container's id.
 * @returns True while its first process (or its monitor, between restarts) lives.
 *
 * @example
 * ```ts ignore
 * isContainerRunning(container.id);
 * ```
 */
export function isContainerRunning(id: string): boolean {
  const s = containerStatus(id).status;
  return s === "running" || s === "restarting";
}
