/**
 * Joining a network namespace that exists already (`--network
 * container:NAME`, `--network ns:PATH`), rootless.
 *
 * A network namespace belongs to the user namespace that made it, and only
 * CAP_SYS_ADMIN there lets a process join it; a new user namespace of the
 * container's own, a sibling, never has that. So the container joins the
 * owning user namespace too (found with ioctl NS_GET_USERNS on the namespace
 * file), which nook may do where the user created it: its id maps become the
 * container's, and none are written. Having joined, the first process clones
 * a sibling in new mount, pid, uts, ipc and cgroup namespaces (owned by that
 * user namespace), which goes on as any container does (see the planner).
 *
 * What cannot work rootlessly: a namespace owned by the host's user namespace
 * (the host's network, or one root made with `ip netns add`), or by another
 * user's; both are refused before anything starts.
 *
 * @module
 */
import type { NetAddresses } from "../network/plan_net_helper.ts";
import type { PortMapping } from "../network/port_mapping.ts";
import { loadShim } from "../../shim/binding.ts";
import type { Step } from "../../shim/protocol.ts";
import { Errno, errnoText, UsageError } from "../errors/mod.ts";
import { sys } from "../sys/mod.ts";
import { type IdMapPlan, insideId } from "../userns/mod.ts";
import { parseIdMap, type ProcessIdMaps } from "./container_process.ts";
import type { InitLayer } from "./container_spec.ts";
import { CloneFlag } from "./defaults.ts";
import type { NetworkConfig } from "../config/network_config.ts";

/** A network namespace a container joins instead of making its own. */
export interface NetworkJoin {
  /** How messages name it: "the network of container web", "the network namespace /run/x". */
  what: string;
  /** The namespace file the container's first process opens (e.g. /proc/PID/ns/net). */
  path: string;
  /** With a container: the process `path` belongs to, checked by its start time at the join. */
  pid?: number;
  /** That process's start time (field 22 of /proc/PID/stat). */
  startTime?: string;
  /** The maps of the user namespace that owns the network namespace, which the container joins. */
  maps: ProcessIdMaps;
  /** The user namespace that owns it, as /proc/PID/ns/user reads (unknown for ns:PATH). */
  userns?: string;
  /** With a container: its hostname, which the joiner takes (docker's rule). */
  hostname?: string;
  /**
   * With a container: the host files of its /etc/hostname, /etc/hosts and
   * /etc/resolv.conf, which the joiner mounts too (docker shares them).
   */
  files?: InitLayer;
  /**
   * A user-defined network: the container gets a network namespace of its own
   * (made by the clone, in the joined user namespace) and these steps plug it
   * into the network's bridge.
   */
  attach?: { steps: Step[]; describe: string[] };
  /** A user-defined network: the container's address, gateway, DNS forwarder, the host's loopback. */
  addresses?: NetAddresses;
  /** A user-defined network: the ports published for it (through the network's helper). */
  ports?: PortMapping[];
}

const { ENOENT, ESRCH, EACCES, EPERM, EINVAL, ENOTTY } = Errno;

const NS_NAMES: Record<number, string> = {
  [CloneFlag.NEWNS]: "mount",
  [CloneFlag.NEWCGROUP]: "cgroup",
  [CloneFlag.NEWUTS]: "uts",
  [CloneFlag.NEWIPC]: "ipc",
  [CloneFlag.NEWUSER]: "user",
  [CloneFlag.NEWPID]: "pid",
  [CloneFlag.NEWNET]: "network",
};

/**
 * The maps of the user namespace that owns the network namespace file
 * `path` (or one of `type`), which a container joining it joins too.
 *
 * @param path A network namespace file (/proc/PID/ns/net, or a bind mount of one).
 * @param what How messages name it ("the network of container web").
 * @param type The kind of namespace it must be (default CloneFlag.NEWNET).
 * @returns Its uid and gid maps (host ids outside) and whether setgroups is allowed.
 * @throws {UsageError} When it is no network namespace, or one nook cannot
 *   join rootlessly (the host's, or another user's); the message says why.
 *
 * @example
 * ```ts ignore
 * import { networkOwnerMaps } from "./network_join.ts";
 * const maps = networkOwnerMaps(`/proc/${pid}/ns/net`, "the network of container web");
 * ```
 */
