/**
 * What a container's network looked like when it last started: its mode,
 * its published ports (host ports as picked then) and its addresses, in
 * `<data>/containers/<id>/network.json`, for `ps`, `port` and `inspect`.
 *
 * @module
 */
import type { PortMapping } from "../network/mod.ts";
import type { NetworkMode } from "../runtime/container_spec.ts";
import { sys } from "../sys/mod.ts";
import { containerDir } from "./container_record.ts";

/** `network.json`. */
export interface NetworkState {
  /** The mode it ran with. */
  mode: NetworkMode;
  /** Its published ports, host ports picked. */
  ports: PortMapping[];
  /** Its address ("" or absent when unknown). */
  ip?: string;
  /** Its gateway. */
  gateway?: string;
}

function statePath(id: string): string {
  return `${containerDir(id)}/network.json`;
}

/**
 * Records a container's network as it starts.
 *
 * @param id The container id.
 * @param state Mode, ports and addresses.
 *
 * @example
 * ```ts ignore
 * writeNetworkState(id, { mode: "pasta", ports: spec.ports, ip: "192.0.2.2" });
 * ```
 */
export function writeNetworkState(id: string, state: NetworkState): void {
  const { mode, ports, ip, gateway } = state;
  try {
    sys.writeText(statePath(id), JSON.stringify({ mode, ports, ip, gateway }) + "\n", 0o600);
  } catch {
    // removed meanwhile (rm -f from another shell)
  }
}

/**
 * A container's network as it last started.
 *
 * @param id The container id.
 * @returns The state, or null when it never started (or started before nook wrote it).
 *
 * @example
 * ```ts ignore
 * readNetworkState(id)?.ports;
 * ```
 */
export function readNetworkState(id: string): NetworkState | null {
  const text = sys.readText(statePath(id));
  if (text === null) return null;
  try {
    const s = JSON.parse(text) as NetworkState;
    return Array.isArray(s.ports) ? s : null;
  } catch {
    return null;
  }
}
