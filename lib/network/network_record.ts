/**
 * User-defined networks: `<data>/networks/<name>.json`, written atomically,
 * created, removed and given addresses under one lock. A network is a bridge
 * in a network namespace of its own (see network_infra.ts); containers on it
 * get an address from its subnet and find each other by name.
 *
 * @module
 */
import { UsageError } from "../errors/mod.ts";
import { runtimeDir } from "../paths/mod.ts";
import { storeLayout, withLock, writeFileAtomic } from "../store/mod.ts";
import { sys } from "../sys/mod.ts";
import { NoSuchNetworkError } from "./no_such_network.ts";

/** `<name>.json`. */
export interface NetworkRecord {
  /** Unique name. */
  name: string;
  /** 64 hex digits. */
  id: string;
  /** Always "bridge". */
  driver: "bridge";
  /** IPv4 subnet, CIDR (e.g. "10.89.1.0/24"). */
  subnet: string;
  /** The bridge's address, the containers' gateway. */
  gateway: string;
  /** No way out (`--internal`): no helper for outbound traffic. */
  internal: boolean;
  /** Labels. */
  labels: Record<string, string>;
  /**
   * Driver options (`--opt KEY=VALUE`): `allow_host_loopback=true` lets the
   * members reach the host's loopback (as `host.containers.internal`);
   * `helper=slirp4netns|pasta` picks the way out.
   */
  options?: Record<string, string>;
  /** ISO time. */
  created: string;
}

/** The network every container is on unless told otherwise (not a user-defined one). */
export const RESERVED_NETWORKS: readonly string[] = [
  "none",
  "host",
  "bridge",
  "slirp4netns",
  "pasta",
];

/**
 * Where network records are.
 *
 * @returns `<data>/networks`.
 *
 * @example
 * ```ts ignore
 * networksRoot();
 * ```
 */
export function networksRoot(): string {
  return `${storeLayout().root}/networks`;
}

/**
 * Reads a network by name.
 *
 * @param name Its name.
 * @returns The record, or null.
 *
 * @example
 * ```ts ignore
 * readNetwork("backend");
 * ```
 */
export function readNetwork(name: string): NetworkRecord | null {
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name)) return null;
  const text = sys.readText(`${networksRoot()}/${name}.json`);
  if (text === null) return null;
  try {
    return JSON.parse(text) as NetworkRecord;
  } catch {
    return null;
  }
}

/**
 * Every network.
 *
 * @returns The records, by name.
 *
 * @example
 * ```ts ignore
 * for (const n of listNetworks()) console.log(n.name);
 * ```
 */
export function listNetworks(): NetworkRecord[] {
  return sys.readDir(networksRoot())
    .filter((f) => f.endsWith(".json"))
    .map((f) => readNetwork(f.slice(0, -5)))
    .filter((n): n is NetworkRecord => n !== null)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Writes a network record atomically.
 *
 * @param record The record.
 *
 * @example
 * ```ts ignore
 * writeNetwork(record);
 * ```
 */
export function writeNetwork(record: NetworkRecord): void {
  sys.mkdirp(networksRoot(), 0o700);
  writeFileAtomic(
    `${networksRoot()}/${record.name}.json`,
    JSON.stringify(record, null, 2) + "\n",
    0o600,
  );
}

/**
 * Finds a network by name, id or unique id prefix.
 *
 * @param ref What the user typed.
 * @returns The record.
 * @throws {NoSuchNetworkError} When none match.
 * @throws {UsageError} When an id prefix matches several.
 *
 * @example
 * ```ts ignore
 * findNetwork("backend");
 * ```
 */
export function findNetwork(ref: string): NetworkRecord {
  const byName = readNetwork(ref);
  if (byName) return byName;
  const hits = /^[0-9a-f]+$/.test(ref) ? listNetworks().filter((n) => n.id.startsWith(ref)) : [];
  if (hits.length === 1) return hits[0];
  if (hits.length > 1) {
    throw new UsageError(`Network id prefix '${ref}' is ambiguous: ${hits.length} networks match`);
  }
  throw new NoSuchNetworkError(ref);
}

/**
 * Runs `fn` holding the networks lock (names, subnets and addresses are given out under it).
 *
 * @param fn The critical section.
 * @returns What `fn` returns.
 *
 * @example
 * ```ts ignore
 * await withNetworksLock(() => writeNetwork(record));
 * ```
 */
export async function withNetworksLock<T>(fn: () => T | Promise<T>): Promise<T> {
  return await withLock(`${runtimeDir()}/networks.lock`, fn);
}
