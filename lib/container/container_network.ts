/**
 * `--network container:NAME|ID`: the network a new container shares with a
 * running one, resolved when the new one starts (as docker does): the target
 * must run; its process is pinned with a pidfd checked by its start time while
 * nook reads what the joiner takes from it (its network namespace's owner and
 * maps), and the join itself checks that start time again. The joiner mounts
 * the target's own /etc/hostname, /etc/hosts and /etc/resolv.conf files (its
 * init layer), so it sees what the target sees, edits included. If the target
 * stops later, the joiner keeps the namespace and those files.
 *
 * @module
 */
import { loadShim } from "../../shim/binding.ts";
import { NookError, UsageError } from "../errors/mod.ts";
import { runtimeDir } from "../paths/mod.ts";
import { reachableProcess } from "../runtime/container_process.ts";
import type { InitLayer } from "../runtime/container_spec.ts";
import { type NetworkJoin, networkOwnerMaps } from "../runtime/network_join.ts";
import type { NetworkConfig } from "../config/network_config.ts";
import { specHostname } from "../runtime/plan_spec.ts";
import { defaultHostIp, wantedPorts } from "../runtime/network_spec.ts";
import type { RunOptions } from "../runtime/run_options.ts";
import { NotRunningError, openProcess, processStartTime } from "../runtime/process_ref.ts";
import { sys } from "../sys/mod.ts";
import { containerRunDir } from "../records/container_record.ts";
import { containerStatus } from "../records/container_state.ts";
import type { ContainerRecord } from "../records/container_record.ts";
import type { ContainerConfig } from "../config/container_config.ts";
import { CloneFlag } from "../runtime/defaults.ts";
import type { NamespaceJoin } from "../runtime/namespace_join.ts";
import { findContainer } from "./find_container.ts";

/**
 * The init layer of a running container: the run directory of the nook that
 * runs it in the foreground (run-ID12-PID-*), else its monitor's.
 */
function initLayerOf(id: string, monitor: number): InitLayer | null {
  const rundir = runtimeDir();
  const prefix = `run-${id.slice(0, 12)}-${monitor}-`;
  const foreground = sys.readDir(rundir).find((name) => name.startsWith(prefix));
  for (const dir of [foreground && `${rundir}/${foreground}`, containerRunDir(id)]) {
    if (!dir) continue;
    const layer = {
      hostname: `${dir}/hostname`,
      hosts: `${dir}/hosts`,
      resolvConf: `${dir}/resolv.conf`,
    };
    if (Object.values(layer).every((path) => sys.stat(path)?.isFile)) return layer;
  }
  return null;
}

/** "Cannot join WHAT: " and why the target is not running, from the error that said so. */
function notRunning(what: string, err: NotRunningError, pid: number): NotRunningError {
  const why = err.message[0].toLowerCase() + err.message.slice(1);
  return new NotRunningError(`Cannot join ${what}: ${why}`, pid);
}

/** A running container's process, pinned while `read` looks at it. */
interface Pinned {
  /** Its record. */
  record: ContainerRecord;
  /** Its monitor (or the foreground nook that runs it). */
  monitor: number;
  /** The process whose namespaces are read (reachable from nook's pid namespace). */
  pid: number;
}

/**
 * Pins the first process of the running container `ref` with a pidfd
 * (checked by its start time) while `read` reads what the joiner takes from
 * it; fails when it is not running, or stopped meanwhile.
 */
