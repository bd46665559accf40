/**
 * A container's config and what was read from the host for it (the facts:
 * id maps, the user found in /etc/passwd, the network joined or attached,
 * the init layer's files, the terminal) turned into its
 * {@linkcode ContainerSpec}, which plan_steps.ts turns into shim steps.
 * Pure: unit-tested without namespaces; run_container.ts gathers the facts.
 *
 * @module
 */
import type { ContainerConfig } from "../config/container_config.ts";
import { UsageError } from "../errors/mod.ts";
import type { NetAddresses, NetHelperPlan, PortMapping } from "../network/mod.ts";
import { type IdMapPlan, isMapped } from "../userns/mod.ts";
import { capabilitySet } from "./capabilities.ts";
import type { ContainerSpec, InitLayer, NetworkMode, RootfsSetup } from "./container_spec.ts";
import { DEFAULT_PATH, DEFAULT_SHM_SIZE } from "./defaults.ts";
import { mergeEnv } from "./env_spec.ts";
import { sys } from "../sys/mod.ts";
import type { MountSpec } from "./mount_spec.ts";
import type { NetworkJoin } from "./network_join.ts";
import type { NamespaceJoin } from "./namespace_join.ts";
import type { NamespaceMode } from "../config/container_config.ts";
import type { ResolvedUser } from "./user_lookup.ts";

/** The process an image's config makes of the config's command, user and workdir. */
export interface ImageProcess {
  /** Entrypoint and command. */
  argv: string[];
  /** The user (the config's, else the image's). */
  user?: string;
  /** The working directory (the config's, else the image's). */
  workdir?: string;
  /** The image's environment, beneath the config's. */
  env?: readonly string[];
}

/** What was read from the host for a container, which {@linkcode planSpec} combines with its config. */
export interface SpecFacts {
  /** The container id. */
  id: string;
  /** The root directory on the host. */
  rootfs: string;
  /** How the rootfs is made inside (e.g. an overlay of image layers). */
  rootfsSetup?: RootfsSetup;
  /** With an image: its config applied (else the config's command, user and workdir). */
  image?: ImageProcess;
  /** Mounts after the config's (an image's anonymous volumes). */
  extraMounts?: readonly MountSpec[];
  /** The user namespace's maps (a joined one's, or the ones chosen). */
  idMap: IdMapPlan;
  /** The network namespace joined, if any. */
  join?: NetworkJoin;
  /** The pid and IPC namespaces joined (`--pid`/`--ipc container:`), with their user namespace. */
  nsJoins?: readonly NamespaceJoin[];
  /** `--tz`: the host file mounted on /etc/localtime. */
  localtime?: string;
  /** Its own network: the mode, helper, addresses and published ports (a join's otherwise). */
  net: {
    network: NetworkMode;
    netHelper?: NetHelperPlan;
    netAddresses?: NetAddresses;
    ports: PortMapping[];
  };
  /** The user `user` names, found in the rootfs's /etc/passwd and /etc/group. */
  user: ResolvedUser;
  /** The per-container /etc files. */
  initLayer: InitLayer;
  /** Host path of the container's /etc/passwd, when nook added entries to the image's. */
  passwd?: string;
  /** Host path of the empty file bound on /run/.containerenv and /.dockerenv. */
  containerEnv?: string;
  /** Planned for a monitor, not for this terminal. */
  detached: boolean;
  /** Whether nook's stdin is a terminal (for `-it` in the foreground). */
  stdinIsTerminal: boolean;
  /** The pty size for `-t`. */
  ttySize?: { rows: number; columns: number };
  /** Highest capability number of the kernel. */
  lastCap: number;
}

/**
 * The argv and working directory a container runs, checked.
 *
 * @param config The config.
 * @param image The image's config applied, if it has an image.
 * @returns argv and cwd.
 * @throws {UsageError} When there is no command, or the working directory is relative.
 *
 * @example
 * ```ts
 * import { processOf } from "./plan_spec.ts";
 * const p = processOf({ command: ["sh"], entrypoint: ["/init"] });
 * console.assert(p.argv.join(" ") === "/init sh" && p.cwd === "/");
 * ```
 */
export function processOf(
  config: Pick<ContainerConfig, "command" | "entrypoint" | "workdir">,
  image?: ImageProcess,
): { argv: string[]; cwd: string } {
  const argv = image?.argv ?? [...(config.entrypoint ?? []), ...(config.command ?? [])];
  if (argv.length === 0 || argv[0] === "") {
    throw new UsageError("No command given: say what to run, e.g. 'nook run --rootfs DIR /bin/sh'");
  }
  const cwd = (image ? image.workdir : config.workdir) ?? "/";
  if (!cwd.startsWith("/")) {
    throw new UsageError(`Working directory '${cwd}' must be an absolute path`);
  }
  return { argv, cwd };
}

