/**
 * `--pid`, `--ipc` and `--uts`, parsed once into the container's config: a
 * namespace of its own, the host's, or a running container's; with docker's
 * messages for a bad mode and for the flags that do not go with it.
 *
 * @module
 */
import { UsageError } from "../errors/mod.ts";
import type { ContainerConfig, NamespaceMode } from "./container_config.ts";

/** The flags {@linkcode parseNamespaceModes} reads. */
export interface NamespaceFlags {
  /** `--pid`. */
  pid?: string;
  /** `--ipc`. */
  ipc?: string;
  /** `--uts`. */
  uts?: string;
  /** `-h`, which `--uts host` refuses. */
  hostname?: string;
  /** `--userns`, which a joined namespace refuses (it takes the joined user namespace). */
  userns?: string;
  /** `--shm-size`, which only a /dev/shm of the container's own takes. */
  shmSize?: number;
}

/**
 * Parses one of `--pid` or `--ipc`: private, host, container:NAME (ipc: also shareable).
 *
 * @param flag "pid" or "ipc".
 * @param text The value.
 * @returns The mode; undefined for the default (private).
 * @throws {UsageError} With docker's words ("--pid: invalid PID mode") and the modes there are.
 *
 * @example
 * ```ts
 * import { parseNamespaceMode } from "./namespace_config.ts";
 * console.assert(parseNamespaceMode("pid", "host")?.mode === "host");
 * console.assert(parseNamespaceMode("ipc", "container:db")?.mode === "container");
 * console.assert(parseNamespaceMode("pid", "private") === undefined);
 * ```
 */
export function parseNamespaceMode(
  flag: "pid" | "ipc",
  text: string | undefined,
): NamespaceMode | undefined {
  if (text === undefined || text === "" || text === "private") return undefined;
  if (text === "host") return { mode: "host" };
  if (flag === "ipc" && text === "shareable") return { mode: "shareable" };
  if (text.startsWith("container:") && text.length > "container:".length) {
    return { mode: "container", container: text.slice("container:".length) };
  }
  const modes = flag === "ipc"
    ? "private, shareable, host or container:NAME"
    : "private, host or container:NAME";
  throw new UsageError(`--${flag}: invalid ${flag.toUpperCase()} mode '${text}': use ${modes}`);
}

/**
 * The namespace modes of a container, checked against the flags that conflict with them.
 *
 * @param flags The flags' values.
 * @returns The config's `pid`, `ipc` and `uts` (each absent for private).
 * @throws {UsageError} On a bad mode, `-h` with `--uts host`, `--userns` with a joined
 *   namespace, `--shm-size` with a /dev/shm that is not the container's own.
 *
 * @example
 * ```ts
 * import { parseNamespaceModes } from "./namespace_config.ts";
 * const m = parseNamespaceModes({ pid: "container:a", uts: "host" });
 * console.assert(m.pid?.mode === "container" && m.uts?.mode === "host" && m.ipc === undefined);
 * ```
 */
export function parseNamespaceModes(
  flags: NamespaceFlags,
): Pick<ContainerConfig, "pid" | "ipc" | "uts"> {
  const pid = parseNamespaceMode("pid", flags.pid);
  const ipc = parseNamespaceMode("ipc", flags.ipc);
  let uts: ContainerConfig["uts"];
  if (flags.uts === "host") uts = { mode: "host" };
  else if (flags.uts !== undefined && flags.uts !== "" && flags.uts !== "private") {
    throw new UsageError(`--uts: invalid UTS mode '${flags.uts}': use host`);
  }
  if (uts && flags.hostname !== undefined) {
    throw new UsageError(
      "Conflicting options: -h/--hostname and --uts host: the container has the host's hostname",
    );
  }
  for (const [flag, mode] of [["--pid", pid], ["--ipc", ipc]] as const) {
    if (mode?.mode === "container" && flags.userns) {
      throw new UsageError(
        `Conflicting options: --userns ${flags.userns} and ${flag} container:${mode.container}: ` +
          "a container that joins another's namespace joins its user namespace too",
      );
    }
  }
  if (flags.shmSize !== undefined && (ipc?.mode === "host" || ipc?.mode === "container")) {
    throw new UsageError(
      `Conflicting options: --shm-size and --ipc ${
        ipc.mode === "host" ? "host" : `container:${ipc.container}`
      }: the container uses that /dev/shm, whose size is not its own`,
    );
  }
  return { pid, ipc, uts };
}

/**
 * A namespace mode as `inspect` shows it (docker's HostConfig.PidMode, IpcMode, UTSMode).
 *
 * @param mode The mode.
 * @param fallback What the default shows ("" for pid and uts, "private" for ipc).
 * @returns e.g. "host", "container:web", "shareable".
 *
 * @example
 * ```ts
 * import { formatNamespaceMode } from "./namespace_config.ts";
 * console.assert(formatNamespaceMode({ mode: "container", container: "a" }, "") === "container:a");
 * console.assert(formatNamespaceMode(undefined, "private") === "private");
 * ```
 */
export function formatNamespaceMode(
  mode: NamespaceMode | { mode: "host" } | undefined,
  fallback: string,
): string {
  if (mode === undefined || mode.mode === "private") return fallback;
  return mode.mode === "container" ? `container:${mode.container}` : mode.mode;
}
