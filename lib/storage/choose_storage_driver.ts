/**
 * Chooses the storage driver of a container: the one asked for
 * (`--storage-driver`, else `NOOK_STORAGE_DRIVER`), else the best the host
 * offers: kernel overlayfs when it mounts in a user namespace, else
 * fuse-overlayfs when the program and /dev/fuse are there, else vfs (a full
 * copy). The overlay probe costs a namespace and a mount, so its result is
 * kept per boot in the runtime directory; a fallback is said once per boot.
 *
 * @module
 */
import { HostError } from "../errors/mod.ts";
import { runtimeDir } from "../paths/mod.ts";
import { sys, which } from "../sys/mod.ts";
import { parseStorageDriver, type StorageDriverName } from "./storage_driver.ts";

/** The driver a container gets, and why. */
export interface StorageChoice {
  /** The driver. */
  driver: StorageDriverName;
  /** Why, in words ("kernel overlayfs mounts in a user namespace"). */
  reason: string;
  /** Absolute path of the fuse-overlayfs program (driver `fuse-overlayfs`). */
  fuseProgram?: string;
}

/** What the choice looks at; {@linkcode realStorageHost} on the real host, a fake in tests. */
export interface StorageHost {
  /** Mounts kernel overlayfs in a throwaway user namespace: true, or why it failed. */
  probeOverlay(): Promise<true | string>;
  /** Absolute path of the fuse-overlayfs program, or null. */
  fuseOverlayfs(): string | null;
  /** Whether /dev/fuse opens for reading and writing: true, or why not. */
  fuseDevice(): true | string;
  /** This boot's id. */
  bootId(): string;
  /** The per-boot state (text), or null. */
  readState(): string | null;
  /** Stores the per-boot state (best effort). */
  writeState(text: string): void;
  /** An environment variable. */
  env(name: string): string | undefined;
}

/** Options of {@linkcode chooseStorageDriver}. */
export interface ChooseStorageDriverOptions {
  /** `--storage-driver`; without it `NOOK_STORAGE_DRIVER`; without both, automatic. */
  requested?: string;
  /** Receives the once-per-boot note about a fallback (default: stderr). */
  onWarning?: (message: string) => void;
  /** Say a fallback (once per boot); false for a caller that shows the choice itself. */
  announce?: boolean;
  /** The host (default: {@linkcode realStorageHost}). */
  host?: StorageHost;
}

/** The per-boot state file's content. */
interface BootState {
  bootId: string;
  overlay: true | string;
  warned: string[];
}

const STATE_FILE = "storage-probe";

/**
 * The real host: the probe of lib/runtime/probe_overlay.ts, PATH, /dev/fuse,
 * and `$XDG_RUNTIME_DIR/nook/storage-probe` for the per-boot state.
 *
 * @returns The host.
 *
 * @example
 * ```ts
 * import { realStorageHost } from "./choose_storage_driver.ts";
 * console.assert(realStorageHost().bootId().length > 0);
 * ```
 */
export function realStorageHost(): StorageHost {
  const statePath = () => `${runtimeDir()}/${STATE_FILE}`;
  return {
    async probeOverlay() {
      const { probeOverlay } = await import("../runtime/probe_overlay.ts");
      return await probeOverlay();
    },
    fuseOverlayfs: () => which("fuse-overlayfs"),
    fuseDevice() {
      // Opening /dev/fuse only makes a connection that closes with the fd.
      try {
        sys.probeOpen("/dev/fuse");
        return true;
      } catch (err) {
        return `/dev/fuse: ${(err as Error).message.replace(/, open '\/dev\/fuse'$/, "")}`;
      }
    },
    bootId: () => sys.readText("/proc/sys/kernel/random/boot_id")?.trim() || "unknown",
    readState() {
      try {
        return sys.readText(statePath());
      } catch {
        return null; // no runtime directory: probe every time
      }
    },
    writeState(text) {
      try {
        sys.writeText(statePath(), text, 0o600);
      } catch {
        // best effort: without it the next run probes again
      }
    },
    env: (name) => sys.env(name),
  };
}

