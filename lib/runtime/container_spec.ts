/**
 * The fully resolved description of one container, which the planner turns
 * into shim steps. Everything here is decided: no defaults left to apply.
 *
 * @module
 */
import type { Step } from "../../shim/protocol.ts";
import type { NetAddresses, NetHelperPlan, PortMapping } from "../network/mod.ts";
import type { IdMapPlan } from "../userns/mod.ts";
import type { MountSpec } from "./mount_spec.ts";
import type { NetworkJoin } from "./network_join.ts";
import type { NamespaceJoin } from "./namespace_join.ts";
import type { UsernsAnchor } from "./userns_anchor.ts";
import type { ResolvedUser } from "./user_lookup.ts";

/**
 * Network namespace choice: its own (alone, or attached by slirp4netns or
 * pasta), the host's, or an existing one it joins (a container's, a file, a
 * user-defined network's user namespace).
 */
export type NetworkMode = "none" | "host" | "slirp4netns" | "pasta" | "join";

/** Host files bind-mounted over the container's /etc files (the "init layer"). */
export interface InitLayer {
  /** Host path of the file mounted on /etc/hostname. */
  hostname: string;
  /** Host path of the file mounted on /etc/hosts. */
  hosts: string;
  /** Host path of the file mounted on /etc/resolv.conf. */
  resolvConf: string;
}

/** Steps that make the root filesystem (e.g. an overlay mount), run before it is entered. */
export interface RootfsSetup {
  /** The shim steps. */
  steps: Step[];
  /** describe[i] names steps[i] in an error. */
  describe: string[];
}

/** A resolved container. */
export interface ContainerSpec {
  /** The rootfs directory on the host. */
  rootfs: string;
  /** How the rootfs is made inside the container's namespaces (none for a plain directory). */
  rootfsSetup?: RootfsSetup;
  /** argv of the command (argv[0] is looked up in PATH when it has no '/'). */
  argv: string[];
  /** NAME=VALUE entries. */
  env: string[];
  /** Working directory inside (created when missing). */
  cwd: string;
  /** Who runs the command. */
  user: ResolvedUser;
  /** UTS hostname. */
  hostname: string;
  /** Network namespace: its own (none, slirp4netns, pasta) or the host's. */
  network: NetworkMode;
  /** With network "join": the namespace joined, and with it its user namespace. */
  join?: NetworkJoin;
  /**
   * The process whose user namespace (mapped as `idMap`) it joins, instead of making one
   * (userns_anchor.ts); not with a join.
   */
  anchor?: UsernsAnchor;
  /** The helper that attaches its network namespace (slirp4netns, pasta). */
  netHelper?: NetHelperPlan;
  /** The addresses the helper gives it. */
  netAddresses?: NetAddresses;
  /** Published ports, host ports picked (none when absent). */
  ports?: PortMapping[];
  /** User mounts. */
  mounts: MountSpec[];
  /** Per-container /etc files. */
  initLayer: InitLayer;
  /** Host path of an /etc/passwd with entries nook added (keep-id, `--hostuser`). */
  passwd?: string;
  /** Host path of the empty file bound on /run/.containerenv and /.dockerenv. */
  containerEnv?: string;
  /** Root filesystem read-only. */
  readOnly: boolean;
  /** Give the container a pty of its own. */
  tty: boolean;
  /** Initial pty size. */
  ttySize?: { rows: number; columns: number };
  /** Keep nook's stdin (else /dev/null). */
  interactive: boolean;
  /** An fd of nook that becomes the container's stdout, "null" for /dev/null, else inherited. */
  stdoutFd?: number | "null";
  /** The same for stderr. */
  stderrFd?: number | "null";
  /** `--preserve-fds`: fds 3 to 3+N-1 of nook stay open in the container. */
  preserveFds?: number;
  /** Run a reaping PID 1 in front of the command. */
  init: boolean;
  /** Bounding set (bit per capability). */
  capabilities: bigint;
  /** Highest capability number of the kernel. */
  lastCap: number;
  /** The user namespace maps. */
  idMap: IdMapPlan;
  /** Kill the container when nook dies (foreground runs). */
  dieWithParent: boolean;
  /**
   * The first process is cloned into a cgroup of the container's own
   * (CLONE_INTO_CGROUP): its cgroup namespace is made after, rooted there.
   */
  ownCgroup?: boolean;
  /** `--pid`: absent for a pid namespace of its own; the host's (nook's), or one it joins. */
  pidNs?: "host" | "join";
  /** `--ipc`: the same for IPC (host: the host's /dev/shm and /dev/mqueue too). */
  ipcNs?: "host" | "join";
  /** `--uts host`: the host's hostname (no UTS namespace of its own, no sethostname). */
  utsNs?: "host";
  /** The pid and IPC namespaces joined, in the user namespace they (and any network join) share. */
  nsJoins?: NamespaceJoin[];
  /** The size of its /dev/shm tmpfs in bytes (default 64 MiB). */
  shmSize?: number;
  /** `--tz`: the host file bound on /etc/localtime. */
  localtime?: string;
}
