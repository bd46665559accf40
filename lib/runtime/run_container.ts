/**
 * Runs a container from a rootfs directory: its options built into a config
 * (build_config.ts), the facts read from the host, both planned into a
 * {@linkcode ContainerSpec} (plan_spec.ts) and into shim steps
 * (plan_steps.ts); then spawn it, relay its terminal and signals, wait,
 * clean up.
 *
 * @module
 */
import { loadShim } from "../../shim/binding.ts";
import type { ContainerCgroup } from "../cgroups/prepare_container_cgroup.ts";
import { limitNames } from "../cgroups/resource_limits.ts";
import { SetupError, UsageError } from "../errors/mod.ts";
import type { AttachedNetwork, NetAddresses, PortMapping } from "../network/mod.ts";
import { runtimeDir } from "../paths/mod.ts";
import { sys, trace } from "../sys/mod.ts";
import { chooseIdMaps } from "../userns/mod.ts";
import type { ContainerConfig } from "../config/container_config.ts";
import { lastCapability } from "./capabilities.ts";
import type { ContainerSpec, NetworkMode, RootfsSetup } from "./container_spec.ts";
import { writeInitLayer } from "./init_layer.ts";
import type { MountSpec } from "./mount_spec.ts";
import { joinedIdMap, type NetworkJoin, networkJoinFor } from "./network_join.ts";
import { checkOneUserns, type NamespaceJoin } from "./namespace_join.ts";
import { timezoneFile } from "../config/timezone.ts";
import { resolveNetworkSpec } from "./network_spec.ts";
import {
  type ImageProcess,
  planSpec,
  processOf,
  type SpecFacts,
  specHostname,
} from "./plan_spec.ts";
import { joinsUserns, type Plan, planContainer } from "./plan_steps.ts";
import { outputPipe, readStream, relayTerminal } from "./process_io.ts";
import type { RunOptions } from "./run_options.ts";
import { type ChildProcess, type ExitStatus, spawnPlanned } from "./spawn_process.ts";
import { usernsAnchor } from "./userns_anchor.ts";
import { resolveUser } from "./user_lookup.ts";
import { resolveInRoot } from "./in_root.ts";
import { containerPasswd } from "./passwd_entries.ts";

/** A container that is running. */
export interface RunningContainer {
  /** Its id (64 hex characters). */
  readonly id: string;
  /** Pid of its first process, in nook's pid namespace. */
  readonly pid: number;
  /** Its stdout when `stdout: "pipe"`, else null. */
  readonly stdout: ReadableStream<Uint8Array> | null;
  /** Its stderr when `stderr: "pipe"`, else null. */
  readonly stderr: ReadableStream<Uint8Array> | null;
  /** Its network mode. */
  readonly network: NetworkMode;
  /** The addresses its network helper gave it (slirp4netns, pasta). */
  readonly netAddresses?: NetAddresses;
  /** Its published ports, host ports picked (empty without). */
  readonly ports: readonly PortMapping[];
  /** Resolves when it has ended and everything is cleaned up (its network helper too). */
  readonly status: Promise<ExitStatus>;
  /** Sends a signal to its first process. */
  kill(signal?: string): void;
}

/** What `run()` returns. */
export interface RunResult {
  /** The container's exit code (128+N for signal N). */
  exitCode: number;
  /** Its stdout when `stdout: "pipe"`. */
  stdout: Uint8Array;
  /** Its stderr when `stderr: "pipe"`. */
  stderr: Uint8Array;
}

const FORWARDED = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2"];

/**
 * A new container id: 64 hex digits.
 *
 * @returns The id.
 *
 * @example
 * ```ts
 * import { newId } from "./run_container.ts";
 * console.assert(/^[0-9a-f]{64}$/.test(newId()));
 * ```
 */
export function newId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** What layers above the runtime (images, storage) hand to it. */
export interface SpawnInternals {
  /** The container id (default: a new random one). */
  id?: string;
  /** How the rootfs is made inside the container (e.g. an overlay of image layers). */
  rootfsSetup?: RootfsSetup;
  /** Reads a file of the container's root (for /etc/passwd when the root is not a plain directory). */
  readFile?: (path: string) => string | null;
  /** Called with the host path of its /etc/hosts before it starts (a network lists its peers). */
  onHostsFile?: (path: string) => void | Promise<void>;
  /** Planned for a monitor, not for this terminal: stdio stays as the monitor sets it. */
  detached?: boolean;
  /** The pty size for a detached `-t` (default 24x80). */
  ttySize?: { rows: number; columns: number };
  /** `--network container:REF` or a user-defined network, resolved by lib/container/container_network.ts. */
  networkJoin?: NetworkJoin;
  /** `--pid`/`--ipc container:REF`, resolved by lib/container/container_network.ts. */
  namespaceJoins?: NamespaceJoin[];
  /** The container's name, for /etc/hosts. */
  name?: string;
  /** The image's exposed ports ("80/tcp"), which `publishAll` publishes. */
  exposedPorts?: readonly string[];
  /**
   * Called with the container's own cgroup (null: none) before its first process is cloned
   * (a record notes it).
   */
  onCgroup?: (dir: string | null) => void | Promise<void>;
}

