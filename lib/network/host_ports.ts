/**
 * The host side of published ports, decided before a container starts: a
 * free port for each one asked without a host port (and for `-P`), and a
 * clear error for a port that is taken or that an unprivileged user may not
 * bind. The helper binds them right after; nothing runs when a check fails.
 *
 * @module
 */
import { loadShim } from "../../shim/binding.ts";
import { errnoText, NookError, UsageError } from "../errors/mod.ts";
import { sys } from "../sys/mod.ts";
import { ANY_ADDRESS, type PortMapping, shownHostIp } from "./port_mapping.ts";

const EACCES = 13;
const EADDRINUSE = 98;
const EADDRNOTAVAIL = 99;

/** The sysctl that says from which port on unprivileged users may bind. */
export const UNPRIVILEGED_PORT_SYSCTL = "net.ipv4.ip_unprivileged_port_start";

/**
 * The lowest port an unprivileged user may bind on this host.
 *
 * @returns The value of net.ipv4.ip_unprivileged_port_start (1024 when unreadable).
 *
 * @example
 * ```ts ignore
 * unprivilegedPortStart(); // 1024
 * ```
 */
export function unprivilegedPortStart(): number {
  const text = sys.readText("/proc/sys/net/ipv4/ip_unprivileged_port_start");
  const n = Number(text?.trim());
  return text !== null && Number.isInteger(n) ? n : 1024;
}

/** Binds a host port and lets go: the port, or -errno. */
export type PortProbe = (protocol: "tcp" | "udp", ip: string, port: number) => number;

/** Options of {@linkcode publishPorts}. */
export interface PublishOptions {
  /** The bind test (default: the shim's). */
  probe?: PortProbe;
  /** The lowest unprivileged port (default: the host's sysctl). */
  unprivilegedStart?: number;
}

/** " (e.g. -p 8080:80)" for a privileged host port, when that one is unprivileged. */
function example(m: PortMapping, start: number): string {
  const port = 8000 + m.hostPort;
  return port >= start && port <= 65535 ? ` (e.g. -p ${port}:${m.containerPort})` : "";
}

function where(m: PortMapping, port = m.hostPort): string {
  const ip = shownHostIp(m);
  return `${ip.includes(":") ? `[${ip}]` : ip}:${port}/${m.protocol}`;
}

/**
 * Picks free host ports where none was given and checks the others.
 *
 * @param mappings The ports to publish (host port 0: pick one).
 * @param options The bind test and the unprivileged port start, for tests.
 * @returns The mappings with every host port set.
 * @throws {NookError} Naming the host port that is in use or below the
 *   unprivileged port start, or the address that is not the host's.
 * @throws {UsageError} When one host port is given twice.
 *
 * @example
 * ```ts
 * import { publishPorts } from "./host_ports.ts";
 * const probe = (_p: string, _ip: string, port: number) => port || 40000;
 * const [m] = publishPorts([{ hostIp: "", hostPort: 0, containerPort: 80, protocol: "tcp" }], { probe, unprivilegedStart: 1024 });
 * console.assert(m.hostPort === 40000);
 * ```
 */
export function publishPorts(
  mappings: readonly PortMapping[],
  options: PublishOptions = {},
): PortMapping[] {
  const probe = options.probe ?? ((p, ip, port) => loadShim().portProbe(p, ip, port));
  const start = options.unprivilegedStart ?? unprivilegedPortStart();
  const taken = new Set<string>();
  const key = (m: PortMapping, port: number) => `${m.protocol}/${port}/${m.hostIp}`;
  const out: PortMapping[] = [];
  for (const m of mappings) {
    const ip = m.hostIp || ANY_ADDRESS;
    if (m.hostPort > 0 && m.hostPort < start) {
      throw new NookError(
        `Cannot publish host port ${m.hostPort} (${where(m)}): ports below ${start} ` +
          `(${UNPRIVILEGED_PORT_SYSCTL}) are privileged and rootless nook cannot bind them; ` +
          `use a host port of ${start} or more${example(m, start)}, ` +
          `or let users bind it: sudo sysctl ${UNPRIVILEGED_PORT_SYSCTL}=${m.hostPort}`,
      );
    }
    if (m.hostPort > 0 && taken.has(key(m, m.hostPort))) {
      throw new UsageError(
        `Host port ${m.hostPort} (${
          where(m)
        }) is published twice: give each mapping its own host port`,
      );
    }
    let port = m.hostPort;
    for (let tries = 0;; tries++) {
      const r = probe(m.protocol, ip, m.hostPort);
      if (r < 0) {
        const errno = -r;
        const why = errno === EADDRINUSE
          ? `host port ${m.hostPort} is already in use; choose another host port or stop ` +
            "what listens on it"
          : errno === EADDRNOTAVAIL
          ? `${ip} is not an address of this host; publish on one of its addresses or on 0.0.0.0`
          : errno === EACCES
          ? `binding it is not permitted (${UNPRIVILEGED_PORT_SYSCTL} is ${start})`
          : errnoText(errno);
        throw new NookError(
          `Cannot publish ${where(m)} to container port ${m.containerPort}: ${why}`,
        );
      }
      port = r;
      // Two free ports picked for one container may coincide: pick again.
      if (m.hostPort > 0 || !taken.has(key(m, port)) || tries > 20) break;
    }
    taken.add(key(m, port));
    out.push({ ...m, hostPort: port });
  }
  return out;
}
