/**
 * A container's persistent record: `<data>/containers/<id>/container.json`,
 * written atomically, plus where its other files live. The record holds what
 * `start` needs to make the container again (image, command, its
 * {@linkcode ContainerConfig} as `create` built it) and what `ps` and
 * `inspect` show.
 *
 * @module
 */
import type { ContainerConfig } from "../config/container_config.ts";
import { configFromRecord, type StoredConfig } from "../config/read_config.ts";
import { NookError } from "../errors/mod.ts";
import { dataDir, runtimeDir } from "../paths/mod.ts";
import { withLock, writeFileAtomic } from "../store/mod.ts";
import { sys } from "../sys/mod.ts";

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
  /** What every start, exec, commit and inspect reads: the container's config, with its schema. */
  config: ContainerConfig;
  /** The image's config applied to the config's command, user and workdir: what `exec` starts from. */
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
  // Not through storeLayout(): it creates the image store's directories, 3 mkdir and 3 stat
  // calls each time, which reading a record (5 times per `nook exec`) does not need.
  return `${dataDir()}/containers`;
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
 * @throws {NookError} When a newer nook made it (a config schema this one does not know).
 *
 * @example
 * ```ts ignore
 * const r = readRecord(id);
 * ```
 */
export function readRecord(id: string): ContainerRecord | null {
  const text = sys.readText(`${containerDir(id)}/container.json`);
  if (text === null) return null;
  let r: Partial<ContainerRecord>;
  try {
    r = JSON.parse(text) as Partial<ContainerRecord>;
  } catch {
    return null;
  }
  if (typeof r.id !== "string") return null;
  return normalize(r as ContainerRecord);
}

/**
 * The record in this nook's shape: what records of foreground runs made before
 * named containers lack is filled, and a record made before configs (schema 0)
 * gets its config from its options.
 */
function normalize(r: ContainerRecord & StoredConfig): ContainerRecord {
  const {
    options: _options,
    labels: _labels,
    restart: _restart,
    autoRemove: _autoRemove,
    stopSignal: _stopSignal,
    stopTimeout: _stopTimeout,
    log: _log,
    ...rest
  } = r;
  return {
    ...rest,
    name: r.name ?? r.id.slice(0, 12),
    command: r.command ?? [],
    config: configFromRecord(r, r.name ?? r.id.slice(0, 12), containerDir(r.id)),
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

/** Records of a newer nook that listings skipped (each is said once). */
const unreadable = new Set<string>();

/**
 * Every container record (those being created or removed are skipped, and
 * those of a newer nook, with one warning each).
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
    let r: ContainerRecord | null;
    try {
      r = readRecord(name);
    } catch (err) {
      // A newer nook's record: listed nowhere (never misread), said once per process.
      if (!(err instanceof NookError)) throw err;
      if (!unreadable.has(name)) sys.stderr(`nook: skipping a container: ${err.message}\n`);
      unreadable.add(name);
      continue;
    }
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

export type { RestartPolicy } from "../config/container_config.ts";
