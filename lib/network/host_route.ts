/**
 * The host's default IPv4 route, read from /proc: pasta copies it into the
 * container (the container gets the host's address on the interface of the
 * default route, and the same gateway), so /etc/hosts can name them without
 * asking the container's network namespace.
 *
 * @module
 */
import { sys } from "../sys/mod.ts";

/** The interface, gateway and address of the default route. */
export interface HostRoute {
  /** Interface name. */
  iface: string;
  /** Gateway address. */
  gateway: string;
  /** The host's address on that interface, or "" when none was found. */
  address: string;
}

/** A little-endian hex IPv4 of /proc/net/route as dotted quad. */
function hexIp(hex: string): string {
  const n = parseInt(hex, 16);
  return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255].join(".");
}

function ipNumber(ip: string): number {
  return ip.split(".").reduce((n, part) => (n * 256 + Number(part)) >>> 0, 0);
}

/**
 * Finds the default route in /proc/net/route and the host's address on its
 * interface among the local addresses of /proc/net/fib_trie.
 *
 * @param routeText /proc/net/route.
 * @param fibTrieText /proc/net/fib_trie.
 * @returns The route, or null when there is no default route.
 *
 * @example
 * ```ts
 * import { parseDefaultRoute } from "./host_route.ts";
 * const route = "Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\n" +
 *   "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\n" +
 *   "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\n";
 * const trie = "Main:\n  |-- 127.0.0.1\n     /32 host LOCAL\n  |-- 192.0.2.2\n     /32 host LOCAL\n";
 * const r = parseDefaultRoute(route, trie);
 * console.assert(r?.gateway === "192.0.2.1" && r.address === "192.0.2.2" && r.iface === "eth0");
 * ```
 */
export function parseDefaultRoute(routeText: string, fibTrieText: string): HostRoute | null {
  const rows = routeText.split("\n").slice(1).map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= 8);
  const byMetric = rows.filter((f) => f[1] === "00000000" && f[7] === "00000000")
    .sort((a, b) => Number(a[6]) - Number(b[6]));
  const def = byMetric[0];
  if (!def) return null;
  const iface = def[0];
  const links = rows.filter((f) => f[0] === iface && f[1] !== "00000000")
    .map((f) => ({ net: ipNumber(hexIp(f[1])), mask: ipNumber(hexIp(f[7])) }));
  const locals: string[] = [];
  let last = "";
  for (const line of fibTrieText.split("\n")) {
    const addr = /\|--\s+(\d+\.\d+\.\d+\.\d+)/.exec(line);
    if (addr) last = addr[1];
    else if (/^\s*\/32 host LOCAL/.test(line) && last && !locals.includes(last)) locals.push(last);
  }
  const address = locals.find((ip) =>
    !ip.startsWith("127.") &&
    links.some((l) => ((ipNumber(ip) & l.mask) >>> 0) === ((l.net & l.mask) >>> 0))
  ) ?? "";
  return { iface, gateway: hexIp(def[2]), address };
}

/**
 * The host's default IPv4 route.
 *
 * @returns The route, or null when there is none (or /proc cannot be read).
 *
 * @example
 * ```ts ignore
 * defaultRoute(); // { iface: "eth0", gateway: "192.0.2.1", address: "192.0.2.2" }
 * ```
 */
export function defaultRoute(): HostRoute | null {
  const route = sys.readText("/proc/net/route");
  if (route === null) return null;
  return parseDefaultRoute(route, sys.readText("/proc/net/fib_trie") ?? "");
}

/**
 * Whether the route tables have a default route (IPv4 in /proc/net/route,
 * IPv6 in /proc/net/ipv6_route): pasta refuses to start without one.
 *
 * @param route /proc/net/route.
 * @param ipv6Route /proc/net/ipv6_route.
 * @returns True when either has one.
 *
 * @example
 * ```ts
 * import { parseHasDefaultRoute } from "./host_route.ts";
 * const v4 = "Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\n" +
 *   "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\n";
 * console.assert(parseHasDefaultRoute(v4, "") && !parseHasDefaultRoute("Iface\n", ""));
 * ```
 */
export function parseHasDefaultRoute(route: string, ipv6Route: string): boolean {
  const v4 = route.split("\n").slice(1).some((l) => {
    const f = l.trim().split(/\s+/);
    return f[1] === "00000000" && f[7] === "00000000";
  });
  // dest, dest prefix length, src, src prefix, next hop, metric, refcnt, use, flags, device
  const v6 = ipv6Route.split("\n").some((l) => {
    const f = l.trim().split(/\s+/);
    return f.length >= 10 && /^0{32}$/.test(f[0]) && f[1] === "00" && f[9] !== "lo";
  });
  return v4 || v6;
}

/**
 * Whether this host has a default route (IPv4 or IPv6).
 *
 * @returns True when it has one.
 *
 * @example
 * ```ts ignore
 * hasDefaultRoute(); // true on a networked host
 * ```
 */
export function hasDefaultRoute(): boolean {
  return parseHasDefaultRoute(
    sys.readText("/proc/net/route") ?? "",
    sys.readText("/proc/net/ipv6_route") ?? "",
  );
}
