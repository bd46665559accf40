/**
 * Options of a container run, as the API takes them; the CLI fills them from
 * docker's flags.
 *
 * @module
 */
import type { CgroupsMode, ResourceLimits } from "../cgroups/resource_limits.ts";
import type { PortMapping } from "../network/mod.ts";
import type { MountSpec } from "./mount_spec.ts";
import type { NetworkOption } from "./network_mode.ts";

/** Where a container's output goes. */
export type OutputMode = "inherit" | "pipe" | "null";

/** Options of `run()` and `spawnContainer()`. */
export interface RunOptions {
  /** The root filesystem directory. */
  rootfs: string;
  /** The command and its arguments. */
  command?: readonly string[];
  /** Put in front of the command (`--entrypoint`). */
  entrypoint?: readonly string[];
  /** Environment: `NAME=VALUE` entries (or `NAME`, taken from nook's own) or a record. */
  env?: readonly string[] | Record<string, string>;
  /** Files of `NAME=VALUE` lines (`--env-file`). */
  envFiles?: readonly string[];
  /** Working directory inside (`-w`), created when missing. Default "/". */
  workdir?: string;
  /** `NAME|UID[:GROUP|GID]` inside (`-u`). */
  user?: string;
  /** Supplementary groups (`--group-add`). */
  groupAdd?: readonly string[];
  /** Hostname (default: the first 12 characters of the id). */
  hostname?: string;
  /**
   * "none" (a network namespace with only lo), "host", "slirp4netns[:OPTIONS]" or
   * "pasta[:OPTIONS]" (a network namespace attached to the host's network by that helper),
   * "container:NAME|ID" (a running container's, with its hostname and /etc files),
   * "ns:PATH" (a network namespace file of yours) or a user-defined network's name.
   * Default: "none", or with published ports pasta (else slirp4netns) when installed.
   */
  network?: NetworkOption;
  /** Published ports: `-p [IP:][HOSTPORT:]CONTAINERPORT[/PROTO]` values or mappings. */
  publish?: readonly (string | PortMapping)[];
  /** `-P`: publish every port the image exposes on a free host port. */
  publishAll?: boolean;
  /** `--add-host NAME:IP` entries for /etc/hosts (IP may be `host-gateway`). */
  addHosts?: readonly string[];
  /** `--dns` servers for /etc/resolv.conf (instead of the host's). */
  dns?: readonly string[];
  /** `--dns-search` domains. */
  dnsSearch?: readonly string[];
  /** `--dns-option` options. */
  dnsOptions?: readonly string[];
  /** Volumes: `HOST:CTR[:ro]` strings or mount objects. */
  volumes?: readonly (string | MountSpec)[];
  /** `--tmpfs CTR[:opts]` values. */
  tmpfs?: readonly string[];
  /** `--mount type=...` values. */
  mounts?: readonly string[];
  /** Root filesystem read-only (`--read-only`). */
  readOnly?: boolean;
  /** A reaping init as PID 1 (`--init`). */
  init?: boolean;
  /** A pty for the container (`-t`). */
  tty?: boolean;
  /** Keep stdin open (`-i`). */
  interactive?: boolean;
  /** Capabilities to add to docker's default set. */
  capAdd?: readonly string[];
  /** Capabilities to drop. */
  capDrop?: readonly string[];
  /** "keep-id": your uid and gid inside are the same as outside. */
  userns?: "" | "keep-id";
  /** Resource limits (`--memory`, `--cpus`, ...), written into the container's own cgroup. */
  resources?: ResourceLimits;
  /**
   * `--cgroups`: "enabled" (default: a cgroup of its own where the host delegates one, one
   * warning for limits that cannot be applied), "disabled" or "required" (else exit 125).
   */
  cgroups?: CgroupsMode;
  /** `--cgroup-parent`: the cgroup2 directory the container's cgroup is made in. */
  cgroupParent?: string;
  /**
   * `--pid`: "private" (default), "host" (the host's pid namespace; /proc is
   * the host's, bind-mounted, as a rootless mount of a new one is refused),
   * or "container:NAME|ID" (a running container's).
   */
  pid?: string;
  /**
   * `--ipc`: "private" (default), "shareable", "host" (the host's IPC
   * namespace, /dev/shm and /dev/mqueue) or "container:NAME|ID".
   */
  ipc?: string;
  /** `--uts`: "host" shares the host's hostname (absent: a UTS namespace of its own). */
  uts?: string;
  /** `--shm-size`: bytes, or a size such as "1m" (default 64m). */
  shmSize?: number | string;
  /** `--tz`: a zone name of the host's /usr/share/zoneinfo ("Asia/Tokyo"), or "local". */
  timezone?: string;
  /** `--expose`: ports ("80", "53/udp", ranges "8000-8002") that `publishAll` publishes too. */
  expose?: readonly string[];
  /** Where stdout goes (default "inherit"). */
  stdout?: OutputMode;
  /** Where stderr goes (default "inherit"). */
  stderr?: OutputMode;
  /** `--preserve-fds N`: nook's fds 3 to 3+N-1 stay open in the container (foreground runs). */
  preserveFds?: number;
  /** `--timeout`: seconds after which the container is killed (foreground runs). */
  timeout?: number;
  /** Forward SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1/2 of this process to the container. */
  forwardSignals?: boolean;
  /** Aborting kills the container. */
  signal?: AbortSignal;
  /** Receives warnings (default: printed to stderr). */
  onWarning?: (message: string) => void;
}