/**
 * Writes the container's /etc/passwd into `dir` when keep-id or `--hostuser` add entries to
 * the image's; returns its host path, or undefined when the image's file serves as it is.
 */
function extraPasswd(
  config: ContainerConfig,
  start: ConfiguredStart,
  readFile: (path: string) => string | null,
  dir: string,
  ids: { uid: number; gid: number },
): string | undefined {
  const keepId = config.userns === "keep-id";
  if (!keepId && !config.hostUsers?.length) return undefined;
  const text = containerPasswd(readFile("/etc/passwd") ?? "", {
    hostText: sys.readText("/etc/passwd") ?? "",
    keepId: keepId ? ids : undefined,
    hostUsers: config.hostUsers,
    home: (start.image ? start.image.workdir : config.workdir) ?? "/",
  });
  if (text === null) return undefined;
  sys.writeText(`${dir}/passwd`, text, 0o644);
  return `${dir}/passwd`;
}

/**
 * Reads what the spec needs from the host (the rootfs, id maps, the user in
 * its /etc/passwd, the network joined or attached) and writes the init layer
 * into `dir`; {@linkcode planSpec} does the rest.
 */
function gatherFacts(
  config: ContainerConfig,
  start: ConfiguredStart,
  id: string,
  dir: string,
  warn: (m: string) => void,
): SpecFacts {
  const rootfs = start.rootfs;
  if (!rootfs.startsWith("/")) throw new UsageError(`Rootfs '${rootfs}' must be an absolute path`);
  const st = sys.stat(rootfs);
  if (!st?.isDirectory && !start.rootfsSetup) {
    throw new UsageError(
      `Cannot use rootfs '${rootfs}': ${st ? "not a directory" : "no such directory"}`,
    );
  }
  const detached = start.detached ?? false;
  const stdinIsTerminal = config.tty && config.interactive && !detached ? sys.isTerminal(0) : true;
  if (!stdinIsTerminal) {
    throw new UsageError("The input device is not a TTY: drop -t, or run from a terminal");
  }
  processOf(config, start.image); // no command: fail before the network is set up
  const join = networkJoinFor(config.network, start.networkJoin);
  const nsJoins = namespaceJoinsFor(config, start.namespaceJoins);
  checkOneUserns(join, nsJoins);
  // Its own network namespace (alone or with a helper) or the host's; else the one it joins
  // (a user-defined network's ports are published by the network's helper, at the attach).
  const net: SpecFacts["net"] = join
    ? { network: "join", ports: join.ports ?? [], netAddresses: join.addresses }
    : resolveNetworkSpec(config, [...start.exposedPorts ?? [], ...config.expose ?? []], dir, warn);
  if (nsJoins.length > 0 && (net.network === "slirp4netns" || net.network === "pasta")) {
    throw new UsageError(
      `Cannot give a container that joins ${nsJoins[0].what} a network of its own through ` +
        `${net.network}: the helper attaches before the join; use --network none, host, ` +
        "or container:NAME of that container",
    );
  }
  const owner = join ?? nsJoins[0];
  const idMap = owner
    ? joinedIdMap(owner)
    : chooseIdMaps({ keepId: config.userns === "keep-id", onWarning: warn });
  const readFile = start.readFile ?? ((path: string) => sys.readText(resolveInRoot(rootfs, path)));
  const passwd = extraPasswd(config, start, readFile, dir, { uid: idMap.user, gid: idMap.group });
  const user = resolveUser(rootfs, start.image ? start.image.user : config.user, {
    defaultUid: idMap.user,
    defaultGid: idMap.group,
    groupAdd: config.groupAdd,
    readFile: passwd
      ? (path) => path === "/etc/passwd" ? sys.readText(passwd) : readFile(path)
      : readFile,
  });
  // /run/.containerenv (podman's) and /.dockerenv (docker's) tell a process it runs in a
  // container; in a root nook made from an image (a rootfs directory of yours stays as it is).
  const containerEnv = start.image ? `${dir}/containerenv` : undefined;
  if (containerEnv) sys.writeText(containerEnv, "", 0o644);
  const hostname = specHostname(config, id, join);
  return {
    nsJoins,
    localtime: config.timezone === undefined ? undefined : copyTimezone(config.timezone, dir),
    id,
    rootfs,
    rootfsSetup: start.rootfsSetup,
    image: start.image,
    extraMounts: start.extraMounts,
    idMap,
    join,
    net,
    user,
    initLayer: join?.files ?? writeInitLayer(dir, {
      hostname,
      network: net.network,
      name: start.name,
      addresses: net.netAddresses,
      addHosts: config.addHosts,
      dns: config.dns,
      dnsSearch: config.dnsSearch,
      dnsOptions: config.dnsOptions,
    }),
    passwd,
    containerEnv,
    detached,
    stdinIsTerminal,
    ttySize: !config.tty ? undefined : detached ? start.ttySize : sys.terminalSize() ?? undefined,
    lastCap: lastCapability(),
  };
}