function readState(host: StorageHost, bootId: string): BootState | null {
  try {
    const state = JSON.parse(host.readState() ?? "null") as BootState | null;
    if (state?.bootId !== bootId || !Array.isArray(state.warned)) return null;
    return state.overlay === true || typeof state.overlay === "string" ? state : null;
  } catch {
    return null; // torn or foreign: probe again
  }
}

async function automatic(
  host: StorageHost,
  warn: ((message: string) => void) | null,
): Promise<StorageChoice> {
  const bootId = host.bootId();
  let state = readState(host, bootId);
  if (!state) {
    state = { bootId, overlay: await host.probeOverlay(), warned: [] };
    host.writeState(JSON.stringify(state) + "\n");
  }
  if (state.overlay === true) {
    return { driver: "overlay", reason: "kernel overlayfs mounts in a user namespace" };
  }
  const noOverlay = `kernel overlayfs cannot be mounted in a user namespace (${state.overlay})`;
  const program = host.fuseOverlayfs();
  const device = program === null ? "fuse-overlayfs is not installed" : host.fuseDevice();
  const choice: StorageChoice = device === true
    ? { driver: "fuse-overlayfs", reason: noOverlay, fuseProgram: program! }
    : { driver: "vfs", reason: `${noOverlay}, and ${device}: every container copies its image` };
  if (warn && !state.warned.includes(choice.driver)) {
    warn(`using the storage driver ${choice.driver}: ${choice.reason}`);
    state.warned.push(choice.driver);
    host.writeState(JSON.stringify(state) + "\n");
  }
  return choice;
}

/**
 * The storage driver asked for: `--storage-driver`, else `NOOK_STORAGE_DRIVER`,
 * checked; nothing else is looked at, so callers can refuse a bad name early.
 *
 * @param requested The `--storage-driver` value, if any.
 * @param env Reads an environment variable (default: the process's).
 * @returns The driver and where it was asked for, or null for an automatic choice.
 * @throws {UsageError} When the name is not a storage driver.
 *
 * @example
 * ```ts
 * import { requestedStorageDriver } from "./choose_storage_driver.ts";
 * console.assert(requestedStorageDriver("vfs")?.source === "--storage-driver");
 * ```
 */
export function requestedStorageDriver(
  requested: string | undefined,
  env: (name: string) => string | undefined = (name) => sys.env(name),
): { driver: StorageDriverName; source: string } | null {
  const [value, source] = requested !== undefined
    ? [requested, "--storage-driver"]
    : [env("NOOK_STORAGE_DRIVER"), "NOOK_STORAGE_DRIVER"];
  if (value === undefined || value === "") return null;
  return { driver: parseStorageDriver(value, source), source };
}

/**
 * Chooses the storage driver.
 *
 * @param options The requested driver, where warnings go, the host.
 * @returns The driver and why.
 * @throws {UsageError} When the requested name is not a storage driver.
 * @throws {HostError} When fuse-overlayfs is requested but not installed.
 *
 * @example Ask for vfs
 * ```ts
 * import { chooseStorageDriver } from "./choose_storage_driver.ts";
 * const choice = await chooseStorageDriver({ requested: "vfs" });
 * console.assert(choice.driver === "vfs");
 * ```
 */
export async function chooseStorageDriver(
  options: ChooseStorageDriverOptions = {},
): Promise<StorageChoice> {
  const host = options.host ?? realStorageHost();
  const asked = requestedStorageDriver(options.requested, host.env);
  if (asked === null) {
    const warn = options.onWarning ?? ((m: string) => sys.stderr(`nook: ${m}\n`));
    return await automatic(host, options.announce === false ? null : warn);
  }
  const { driver } = asked;
  const reason = `chosen with ${asked.source}`;
  if (driver !== "fuse-overlayfs") return { driver, reason };
  const program = host.fuseOverlayfs();
  if (program === null) {
    throw new HostError(
      `Cannot use the storage driver 'fuse-overlayfs' (${reason}): the fuse-overlayfs program ` +
        "is not installed (Debian package fuse-overlayfs)",
    );
  }
  const device = host.fuseDevice();
  if (device !== true) {
    throw new HostError(`Cannot use the storage driver 'fuse-overlayfs' (${reason}): ${device}`);
  }
  return { driver, reason, fuseProgram: program };
}
