/**
 * A container on a user-defined network: an address from the network's
 * subnet (given out under the networks lock, recorded in the container's
 * `attachment.json`), the steps that plug it in (a veth pair from its own network
 * namespace to the bridge in the network's, run as root of the network's user
 * namespace with the host's `ip` and `nsenter`), and the /etc/hosts entries
 * by which the containers of a network find each other, kept current in every
 * running member's hosts file.
 *
 * @module
 */
import { Op, type Step, StepFlag } from "../../shim/protocol.ts";
import { containerDir, containersRoot, readRecord } from "../records/container_record.ts";
import { containerStatus } from "../records/container_state.ts";
import { sys } from "../sys/mod.ts";
import {
  BRIDGE,
  ensureNetworkInfra,
  hostTool,
  infraHelper,
  NETWORK_MTU,
  type NetworkInfra,
  networkInfra,
} from "./network_infra.ts";
import { findNetwork, type NetworkRecord, withNetworksLock } from "./network_record.ts";
import {
  type PortOwner,
  type PublishedOnNetwork,
  publishOnNetwork,
  setPortRules,
  withdrawPorts,
} from "./network_ports.ts";
import type { NetAddresses } from "./plan_net_helper.ts";
import type { PortMapping } from "./port_mapping.ts";
import { freeAddress, parseSubnet } from "./subnet.ts";

const PLUG = "put a container on a network";

/** `attachment.json` of a container on a network. */
export interface NetworkAttachment {
  /** The network's name. */
  network: string;
  /** The container's address. */
  ip: string;
  /** The subnet's prefix length. */
  prefix: number;
  /** The gateway (the bridge's address). */
  gateway: string;
  /** The bridge-side veth's name (in the network's namespace). */
  veth: string;
  /** The container's hosts file on the host, kept current. */
  hosts?: string;
  /** Its published ports, while it runs. */
  published?: PublishedOnNetwork;
}

const MARK = "# nook network";

function attachmentPath(id: string): string {
  return `${containerDir(id)}/attachment.json`;
}

/**
 * A container's attachment, if it has one.
 *
 * @param id The container id.
 * @returns `attachment.json`, or null.
 *
 * @example
 * ```ts ignore
 * readAttachment(id)?.ip;
 * ```
 */
export function readAttachment(id: string): NetworkAttachment | null {
  const text = sys.readText(attachmentPath(id));
  if (text === null) return null;
  try {
    return JSON.parse(text) as NetworkAttachment;
  } catch {
    return null;
  }
}

function running(id: string): boolean {
  const s = containerStatus(id).status;
  return s === "running" || s === "restarting";
}

/** The containers of a network (running ones, else all) and their attachments. */
function members(
  net: string,
  all = false,
): { id: string; name: string; a: NetworkAttachment; running: boolean }[] {
  const root = containersRoot();
  const out: { id: string; name: string; a: NetworkAttachment; running: boolean }[] = [];
  for (const id of sys.readDir(root)) {
    if (!/^[0-9a-f]{64}$/.test(id)) continue;
    const a = readAttachment(id);
    if (!a || a.network !== net) continue;
    const up = running(id);
    if (!up && !all) continue;
    const r = readRecord(id);
    if (r) out.push({ id, name: r.name, a, running: up });
  }
  return out;
}

/**
 * Withdraws the ports of the network's containers that no longer run (and
 * of `also`, which is starting again), forgetting them in their attachments.
 */
async function withdrawStale(
  network: string,
  infra: NetworkInfra | null,
  also?: string,
): Promise<PortOwner[] & { changed?: boolean }> {
  const list = members(network, true);
  const helper = infra ? infraHelper(network) : null;
  const running: PortOwner[] & { changed?: boolean } = [];
  for (const m of list) {
    if (m.running && m.id !== also) {
      running.push({ ip: m.a.ip, published: m.a.published });
      continue;
    }
    if (!m.a.published) continue;
    running.changed = true;
    if (infra && helper) await withdrawPorts(infra, helper, [m.a.published]);
    const { published: _, ...rest } = m.a;
    sys.writeText(attachmentPath(m.id), JSON.stringify(rest) + "\n", 0o600);
  }
  return running;
}