/**
 * The pid and IPC namespaces a container joins: those the container layer
 * resolved (it knows the containers), checked against the config.
 */
function namespaceJoinsFor(config: ContainerConfig, resolved?: NamespaceJoin[]): NamespaceJoin[] {
  for (const kind of ["pid", "ipc"] as const) {
    const mode = config[kind];
    if (mode?.mode === "container" && !resolved?.some((j) => j.path.endsWith(`/ns/${kind}`))) {
      throw new UsageError(
        `Cannot run with --${kind} container:${mode.container} here: the container is looked ` +
          "up among nook's containers; start it through startContainer() or the CLI",
      );
    }
  }
  return resolved ?? [];
}

/** `--tz`: a copy of the zone's file in the run directory, which the container mounts. */
function copyTimezone(tz: string, dir: string): string {
  const from = timezoneFile(tz);
  const bytes = from === null ? null : sys.readBytes(from);
  if (bytes === null) {
    throw new UsageError(`Cannot use --tz ${tz}: cannot read ${from ?? tz} on the host`);
  }
  const path = `${dir}/localtime`;
  sys.writeFile(path, bytes, { mode: 0o644 });
  return path;
}

/** A configured container's start: where its root is and what the layers above resolved. */
export interface ConfiguredStart extends SpawnInternals {
  /** The root directory (a rootfs directory, or where the image's layers are mounted). */
  rootfs: string;
  /** With an image: its config applied to the config's command, user and workdir. */
  image?: ImageProcess;
  /** Mounts after the config's (an image's anonymous volumes). */
  extraMounts?: readonly MountSpec[];
}

/**
 * Plans a configured container's process, without starting it (a monitor
 * starts detached containers from the plan).
 *
 * @param config The container's config.
 * @param start Its root, id, image process, network join; `ownCgroup` when the process is to
 *   be cloned into a cgroup of its own.
 * @param dir The runtime directory for the init layer (/etc/hosts and friends).
 * @param warn Receives warnings.
 * @returns The spec and its plan.
 * @throws {UsageError} On a config the host cannot run (no command, an unmapped user).
 *
 * @example
 * ```ts ignore
 * const { plan } = planContainerProcess(config, { rootfs, id, detached: true }, dir, warn);
 * ```
 */
export function planContainerProcess(
  config: ContainerConfig,
  start: ConfiguredStart & { id: string; ownCgroup?: boolean },
  dir: string,
  warn: (m: string) => void,
): { spec: ContainerSpec; plan: Plan } {
  const spec = planSpec(config, gatherFacts(config, start, start.id, dir, warn));
  spec.ownCgroup = start.ownCgroup;
  return { spec, plan: planContainer(spec) };
}

/** Removes run directories of nook processes that died (e.g. by SIGKILL) before cleaning up. */
function removeStaleRunDirs(rundir: string): void {
  for (const name of sys.readDir(rundir)) {
    const m = /^run-[0-9a-f]{12}-(\d+)-/.exec(name);
    if (m && !sys.lstat(`/proc/${m[1]}`)) sys.remove(`${rundir}/${name}`);
  }
}

