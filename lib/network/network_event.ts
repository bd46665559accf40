/**
 * A network's events, as docker writes them: `create`, `destroy`,
 * `connect` and `disconnect` (these name the container).
 *
 * @module
 */
import { recordEvent } from "../events/record_event.ts";
import type { NetworkRecord } from "./network_record.ts";

/**
 * Appends a network event to the journal (never throws).
 *
 * @param network The network.
 * @param action "create", "destroy", "connect" or "disconnect".
 * @param container The container's id, for connect and disconnect.
 *
 * @example
 * ```ts ignore
 * await networkEvent(record, "connect", containerId);
 * ```
 */
export async function networkEvent(
  network: Pick<NetworkRecord, "id" | "name" | "driver">,
  action: string,
  container?: string,
): Promise<void> {
  await recordEvent({
    type: "network",
    action,
    id: network.id,
    attributes: {
      ...(container === undefined ? {} : { container }),
      name: network.name,
      type: network.driver,
    },
  });
}
