/**
 * A container's persistent record: `<data>/containers/<id>/container.json`,
 * written atomically, plus where its other files live. The record holds what
 * `start` needs to make the container again (image, command, the user's
 * options as given to `create`) and what `ps` and `inspect` show.
 *
 * @module
 */
import type { CgroupsMode, ResourceLimits } from "../cgroups/resource_limits.ts";
import { runtimeDir } from "../paths/mod.ts";
import type { PortMapping } from "../network/mod.ts";
import type { MountSpec } from "../runtime/mount_spec.ts";
import type { NetworkOption } from "../runtime/network_mode.ts";
import { storeLayout, withLock, writeFileAtomic } from "../store/mod.ts";
import { sys } from "../sys/mod.ts";

/** A restart policy (`--restart`). */
export interface RestartPolicy {
  /** "no", "on-failure", "always" or "unless-stopped". */
  name: "no" | "on-failure" | "always" | "unless-stopped";
  /** For on-failure: restarts at most this many times (0: no limit). */
  maximumRetryCount: number;
}

/** The options a container is started with, as stored at `create`. */
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
  /**
   * "none", "host", "slirp4netns[:OPTIONS]", "pasta[:OPTIONS]", "container:NAME|ID",
   * "ns:PATH" or a user-defined network; for an image, the default helper chosen at create
   * when none was given.
   */
  network?: NetworkOption;
  /** `-p` values parsed at create (host port 0: a free one is picked at each start). */
  publish?: PortMapping[];
  /** `-P`: the image's exposed ports are published on free host ports at each start. */
  publishAll?: boolean;
  /** `--add-host` values. */
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
}

/** `container.json`. */
export interface ContainerRecord {
  /** 64 hex digits. */
  id: string;
  /** Unique name (docker's rules). */
  name: string;
  /** Image id (sha256:...), or "" for a rootfs container. */
  image: string;
  /** The image as the user named it, or the rootfs path. */
  imageName: string;
  /** A rootfs directory instead of an image. */
  rootfs?: string;
  /** The command as the container runs it (entrypoint + command), for `ps`. */
  command: string[];
  /** When it was created (ISO 8601). */
  created: string;
  /** overlay, fuse-overlayfs or vfs ("" for a rootfs container). */
  storageDriver: string;
  /** What `start` uses. */
  options: StoredOptions;
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
  /** `--log-opt max-size` in bytes (0: no limit) and max-file. */
  log: { maxSize: number; maxFiles: number };
  /** The image's config applied to the options: what `exec` starts from. */
  process: { env: string[]; user?: string; workdir?: string };
  /**
   * The absolute host path of the container's own cgroup (v2) directory while it
   * exists: set before the container's init is cloned into it, absent when nook
   * made no cgroup for the container (cgroups disabled or not delegated).
   */
  cgroup?: string;
}

/**
 * Where the containers' records are: `<data>/containers`.
 *
 * @returns The directory (not created).
 *
 * @example
 * ```ts ignore
 * containersRoot(); // ~/.local/share/nook/containers
 * ```
 */
export function containersRoot(): string {
  return `${storeLayout().root}/containers`;
}

/**
 * A container's persistent directory.
 *
 * @param id The container id.
 * @returns `<data>/containers/<id>`.
 *
 * @example
 * ```ts ignore
 * containerDir(id);
 * ```
 */
export function containerDir(id: string): string {
  return `${containersRoot()}/${id}`;
}

/**
 * A container's runtime directory (program, monitor config, attach socket,
 * /etc/hosts and friends): short, so that a socket path in it fits
 * `sockaddr_un` (108 bytes). Not created.
 *
 * @param id The container id (its first 12 characters are unique).
 * @returns `<runtime>/c/<id12>`.
 *
 * @example
 * ```ts ignore
 * containerRunDir(id); // /run/user/1000/nook/c/0123456789ab
 * ```
 */
export function containerRunDir(id: string): string {
  return `${runtimeDir()}/c/${id.slice(0, 12)}`;
}

/**
 * Reads a container's record.
 *
 * @param id The container id.
 * @returns The record, or null when the container does not exist (or is half made).
 *
 * @example
 * ```ts ignore
 * const r = readRecord(id);
 * ```
 */
export function readRecord(id: string): ContainerRecord | null {
  const text = sys.readText(`${containerDir(id)}/container.json`);
  if (text === null) return null;
  try {
    const r = JSON.parse(text) as Partial<ContainerRecord>;
    if (typeof r.id !== "string") return null;
    return normalize(r as ContainerRecord);
  } catch {
    return null;
  }
}

/** Fills what records of foreground runs made before named containers lack. */
function normalize(r: ContainerRecord): ContainerRecord {
  return {
    ...r,
    name: r.name ?? r.id.slice(0, 12),
    command: r.command ?? [],
    options: r.options ?? { env: [], mounts: [] },
    labels: r.labels ?? {},
    restart: r.restart ?? { name: "no", maximumRetryCount: 0 },
    autoRemove: r.autoRemove ?? false,
    stopSignal: r.stopSignal ?? "SIGTERM",
    stopTimeout: r.stopTimeout ?? 10,
    log: r.log ?? { maxSize: 0, maxFiles: 1 },
    process: r.process ?? { env: [] },
  };
}

/**
 * Writes a container's record atomically (the directory must exist).
 *
 * @param record The record.
 *
 * @example
 * ```ts ignore
 * writeRecord({ ...record, name: "web" });
 * ```
 */
export function writeRecord(record: ContainerRecord): void {
  writeFileAtomic(
    `${containerDir(record.id)}/container.json`,
    JSON.stringify(record, null, 2) + "\n",
    0o600,
  );
}

/**
 * Every container record (those being created or removed are skipped).
 *
 * @returns The records, oldest first.
 *
 * @example
 * ```ts ignore
 * for (const r of listRecords()) console.log(r.name);
 * ```
 */
export function listRecords(): ContainerRecord[] {
  const out: ContainerRecord[] = [];
  for (const name of sys.readDir(containersRoot())) {
    if (!/^[0-9a-f]{64}$/.test(name)) continue;
    const r = readRecord(name);
    if (r) out.push(r);
  }
  return out.sort((a, b) => (a.created < b.created ? -1 : a.created > b.created ? 1 : 0));
}

/**
 * Runs `fn` holding the lock over all container records (names are unique
 * across them; creates, renames and removals take it).
 *
 * @param fn The critical section.
 * @returns What `fn` returns.
 *
 * @example
 * ```ts ignore
 * await withRecordsLock(() => writeRecord(record));
 * ```
 */
export async function withRecordsLock<T>(fn: () => T | Promise<T>): Promise<T> {
  sys.mkdirp(containersRoot(), 0o700);
  // In the runtime directory (one per user), so the containers directory holds only containers.
  return await withLock(`${runtimeDir()}/containers.lock`, fn);
}
