/**
 * A container's events: docker's attributes (its labels, `image`, `name`)
 * and the journal line, for the library functions where each action happens.
 *
 * @module
 */
import { recordEvent } from "../events/record_event.ts";
import type { ContainerRecord } from "../records/container_record.ts";

/**
 * A container's event attributes, as docker gives them: its labels, then
 * `image` (the name it was created from, or its rootfs) and `name`.
 *
 * @param record The container.
 * @returns The attributes.
 *
 * @example
 * ```ts ignore
 * containerAttributes(record).name;
 * ```
 */
export function containerAttributes(
  record: Pick<ContainerRecord, "name" | "imageName" | "config">,
): Record<string, string> {
  return { ...record.config.labels, image: record.imageName, name: record.name };
}

/**
 * Appends a container's event to the journal (never throws).
 *
 * @param record The container.
 * @param action What happened ("create", "start", "kill", "stop", ...).
 * @param extra Attributes the action adds (`signal`, `oldName`, `exitCode`).
 *
 * @example
 * ```ts ignore
 * await containerEvent(record, "kill", { signal: "15" });
 * ```
 */
export async function containerEvent(
  record: Pick<ContainerRecord, "id" | "name" | "imageName" | "config">,
  action: string,
  extra: Record<string, string> = {},
): Promise<void> {
  await recordEvent({
    type: "container",
    action,
    id: record.id,
    attributes: { ...containerAttributes(record), ...extra },
  });
}

/**
 * The attributes as the members of a JSON object, for the monitor's config
 * (it adds `exitCode` before them): labels are left out when the text would
 * be too long for one atomic append.
 *
 * @param record The container.
 * @returns The text (`"image":"busybox","name":"web"`).
 *
 * @example
 * ```ts ignore
 * monitorEventAttributes(record);
 * ```
 */
export function monitorEventAttributes(
  record: Pick<ContainerRecord, "name" | "imageName" | "config">,
): string {
  const all = JSON.stringify(containerAttributes(record)).slice(1, -1);
  if (all.length < 3000) return all;
  return JSON.stringify({ image: record.imageName.slice(0, 512), name: record.name }).slice(1, -1);
}
