/**
 * `network connect` and `network disconnect`: a stopped container's network
 * is changed in its record (it joins at its next start), and the network
 * events are written.
 *
 * @module
 */
import { parseNetworkConfig, userNetworkName } from "../config/network_config.ts";
import { UsageError } from "../errors/mod.ts";
import { networkEvent } from "../network/network_event.ts";
import { readNetwork } from "../network/network_record.ts";
import {
  type ContainerRecord,
  readRecord,
  withRecordsLock,
  writeRecord,
} from "../records/container_record.ts";
import { containerStatus } from "../records/container_state.ts";

/**
 * Puts a stopped container on a user-defined network, or on none.
 *
 * @param record The container.
 * @param network The network's name, or "none" to disconnect it.
 * @throws {UsageError} When it runs, or was removed meanwhile.
 *
 * @example
 * ```ts ignore
 * await setContainerNetwork(findContainer("web"), "backend");
 * ```
 */
export async function setContainerNetwork(
  record: ContainerRecord,
  network: string,
): Promise<void> {
  const s = containerStatus(record.id).status;
  if (s === "running" || s === "restarting") {
    throw new UsageError(
      `Container ${record.name} is running: nook changes a container's network while it is ` +
        "stopped; stop it, connect or disconnect, then start it",
    );
  }
  const before = await withRecordsLock(() => {
    const now = readRecord(record.id);
    if (!now) throw new UsageError(`No such container: ${record.name}`);
    writeRecord({ ...now, config: { ...now.config, network: parseNetworkConfig(network) } });
    return userNetworkName(now.config.network);
  });
  const after = network === "none" ? undefined : network;
  if (before === after) return;
  const left = before === undefined ? null : readNetwork(before);
  if (left) await networkEvent(left, "disconnect", record.id);
  const joined = after === undefined ? null : readNetwork(after);
  if (joined) await networkEvent(joined, "connect", record.id);
}