/**
 * Brings a network's published ports in line with its running members
 * (after a member stopped or was removed).
 *
 * @param network The network.
 *
 * @example
 * ```ts ignore
 * await syncNetworkPorts("backend");
 * ```
 */
export async function syncNetworkPorts(network: string): Promise<void> {
  await withNetworksLock(async () => {
    const infra = networkInfra(network);
    const running = await withdrawStale(network, infra);
    const helper = infra ? infraHelper(network) : null;
    if (infra && helper && running.changed) await setPortRules(infra, helper, running);
  });
}

/**
 * Gives a container its place on a network: starts the network's
 * infrastructure when needed, an address (its old one when it still has one),
 * and publishes its ports.
 *
 * @param id The container id.
 * @param network The network's name or id.
 * @param ports Its published ports (host port 0: pick one).
 * @returns The network's process (to join), the attachment, and the addresses
 *   for its /etc files (its own, the gateway, the DNS forwarder, the host's loopback).
 * @throws {NookError} When the network cannot start or a port cannot be published.
 *
 * @example
 * ```ts ignore
 * const { infra, attachment } = await attachToNetwork(id, "backend", []);
 * ```
 */
export async function attachToNetwork(
  id: string,
  network: string,
  ports: readonly PortMapping[] = [],
): Promise<{
  net: NetworkRecord;
  infra: NetworkInfra;
  attachment: NetworkAttachment;
  addresses: NetAddresses;
}> {
  const net = findNetwork(network);
  return await withNetworksLock(async () => {
    const infra = await ensureNetworkInfra(net);
    const running = await withdrawStale(net.name, infra, id);
    const taken = [net.gateway, ...members(net.name).filter((m) => m.id !== id).map((m) => m.a.ip)];
    const old = readAttachment(id);
    const ip = old && old.network === net.name && !taken.includes(old.ip)
      ? old.ip
      : freeAddress(net.subnet, taken);
    const helper = infraHelper(net.name);
    let published: PublishedOnNetwork;
    try {
      published = await publishOnNetwork(net.name, infra, helper, ports, running, ip);
    } catch (err) {
      const { stopNetworkInfra } = await import("./network_infra.ts");
      if (running.length === 0) await stopNetworkInfra(net.name); // nothing left running
      throw err;
    }
    const attachment: NetworkAttachment = {
      network: net.name,
      ip,
      prefix: parseSubnet(net.subnet).prefix,
      gateway: net.gateway,
      veth: `nk${id.slice(0, 10)}`,
      ...(published.ports.length ? { published } : {}),
    };
    sys.writeText(attachmentPath(id), JSON.stringify(attachment) + "\n", 0o600);
    const addresses: NetAddresses = {
      ip,
      gateway: net.gateway,
      dns: helper?.addresses.dns ?? "",
      hostLoopback: helper?.addresses.hostLoopback ?? "",
    };
    return { net, infra, attachment, addresses };
  });
}

/**
 * Records where the container's hosts file is, and brings every member's
 * hosts file up to date (call once the container runs).
 *
 * @param id The container id.
 * @param hosts Its hosts file on the host.
 *
 * @example
 * ```ts ignore
 * await announceContainer(id, `${dir}/hosts`);
 * ```
 */
export async function announceContainer(id: string, hosts: string): Promise<void> {
  const a = readAttachment(id);
  if (!a) return;
  sys.writeText(attachmentPath(id), JSON.stringify({ ...a, hosts }) + "\n", 0o600);
  await refreshNetworkHosts(a.network, id);
}

/**
 * Rewrites the network section of each running member's hosts file, in place
 * (the file is bind-mounted: its inode must stay).
 *
 * @param network The network.
 * @param starting A container that is starting (counted as running).
 *
 * @example
 * ```ts ignore
 * await refreshNetworkHosts("backend");
 * ```
 */
