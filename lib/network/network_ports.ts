/**
 * Published ports of containers on a user-defined network. The network's
 * slirp4netns listens on the host port (`add_hostfwd` on its API socket) and
 * delivers to its own address in the network's namespace, on the same port
 * number; a DNAT rule there (chain `ports`) sends it on to the member's
 * address and container port. Each member's forwards are recorded in its
 * `attachment.json` with the infrastructure process they belong to; those of
 * members that no longer run are withdrawn whenever a member starts, stops or
 * is removed, and all of them go with the network's helper.
 *
 * @module
 */
import { loadShim } from "../../shim/binding.ts";
import { errnoText, NookError, UsageError } from "../errors/mod.ts";
import { sys } from "../sys/mod.ts";
import { publishPorts } from "./host_ports.ts";
import { hostTool, type InfraHelper, type NetworkInfra } from "./network_infra.ts";
import { ANY_ADDRESS, hostAddress, type PortMapping } from "./port_mapping.ts";

const WHY = "publish a port on a network";

/** A member's ports as published on its network. */
export interface PublishedOnNetwork {
  /** The ports, host ports picked. */
  ports: PortMapping[];
  /** slirp4netns's ids of their forwards. */
  forwards: number[];
  /** The start time of the infrastructure process that holds them. */
  infraStart: string;
}

/** A member of a network and what it publishes. */
export interface PortOwner {
  /** Its address on the network. */
  ip: string;
  /** What it published, if anything. */
  published?: PublishedOnNetwork;
}

async function slirpRequest(
  api: string,
  execute: string,
  args: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const reply = await loadShim().netRequest(api, JSON.stringify({ execute, arguments: args }));
  if (typeof reply === "number") {
    throw new NookError(
      `Cannot reach the network's slirp4netns at ${api}: ${errnoText(-reply)}; ` +
        "remove the network's containers and start them again",
    );
  }
  let parsed: { return?: Record<string, unknown>; error?: { desc?: string } } = {};
  try {
    parsed = JSON.parse(reply);
  } catch {
    // worded below
  }
  if (!parsed.return) throw new NookError(parsed.error?.desc ?? reply.trim());
  return parsed.return;
}

/**
 * Runs an nft script in a network's namespace, as root of its user namespace
 * (the owner's own ids map to root there).
 *
 * @param infra The network's process.
 * @param script The nft commands.
 * @throws {NookError} When nft fails (its message).
 *
 * @example
 * ```ts ignore
 * await nftInNetwork(infra, "flush chain ip nook ports\n");
 * ```
 */
export async function nftInNetwork(infra: NetworkInfra, script: string): Promise<void> {
  const nsenter = hostTool("nsenter", "util-linux", WHY);
  const nft = hostTool("nft", "nftables", WHY);
  const out = await sys.run(
    nsenter,
    ["-t", String(infra.pid), "-U", "-n", "--preserve-credentials", nft, "-f", "-"],
    { input: script },
  );
  if (out.code !== 0) {
    throw new NookError(`Cannot set the network's port rules: nft said ${out.stderr.trim()}`);
  }
}

/** The DNAT rules of the members' published ports. */
function portRules(helper: InfraHelper, owners: readonly PortOwner[]): string {
  const lines = ["flush chain ip nook ports"];
  for (const o of owners) {
    for (const p of o.published?.ports ?? []) {
      lines.push(
        `add rule ip nook ports iifname "${helper.tap}" ${p.protocol} dport ${p.hostPort} ` +
          `dnat to ${o.ip}:${p.containerPort}`,
      );
    }
  }
  return lines.join("\n") + "\n";
}

/**
 * Withdraws the forwards of members that no longer run (call under the
 * networks lock).
 *
 * @param infra The network's process.
 * @param helper Its helper.
 * @param stale What the members that no longer run had published.
 *
 * @example
 * ```ts ignore
 * await withdrawPorts(infra, helper, [old.published]);
 * ```
 */
