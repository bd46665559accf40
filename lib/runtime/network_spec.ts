/**
 * A container's network, resolved when it starts: the mode (the asked one,
 * or the default), its published ports with host ports picked and checked,
 * and the plan of its helper (slirp4netns, pasta).
 *
 * @module
 */
import { HostError, UsageError } from "../errors/mod.ts";
// Module by module, not mod.ts: a run without a helper loads no more than it needs.
import {
  defaultNetworkMode,
  findNetHelper,
  NET_HELPER_PACKAGES,
  netHelperFeatures,
} from "../network/find_net_helper.ts";
import { publishPorts } from "../network/host_ports.ts";
import { defaultRoute } from "../network/host_route.ts";
import type { NetworkMode } from "../network/network_option.ts";
import {
  type NetAddresses,
  type NetHelperPlan,
  planNetHelper,
} from "../network/plan_net_helper.ts";
import {
  isIpAddress,
  parseExposedPort,
  parsePublish,
  type PortMapping,
} from "../network/port_mapping.ts";
import { sys } from "../sys/mod.ts";
import type { ContainerConfig } from "../config/container_config.ts";
import type { RunOptions } from "./run_options.ts";

/** What {@linkcode resolveNetworkSpec} decides. */
export interface NetworkSpec {
  /** The mode. */
  network: NetworkMode;
  /** Its helper, for slirp4netns and pasta. */
  netHelper?: NetHelperPlan;
  /** The addresses the helper gives the container. */
  netAddresses?: NetAddresses;
  /** Published ports, host ports picked. */
  ports: PortMapping[];
}

/**
 * The ports a container asks for: its `-p` values, and with `-P` every port
 * its image exposes that no `-p` publishes already (on a free host port).
 *
 * @param publish `-p` values or mappings.
 * @param publishAll `-P`.
 * @param exposed The image's ExposedPorts keys ("80/tcp").
 * @returns One mapping per port (host port 0: to pick).
 * @throws {UsageError} On a malformed `-p`.
 *
 * @example
 * ```ts
 * import { wantedPorts } from "./network_spec.ts";
 * const ports = wantedPorts(["8080:80"], true, ["80/tcp", "53/udp"]);
 * console.assert(ports.length === 2 && ports[1].containerPort === 53 && ports[1].hostPort === 0);
 * ```
 */
export function wantedPorts(
  publish: RunOptions["publish"],
  publishAll: boolean | undefined,
  exposed: readonly string[] = [],
): PortMapping[] {
  const ports = (publish ?? []).flatMap((p) => typeof p === "string" ? parsePublish(p) : [p]);
  if (!publishAll) return ports;
  for (const key of exposed) {
    const e = parseExposedPort(key);
    if (!e || ports.some((p) => p.containerPort === e.port && p.protocol === e.protocol)) continue;
    ports.push({ hostIp: "", hostPort: 0, containerPort: e.port, protocol: e.protocol });
  }
  return ports;
}

/**
 * The host address of ports published without one (`-p 8080:80`, `-P`):
 * `NOOK_DEFAULT_HOST_IP` (as dockerd's `--ip`), else every address ("",
 * shown as 0.0.0.0, as docker does).
 *
 * @returns The address, or "".
 * @throws {UsageError} When the variable is not an IP address.
 *
 * @example
 * ```ts ignore
 * defaultHostIp(); // "" or e.g. "127.0.0.1"
 * ```
 */
export function defaultHostIp(): string {
  const ip = sys.env("NOOK_DEFAULT_HOST_IP") ?? "";
  if (ip !== "" && !isIpAddress(ip)) {
    throw new UsageError(
      `NOOK_DEFAULT_HOST_IP '${ip}' is not an IP address: set it to one (e.g. 127.0.0.1) or unset it`,
    );
  }
  return ip === "0.0.0.0" ? "" : ip;
}

/**
 * The network mode of a container that publishes ports without a
 * `--network`: pasta (it keeps the client's address), else slirp4netns.
 *
 * @returns "pasta" or "slirp4netns".
 * @throws {HostError} When neither is installed.
 *
 * @example
 * ```ts ignore
 * helperForPorts(); // "pasta"
 * ```
 */
export function helperForPorts(): "pasta" | "slirp4netns" {
  const mode = defaultNetworkMode(() => {}, undefined, undefined, true);
  if (mode === "none") {
    throw new HostError(
      "Cannot publish ports: no user-mode network helper is installed; install one with " +
        `'sudo apt-get install ${NET_HELPER_PACKAGES.pasta}' (or slirp4netns)`,
    );
  }
  return mode as "pasta" | "slirp4netns";
}

/**
 * Resolves a container's network.
 *
 * @param config Its config (`network`, `publish`, `publishAll`), for a network of its own.
 * @param exposed Its image's exposed ports, for `-P`.
 * @param dir Its runtime directory (the helper's log and socket go there).
 * @param warn Receives warnings (ports with the host's network).
 * @returns The mode, the helper's plan and the ports.
 * @throws {HostError} When the helper of the mode is not installed.
 * @throws {NookError} When a host port is taken or privileged.
 *
 * @example
 * ```ts ignore
 * const net = resolveNetworkSpec({ network: { mode: "none" } }, [], dir, warn);
 * ```
 */
export function resolveNetworkSpec(
  config: Pick<ContainerConfig, "network" | "publish" | "publishAll">,
  exposed: readonly string[] | undefined,
  dir: string,
  warn: (message: string) => void,
): NetworkSpec {
  let wanted = wantedPorts(config.publish, config.publishAll, exposed);
  const asked = (config.publish ?? []).length > 0;
  const choice = config.network;
  if (choice.mode === "none" && wanted.length) {
    if (asked) {
      throw new UsageError(
        "Cannot publish ports with --network none: the container has only a loopback " +
          "interface; use --network pasta or slirp4netns (or drop -p)",
      );
    }
    wanted = []; // -P of an image's EXPOSE: nothing to publish into
  }
  if (choice.mode === "host") {
    if (asked) warn("published ports are discarded with --network host (as docker does)");
    wanted = [];
  }
  if (choice.mode !== "slirp4netns" && choice.mode !== "pasta") {
    return { network: choice.mode === "host" ? "host" : "none", ports: [] };
  }
  const path = findNetHelper(choice.mode);
  if (!path) {
    throw new HostError(
      `Network mode '${choice.mode}' needs ${choice.mode}, which is not installed: ` +
        `'sudo apt-get install ${NET_HELPER_PACKAGES[choice.mode]}', or use another --network`,
    );
  }
  const hostIp = defaultHostIp();
  const ports = publishPorts(wanted.map((m) => m.hostIp ? m : { ...m, hostIp }));
  const { helper, addresses } = planNetHelper(choice, ports, {
    path,
    dir,
    features: choice.mode === "slirp4netns"
      ? netHelperFeatures(path)
      : { sandbox: false, seccomp: false },
    route: choice.mode === "pasta" ? defaultRoute() : null,
  });
  return { network: choice.mode, netHelper: helper, netAddresses: addresses, ports };
}