function withPinnedContainer<T>(
  ref: string,
  what: string,
  read: (target: Pinned) => T,
): T & { startTime: string } {
  const record = findContainer(ref);
  const st = containerStatus(record.id);
  if (st.status !== "running" || !(st.pid > 0)) {
    throw new NotRunningError(
      `Cannot join ${what}: it is not running (${st.status}); start it first`,
      st.pid,
    );
  }
  const shim = loadShim();
  const startTime = st.pidStart === "-" || st.pidStart === "" ? undefined : st.pidStart;
  let pidfd: number;
  try {
    pidfd = openProcess({ pid: st.pid, startTime }, { what: `container ${ref}` });
  } catch (err) {
    throw err instanceof NotRunningError ? notRunning(what, err, st.pid) : err;
  }
  let viaFd = pidfd;
  try {
    const via = reachableProcess(st.pid, pidfd);
    viaFd = via.pidfd;
    const out = read({ record, monitor: st.monitor, pid: via.pid });
    const viaStart = processStartTime(via.pid) ?? undefined;
    // All of it was read from the pinned process while it still ran.
    if (shim.pidfdSignal(pidfd, 0) !== 0 || viaStart === undefined) {
      throw new NotRunningError(`Cannot join ${what}: it stopped meanwhile`, st.pid);
    }
    return { ...out, startTime: viaStart };
  } catch (err) {
    const wrap = err instanceof NotRunningError && !err.message.startsWith("Cannot join");
    throw wrap ? notRunning(what, err, st.pid) : err;
  } finally {
    shim.close(pidfd);
    if (viaFd !== pidfd) shim.close(viaFd);
  }
}

/**
 * Resolves `--network container:REF` to the join the runtime plans.
 *
 * @param ref The target's name, id or id prefix.
 * @returns The join: the target process's network namespace file, pinned by
 *   its start time, the owning user namespace's maps, its hostname and /etc files.
 * @throws {NoSuchContainerError} When no container matches (exit code 125).
 * @throws {NotRunningError} When it is not running (exit code 125).
 * @throws {UsageError} When it uses the host's network, which a rootless
 *   container cannot join this way.
 *
 * @example
 * ```ts ignore
 * import { joinContainerNetwork } from "./container_network.ts";
 * const join = joinContainerNetwork("web");
 * ```
 */
export function joinContainerNetwork(ref: string): NetworkJoin {
  const what = `the network of container ${ref}`;
  return withPinnedContainer(ref, what, ({ record, monitor, pid }) => {
    const path = `/proc/${pid}/ns/net`;
    if (sys.readLink(path) === sys.readLink("/proc/self/ns/net")) {
      throw new UsageError(
        `Cannot join ${what}: it uses the host's network (--network host); ` +
          "run this container with --network host instead",
      );
    }
    const maps = networkOwnerMaps(path, what);
    const files = initLayerOf(record.id, monitor);
    if (!files) {
      throw new NookError(
        `Cannot join ${what}: its /etc/hosts, /etc/hostname and /etc/resolv.conf are gone ` +
          `from ${runtimeDir()}; restart container ${ref}`,
      );
    }
    return {
      what,
      path,
      pid,
      maps,
      userns: sys.readLink(`/proc/${pid}/ns/user`) ?? undefined,
      hostname: specHostname(record.config, record.id),
      files,
    };
  });
}

const NAMESPACE_TYPES = { pid: CloneFlag.NEWPID, ipc: CloneFlag.NEWIPC } as const;

/**
 * Resolves `--pid container:REF` or `--ipc container:REF` to the join the runtime plans.
 *
 * @param ref The target's name, id or id prefix.
 * @param kind "pid" or "ipc".
 * @returns The join: the target process's namespace file, pinned by its start
 *   time, and the owning user namespace (its maps; with ipc, its /dev/shm too).
 * @throws {NoSuchContainerError} When no container matches.
 * @throws {NotRunningError} When it is not running.
 * @throws {UsageError} When it uses the host's namespace of that kind.
 *
 * @example
 * ```ts ignore
 * import { joinContainerNamespace } from "./container_network.ts";
 * const join = joinContainerNamespace("web", "pid");
 * ```
 */