export async function refreshNetworkHosts(network: string, starting?: string): Promise<void> {
  await withNetworksLock(() => {
    const list = members(network);
    if (starting && !list.some((m) => m.id === starting)) {
      const a = readAttachment(starting);
      const r = readRecord(starting);
      if (a && r) list.push({ id: starting, name: r.name, a, running: true });
    }
    const section = [MARK, ...list.map((m) => `${m.a.ip}\t${m.name} ${m.id.slice(0, 12)}`)]
      .join("\n") + "\n";
    for (const m of list) {
      if (!m.a.hosts) continue;
      const text = sys.readText(m.a.hosts);
      if (text === null) continue;
      const at = text.indexOf(MARK);
      const base = at < 0 ? text : text.slice(0, at);
      try {
        sys.writeText(m.a.hosts, base + section); // truncates the same inode
      } catch {
        // it stopped meanwhile
      }
    }
  });
}

/**
 * The steps that plug a container in, run by its first process in its own new
 * network namespace as root of the network's user namespace.
 *
 * @param a The attachment.
 * @param infra The network's process (its network namespace holds the bridge).
 * @returns The steps and their descriptions.
 *
 * @example
 * ```ts ignore
 * const { steps, describe } = attachSteps(attachment, infra);
 * ```
 */
export function attachSteps(
  a: NetworkAttachment,
  infra: NetworkInfra,
): { steps: Step[]; describe: string[] } {
  const ip = hostTool("ip", "iproute2", PLUG);
  const nsenter = hostTool("nsenter", "util-linux", PLUG);
  const inNet = [nsenter, `--net=/proc/${infra.pid}/ns/net`, ip];
  const steps: Step[] = [];
  const describe: string[] = [];
  const run = (what: string, argv: string[], flags = 0) => {
    steps.push({ op: Op.RUN, flags, n: [argv.length, 0], s: [argv[0], null, argv, []] });
    describe.push(what);
  };
  // A veth of an earlier start of this container may linger while its old namespace is torn down.
  run(`remove a stale ${a.veth}`, [...inNet, "link", "del", a.veth], StepFlag.OPTIONAL);
  run(`create the veth pair eth0 - ${a.veth} on network ${a.network}`, [
    ip,
    "link",
    "add",
    "eth0",
    "mtu",
    String(NETWORK_MTU),
    "type",
    "veth",
    "peer",
    "name",
    a.veth,
    "mtu",
    String(NETWORK_MTU),
    "netns", // a path: a pid would be looked up in the container's own pid namespace
    `/proc/${infra.pid}/ns/net`,
  ]);
  run(`attach ${a.veth} to the bridge of network ${a.network}`, [
    ...inNet,
    "link",
    "set",
    a.veth,
    "master",
    BRIDGE,
    "up",
  ]);
  run(`give eth0 the address ${a.ip}/${a.prefix}`, [
    ip,
    "addr",
    "add",
    `${a.ip}/${a.prefix}`,
    "dev",
    "eth0",
  ]);
  run("bring eth0 up", [ip, "link", "set", "eth0", "up"]);
  run(`route through the gateway ${a.gateway}`, [ip, "route", "add", "default", "via", a.gateway]);
  steps.push({ op: Op.LOOPBACK_UP });
  describe.push("bring up the loopback interface");
  return { steps, describe };
}

/**
 * Stops a network's infrastructure once none of its containers runs (so that
 * nothing of it lingers after the last `rm`); it starts again with the next.
 *
 * @param network The network.
 *
 * @example
 * ```ts ignore
 * await releaseNetwork("backend");
 * ```
 */
export async function releaseNetwork(network: string): Promise<void> {
  const { stopNetworkInfra } = await import("./network_infra.ts");
  await withNetworksLock(async () => {
    if (members(network).length > 0) return;
    await withdrawStale(network, null); // forget ports: they go with the helper
    await stopNetworkInfra(network);
  });
}
