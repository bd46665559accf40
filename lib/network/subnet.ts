/**
 * IPv4 subnets and addresses for user-defined networks: parse a CIDR, pick a
 * free /24 from 10.89.0.0/16 (as podman does), give a container the lowest
 * free address.
 *
 * @module
 */
import { UsageError } from "../errors/mod.ts";

/** A parsed IPv4 subnet. */
export interface Subnet {
  /** The network address as a number. */
  base: number;
  /** Prefix length. */
  prefix: number;
}

/**
 * An IPv4 address as a number.
 *
 * @param text Dotted quad.
 * @returns The number, or null when it is not an address.
 *
 * @example
 * ```ts
 * import { ipToNumber } from "./subnet.ts";
 * console.assert(ipToNumber("10.0.0.1") === 0x0a000001);
 * ```
 */
export function ipToNumber(text: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return null;
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

/**
 * A number as a dotted quad.
 *
 * @param n The address.
 * @returns Its text.
 *
 * @example
 * ```ts
 * import { numberToIp } from "./subnet.ts";
 * console.assert(numberToIp(0x0a000001) === "10.0.0.1");
 * ```
 */
export function numberToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

/**
 * Parses `A.B.C.D/N` (IPv4; the host bits must be zero).
 *
 * @param cidr The subnet.
 * @returns It, parsed.
 * @throws {UsageError} When it is not an IPv4 subnet nook can use (/8 to /29).
 *
 * @example
 * ```ts
 * import { parseSubnet } from "./subnet.ts";
 * console.assert(parseSubnet("10.89.3.0/24").prefix === 24);
 * ```
 */
export function parseSubnet(cidr: string): Subnet {
  const [ip, len] = cidr.split("/");
  const base = ipToNumber(ip ?? "");
  const prefix = Number(len);
  if (base === null || !/^\d+$/.test(len ?? "") || prefix < 8 || prefix > 29) {
    throw new UsageError(
      `Invalid subnet '${cidr}': give an IPv4 CIDR from /8 to /29, e.g. 10.89.5.0/24`,
    );
  }
  const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
  if ((base & ~mask) >>> 0 !== 0) {
    throw new UsageError(
      `Invalid subnet '${cidr}': host bits are set; did you mean ${
        numberToIp((base & mask) >>> 0)
      }/${prefix}?`,
    );
  }
  return { base, prefix };
}

/**
 * Whether two subnets overlap.
 *
 * @param a One.
 * @param b The other.
 * @returns True when they share an address.
 *
 * @example
 * ```ts
 * import { overlaps, parseSubnet } from "./subnet.ts";
 * console.assert(overlaps(parseSubnet("10.0.0.0/8"), parseSubnet("10.89.1.0/24")));
 * ```
 */
export function overlaps(a: Subnet, b: Subnet): boolean {
  const size = (s: Subnet) => 2 ** (32 - s.prefix);
  return a.base < b.base + size(b) && b.base < a.base + size(a);
}

/**
 * The first free /24 in 10.89.0.0/16 that overlaps none of `taken`.
 *
 * @param taken Subnets in use.
 * @returns e.g. "10.89.0.0/24".
 * @throws {UsageError} When all 256 are taken.
 *
 * @example
 * ```ts
 * import { freeSubnet } from "./subnet.ts";
 * console.assert(freeSubnet(["10.89.0.0/24"]) === "10.89.1.0/24");
 * ```
 */
export function freeSubnet(taken: readonly string[]): string {
  const used = taken.map(parseSubnet);
  for (let i = 0; i < 256; i++) {
    const cidr = `10.89.${i}.0/24`;
    if (!used.some((u) => overlaps(u, parseSubnet(cidr)))) return cidr;
  }
  throw new UsageError("No free subnet left in 10.89.0.0/16: give one with --subnet");
}

/**
 * The lowest free host address of a subnet (the gateway and `taken` excluded).
 *
 * @param cidr The subnet.
 * @param taken Addresses in use (the gateway among them).
 * @returns The address.
 * @throws {UsageError} When the subnet is full.
 *
 * @example
 * ```ts
 * import { freeAddress } from "./subnet.ts";
 * console.assert(freeAddress("10.89.0.0/24", ["10.89.0.1"]) === "10.89.0.2");
 * ```
 */
export function freeAddress(cidr: string, taken: readonly string[]): string {
  const s = parseSubnet(cidr);
  const used = new Set(taken);
  const last = s.base + 2 ** (32 - s.prefix) - 2; // the broadcast address is not given out
  for (let n = s.base + 1; n <= last; n++) {
    const ip = numberToIp(n);
    if (!used.has(ip)) return ip;
  }
  throw new UsageError(
    `Network subnet ${cidr} is full: remove containers or make a bigger network`,
  );
}
