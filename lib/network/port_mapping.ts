/**
 * Published ports: docker's `-p [IP:][HOSTPORT:]CONTAINERPORT[/PROTO]` with
 * ranges (`8000-8002:80-82`), parsed into one mapping per port, and written
 * back the way `ps` and `port` show them (`127.0.0.1:8080->80/tcp`).
 *
 * @module
 */
import { UsageError } from "../errors/mod.ts";

/** A transport protocol a port is published for. */
export type PortProtocol = "tcp" | "udp";

/** One host port forwarded to one container port. */
export interface PortMapping {
  /** Host address to listen on; "" for every address (docker's 0.0.0.0). */
  hostIp: string;
  /** Host port; 0 until a free one is picked at start. */
  hostPort: number;
  /** Port inside the container. */
  containerPort: number;
  /** tcp or udp. */
  protocol: PortProtocol;
}

/** The address docker shows for a port published on every address. */
export const ANY_ADDRESS = "0.0.0.0";

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/**
 * Whether a text is an IPv4 or IPv6 address.
 *
 * @param text The text.
 * @returns True for e.g. "127.0.0.1" or "::1".
 *
 * @example
 * ```ts
 * import { isIpAddress } from "./port_mapping.ts";
 * console.assert(isIpAddress("10.0.2.2") && isIpAddress("fd00::1") && !isIpAddress("localhost"));
 * ```
 */
export function isIpAddress(text: string): boolean {
  if (IPV4.test(text)) return true;
  if (!/^[0-9a-fA-F:.]+$/.test(text) || !text.includes(":")) return false;
  try {
    new URL(`http://[${text}]/`);
    return true;
  } catch {
    return false;
  }
}

/** "8000-8002" or "80" -> [first, last]. */
function portRange(text: string, spec: string, what: string, allowZero: boolean): [number, number] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  const first = Number(m?.[1]), last = Number(m?.[2] ?? m?.[1]);
  const low = allowZero ? 0 : 1;
  if (!m || first < low || last > 65535 || last < first) {
    throw new UsageError(
      `Invalid port '${text}' in -p '${spec}': ${what} must be a number ${low}-65535 ` +
        "or a range such as 8000-8002",
    );
  }
  return [first, last];
}

/**
 * Parses one `-p`/`--publish` value.
 *
 * @param spec e.g. "127.0.0.1:8080:80", "8000-8002:80-82/udp", "[::1]::80", "80".
 * @returns One mapping per port (host port 0: pick a free one at start).
 * @throws {UsageError} On a malformed value, naming the part and the fix.
 *
 * @example
 * ```ts
 * import { parsePublish } from "./port_mapping.ts";
 * const [m] = parsePublish("127.0.0.1:8080:80");
 * console.assert(m.hostIp === "127.0.0.1" && m.hostPort === 8080 && m.protocol === "tcp");
 * console.assert(parsePublish("8000-8002:80-82/udp").length === 3);
 * ```
 */
export function parsePublish(spec: string): PortMapping[] {
  let rest = spec;
  let protocol: PortProtocol = "tcp";
  const slash = rest.lastIndexOf("/");
  if (slash >= 0) {
    const proto = rest.slice(slash + 1).toLowerCase();
    if (proto !== "tcp" && proto !== "udp") {
      throw new UsageError(`Invalid protocol '${proto}' in -p '${spec}': use tcp or udp`);
    }
    protocol = proto;
    rest = rest.slice(0, slash);
  }
  let hostIp = "";
  const bracket = /^\[([^\]]*)\]:(.*)$/.exec(rest);
  let parts: string[];
  if (bracket) {
    hostIp = bracket[1];
    parts = bracket[2].split(":");
    if (parts.length !== 2) {
      throw new UsageError(
        `Invalid -p '${spec}': after [IP] give HOSTPORT:CONTAINERPORT (HOSTPORT may be empty)`,
      );
    }
  } else {
    parts = rest.split(":");
    if (parts.length > 3) {
      throw new UsageError(
        `Invalid -p '${spec}': use [IP:][HOSTPORT:]CONTAINERPORT[/PROTO], an IPv6 address in brackets`,
      );
    }
    if (parts.length === 3) hostIp = parts.shift()!;
  }
  if (hostIp !== "" && !isIpAddress(hostIp)) {
    throw new UsageError(`Invalid host address '${hostIp}' in -p '${spec}': give an IP address`);
  }
  const [hostText, containerText] = parts.length === 1 ? ["", parts[0]] : parts;
  const [cFirst, cLast] = portRange(containerText, spec, "the container port", false);
  const count = cLast - cFirst + 1;
  let hFirst = 0;
  if (hostText !== "") {
    const [first, last] = portRange(hostText, spec, "the host port", true);
    if (first === 0 && last === 0) {
      hFirst = 0;
    } else if (last - first + 1 !== count) {
      throw new UsageError(
        `Invalid -p '${spec}': the host range ${hostText} and the container range ` +
          `${containerText} differ in length; give as many host ports as container ports`,
      );
    } else {
      hFirst = first;
    }
  }
  return Array.from({ length: count }, (_, i) => ({
    hostIp,
    hostPort: hFirst === 0 ? 0 : hFirst + i,
    containerPort: cFirst + i,
    protocol,
  }));
}