export function joinContainerNamespace(ref: string, kind: "pid" | "ipc"): NamespaceJoin {
  const what = `the ${kind === "pid" ? "pid" : "IPC"} namespace of container ${ref}`;
  return withPinnedContainer(ref, what, ({ pid }) => {
    const path = `/proc/${pid}/ns/${kind}`;
    if (sys.readLink(path) === sys.readLink(`/proc/self/ns/${kind}`)) {
      throw new UsageError(
        `Cannot join ${what}: it uses the host's (--${kind} host); ` +
          `run this container with --${kind} host instead`,
      );
    }
    return {
      what,
      path,
      type: NAMESPACE_TYPES[kind],
      pid,
      maps: networkOwnerMaps(path, what, NAMESPACE_TYPES[kind]),
      userns: sys.readLink(`/proc/${pid}/ns/user`) ?? "",
      shm: kind === "ipc" ? { mountNs: `/proc/${pid}/ns/mnt`, path: "/dev/shm" } : undefined,
    };
  });
}

/**
 * The pid and IPC namespaces a container joins (`--pid`/`--ipc container:REF`),
 * resolved at each start, as the network's is.
 *
 * @param config The container's config.
 * @returns `{ namespaceJoins }` when it joins any, else `{}`.
 * @throws {NookError} As {@linkcode joinContainerNamespace}.
 *
 * @example
 * ```ts ignore
 * const { namespaceJoins } = namespaceInternals(record.config);
 * ```
 */
export function namespaceInternals(
  config: Pick<ContainerConfig, "pid" | "ipc">,
): { namespaceJoins?: NamespaceJoin[] } {
  const joins: NamespaceJoin[] = [];
  for (const kind of ["pid", "ipc"] as const) {
    const mode = config[kind];
    if (mode?.mode === "container") joins.push(joinContainerNamespace(mode.container, kind));
  }
  return joins.length ? { namespaceJoins: joins } : {};
}

/**
 * What the runtime needs for a network mode that names a container: the
 * resolved join, else nothing (the runtime resolves the other modes itself).
 *
 * @param network The container's network.
 * @param id The container's id (for a user-defined network: its address is kept by id).
 * @param publish Its `-p`, `-P` and image's exposed ports (published on a user-defined network).
 * @returns `{ networkJoin }` for `container:REF` and a user-defined network, else `{}`.
 * @throws {NookError} As {@linkcode joinContainerNetwork}.
 *
 * @example
 * ```ts ignore
 * import { networkInternals } from "./container_network.ts";
 * await spawnConfigured(config, { rootfs, ...(await networkInternals(config.network, id)) });
 * ```
 */
export async function networkInternals(
  network: NetworkConfig,
  id?: string,
  publish?: { publish?: RunOptions["publish"]; publishAll?: boolean; exposed?: readonly string[] },
): Promise<{ networkJoin?: NetworkJoin }> {
  const choice = network;
  if (choice.mode === "container") return { networkJoin: joinContainerNetwork(choice.container) };
  if (choice.mode !== "network") return {};
  if (id === undefined) {
    throw new UsageError(`A container on network '${choice.name}' needs a record: give it a name`);
  }
  // A user-defined network: join the user namespace of the network's process (with its
  // network namespace), then the clone makes the container's own, plugged into the bridge.
  const { attachToNetwork, attachSteps } = await import("../network/network_attach.ts");
  const hostIp = defaultHostIp();
  const wanted = wantedPorts(publish?.publish, publish?.publishAll, publish?.exposed)
    .map((m) => m.hostIp ? m : { ...m, hostIp });
  const { infra, attachment, addresses } = await attachToNetwork(id, choice.name, wanted);
  const what = `network ${choice.name}`;
  const path = `/proc/${infra.pid}/ns/net`;
  return {
    networkJoin: {
      what,
      path,
      pid: infra.pid,
      startTime: infra.startTime,
      maps: networkOwnerMaps(path, what),
      attach: attachSteps(attachment, infra),
      addresses,
      ports: attachment.published?.ports ?? [],
    },
  };
}
