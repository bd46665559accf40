/**
 * The image half of {@linkcode startContainer}: find or pull the image, apply
 * its config, overlay its layers, start the runtime, remove the container's
 * files on `rm`.
 *
 * @module
 */
import { UsageError } from "../errors/mod.ts";
import { applyImageConfig, findImage, readImageConfig } from "../image/mod.ts";
import { removeTree } from "../layers/remove_tree.ts";
import { newId, type RunningContainer, spawnContainer } from "../runtime/run_container.ts";
import { overlayRootfs } from "../storage/mod.ts";
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
 * Starts a container from `options.image`.
 *
 * @param options What to run and how.
 * @returns The running container.
 * @throws {UsageError} When the image is missing (with `pull: "never"`) or has no command.
 *
 * @example
 * ```ts ignore
 * await startImageContainer({ image: "busybox", command: ["true"] });
 * ```
 */
export async function startImageContainer(options: ContainerOptions): Promise<RunningContainer> {
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
  const id = newId();
  const dir = `${layout.root}/containers/${id}`;
  Deno.mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    const { rootfs, setup } = overlayRootfs({
      layers: image.chainIds.map((c) => `${layerPath(layout, c)}/diff`),
      containerDir: dir,
    });
    writeFileAtomic(
      `${dir}/container.json`,
      JSON.stringify(
        {
          id,
          image: image.id,
          imageName: options.image,
          command: plan.argv,
          created: new Date().toISOString(),
        },
        null,
        2,
      ) + "\n",
    );
    const container = await spawnContainer(
      {
        ...options,
        rootfs,
        command: plan.argv,
        entrypoint: undefined,
        workdir: plan.workdir,
        user: plan.user,
      },
      { id, rootfsSetup: setup, imageEnv: plan.env },
    );
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
