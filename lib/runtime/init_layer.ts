/**
 * The per-container /etc/hostname, /etc/hosts and /etc/resolv.conf, written
 * to the container's runtime directory and bind-mounted over the rootfs's own
 * (which stay untouched).
 *
 * @module
 */
import { UsageError } from "../errors/mod.ts";
import type { NetAddresses } from "../network/plan_net_helper.ts";
import { isIpAddress } from "../network/port_mapping.ts";
import { sys } from "../sys/mod.ts";
import type { InitLayer, NetworkMode } from "./container_spec.ts";

/** Options of {@linkcode writeInitLayer}. */
export interface InitLayerOptions {
  /** The container's hostname. */
  hostname: string;
  /** Its network mode. */
  network: NetworkMode;
  /** Its name, also in /etc/hosts (none for an unnamed rootfs run). */
  name?: string;
  /** The addresses its network helper gives it (slirp4netns, pasta). */
  addresses?: NetAddresses;
  /** `--add-host NAME:IP` values (IP may be `host-gateway`). */
  addHosts?: readonly string[];
  /** `--dns` servers: they replace the host's. */
  dns?: readonly string[];
  /** `--dns-search` domains: they replace the host's. */
  dnsSearch?: readonly string[];
  /** `--dns-option` options: they replace the host's. */
  dnsOptions?: readonly string[];
}

/** What resolv.conf a container gets, besides the host's text. */
export interface ResolvOptions {
  /** The container has a network namespace of its own (the host's loopback is not its). */
  ownNetwork: boolean;
  /** The helper's DNS forwarder, which stands in for loopback nameservers ("" for none). */
  forwarder?: string;
  /** `--dns`: nameservers instead of the host's. */
  servers?: readonly string[];
  /** `--dns-search`: search domains instead of the host's ("." for none). */
  search?: readonly string[];
  /** `--dns-option`: options instead of the host's. */
  options?: readonly string[];
}

function isLoopback(ip: string): boolean {
  return ip.startsWith("127.") || ip === "::1";
}

/**
 * resolv.conf for a container: the host's, where the container has a network
 * namespace of its own with loopback nameservers (which would not answer
 * there) replaced by the helper's DNS forwarder, or dropped without one;
 * `--dns`, `--dns-search` and `--dns-option` replace the host's lines.
 *
 * @param hostText The host's /etc/resolv.conf.
 * @param options The container's network and the flags.
 * @returns The text.
 *
 * @example
 * ```ts
 * import { containerResolvConf } from "./init_layer.ts";
 * const host = "nameserver 127.0.0.53\nnameserver 9.9.9.9\nsearch lan\n";
 * const none = containerResolvConf(host, { ownNetwork: true });
 * console.assert(!none.includes("127.0.0.53") && none.includes("9.9.9.9"));
 * const slirp = containerResolvConf(host, { ownNetwork: true, forwarder: "10.0.2.3" });
 * console.assert(slirp.startsWith("nameserver 10.0.2.3\nnameserver 9.9.9.9\n"));
 * ```
 */
export function containerResolvConf(hostText: string, options: ResolvOptions): string {
  const forwarder = options.ownNetwork ? options.forwarder ?? "" : "";
  const out: string[] = [];
  let forwarded = false;
  for (const line of hostText.split("\n")) {
    const m = /^\s*(nameserver|search|domain|options)\b\s*(\S*)/.exec(line);
    if (!m) {
      out.push(line);
      continue;
    }
    const [, key, value] = m;
    if (key === "nameserver") {
      if (options.servers?.length) continue;
      if (options.ownNetwork && isLoopback(value)) {
        if (forwarder && !forwarded) out.push(`nameserver ${forwarder}`);
        forwarded ||= forwarder !== "";
        continue;
      }
    }
    if ((key === "search" || key === "domain") && options.search?.length) continue;
    if (key === "options" && options.options?.length) continue;
    out.push(line);
  }
  const extra = [
    ...(options.servers ?? []).map((s) => `nameserver ${s}`),
    ...(options.search?.length && !(options.search.length === 1 && options.search[0] === ".")
      ? [`search ${options.search.join(" ")}`]
      : []),
    ...(options.options?.length ? [`options ${options.options.join(" ")}`] : []),
  ];
  let text = out.join("\n");
  if (extra.length) {
    text = (text.trim() === "" ? "" : text.replace(/\n*$/, "\n")) + extra.join("\n") + "\n";
  }
  return text;
}

/**
 * Parses an `--add-host` value: `NAME:IP` or `NAME=IP` (IP may be an IPv6
 * address, or `host-gateway` for the host as the container reaches it).
 *
 * @param value The flag's value.
 * @param hostGateway The host's address for `host-gateway` ("" when the network has none).
 * @returns The name and the address.
 * @throws {UsageError} On a malformed value, or host-gateway without a way to the host.
 *
 * @example
 * ```ts
 * import { parseAddHost } from "./init_layer.ts";
 * console.assert(parseAddHost("db:10.1.2.3", "").join(" ") === "db 10.1.2.3");
 * console.assert(parseAddHost("gw:host-gateway", "10.0.2.2")[1] === "10.0.2.2");
 * console.assert(parseAddHost("v6:fd00::1", "")[1] === "fd00::1");
 * ```
 */
