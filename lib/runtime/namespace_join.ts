/**
 * Joining the pid or IPC namespace of a running container (`--pid
 * container:NAME`, `--ipc container:NAME`), rootless, as `--network
 * container:` joins its network (see network_join.ts): the namespace belongs
 * to the target's user namespace, so the joiner joins that one too (its id
 * maps become the joiner's) and clones a sibling in the namespaces it keeps
 * of its own. Every namespace a container joins must belong to one user
 * namespace: a process is in one only.
 *
 * @module
 */
import { UsageError } from "../errors/mod.ts";
import type { ProcessIdMaps } from "./container_process.ts";
import type { NetworkJoin } from "./network_join.ts";

/** A pid or IPC namespace a container joins instead of making its own. */
export interface NamespaceJoin {
  /** How messages name it: "the pid namespace of container web". */
  what: string;
  /** The namespace file the container's first process opens (/proc/PID/ns/pid). */
  path: string;
  /** CloneFlag.NEWPID or CloneFlag.NEWIPC. */
  type: number;
  /** The process `path` belongs to, checked by its start time at the join. */
  pid: number;
  /** That process's start time (field 22 of /proc/PID/stat). */
  startTime: string;
  /** The maps of the user namespace that owns the namespace, which the container joins. */
  maps: ProcessIdMaps;
  /** That user namespace, as /proc/PID/ns/user reads ("user:[4026532]"). */
  userns: string;
  /**
   * With ipc: the target's mount namespace file and its /dev/shm there, which the
   * joiner mounts (docker shares /dev/shm with the IPC namespace).
   */
  shm?: { mountNs: string; path: string };
}

/**
 * Checks that the namespaces a container joins belong to one user namespace,
 * which it can then be in.
 *
 * @param network The network it joins, if any.
 * @param joins The pid and IPC namespaces it joins.
 * @throws {UsageError} Naming the two that do not go together, and why.
 *
 * @example
 * ```ts
 * import { checkOneUserns } from "./namespace_join.ts";
 * checkOneUserns(undefined, []); // nothing to check
 * ```
 */
export function checkOneUserns(
  network: Pick<NetworkJoin, "what" | "userns"> | undefined,
  joins: readonly Pick<NamespaceJoin, "what" | "userns">[],
): void {
  const all = [...(network ? [network] : []), ...joins];
  const first = all[0];
  for (const other of all.slice(1)) {
    if (first.userns === undefined || other.userns !== first.userns) {
      throw new UsageError(
        `Cannot join both ${first.what} and ${other.what}: they belong to different user ` +
          "namespaces, and a process is in one only; join namespaces of one container " +
          "(e.g. --network container:A --pid container:A)",
      );
    }
  }
}