/**
 * The hostname of a container: the host's with `--uts host`; else `-h`, else
 * the joined container's, else its id's start.
 *
 * @param config The config.
 * @param id The container id.
 * @param join The network it joins.
 * @returns The hostname.
 *
 * @example
 * ```ts
 * import { specHostname } from "./plan_spec.ts";
 * console.assert(specHostname({}, "0123456789abcdef") === "0123456789ab");
 * ```
 */
export function specHostname(
  config: Pick<ContainerConfig, "hostname" | "uts">,
  id: string,
  join?: NetworkJoin,
): string {
  if (config.uts?.mode === "host") return hostHostname();
  return config.hostname ?? join?.hostname ?? id.slice(0, 12);
}

/** The host's hostname (what `--uts host` shows). */
function hostHostname(): string {
  return (sys.readText("/proc/sys/kernel/hostname") ?? "localhost").trim();
}

/**
 * Plans a container's spec from its config and the facts read for it.
 *
 * @param config The container's config.
 * @param facts What was read from the host.
 * @returns The spec (stdio fds and `ownCgroup` are the caller's to set).
 * @throws {UsageError} On `-it` without a terminal, no command, a relative working
 *   directory, or a user or group the id maps do not map.
 *
 * @example
 * ```ts ignore
 * const spec = planSpec(config, facts);
 * ```
 */
export function planSpec(config: ContainerConfig, facts: SpecFacts): ContainerSpec {
  if (config.tty && config.interactive && !facts.detached && !facts.stdinIsTerminal) {
    throw new UsageError("The input device is not a TTY: drop -t, or run from a terminal");
  }
  const { argv, cwd } = processOf(config, facts.image);
  const { idMap, join } = facts;
  const nsJoins = facts.nsJoins ?? [];
  const owner = join ?? nsJoins[0];
  const user = { ...facts.user, groups: [...facts.user.groups] };
  const fix = owner
    ? `the user namespace that owns ${owner.what} does not map it`
    : idMap.mode === "single"
    ? "only your own id is mapped; add an /etc/subuid and /etc/subgid range for your user"
    : "it is outside your /etc/subuid and /etc/subgid range";
  if (!isMapped(idMap.uid, user.uid)) throw new UsageError(`Cannot run as uid ${user.uid}: ${fix}`);
  if (!isMapped(idMap.gid, user.gid)) throw new UsageError(`Cannot run as gid ${user.gid}: ${fix}`);
  user.groups = user.groups.filter((g) => isMapped(idMap.gid, g));
  const hostname = specHostname(config, facts.id, join);
  const defaults = [`PATH=${DEFAULT_PATH}`, `HOSTNAME=${hostname}`, `HOME=${user.home}`];
  if (config.tty) defaults.push("TERM=xterm");
  return {
    rootfs: facts.rootfs,
    rootfsSetup: facts.rootfsSetup,
    argv,
    env: mergeEnv(defaults, facts.image?.env ?? [], config.env),
    cwd,
    user,
    hostname,
    ...facts.net,
    join,
    mounts: [...config.mounts, ...facts.extraMounts ?? []],
    initLayer: facts.initLayer,
    passwd: facts.passwd,
    containerEnv: facts.containerEnv,
    readOnly: config.readOnly ?? false,
    tty: config.tty ?? false,
    ttySize: config.tty ? facts.ttySize : undefined,
    interactive: config.interactive ?? false,
    init: config.init ?? false,
    capabilities: capabilitySet({ add: config.capAdd, drop: config.capDrop }),
    lastCap: facts.lastCap,
    idMap,
    dieWithParent: true,
    pidNs: nsChoice(config.pid),
    ipcNs: nsChoice(config.ipc),
    utsNs: config.uts?.mode === "host" ? "host" : undefined,
    nsJoins: nsJoins.length ? [...nsJoins] : undefined,
    shmSize: config.shmSize ?? DEFAULT_SHM_SIZE,
    localtime: facts.localtime,
  };
}

/** A namespace mode as the spec has it: absent for its own, the host's, or one joined. */
function nsChoice(mode: NamespaceMode | undefined): "host" | "join" | undefined {
  if (mode?.mode === "host") return "host";
  return mode?.mode === "container" ? "join" : undefined;
}