/**
 * Starts a container and returns at once; see {@linkcode run} for one that
 * waits.
 *
 * @param options What to run and how.
 * @returns The running container.
 * @throws {UsageError} On bad options; {@linkcode NookError} subclasses when setup fails.
 *
 * @example Stream a container's output
 * ```ts ignore
 * import { spawnContainer } from "./run_container.ts";
 * const c = await spawnContainer({ rootfs: "/tmp/rootfs", command: ["ls", "/"], stdout: "pipe" });
 * for await (const chunk of c.stdout!) console.log(new TextDecoder().decode(chunk));
 * console.log((await c.status).exitCode);
 * ```
 */
export async function spawnContainer(
  options: RunOptions,
  internals: SpawnInternals = {},
): Promise<RunningContainer> {
  // Loaded here, not with this module: ps, rm and exec, which reach this module, build no config.
  const { buildContainerConfig } = await import("../config/build_config.ts");
  const config = buildContainerConfig(options, { onWarning: options.onWarning });
  return await spawnConfigured(config, { ...internals, rootfs: options.rootfs }, options);
}

/** How a container started in the foreground handles stdio and signals. */
export type ForegroundIo = Pick<
  RunOptions,
  "stdout" | "stderr" | "forwardSignals" | "signal" | "onWarning" | "preserveFds" | "timeout"
>;

/**
 * Starts a container from its config and returns at once.
 *
 * @param config The container's config (see build_config.ts).
 * @param start Its root and what the layers above resolved (image process, network join).
 * @param io Stdio, signals, warnings.
 * @returns The running container.
 * @throws {UsageError} On a config the host cannot run; {@linkcode NookError} subclasses when
 *   setup fails.
 *
 * @example
 * ```ts ignore
 * const c = await spawnConfigured(buildContainerConfig({ rootfs, command: ["true"] }), { rootfs });
 * ```
 */
export async function spawnConfigured(
  config: ContainerConfig,
  start: ConfiguredStart,
  io: ForegroundIo = {},
): Promise<RunningContainer> {
  const warn = io.onWarning ?? ((m: string) => sys.stderr(`nook: ${m}\n`));
  const shim = loadShim();
  const id = start.id ?? newId();
  const rundir = runtimeDir();
  removeStaleRunDirs(rundir);
  // The name carries our pid, so that a later run can tell when we died without cleaning up.
  const dir = sys.makeTempDir(rundir, `run-${id.slice(0, 12)}-${sys.pid()}-`);
  const cleanups: (() => void)[] = [() => sys.remove(dir)];
  let net: AttachedNetwork | undefined;
  let cgroup: ContainerCgroup | null = null;
  const cleanup = () => {
    for (const fn of cleanups.splice(0).reverse()) {
      try {
        fn();
      } catch {
        // keep cleaning
      }
    }
  };
  try {
    const spec = planSpec(config, gatherFacts(config, start, id, dir, warn));
    // Its own user namespace where something is to be set up in the new network namespace
    // before the release (a helper), or its maps differ (keep-id).
    if (!joinsUserns(spec) && !spec.netHelper && config.userns !== "keep-id") {
      spec.anchor = await usernsAnchor(spec.idMap) ?? undefined;
    }
    trace("spec planned");
    // A container with a record gets a cgroup of its own wherever it can (pause, stats and
    // update reach it through the record); a run without one (the fast path) when it asks.
    if (
      start.onCgroup !== undefined || limitNames(config.resources).length > 0 ||
      config.cgroups === "required" || config.cgroupParent !== undefined
    ) {
      const { prepareContainerCgroup } = await import("../cgroups/prepare_container_cgroup.ts");
      cgroup = await prepareContainerCgroup({
        id,
        limits: config.resources,
        mode: config.cgroups,
        parent: config.cgroupParent,
        onWarning: warn,
      });
    }
    spec.ownCgroup = cgroup !== null;
    await start.onCgroup?.(cgroup?.dir ?? null);
    await start.onHostsFile?.(spec.initLayer.hosts);
    const out = outputPipe(io.stdout);
    const err = outputPipe(io.stderr);
    // Until the container runs, both ends are ours to close; then the streams own the read ends.
    for (const p of [out, err]) {
      if (p) {
        cleanups.push(() => shim.close(p[0]), () => shim.close(p[1]));
      }
    }
    spec.stdoutFd = io.stdout === "null" ? "null" : out?.[1];
    spec.stderrFd = io.stderr === "null" ? "null" : err?.[1];
    spec.preserveFds = io.preserveFds;
    const helper = spec.netHelper;
    // Signals are caught from before the release (a container may get one as soon as it
    // runs); those that come before the process is known are passed on once it is.
    const proxied: { to?: { kill(signal: string): void } } = {};
    const early: string[] = [];
    const proxies: (() => void)[] = [];
    if (io.forwardSignals && config.sigProxy !== false) {
      for (const s of FORWARDED) {
        proxies.push(sys.onSignal(s, () => proxied.to ? proxied.to.kill(s) : early.push(s)));
      }
    }
    cleanups.push(() => proxies.splice(0).forEach((off) => off()));
    const spawn = async () => {
      const plan = planContainer(spec);
      trace("steps planned");
      // A joined user namespace has its maps already.
      return await spawnPlanned(plan, joinsUserns(spec) || spec.anchor ? null : spec.idMap, {
        cgroup: cgroup?.dir,
        // The network is up before the command runs.
        beforeRelease: helper && (async (pid) => {
          const { attachNetwork } = await import("../network/attach_network.ts");
          trace("network helper loaded");
          net = await attachNetwork(helper, pid);
          trace("network attached");
        }),
      });
    };
    let child: ChildProcess;
    try {
      child = await spawn();
    } catch (e) {
      if (!spec.anchor || !(e instanceof SetupError) || e.step !== "join") throw e;
      // The anchor ended between its check and the join: a user namespace of the run's own.
      spec.anchor = undefined;
      child = await spawn();
    }
    if (out) shim.close(out[1]);
    if (err) shim.close(err[1]);
    cleanups.splice(1);
    cleanups.push(() => proxies.splice(0).forEach((off) => off()));
    proxied.to = child;
    for (const s of early.splice(0)) child.kill(s);
    const onAbort = () => child.kill("SIGKILL");
    io.signal?.addEventListener("abort", onAbort);
    cleanups.push(() => io.signal?.removeEventListener("abort", onAbort));
    if (io.signal?.aborted) onAbort();
    let timedOut = false;
    if (io.timeout) {
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill("SIGKILL");
      }, io.timeout * 1000);
      cleanups.push(() => clearTimeout(timer));
    }
    let relay: Promise<unknown> = Promise.resolve();
    if (child.ptyFd >= 0) {
      const terminal = relayTerminal(child.ptyFd, { stdin: spec.interactive });
      cleanups.push(terminal.stop);
      relay = terminal.done;
    }
    const status = child.status.then(async (s) => {
      await relay;
      // Without published ports nothing of the helper's is left to free once it is killed.
      await net?.detach({ wait: (spec.ports ?? []).length > 0 });
      cleanup();
      await cgroup?.remove();
      trace("cleaned up");
      return timedOut ? { ...s, timedOut } : s;
    });
    return {
      id,
      pid: child.pid,
      network: spec.network,
      netAddresses: spec.netAddresses,
      ports: spec.ports ?? [],
      stdout: out ? readStream(out[0]) : null,
      stderr: err ? readStream(err[0]) : null,
      status,
      kill: (signal = "SIGTERM") => child.kill(signal),
    };
  } catch (e) {
    await net?.detach();
    cleanup();
    await cgroup?.remove();
    throw e;
  }
}

