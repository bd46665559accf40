/**
 * The image half of {@linkcode startContainer}: choose the storage driver,
 * find or pull the image, apply its config, make the rootfs from its layers
 * with the driver, start the runtime, remove the container's files on `rm`.
 *
 * @module
 */
import { loadShim } from "../../shim/binding.ts";
import { UsageError } from "../errors/mod.ts";
import { parseMount, parseTmpfs, parseVolume } from "../runtime/mount_spec.ts";
import { anonymousVolumes } from "./anonymous_volumes.ts";
import { sys } from "../sys/mod.ts";
import { applyImageConfig, findImage, readImageConfig } from "../image/mod.ts";
import { removeTree } from "../layers/remove_tree.ts";
import { newId, type RunningContainer, spawnContainer } from "../runtime/run_container.ts";
import { chooseStorageDriver, prepareRootfs, requestedStorageDriver } from "../storage/mod.ts";
import { type ImageRecord, layerPath, storeLayout, writeFileAtomic } from "../store/mod.ts";
import type { ContainerOptions } from "./start_container.ts";

async function resolveImage(options: ContainerOptions): Promise<ImageRecord> {
  const layout = storeLayout();
  const name = options.image!;
  const policy = options.pull ?? "missing";
  if (!["missing", "always", "never"].includes(policy)) {
    throw new UsageError(`Invalid --pull '${policy}': use missing, always or never`);
  }
  const found = policy === "always" ? null : findImage(layout, name);
  if (found) return found;
  if (policy === "never") {
    throw new UsageError(
      `Image '${name}' is not in the store and --pull=never was given; pull it first`,
    );
  }
  const { pullImage } = await import("../image/pull_image.ts");
  return await pullImage(name, {
    platform: options.platform,
    registry: options.registry,
    onProgress: options.onPullProgress,
    onWarning: options.onWarning,
  });
}

/**
 * Reads a file of the image as its container will see it, from the layers
 * (the merged root is only mounted inside the container): the topmost layer
 * that has it wins; a whiteout, or an opaque directory above, hides it.
 * For /etc/passwd and /etc/group lookups (`-u NAME`, `USER name`).
 *
 * @param layers Layer directories, bottom first.
 * @returns The reader.
 */
function layeredReader(layers: readonly string[]): (path: string) => string | null {
  const top = [...layers].reverse();
  return (path) => {
    const rel = path.replace(/^\/+/, "");
    const parents = rel.split("/").slice(0, -1).map((_, i, a) => a.slice(0, i + 1).join("/"));
    for (const layer of top) {
      const st = sys.lstat(`${layer}/${rel}`);
      if (st?.isFile) return sys.readText(`${layer}/${rel}`);
      if (st) return null; // a whiteout (or a link or dir where a file was asked for)
      const shim = loadShim();
      const opaque = parents.some((p) => {
        const v = shim.lgetxattr(`${layer}/${p}`, "user.overlay.opaque");
        return typeof v !== "number" && v[0] === 0x79;
      });
      if (opaque) return null;
    }
    return null;
  };
}

/** Container paths the user mounts something on (-v, --tmpfs, --mount). */
function userMountTargets(options: ContainerOptions): string[] {
  const cwd = sys.env("PWD") ?? "/";
  return [
    ...(options.volumes ?? []).map((v) => typeof v === "string" ? parseVolume(v, cwd) : v),
    ...(options.tmpfs ?? []).map(parseTmpfs),
    ...(options.mounts ?? []).map((m) => parseMount(m, cwd)),
  ].map((m) => m.target);
}

/**
 * Starts a container from `options.image`.
 *
 * @param options What to run and how.
 * @returns The running container.
 * @throws {UsageError} When the image is missing (with `pull: "never"`), has no command,
 *   or the storage driver is not one.
 *
 * @example
 * ```ts ignore
 * await startImageContainer({ image: "busybox", command: ["true"] });
 * ```
 */
export async function startImageContainer(options: ContainerOptions): Promise<RunningContainer> {
  requestedStorageDriver(options.storageDriver); // a bad name fails before any pull
  const image = await resolveImage(options);
  const layout = storeLayout();
  const config = readImageConfig(layout, image);
  const plan = applyImageConfig(config.config ?? {}, {
    command: options.command,
    entrypoint: options.entrypoint === undefined ? undefined : options.entrypoint.join(" "),
    workdir: options.workdir,
    user: options.user,
  });
  if (plan.argv.length === 0) {
    throw new UsageError(`Image '${options.image}' has no command: give one after the image name`);
  }
  const storage = await chooseStorageDriver({
    requested: options.storageDriver,
    onWarning: options.onWarning,
  });
  const id = newId();
  const dir = `${layout.root}/containers/${id}`;
  Deno.mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    // First, so that an rmi running while the rootfs is prepared (a vfs copy) sees the container.
    writeFileAtomic(
      `${dir}/container.json`,
      JSON.stringify(
        {
          id,
          image: image.id,
          imageName: options.image,
          command: plan.argv,
          storageDriver: storage.driver,
          created: new Date().toISOString(),
        },
        null,
        2,
      ) + "\n",
    );
    const layers = image.chainIds.map((c) => `${layerPath(layout, c)}/diff`);
    const prepared = await prepareRootfs(storage, { layers, containerDir: dir });
    const taken = new Set(userMountTargets(options));
    const volumes = await anonymousVolumes(
      Object.keys(config.config?.Volumes ?? {}),
      layers,
      dir,
      taken,
    );
    const container = await spawnContainer(
      {
        ...options,
        rootfs: prepared.rootfs,
        volumes: [...(options.volumes ?? []), ...volumes],
        command: plan.argv,
        entrypoint: undefined,
        workdir: plan.workdir,
        user: plan.user,
      },
      { id, rootfsSetup: prepared.setup, imageEnv: plan.env, readFile: layeredReader(layers) },
    ).catch((err) => {
      throw prepared.explain(err);
    });
    const status = container.status.then(async (s) => {
      if (options.rm) await removeTree(dir);
      return s;
    });
    return { ...container, status, kill: container.kill };
  } catch (err) {
    await removeTree(dir).catch(() => {});
    throw err;
  }
}
