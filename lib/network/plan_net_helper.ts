/**
 * The command line of a container's network helper, decided in TypeScript
 * and run by C (the shim for a foreground run, the monitor for a detached
 * container): the same plan either way. "{pid}" in an argument stands for the
 * container's first process, known only once it is cloned.
 *
 * slirp4netns: `--configure --mtu=65520 --disable-host-loopback`, its ready
 * fd (3) and exit fd (4, so that it dies with its owner), the API socket when
 * ports are published (one `add_hostfwd` request per port), and its sandbox
 * and seccomp filter where the installed version has them.
 *
 * pasta: `--config-net`, MTU 65520, `--no-map-gw` (the gateway address does
 * not lead to the host's loopback unless allowed), no automatic forwarding in
 * either direction (`-t none -u none -T none -U none` unless ports are
 * published with `-t`/`-u`), a DNS forwarder at 169.254.1.1, in the
 * foreground, its pid written to fd 3 once the namespace is configured.
 *
 * @module
 */
import { UsageError } from "../errors/mod.ts";
import type { NetHelperFeatures } from "./find_net_helper.ts";
import type { HostRoute } from "./host_route.ts";
import type { NetHelperTool, NetworkChoice } from "./network_option.ts";
import { ANY_ADDRESS, type PortMapping } from "./port_mapping.ts";

/** How C starts a container's network helper. */
export interface NetHelperPlan {
  /** slirp4netns or pasta. */
  tool: NetHelperTool;
  /** Its argv, absolute path first; "{pid}" stands for the container's pid. */
  argv: string[];
  /** Where its stderr goes (read for error messages). */
  log: string;
  /** slirp4netns's API socket, "" when no request is sent. */
  api: string;
  /** JSON requests sent to the API socket once it is ready, one per published port. */
  requests: string[];
  /** requests[i] publishes requestPorts[i]. */
  requestPorts: PortMapping[];
}

/** The addresses a helper gives the container. */
export interface NetAddresses {
  /** The container's IPv4 address ("" when unknown). */
  ip: string;
  /** Its gateway ("" when unknown). */
  gateway: string;
  /** The helper's DNS forwarder. */
  dns: string;
  /** Where the container reaches the host's loopback; "" when it may not. */
  hostLoopback: string;
}

/** slirp4netns's fixed addresses (its default 10.0.2.0/24). */
export const SLIRP_ADDRESSES = {
  ip: "10.0.2.100",
  gateway: "10.0.2.2",
  dns: "10.0.2.3",
} as const;

/** Where pasta answers DNS for the container (`--dns-forward`), as podman has it. */
export const PASTA_DNS_FORWARD = "169.254.1.1";

/** What {@linkcode planNetHelper} needs besides the choice. */
export interface NetHelperContext {
  /** The helper's absolute path. */
  path: string;
  /** A private directory for its log and API socket. */
  dir: string;
  /** What the installed helper supports. */
  features: NetHelperFeatures;
  /** The host's default route (pasta copies it), or null. */
  route: HostRoute | null;
  /** slirp4netns: open its API socket even with no port to publish now (a network's). */
  apiSocket?: boolean;
}

/** "8000-8002:80-82,9000:90": consecutive mappings as ranges. */
function pastaPorts(ports: readonly PortMapping[]): string {
  const sorted = [...ports].sort((a, b) => a.hostPort - b.hostPort);
  const out: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i + 1;
    while (
      j < sorted.length && sorted[j].hostPort === sorted[i].hostPort + (j - i) &&
      sorted[j].containerPort === sorted[i].containerPort + (j - i)
    ) j++;
    const a = sorted[i], b = sorted[j - 1];
    out.push(
      a === b
        ? `${a.hostPort}:${a.containerPort}`
        : `${a.hostPort}-${b.hostPort}:${a.containerPort}-${b.containerPort}`,
    );
    i = j;
  }
  return out.join(",");
}