async function collect(stream: ReadableStream<Uint8Array> | null): Promise<Uint8Array> {
  if (!stream) return new Uint8Array();
  const parts: Uint8Array[] = [];
  for await (const chunk of stream) parts.push(chunk.slice());
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Runs a container to completion.
 *
 * @param options What to run and how; `stdout: "pipe"` captures output.
 * @returns The exit code and captured output.
 * @throws {UsageError} On bad options; {@linkcode NookError} subclasses when setup fails.
 *
 * @example Capture a command's output
 * ```ts ignore
 * import { run } from "./run_container.ts";
 * const r = await run({ rootfs: "/tmp/rootfs", command: ["echo", "hi"], stdout: "pipe" });
 * console.log(r.exitCode, new TextDecoder().decode(r.stdout));
 * ```
 */
export async function run(options: RunOptions): Promise<RunResult> {
  return await waitForOutput(await spawnContainer(options));
}

/**
 * Waits for a container (or a command exec'd in one) and collects the output
 * it was asked to pipe.
 *
 * @param container A running container, or anything with its streams and status.
 * @returns Its exit code and output.
 *
 * @example
 * ```ts ignore
 * const r = await waitForOutput(await spawnContainer({ rootfs, command: ["ls"], stdout: "pipe" }));
 * ```
 */
export async function waitForOutput(
  container: Pick<RunningContainer, "stdout" | "stderr" | "status">,
): Promise<RunResult> {
  const [stdout, stderr, status] = await Promise.all([
    collect(container.stdout),
    collect(container.stderr),
    container.status,
  ]);
  return { exitCode: status.exitCode, stdout, stderr };
}
