/**
 * `network create|rm|prune`: records under the networks lock; a network in
 * use by a running container is not removed.
 *
 * @module
 */
import { networkEvent } from "./network_event.ts";
import { UsageError } from "../errors/mod.ts";
import { userNetworkName } from "../config/network_config.ts";
import { listRecords } from "../records/container_record.ts";
import { containerStatus } from "../records/container_state.ts";
import { newId } from "../runtime/run_container.ts";
import { sys } from "../sys/mod.ts";
import {
  listNetworks,
  type NetworkRecord,
  networksRoot,
  readNetwork,
  RESERVED_NETWORKS,
  withNetworksLock,
  writeNetwork,
} from "./network_record.ts";
import { isolationRule, networkInfra, SUBNET_POOL } from "./network_infra.ts";
import { nftInNetwork } from "./network_ports.ts";
import { freeSubnet, ipToNumber, numberToIp, overlaps, parseSubnet } from "./subnet.ts";

/** Options of {@linkcode createNetwork}. */
export interface CreateNetworkOptions {
  /** IPv4 CIDR (default: a free /24 of 10.89.0.0/16). */
  subnet?: string;
  /** The bridge's address (default: the subnet's first). */
  gateway?: string;
  /** No outbound traffic. */
  internal?: boolean;
  /** `KEY=VALUE` labels. */
  labels?: readonly string[];
  /** `KEY=VALUE` driver options: `allow_host_loopback=true|false`, `helper=slirp4netns|pasta`. */
  opts?: readonly string[];
}

/**
 * Running networks were set up apart from the pool and from the subnets that
 * existed then: a new subnet outside the pool is added to their rules.
 */
async function keepApart(record: NetworkRecord, others: readonly NetworkRecord[]): Promise<void> {
  const subnet = parseSubnet(record.subnet);
  if (subnet.prefix >= 16 && overlaps(subnet, parseSubnet(SUBNET_POOL))) return; // in the pool

  for (const n of others) {
    const infra = n.internal ? null : networkInfra(n.name);
    if (!infra) continue;
    await nftInNetwork(infra, isolationRule(n.subnet, record.subnet) + "\n").catch(() => {
      // it stopped meanwhile; it starts with the new subnet in its rules
    });
  }
}

/** The driver options `network create --opt` takes, and their values. */
export const NETWORK_OPTIONS: Readonly<Record<string, readonly string[]>> = {
  allow_host_loopback: ["true", "false"],
  helper: ["slirp4netns", "pasta"],
};

function parseNetworkOpts(opts: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const o of opts) {
    const at = o.indexOf("=");
    const key = at < 0 ? o : o.slice(0, at);
    const value = at < 0 ? "true" : o.slice(at + 1);
    const values = NETWORK_OPTIONS[key];
    if (!values) {
      throw new UsageError(
        `Unknown network option '${key}' in --opt '${o}': nook's bridge takes ` +
          Object.entries(NETWORK_OPTIONS).map(([k, v]) => `${k}=${v.join("|")}`).join(", "),
      );
    }
    if (!values.includes(value)) {
      throw new UsageError(`Invalid --opt '${o}': use ${key}=${values.join(" or ")}`);
    }
    out[key] = value;
  }
  return out;
}

/**
 * Creates a network.
 *
 * @param name Its name (docker's rules).
 * @param options Subnet, gateway, internal, labels.
 * @returns The record.
 * @throws {UsageError} When the name is taken or reserved, or the subnet is bad or overlaps another.
 *
 * @example
 * ```ts ignore
 * await createNetwork("backend", { subnet: "10.89.7.0/24" });
 * ```
 */
export async function createNetwork(
  name: string,
  options: CreateNetworkOptions = {},
): Promise<NetworkRecord> {
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name)) {
    throw new UsageError(`Invalid network name '${name}': use [a-zA-Z0-9][a-zA-Z0-9_.-]*`);
  }
  if (RESERVED_NETWORKS.includes(name) || name.includes(":")) {
    throw new UsageError(`Network name '${name}' is reserved for a network mode: choose another`);
  }
  const driverOptions = parseNetworkOpts(options.opts ?? []);
  return await withNetworksLock(async () => {
    if (readNetwork(name)) throw new UsageError(`Network '${name}' already exists`);
    const others = listNetworks();
    const subnet = options.subnet ?? freeSubnet(others.map((n) => n.subnet));
    const parsed = parseSubnet(subnet);
    const clash = others.find((n) => overlaps(parseSubnet(n.subnet), parsed));
    if (clash) {
      throw new UsageError(
        `Subnet ${subnet} overlaps network '${clash.name}' (${clash.subnet}): choose another`,
      );
    }
    const gateway = options.gateway ?? numberToIp(parsed.base + 1);
    const gw = ipToNumber(gateway);
    if (gw === null || gw <= parsed.base || gw >= parsed.base + 2 ** (32 - parsed.prefix) - 1) {
      throw new UsageError(`Invalid gateway '${gateway}': give a host address of ${subnet}`);
    }
    const labels: Record<string, string> = {};
    for (const l of options.labels ?? []) {
      const at = l.indexOf("=");
      labels[at < 0 ? l : l.slice(0, at)] = at < 0 ? "" : l.slice(at + 1);
    }
    const record: NetworkRecord = {
      name,
      id: newId(),
      driver: "bridge",
      subnet,
      gateway,
      internal: options.internal ?? false,
      labels,
      options: driverOptions,
      created: new Date().toISOString(),
    };
    writeNetwork(record);
    await keepApart(record, others);
    return record;
  }).then(async (record) => {
    await networkEvent(record, "create");
    return record;
  });
}

/**
 * The containers on a network (by their records), running or not.
 *
 * @param name The network.
 * @returns Their ids and whether each runs.
 *
 * @example
 * ```ts ignore
 * networkContainers("backend");
 * ```
 */
export function networkContainers(name: string): { id: string; name: string; running: boolean }[] {
  return listRecords()
    .filter((r) => userNetworkName(r.config.network) === name)
    .map((r) => {
      const s = containerStatus(r.id).status;
      return { id: r.id, name: r.name, running: s === "running" || s === "restarting" };
    });
}

/**
 * Removes a network.
 *
 * @param name The network.
 * @throws {UsageError} When a running container uses it.
 *
 * @example
 * ```ts ignore
 * await removeNetwork("backend");
 * ```
 */
export async function removeNetwork(name: string): Promise<void> {
  await withNetworksLock(async () => {
    const using = networkContainers(name).filter((c) => c.running);
    if (using.length) {
      throw new UsageError(
        `Network '${name}' is in use by running container${using.length > 1 ? "s" : ""} ` +
          `${using.map((c) => c.name).join(", ")}: stop them first (or 'nook rm -f' them)`,
      );
    }
    const { stopNetworkInfra } = await import("./network_infra.ts");
    const record = readNetwork(name);
    await stopNetworkInfra(name);
    sys.remove(`${networksRoot()}/${name}.json`);
    sys.remove(`${networksRoot()}/${name}`);
    if (record) await networkEvent(record, "destroy");
  });
}