function pastaPortArgs(ports: readonly PortMapping[]): string[] {
  const args: string[] = [];
  for (const proto of ["tcp", "udp"] as const) {
    const flag = proto === "tcp" ? "-t" : "-u";
    const mine = ports.filter((p) => p.protocol === proto);
    if (mine.length === 0) {
      args.push(flag, "none");
      continue;
    }
    for (const ip of new Set(mine.map((p) => p.hostIp))) {
      const spec = pastaPorts(mine.filter((p) => p.hostIp === ip));
      args.push(flag, ip === "" ? spec : `${ip}/${spec}`);
    }
  }
  return args;
}

/**
 * Plans a container's network helper.
 *
 * @param choice The network mode (slirp4netns or pasta) and its options.
 * @param ports The published ports, host ports picked.
 * @param context The helper's path and features, a directory, the host's route.
 * @returns The helper's plan and the addresses it gives the container.
 * @throws {UsageError} For an IPv6 host address with slirp4netns.
 *
 * @example
 * ```ts
 * import { parseNetwork } from "./network_option.ts";
 * import { planNetHelper } from "./plan_net_helper.ts";
 * const { helper, addresses } = planNetHelper(parseNetwork("slirp4netns"), [], {
 *   path: "/usr/bin/slirp4netns",
 *   dir: "/run/user/1000/nook/c/x",
 *   features: { sandbox: true, seccomp: false },
 *   route: null,
 * });
 * console.assert(helper.argv.includes("--disable-host-loopback") && addresses.dns === "10.0.2.3");
 * ```
 */
export function planNetHelper(
  choice: NetworkChoice,
  ports: readonly PortMapping[],
  context: NetHelperContext,
): { helper: NetHelperPlan; addresses: NetAddresses } {
  const log = `${context.dir}/${choice.mode}.log`;
  if (choice.mode === "slirp4netns") {
    const v6 = ports.find((p) => p.hostIp.includes(":"));
    if (v6) {
      throw new UsageError(
        `Cannot publish on ${v6.hostIp} with slirp4netns, which forwards IPv4 host addresses ` +
          "only: use an IPv4 address, or --network pasta",
      );
    }
    const api = ports.length || context.apiSocket ? `${context.dir}/slirp4netns.sock` : "";
    const argv = [
      context.path,
      "--configure",
      `--mtu=${choice.mtu}`,
      ...(choice.allowHostLoopback ? [] : ["--disable-host-loopback"]),
      "--ready-fd=3",
      "--exit-fd=4",
      ...(api ? [`--api-socket=${api}`] : []),
      ...(context.features.sandbox ? ["--enable-sandbox"] : []),
      ...(context.features.seccomp ? ["--enable-seccomp"] : []),
      "{pid}",
      "tap0",
    ];
    const requests = ports.map((p) =>
      JSON.stringify({
        execute: "add_hostfwd",
        arguments: {
          proto: p.protocol,
          host_addr: p.hostIp || ANY_ADDRESS,
          host_port: p.hostPort,
          guest_addr: SLIRP_ADDRESSES.ip,
          guest_port: p.containerPort,
        },
      })
    );
    return {
      helper: { tool: "slirp4netns", argv, log, api, requests, requestPorts: [...ports] },
      addresses: {
        ...SLIRP_ADDRESSES,
        hostLoopback: choice.allowHostLoopback ? SLIRP_ADDRESSES.gateway : "",
      },
    };
  }
  if (choice.mode !== "pasta") {
    throw new UsageError(`Network mode '${choice.mode}' runs no helper`);
  }
  const argv = [
    context.path,
    "--config-net",
    "--foreground",
    "--quiet",
    "--mtu",
    String(choice.mtu),
    ...(choice.allowHostLoopback ? [] : ["--no-map-gw"]),
    ...pastaPortArgs(ports),
    "-T",
    "none",
    "-U",
    "none",
    "--dns-forward",
    PASTA_DNS_FORWARD,
    "--pid",
    "/dev/fd/3",
    ...choice.helperArgs,
    "{pid}",
  ];
  const gateway = context.route?.gateway ?? "";
  return {
    helper: { tool: "pasta", argv, log, api: "", requests: [], requestPorts: [] },
    addresses: {
      ip: context.route?.address ?? "",
      gateway,
      dns: PASTA_DNS_FORWARD,
      hostLoopback: choice.allowHostLoopback ? gateway : "",
    },
  };
}
