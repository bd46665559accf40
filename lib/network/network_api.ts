/**
 * The network functions of the library API (`mod.ts`) beyond create: inspect,
 * remove by name or id prefix, prune. `nook network` calls these and only
 * prints.
 *
 * @module
 */
import { networkContainers, removeNetwork as removeByName } from "./manage_networks.ts";
import { networkInfra } from "./network_infra.ts";
import { findNetwork, listNetworks, type NetworkRecord } from "./network_record.ts";

/** A network as `nook network inspect` prints it (docker's shape). */
export interface NetworkInspect {
  /** Its name. */
  Name: string;
  /** 64 hex digits. */
  Id: string;
  /** ISO time. */
  Created: string;
  /** Always "bridge". */
  Driver: "bridge";
  /** No way out. */
  Internal: boolean;
  /** The subnet and gateway. */
  IPAM: { Config: { Subnet: string; Gateway: string }[] };
  /** Labels. */
  Labels: Record<string, string>;
  /** Driver options. */
  Options: Record<string, string>;
  /** The running containers on it, by id. */
  Containers: Record<string, { Name: string }>;
  /** Whether its namespace and bridge are up (they are while a member runs). */
  Running: boolean;
}

/**
 * The inspect view of a network record.
 *
 * @param n The record.
 * @returns docker's shape, with the running members.
 *
 * @example
 * ```ts ignore
 * import { findNetwork } from "./network_record.ts";
 * networkInspect(findNetwork("backend")).Containers;
 * ```
 */
export function networkInspect(n: NetworkRecord): NetworkInspect {
  return {
    Name: n.name,
    Id: n.id,
    Created: n.created,
    Driver: n.driver,
    Internal: n.internal,
    IPAM: { Config: [{ Subnet: n.subnet, Gateway: n.gateway }] },
    Labels: n.labels,
    Options: n.options ?? {},
    Containers: Object.fromEntries(
      networkContainers(n.name).filter((c) => c.running).map((c) => [c.id, { Name: c.name }]),
    ),
    Running: networkInfra(n.name) !== null,
  };
}

/**
 * Inspects a network.
 *
 * @param ref Its name or a unique prefix of its id.
 * @returns Its subnet, gateway, options and running members.
 * @throws {NoSuchNetworkError} When none matches.
 *
 * @example
 * ```ts ignore
 * import { inspectNetwork } from "@nook/nook";
 * console.log(inspectNetwork("backend").IPAM.Config[0].Subnet);
 * ```
 */
export function inspectNetwork(ref: string): NetworkInspect {
  return networkInspect(findNetwork(ref));
}

/**
 * Removes a network: its record, and its namespace and bridge if they are up.
 *
 * @param ref Its name or a unique prefix of its id.
 * @throws {NoSuchNetworkError} When none matches.
 * @throws {UsageError} When a running container uses it.
 *
 * @example
 * ```ts ignore
 * import { removeNetwork } from "@nook/nook";
 * await removeNetwork("backend");
 * ```
 */
export async function removeNetwork(ref: string): Promise<void> {
  await removeByName(findNetwork(ref).name);
}

/**
 * Removes every network no container (running or not) is on.
 *
 * @returns The names removed.
 *
 * @example
 * ```ts ignore
 * import { pruneNetworks } from "@nook/nook";
 * console.log(await pruneNetworks());
 * ```
 */
export async function pruneNetworks(): Promise<string[]> {
  const removed: string[] = [];
  for (const n of listNetworks()) {
    if (networkContainers(n.name).length > 0) continue;
    await removeByName(n.name);
    removed.push(n.name);
  }
  return removed;
}