export function parseAddHost(value: string, hostGateway: string): [string, string] {
  const at = /[:=]/.exec(value)?.index ?? -1;
  const name = at < 0 ? "" : value.slice(0, at);
  let ip = at < 0 ? "" : value.slice(at + 1).replace(/^\[(.*)\]$/, "$1");
  if (name === "" || /\s/.test(name)) {
    throw new UsageError(`Invalid --add-host '${value}': use NAME:IP, e.g. db:10.0.0.5`);
  }
  if (ip === "host-gateway") {
    if (!hostGateway) {
      throw new UsageError(
        `Cannot resolve --add-host '${value}': this network does not reach the host; ` +
          "use --network pasta or slirp4netns, or give an IP address",
      );
    }
    ip = hostGateway;
  }
  if (!isIpAddress(ip)) {
    throw new UsageError(`Invalid --add-host '${value}': '${ip}' is not an IP address`);
  }
  return [name, ip];
}

/**
 * The address `host-gateway` stands for in a network mode.
 *
 * @param network The mode.
 * @param addresses The helper's addresses (slirp4netns, pasta).
 * @returns The address, or "" when the container cannot reach the host.
 *
 * @example
 * ```ts
 * import { hostGatewayAddress } from "./init_layer.ts";
 * console.assert(hostGatewayAddress("host") === "127.0.0.1" && hostGatewayAddress("none") === "");
 * ```
 */
export function hostGatewayAddress(network: NetworkMode, addresses?: NetAddresses): string {
  if (network === "host") return "127.0.0.1";
  return addresses?.hostLoopback || addresses?.gateway || "";
}

/**
 * /etc/hosts for a container: localhost, its own address with its hostname
 * and name, `--add-host` entries, and `host.containers.internal` (with
 * docker's alias) when it may reach the host's loopback. With the host's
 * network: the host's file plus the `--add-host` entries.
 *
 * @param options Hostname, name, network, addresses, `--add-host` values.
 * @param hostText The host's /etc/hosts (for the host's network).
 * @returns The text.
 *
 * @example
 * ```ts
 * import { containerHosts } from "./init_layer.ts";
 * const text = containerHosts({ hostname: "abc", name: "web", network: "none" }, "");
 * console.assert(text.includes("127.0.1.1\tabc web\n"));
 * ```
 */
export function containerHosts(options: InitLayerOptions, hostText: string): string {
  const gateway = hostGatewayAddress(options.network, options.addresses);
  const extra = (options.addHosts ?? []).map((v) => parseAddHost(v, gateway))
    .map(([name, ip]) => `${ip}\t${name}\n`).join("");
  if (options.network === "host") {
    return (hostText || "127.0.0.1\tlocalhost\n").replace(/\n*$/, "\n") + extra;
  }
  const names = [
    options.hostname,
    ...(options.name && options.name !== options.hostname ? [options.name] : []),
  ];
  const own = options.addresses?.ip || "127.0.1.1";
  const loopback = options.addresses?.hostLoopback;
  return "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n" + extra +
    (loopback ? `${loopback}\thost.containers.internal host.docker.internal\n` : "") +
    `${own}\t${names.join(" ")}\n`;
}

/**
 * Writes the init layer files into `dir`.
 *
 * @param dir The container's runtime directory.
 * @param options Hostname, name, network mode and addresses, and the DNS and host flags.
 * @returns The host paths to bind-mount.
 * @throws {UsageError} On a bad `--add-host`.
 *
 * @example
 * ```ts ignore
 * import { writeInitLayer } from "./init_layer.ts";
 * writeInitLayer("/run/user/1000/nook/run-x", { hostname: "abc", network: "none" });
 * ```
 */
export function writeInitLayer(dir: string, options: InitLayerOptions): InitLayer {
  const layer: InitLayer = {
    hostname: `${dir}/hostname`,
    hosts: `${dir}/hosts`,
    resolvConf: `${dir}/resolv.conf`,
  };
  const own = options.network !== "host";
  const hosts = containerHosts(options, own ? "" : sys.readText("/etc/hosts") ?? "");
  sys.writeText(layer.hostname, `${options.hostname}\n`, 0o644);
  sys.writeText(layer.hosts, hosts, 0o644);
  sys.writeText(
    layer.resolvConf,
    containerResolvConf(sys.readText("/etc/resolv.conf") ?? "", {
      ownNetwork: own,
      forwarder: options.addresses?.dns,
      servers: options.dns,
      search: options.dnsSearch,
      options: options.dnsOptions,
    }),
    0o644,
  );
  return layer;
}
