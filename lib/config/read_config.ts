/**
 * Reads the config stored in a container's record: the current schema as it
 * is; schema 1 (before the settings schema 2 added) with none of them; a record of the nook before configs (its `options` and the settings
 * beside them, no schema version) converted once, as it is read; a newer
 * schema refused, never misread.
 *
 * @module
 */
import type { CgroupsMode, ResourceLimits } from "../cgroups/resource_limits.ts";
import { NookError } from "../errors/mod.ts";
import type { PortMapping } from "../network/port_mapping.ts";
import type { MountSpec } from "../runtime/mount_spec.ts";
import {
  CONFIG_SCHEMA_VERSION,
  type ContainerConfig,
  type LogSettings,
  type RestartPolicy,
} from "./container_config.ts";
import { parseNetworkConfig } from "./network_config.ts";

/**
 * The options a container was started with, as records of nook before
 * {@linkcode ContainerConfig} stored them (schema 0).
 *
 * @deprecated Records hold a {@linkcode ContainerConfig} now; this is read only to convert them.
 */
export interface StoredOptions {
  /** The command (after the image's entrypoint), if given. */
  command?: string[];
  /** `--entrypoint`, if given. */
  entrypoint?: string[];
  /** `NAME=VALUE` entries from -e and --env-file, resolved at create. */
  env: string[];
  /** `-w`. */
  workdir?: string;
  /** `-u`. */
  user?: string;
  /** `--group-add`. */
  groupAdd?: string[];
  /** `-h`. */
  hostname?: string;
  /** The `--network` text (absent: none). */
  network?: string;
  /** `-p` values parsed at create. */
  publish?: PortMapping[];
  /** `-P`. */
  publishAll?: boolean;
  /** `--add-host` values. */
  addHosts?: string[];
  /** `--dns` servers. */
  dns?: string[];
  /** `--dns-search` domains. */
  dnsSearch?: string[];
  /** `--dns-option` options. */
  dnsOptions?: string[];
  /** Bind and tmpfs mounts, resolved at create. */
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
  /** Resource limits. */
  resources?: ResourceLimits;
  /** `--cgroups` (absent: enabled). */
  cgroups?: CgroupsMode;
  /** `--cgroup-parent`. */
  cgroupParent?: string;
}

/** What a record holds of a container's config, in any schema. */
export interface StoredConfig {
  /** Schema 1 and later. */
  config?: { schemaVersion?: unknown } & Partial<ContainerConfig>;
  /** Schema 0: the options and, beside them, the settings below. */
  options?: StoredOptions;
  /** Schema 0. */
  labels?: Record<string, string>;
  /** Schema 0. */
  restart?: RestartPolicy;
  /** Schema 0. */
  autoRemove?: boolean;
  /** Schema 0. */
  stopSignal?: string;
  /** Schema 0. */
  stopTimeout?: number;
  /** Schema 0. */
  log?: LogSettings;
}

/** Schema 0 to 2: the options and the settings beside them, the network parsed. */
function fromSchema0(stored: StoredConfig): ContainerConfig {
  const { network, ...o } = stored.options ?? { env: [], mounts: [] };
  return {
    ...o,
    schemaVersion: CONFIG_SCHEMA_VERSION,
    env: o.env ?? [],
    mounts: o.mounts ?? [],
    network: parseNetworkConfig(network ?? "none"),
    labels: stored.labels ?? {},
    restart: stored.restart ?? { name: "no", maximumRetryCount: 0 },
    autoRemove: stored.autoRemove ?? false,
    stopSignal: stored.stopSignal ?? "SIGTERM",
    stopTimeout: stored.stopTimeout ?? 10,
    log: stored.log ?? { maxSize: 0, maxFiles: 1 },
  };
}

/**
 * The config a container's record holds.
 *
 * @param stored The record as parsed from its JSON.
 * @param name How messages name the container (its name or id).
 * @param dir The container's directory, which a message tells to remove.
 * @returns The config, converted when the record predates configs.
 * @throws {NookError} When a newer nook wrote it (a schema this one does not know).
 *
 * @example A record of the nook before configs
 * ```ts
 * import { configFromRecord } from "./read_config.ts";
 * const c = configFromRecord({ options: { env: [], mounts: [], network: "pasta" } }, "web");
 * console.assert(c.schemaVersion === 2 && c.network.mode === "pasta");
 * ```
 */
export function configFromRecord(
  stored: StoredConfig,
  name: string,
  dir?: string,
): ContainerConfig {
  const config = stored.config;
  if (config === undefined) return fromSchema0(stored);
  const version = config.schemaVersion;
  // Schema 2 only added settings, each absent by default: a schema 1 config is one without them.
  if (version === 1 as unknown) {
    return { ...config, schemaVersion: CONFIG_SCHEMA_VERSION } as ContainerConfig;
  }
  if (version !== CONFIG_SCHEMA_VERSION) {
    throw new NookError(
      `Container ${name} was made by a newer nook (config schema ${String(version)}): ` +
        `upgrade nook, or remove it${
          dir === undefined ? "" : ` with 'nook unshare rm -rf ${dir}'`
        } (its files belong to your subordinate ids)`,
    );
  }
  return config as ContainerConfig;
}
