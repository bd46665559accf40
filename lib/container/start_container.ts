/**
 * A container from an image or a rootfs directory: the image is found (or
 * pulled, per `pull`), its config applied with docker's rules, its layers
 * overlaid under a per-container upper directory, and the runtime started on
 * the result. The runtime itself never reaches the registry. The image path
 * loads lazily, so a rootfs run loads none of it.
 *
 * @module
 */
import { UsageError } from "../errors/mod.ts";
import { isUserNetwork } from "../runtime/network_mode.ts";
import type { PullEvent } from "../image/pull_image.ts";
import type { RegistryClientOptions } from "../registry/mod.ts";
import { type RunningContainer, spawnContainer } from "../runtime/run_container.ts";
import type { RunOptions } from "../runtime/run_options.ts";

/** Options of {@linkcode startContainer}: a rootfs run's, plus image ones. */
export interface ContainerOptions extends Omit<RunOptions, "rootfs"> {
  /** The image to run (a name, id or id prefix). */
  image?: string;
  /** Or a rootfs directory. */
  rootfs?: string;
  /** "missing" (default), "always" or "never". */
  pull?: "missing" | "always" | "never";
  /** `os/arch[/variant]` for a pull. */
  platform?: string;
  /** Remove the container's files when it exits. */
  rm?: boolean;
  /** overlay, fuse-overlayfs or vfs (default: `NOOK_STORAGE_DRIVER`, else the best that works). */
  storageDriver?: string;
  /** Registry settings for a pull. */
  registry?: RegistryClientOptions;
  /** Progress of a pull. */
  onPullProgress?: (event: PullEvent) => void;
  /** A unique name (default: a generated one). */
  name?: string;
  /** Labels: `KEY=VALUE` entries or a record. */
  labels?: readonly string[] | Record<string, string>;
  /** `--restart`: no, on-failure[:N], always, unless-stopped (applied to detached containers). */
  restart?: string;
  /** The signal `stop` sends first (default: the image's StopSignal, else SIGTERM). */
  stopSignal?: string;
  /** Seconds `stop` waits before SIGKILL (default 10). */
  stopTimeout?: number;
  /** `--log-opt` values: `max-size=10m`, `max-file=3`. */
  logOptions?: readonly string[];
}

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
  if ((options.image === undefined) === (options.rootfs === undefined)) {
    throw new UsageError("Give either an image or a rootfs directory to run");
  }
  const userNetwork = isUserNetwork(options.network);
  if (options.rootfs !== undefined && options.name === undefined && !userNetwork) {
    // A rootfs run without a name keeps no record: the fast path.
    const shared = options.network?.startsWith("container:")
      ? await (await import("./container_network.ts")).networkInternals(options.network)
      : {};
    return await spawnContainer({ ...options, rootfs: options.rootfs }, shared);
  }

  const { startImageContainer } = await import("./start_image_container.ts");
  return await startImageContainer(options);
}