/**
 * Parses an image's exposed port ("80/tcp", "53/udp", "8080").
 *
 * @param key The ExposedPorts key.
 * @returns The port and protocol, or null for what nook cannot publish (e.g. sctp, a bad number).
 *
 * @example
 * ```ts
 * import { parseExposedPort } from "./port_mapping.ts";
 * console.assert(parseExposedPort("53/udp")?.protocol === "udp");
 * ```
 */
export function parseExposedPort(key: string): { port: number; protocol: PortProtocol } | null {
  const m = /^(\d+)(?:\/(tcp|udp))?$/i.exec(key.trim());
  const port = Number(m?.[1]);
  if (!m || port < 1 || port > 65535) return null;
  return { port, protocol: (m[2]?.toLowerCase() ?? "tcp") as PortProtocol };
}

/**
 * The address a mapping shows: its host IP, or 0.0.0.0 for every address.
 *
 * @param m The mapping.
 * @returns The address.
 *
 * @example
 * ```ts
 * import { shownHostIp } from "./port_mapping.ts";
 * console.assert(shownHostIp({ hostIp: "", hostPort: 1, containerPort: 1, protocol: "tcp" }) === "0.0.0.0");
 * ```
 */
export function shownHostIp(m: PortMapping): string {
  return m.hostIp || ANY_ADDRESS;
}

function hostPart(ip: string, ports: string): string {
  return `${ip.includes(":") ? `[${ip}]` : ip}:${ports}`;
}

/**
 * The PORTS column of `ps`, as docker writes it: consecutive ports become
 * ranges, entries are joined with ", ".
 *
 * @param ports The published ports (host ports picked).
 * @returns e.g. "127.0.0.1:8080->80/tcp, 0.0.0.0:9000-9001->90-91/udp".
 *
 * @example
 * ```ts
 * import { formatPorts, parsePublish } from "./port_mapping.ts";
 * console.assert(formatPorts(parsePublish("127.0.0.1:8080:80")) === "127.0.0.1:8080->80/tcp");
 * console.assert(formatPorts(parsePublish("8000-8001:80-81")) === "0.0.0.0:8000-8001->80-81/tcp");
 * ```
 */
export function formatPorts(ports: readonly PortMapping[]): string {
  const sorted = [...ports].sort((a, b) =>
    a.protocol.localeCompare(b.protocol) || shownHostIp(a).localeCompare(shownHostIp(b)) ||
    a.containerPort - b.containerPort
  );
  const out: string[] = [];
  for (let i = 0; i < sorted.length;) {
    const first = sorted[i];
    let j = i + 1;
    while (
      j < sorted.length && sorted[j].protocol === first.protocol &&
      shownHostIp(sorted[j]) === shownHostIp(first) &&
      sorted[j].containerPort === first.containerPort + (j - i) &&
      sorted[j].hostPort === first.hostPort + (j - i)
    ) j++;
    const last = sorted[j - 1];
    const range = (a: number, b: number) => (a === b ? `${a}` : `${a}-${b}`);
    out.push(
      `${hostPart(shownHostIp(first), range(first.hostPort, last.hostPort))}->` +
        `${range(first.containerPort, last.containerPort)}/${first.protocol}`,
    );
    i = j;
  }
  return out.join(", ");
}

/**
 * One line of `nook port` for a mapping: the host side.
 *
 * @param m The mapping.
 * @returns e.g. "127.0.0.1:8080" or "[::1]:8080".
 *
 * @example
 * ```ts
 * import { hostAddress } from "./port_mapping.ts";
 * console.assert(hostAddress({ hostIp: "::1", hostPort: 80, containerPort: 80, protocol: "tcp" }) === "[::1]:80");
 * ```
 */
export function hostAddress(m: PortMapping): string {
  return hostPart(shownHostIp(m), String(m.hostPort));
}
