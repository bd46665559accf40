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

/** The schema version of {@linkcode ContainerConfig} this nook writes (and the newest it reads). */
export const CONFIG_SCHEMA_VERSION = 1;

/** A restart policy (`--restart`). */
export interface RestartPolicy {
  /** "no", "on-failure", "always" or "unless-stopped". */
  name: "no" | "on-failure" | "always" | "unless-stopped";
  /** For on-failure: restarts at most this many times (0: no limit). */
  maximumRetryCount: number;
}

/** `--log-opt` settings of a detached container's log. */
export interface LogSettings {
  /** `max-size` in bytes (0: no limit). */
  maxSize: number;
  /** `max-file`: how many files rotation keeps (at least 1). */
  maxFiles: number;
}

/** A container's configuration: what was asked for, validated and resolved. */
export interface ContainerConfig {
  /** {@linkcode CONFIG_SCHEMA_VERSION}: a record of another version is converted or refused. */
  schemaVersion: 1;
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
  /** `--log-opt`. */
  log: LogSettings;
  /** `--hostuser`: host users whose /etc/passwd entries the container's gets at each start. */
  hostUsers?: string[];
}
