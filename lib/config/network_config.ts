/**
 * A container's `--network`, parsed once into a typed value that the record
 * stores: the mode and what it names (a container, a namespace file, a
 * user-defined network) or, for the user-mode helpers, their options.
 *
 * @module
 */
import { type NetworkChoice as HelperChoice, parseNetwork } from "../network/network_option.ts";
import { formatNetwork, type NetHelperTool } from "../network/network_option.ts";
import { parseNetworkMode } from "../runtime/network_mode.ts";

/** The options of a user-mode helper network (`pasta:OPTIONS`, `slirp4netns:OPTIONS`). */
export type HelperNetwork = HelperChoice & { mode: NetHelperTool };

/** A parsed `--network`. */
export type NetworkConfig =
  | { mode: "none" }
  | { mode: "host" }
  | HelperNetwork
  | { mode: "container"; container: string }
  | { mode: "ns"; path: string }
  | { mode: "network"; name: string };

/**
 * Parses a `--network` value.
 *
 * @param text As given (default "none").
 * @returns The typed network.
 * @throws {UsageError} On a mode nook does not run, a bad helper option, or one that names nothing.
 *
 * @example
 * ```ts
 * import { parseNetworkConfig } from "./network_config.ts";
 * const n = parseNetworkConfig("slirp4netns:allow_host_loopback=true");
 * console.assert(n.mode === "slirp4netns" && n.allowHostLoopback);
 * console.assert(parseNetworkConfig("backend").mode === "network");
 * ```
 */
export function parseNetworkConfig(text = "none"): NetworkConfig {
  const choice = parseNetworkMode(text);
  if (choice.mode !== "helper") return choice;
  return parseNetwork(choice.text) as HelperNetwork;
}

/**
 * A network as `inspect` shows it (and `--network` takes it back).
 *
 * @param network The network.
 * @returns e.g. "pasta", "slirp4netns:allow_host_loopback=true", "container:web", "backend".
 *
 * @example
 * ```ts
 * import { formatNetworkConfig, parseNetworkConfig } from "./network_config.ts";
 * console.assert(formatNetworkConfig(parseNetworkConfig("container:web")) === "container:web");
 * ```
 */
export function formatNetworkConfig(network: NetworkConfig): string {
  switch (network.mode) {
    case "none":
    case "host":
      return network.mode;
    case "container":
      return `container:${network.container}`;
    case "ns":
      return `ns:${network.path}`;
    case "network":
      return network.name;
    default:
      return formatNetwork(network);
  }
}

/**
 * The user-defined network a container is on.
 *
 * @param network Its network.
 * @returns The network's name, or undefined for every other mode.
 *
 * @example
 * ```ts
 * import { userNetworkName } from "./network_config.ts";
 * console.assert(userNetworkName({ mode: "network", name: "backend" }) === "backend");
 * console.assert(userNetworkName({ mode: "none" }) === undefined);
 * ```
 */
export function userNetworkName(network: NetworkConfig): string | undefined {
  return network.mode === "network" ? network.name : undefined;
}