export async function withdrawPorts(
  infra: NetworkInfra,
  helper: InfraHelper,
  stale: readonly (PublishedOnNetwork | undefined)[],
): Promise<void> {
  if (!helper.api) return;
  for (const p of stale) {
    if (!p || p.infraStart !== infra.startTime) continue; // gone with an earlier helper
    for (const id of p.forwards) {
      await slirpRequest(helper.api, "remove_hostfwd", { id }).catch(() => {});
    }
  }
}

/**
 * Publishes a starting member's ports through the network's helper and sets
 * every running member's DNAT rules (call under the networks lock, after
 * {@linkcode withdrawPorts} of the members that no longer run).
 *
 * @param network The network's name (for messages).
 * @param infra Its process.
 * @param helper Its helper, or null when it has no way out.
 * @param wanted The member's ports (host port 0: pick one).
 * @param running The running members (not the starting one), for the DNAT rules.
 * @param ip The starting member's address.
 * @returns What it published.
 * @throws {UsageError} When the network has no slirp4netns to publish through.
 * @throws {NookError} When a host port is taken or privileged; nothing stays published.
 *
 * @example
 * ```ts ignore
 * const published = await publishOnNetwork("backend", infra, helper, ports, members, "10.89.0.2");
 * ```
 */
export async function publishOnNetwork(
  network: string,
  infra: NetworkInfra,
  helper: InfraHelper | null,
  wanted: readonly PortMapping[],
  running: readonly PortOwner[],
  ip: string,
): Promise<PublishedOnNetwork> {
  const published: PublishedOnNetwork = { ports: [], forwards: [], infraStart: infra.startTime };
  if (wanted.length > 0) {
    if (!helper?.api) {
      throw new UsageError(
        `Cannot publish ports on network '${network}': ` +
          (helper
            ? `its way out is ${helper.tool}, which cannot publish ports while the network runs; ` +
              "use a network with slirp4netns (nook network create --opt helper=slirp4netns; " +
              "the default where slirp4netns is installed)"
            : "it has no way out (--internal, or no network helper installed)") +
          ", or reach the container from another one on the network",
      );
    }
    const v6 = wanted.find((p) => p.hostIp.includes(":"));
    if (v6) {
      throw new UsageError(
        `Cannot publish on ${v6.hostIp} on network '${network}': its slirp4netns forwards IPv4 ` +
          "host addresses only; use an IPv4 address",
      );
    }
    published.ports = publishPorts(wanted);
    try {
      for (const p of published.ports) {
        const r = await slirpRequest(helper.api, "add_hostfwd", {
          proto: p.protocol,
          host_addr: p.hostIp || ANY_ADDRESS,
          host_port: p.hostPort,
          guest_addr: helper.addresses.ip,
          guest_port: p.hostPort,
        }).catch((err: Error) => {
          throw new NookError(
            `Cannot publish ${hostAddress(p)}/${p.protocol} to container port ` +
              `${p.containerPort}: slirp4netns refused it (${err.message}); choose another host port`,
          );
        });
        published.forwards.push(Number(r.id));
      }
    } catch (err) {
      await withdrawPorts(infra, helper, [published]);
      throw err;
    }
  }
  if (helper?.api) {
    try {
      await nftInNetwork(infra, portRules(helper, [...running, { ip, published }]));
    } catch (err) {
      await withdrawPorts(infra, helper, [published]);
      throw err;
    }
  }
  return published;
}

/**
 * Sets the DNAT rules of the running members only (after one stopped).
 *
 * @param infra The network's process.
 * @param helper Its helper.
 * @param running The running members.
 *
 * @example
 * ```ts ignore
 * await setPortRules(infra, helper, members);
 * ```
 */
export async function setPortRules(
  infra: NetworkInfra,
  helper: InfraHelper,
  running: readonly PortOwner[],
): Promise<void> {
  if (helper.api) await nftInNetwork(infra, portRules(helper, running));
}
