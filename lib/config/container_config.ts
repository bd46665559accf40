/**
 * A container's configuration, as crun and youki keep config.json: one typed
 * value, built and validated once (from the CLI's flags or the API's
 * options, see build_config.ts), stored in the container's record as it is,
 * and read by every start, restart, exec, commit and inspect. Every value is
 * resolved: nothing in it is parsed again.
 *
 * @module
 */
import type { CgroupsMode, ResourceLimits } from "../cgroups/resource_limits.ts";
import type { PortMapping } from "../network/port_mapping.ts";
import type { MountSpec } from "../runtime/mount_spec.ts";
import type { NetworkConfig } from "./network_config.ts";

/**
 * The schema version of {@linkcode ContainerConfig} this nook writes (and the
 * newest it reads). 2 added the namespace modes (`pid`, `ipc`, `uts`),
 * `shmSize`, `expose`, `annotations`, `cidFile`, `timezone`, `detachKeys`,
 * `sigProxy`, `noHealthcheck` and the log driver: a nook of schema 1 would
 * run such a container without them, so it refuses the record instead.
 * Schema 1 records are read as schema 2 with none of them set.
 */
export const CONFIG_SCHEMA_VERSION = 2;

/** A restart policy (`--restart`). */
export interface RestartPolicy {
  /** "no", "on-failure", "always" or "unless-stopped". */
  name: "no" | "on-failure" | "always" | "unless-stopped";
  /** For on-failure: restarts at most this many times (0: no limit). */
  maximumRetryCount: number;
}

/** `--log-driver`: where a detached container's output goes. */
export type LogDriver = "k8s-file" | "json-file" | "none";

/** `--log-opt` settings of a detached container's log. */
export interface LogSettings {
  /**
   * `--log-driver` (absent: k8s-file). json-file is accepted for docker's
   * scripts and written as k8s-file, which `logs` reads the same; none keeps no log.
   */
  driver?: LogDriver;
  /** `max-size` in bytes (0: no limit). */
  maxSize: number;
  /** `max-file`: how many files rotation keeps (at least 1). */
  maxFiles: number;
}

/**
 * `--pid`, `--ipc` (and `--uts host`): a namespace of the container's own
 * (`private`; for ipc also `shareable`, which docker makes the default), the
 * host's, or that of a running container (joined at each start, as
 * `--network container:` is).
 */
export type NamespaceMode =
  | { mode: "private" }
  | { mode: "shareable" }
  | { mode: "host" }
  | { mode: "container"; container: string };

/** A container's configuration: what was asked for, validated and resolved. */
export interface ContainerConfig {
  /** {@linkcode CONFIG_SCHEMA_VERSION}: a record of another version is converted or refused. */
  schemaVersion: 2;
  /** The command (after the image's entrypoint), if given. */
  command?: string[];
  /** `--entrypoint`, if given. */
  entrypoint?: string[];
  /** `NAME=VALUE` entries from -e and --env-file, resolved at create (as docker does). */
  env: string[];
  /** `-w`. */
  workdir?: string;
  /** `-u`. */
  user?: string;
  /** `--group-add`. */
  groupAdd?: string[];
  /** `-h` (default: the id's first 12 characters, or a joined container's). */
  hostname?: string;
  /** `--network`, parsed; for an image the default helper when none was asked for. */
  network: NetworkConfig;
  /** `-p` values parsed (host port 0: a free one is picked at each start). */
  publish?: PortMapping[];
  /** `-P`: the image's exposed ports are published on free host ports at each start. */
  publishAll?: boolean;
  /** `--add-host` values (checked). */
  addHosts?: string[];
  /** `--dns` servers. */
  dns?: string[];
  /** `--dns-search` domains. */
  dnsSearch?: string[];
  /** `--dns-option` options. */
  dnsOptions?: string[];
  /** Bind and tmpfs mounts from -v, --tmpfs and --mount, resolved at create. */
  mounts: MountSpec[];
  /** `--read-only`. */
  readOnly?: boolean;
  /** `--init`. */
  init?: boolean;
  /** `-t`. */
  tty?: boolean;
  /** `-i`. */
  interactive?: boolean;
  /** `--cap-add`. */
  capAdd?: string[];
  /** `--cap-drop`. */
  capDrop?: string[];
  /** `--userns`. */
  userns?: "" | "keep-id";
  /** Resource limits (`--memory`, `--cpus`, ...; `update` changes them). */
  resources?: ResourceLimits;
  /** `--cgroups` (absent: enabled). */
  cgroups?: CgroupsMode;
  /** `--cgroup-parent`. */
  cgroupParent?: string;
  /** `--label`s. */
  labels: Record<string, string>;
  /** `--restart`. */
  restart: RestartPolicy;
  /** `--rm`. */
  autoRemove: boolean;
  /** `--stop-signal`, else the image's StopSignal, else SIGTERM. */
  stopSignal: string;
  /** `--stop-timeout` in seconds (default 10). */
  stopTimeout: number;
  /** `--log-driver` and `--log-opt`. */
  log: LogSettings;
  /** `--pid` (absent: private). */
  pid?: NamespaceMode;
  /** `--ipc` (absent: private). */
  ipc?: NamespaceMode;
  /** `--uts host` (absent: private). */
  uts?: { mode: "host" };
  /** `--shm-size` in bytes: the size of the /dev/shm tmpfs (absent: 64 MiB, docker's). */
  shmSize?: number;
  /** `--expose` ports ("80/tcp"), besides the image's: `-P` publishes them too. */
  expose?: string[];
  /** `--annotation`s (podman). */
  annotations?: Record<string, string>;
  /** `--cidfile`: the file the id was written to at create. */
  cidFile?: string;
  /** `--tz` (podman): a zone of the host's /usr/share/zoneinfo, or "local" (the host's /etc/localtime). */
  timezone?: string;
  /** `--detach-keys`: the key sequence that detaches `attach` (absent: ctrl-p,ctrl-q). */
  detachKeys?: string;
  /** `--sig-proxy=false`: a foreground run does not forward signals (absent: it does). */
  sigProxy?: false;
  /** `--no-healthcheck`: the image's health check is off (nook runs none yet). */
  noHealthcheck?: true;
  /** `--hostuser`: host users whose /etc/passwd entries the container's gets at each start. */
  hostUsers?: string[];
}
