/**
 * The recorded half of {@linkcode startContainer}: create the container
 * (image found or pulled, options stored, a name), start it in the
 * foreground, and remove it afterwards with `rm`, or when it could not start.
 *
 * @module
 */
import type { ContainerConfig } from "../config/container_config.ts";
import { trace } from "../sys/mod.ts";
import { removeContainer } from "./remove_container.ts";
import type { RunningContainer } from "../runtime/run_container.ts";
import { createContainer } from "./create_container.ts";
import { launchForeground } from "./launch_container.ts";
import type { ContainerOptions } from "./start_container.ts";

/**
 * Creates and starts a container in the foreground.
 *
 * @param options What to run and how.
 * @param built Its config, when the caller built it already from these options.
 * @returns The running container.
 * @throws {UsageError} When the image is missing (with `pull: "never"`), has no command,
 *   the name is taken, or the storage driver is not one.
 *
 * @example
 * ```ts ignore
 * await startImageContainer({ image: "busybox", command: ["true"] });
 * ```
 */
export async function startImageContainer(
  options: ContainerOptions,
  built?: ContainerConfig,
): Promise<RunningContainer> {
  const record = await createContainer(options, built);
  trace("container created");
  try {
    return await launchForeground(record, {
      stdout: options.stdout,
      stderr: options.stderr,
      forwardSignals: options.forwardSignals,
      signal: options.signal,
      onWarning: options.onWarning,
      preserveFds: options.preserveFds,
      timeout: options.timeout,
      onExit: options.rm
        ? async () => {
          await removeContainer(record.id, { force: true });
          trace("container removed");
        }
        : undefined,
    });
  } catch (err) {
    await removeContainer(record.id, { force: true }).catch(() => {});
    throw err;
  }
}
