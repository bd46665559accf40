/**
 * The per-container /etc/hostname, /etc/hosts and /etc/resolv.conf, written
 * to the container's runtime directory and bind-mounted over the rootfs's own
 * (which stay untouched).
 *
 * @module
 */
import { sys } from "../sys/mod.ts";
import type { InitLayer, NetworkMode } from "./container_spec.ts";

/** Options of {@linkcode writeInitLayer}. */
export interface InitLayerOptions {
  /** The container's hostname. */
  hostname: string;
  /** Its network mode. */
  network: NetworkMode;
}

/**
 * resolv.conf for a container: the host's, minus loopback nameservers where
 * the container has a network namespace of its own (they would not answer).
 *
 * @param hostText The host's /etc/resolv.conf.
 * @param ownNetwork The container has its own network namespace.
 * @returns The text.
 *
 * @example
 * ```ts
 * import { containerResolvConf } from "./init_layer.ts";
 * const text = containerResolvConf("nameserver 127.0.0.53\nnameserver 9.9.9.9\n", true);
 * console.assert(!text.includes("127.0.0.53") && text.includes("9.9.9.9"));
 * ```
 */
export function containerResolvConf(hostText: string, ownNetwork: boolean): string {
  if (!ownNetwork) return hostText;
  return hostText.split("\n").filter((line) => {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    return !m || !(m[1].startsWith("127.") || m[1] === "::1");
  }).join("\n");
}

/**
 * Writes the init layer files into `dir`.
 *
 * @param dir The container's runtime directory.
 * @param options Hostname and network mode.
 * @returns The host paths to bind-mount.
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
  const hosts = own
    ? `127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\t${options.hostname}\n`
    : sys.readText("/etc/hosts") ?? "127.0.0.1\tlocalhost\n";
  sys.writeText(layer.hostname, `${options.hostname}\n`, 0o644);
  sys.writeText(layer.hosts, hosts, 0o644);
  sys.writeText(
    layer.resolvConf,
    containerResolvConf(sys.readText("/etc/resolv.conf") ?? "", own),
    0o644,
  );
  return layer;
}
