/**
 * Container networking beyond `none` and `host`: the user-mode helpers
 * (slirp4netns, pasta) that attach a container's network namespace to the
 * host's network, and published ports.
 *
 * @module
 */
export * from "./network_option.ts";
export * from "./port_mapping.ts";
export * from "./host_ports.ts";
export * from "./host_route.ts";
export * from "./find_net_helper.ts";
export * from "./plan_net_helper.ts";
export * from "./attach_network.ts";