export function networkOwnerMaps(
  path: string,
  what: string,
  type: number = CloneFlag.NEWNET,
): ProcessIdMaps {
  const shim = loadShim();
  const cannot = (why: string) => new UsageError(`Cannot join ${what}: ${why}`);
  const kind = shim.nsType(path);
  if (kind === -ENOENT) throw cannot(`'${path}' does not exist`);
  if (kind === -ENOTTY) {
    throw cannot(
      `'${path}' is not a namespace file: give /proc/PID/ns/net of a process of yours, ` +
        "or a file a network namespace is bind-mounted on",
    );
  }
  if (kind < 0) throw cannot(`cannot open '${path}': ${errnoText(-kind)}`);
  if (kind !== type) {
    throw cannot(
      `'${path}' is a ${NS_NAMES[kind] ?? "different"} namespace, not a ${
        NS_NAMES[type]
      } namespace`,
    );
  }
  const maps = shim.nsOwnerMaps(path);
  if (maps === null) {
    throw cannot(
      "it belongs to the host's user namespace (the host's own network, or one made by root " +
        "with 'ip netns add'), which a rootless container cannot join; use --network host, " +
        "or a namespace made in a user namespace of yours (e.g. 'unshare --user --net')",
    );
  }
  if (typeof maps === "number") {
    throw cannot(
      maps === -EPERM
        ? "you have no privilege over the user namespace that owns it (another user's?); " +
          "join only network namespaces made by your own user"
        : `cannot read the user namespace that owns it: ${errnoText(-maps)}`,
    );
  }
  return {
    uid: parseIdMap(maps[0]),
    gid: parseIdMap(maps[1]),
    setgroups: maps[2].trim() === "allow",
  };
}

/**
 * The join for `--network ns:PATH`.
 *
 * @param path An absolute path of a network namespace file.
 * @returns What the planner needs to join it.
 * @throws {UsageError} When it cannot be joined (see {@linkcode networkOwnerMaps}).
 *
 * @example
 * ```ts ignore
 * import { joinNamespaceFile } from "./network_join.ts";
 * const join = joinNamespaceFile("/proc/4242/ns/net");
 * ```
 */
export function joinNamespaceFile(path: string): NetworkJoin {
  const what = `the network namespace ${path}`;
  return { what, path, maps: networkOwnerMaps(path, what) };
}

/**
 * The join a network mode asks for: none for `none` and `host`; the file's
 * for `ns:PATH`; for `container:REF` the one the container layer resolved
 * (lib/container/container_network.ts), which knows the containers.
 *
 * @param choice The parsed `--network` value.
 * @param resolved The join of `container:REF`, resolved by the caller.
 * @returns The join, or undefined when the container makes or uses no shared namespace.
 * @throws {UsageError} When the namespace cannot be joined, or `container:`
 *   comes without its resolved join.
 *
 * @example
 * ```ts
 * import { networkJoinFor } from "./network_join.ts";
 * console.assert(networkJoinFor({ mode: "none" }) === undefined);
 * ```
 */
export function networkJoinFor(
  choice: NetworkConfig,
  resolved?: NetworkJoin,
): NetworkJoin | undefined {
  if (choice.mode === "ns") return joinNamespaceFile(choice.path);
  if (choice.mode === "network" && !resolved) {
    throw new UsageError(
      `Cannot run on network '${choice.name}' here: a container on a network is kept by ` +
        "name (its address); start it through startContainer() or the CLI",
    );
  }
  if (choice.mode !== "container") return resolved;
  if (!resolved) {
    throw new UsageError(
      `Cannot run with --network container:${choice.container} here: the container is looked ` +
        "up among nook's containers; start it through startContainer() or the CLI",
    );
  }
  return resolved;
}

/**
 * The id maps a joining container has: those of the user namespace it joins
 * (nothing is written). Its processes run by default as the ids your own map
 * to there (root in a namespace made by nook or `unshare -r`).
 *
 * @param join The join.
 * @returns The maps; `mode` "subid" where setgroups is allowed, else "single".
 *
 * @example
 * ```ts
 * import { joinedIdMap } from "./network_join.ts";
 * const m = joinedIdMap({
 *   what: "x",
 *   path: "/x",
 *   maps: { uid: [{ inside: 0, outside: Deno.uid(), count: 1 }], gid: [], setgroups: false },
 * });
 * console.assert(m.user === 0 && m.mode === "single");
 * ```
 */
export function joinedIdMap(join: Pick<NetworkJoin, "maps">): IdMapPlan {
  const { uid, gid, setgroups } = join.maps;
  return {
    mode: setgroups ? "subid" : "single",
    uid,
    gid,
    user: insideId(uid, sys.uid()) ?? 0,
    group: insideId(gid, sys.gid()) ?? 0,
  };
}

/**
 * Words a failed join step (`Op.JOIN_NS`): why the namespace could not be joined.
 *
 * @param errno The step's errno.
 * @returns The reason, for "join the network of container web: REASON".
 *
 * @example
 * ```ts
 * import { joinFailure } from "./network_join.ts";
 * console.assert(joinFailure(3).includes("ended"));
 * ```
 */
export function joinFailure(errno: number): string {
  switch (errno) {
    case ESRCH:
      return "its process has ended (the container stopped)";
    case ENOENT:
      return "the namespace file is gone";
    case ENOTTY:
      return "that is not a namespace file";
    case EINVAL:
      return `${errnoText(errno)}: that is not a network namespace`;
    case EPERM:
    case EACCES:
      return `${errnoText(errno)}: you have no privilege over the user namespace that owns it`;
    default:
      return errnoText(errno);
  }
}
