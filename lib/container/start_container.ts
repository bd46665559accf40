/**
 * A container from an image or a rootfs directory: the image is found (or
 * pulled, per `pull`), its config applied with docker's rules, its layers
 * overlaid under a per-container upper directory, and the runtime started on
 * the result. The runtime itself never reaches the registry. The image path
 * loads lazily, so a rootfs run loads none of it.
 *
 * @module
 */
import { buildContainerConfig } from "../config/build_config.ts";
import type { ContainerOptions } from "../config/container_options.ts";
import { type RunningContainer, spawnConfigured } from "../runtime/run_container.ts";

export type { ContainerOptions } from "../config/container_options.ts";

/**
 * Starts a container from an image or a rootfs directory.
 *
 * @param options What to run, from what, and how.
 * @returns The running container.
 * @throws {UsageError} When neither or both of image and rootfs are given, or the image is missing.
 *
 * @example
 * ```ts ignore
 * const c = await startContainer({ image: "busybox", command: ["echo", "hi"], rm: true });
 * console.log((await c.status).exitCode);
 * ```
 */
export async function startContainer(options: ContainerOptions): Promise<RunningContainer> {
  const recorded = () => import("./start_image_container.ts");
  // A name, a --cidfile or --replace (which needs a name) make a record.
  if (
    options.rootfs === undefined || options.name !== undefined || options.cidFile !== undefined ||
    options.replace
  ) {
    return await (await recorded()).startImageContainer(options);
  }
  const config = buildContainerConfig(options, { onWarning: options.onWarning });
  if (config.network.mode === "network") {
    // On a user-defined network it needs a record (its members are listed by record).
    const { findNetwork } = await import("../network/network_record.ts");
    findNetwork(config.network.name);
    return await (await recorded()).startImageContainer(options, config);
  }
  // A rootfs run without a name keeps no record: the fast path.
  const joins = config.network.mode === "container" || config.pid?.mode === "container" ||
    config.ipc?.mode === "container";
  const internals = joins ? await import("./container_network.ts") : undefined;
  const shared = internals
    ? {
      ...internals.namespaceInternals(config),
      ...await internals.networkInternals(config.network),
    }
    : {};
  return await spawnConfigured(config, { ...shared, rootfs: options.rootfs }, options);
}
