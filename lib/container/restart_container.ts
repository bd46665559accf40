/**
 * `nook restart`: stop a container as `stop` does, then start it again
 * under its monitor, keeping a `--rm` container.
 *
 * @module
 */
import type { ContainerRecord } from "../records/container_record.ts";
import { type DetachedOptions, launchDetached } from "./launch_container.ts";
import { stopContainer } from "./signal_container.ts";

/**
 * Restarts a container: its stop signal, SIGKILL after `timeout` seconds, then a new start.
 *
 * @param record The container.
 * @param timeout Seconds before SIGKILL (default: the container's).
 * @param options How it starts again (warnings; the launch context, for tests).
 * @returns The pid of its new first process.
 *
 * @example
 * ```ts ignore
 * const pid = await restartContainer(record, 1);
 * ```
 */
export async function restartContainer(
  record: ContainerRecord,
  timeout?: number,
  options: DetachedOptions = {},
): Promise<number> {
  await stopContainer(record, timeout, { restart: true });
  return (await launchDetached(record, options)).pid;
}
