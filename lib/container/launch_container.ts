/**
 * `start`: make a created container's rootfs from its image (or use its rootfs
 * directory), plan its process, and start it, either in the foreground (this
 * process waits, stdio passes straight through) or detached under a monitor
 * (shim/monitor) that outlives nook and holds its stdio, log and exit.
 *
 * @module
 */
import { containerEvent, monitorEventAttributes } from "./container_event.ts";
import { eventsPath } from "../events/record_event.ts";
import { loadShim } from "../../shim/binding.ts";
import { encodeProgram } from "../../shim/protocol.ts";
import { prepareContainerCgroup } from "../cgroups/prepare_container_cgroup.ts";
import { NookError } from "../errors/mod.ts";
import {
  type ConfiguredStart,
  planContainerProcess,
  type RunningContainer,
  spawnConfigured,
} from "../runtime/run_container.ts";
import type { OutputMode } from "../runtime/run_options.ts";
import { cloneError, stepError } from "../runtime/spawn_process.ts";
import { joinsUserns } from "../runtime/plan_steps.ts";
import { storeLayout } from "../store/mod.ts";
import { type Sys, sys, type SysConn } from "../sys/mod.ts";
import { monitorUserns, startMonitor } from "../monitor/monitor_process.ts";
import { monitorFailure } from "../monitor/monitor_failure.ts";
import type { MonitorConfig } from "../monitor/monitor_protocol.ts";
import {
  containerDir,
  type ContainerRecord,
  containerRunDir,
  readRecord,
  withRecordsLock,
  writeRecord,
} from "../records/container_record.ts";
import { namespaceInternals, networkInternals } from "./container_network.ts";
import { userNetworkName } from "../config/network_config.ts";
import { writeNetworkState } from "../records/network_state.ts";
import {
  containerStatus,
  currentBoot,
  processStart,
  writeState,
} from "../records/container_state.ts";

/**
 * Reads a file of the image as its container will see it, from the layers
 * (the merged root is only mounted inside the container): the topmost layer
 * that has it wins; a whiteout, or an opaque directory above, hides it.
 * For /etc/passwd and /etc/group lookups (`-u NAME`, `USER name`).
 */
function layeredReader(layers: readonly string[]): (path: string) => string | null {
  const top = [...layers].reverse();
  return (path) => {
    const rel = path.replace(/^\/+/, "");
    const parents = rel.split("/").slice(0, -1).map((_, i, a) => a.slice(0, i + 1).join("/"));
    for (const layer of top) {
      const st = sys.lstat(`${layer}/${rel}`);
      if (st?.isFile) return sys.readText(`${layer}/${rel}`);
      if (st) return null; // a whiteout (or a link or dir where a file was asked for)
      const shim = loadShim();
      const opaque = parents.some((p) => {
        const v = shim.lgetxattr(`${layer}/${p}`, "user.overlay.opaque");
        return typeof v !== "number" && v[0] === 0x79;
      });
      if (opaque) return null;
    }
    return null;
  };
}

/** What the runtime needs to start a container's process, besides its config. */
interface Parts {
  start: ConfiguredStart & { id: string };
  explain(err: unknown): unknown;
}

/**
 * Where a container's process starts from: its rootfs directory, or its image's layers
 * mounted for it with the image's config applied to the container's config.
 */
async function containerParts(record: ContainerRecord, warn: (m: string) => void): Promise<Parts> {
  const config = record.config;
  // A network shared with a running container is resolved now, at each start (as docker does).
  const ports = {
    publish: config.publish,
    publishAll: config.publishAll,
    exposed: config.expose ?? [],
  };
  const namespaces = namespaceInternals(config);
  if (record.rootfs !== undefined) {
    const network = { ...await networkInternals(config.network, record.id, ports), ...namespaces };
    return {
      start: { rootfs: record.rootfs, id: record.id, name: record.name, ...network },
      explain: (e) => e,
    };
  }
  const { applyImageConfig, findImage, readImageConfig } = await import("../image/mod.ts");
  const { chooseStorageDriver, prepareRootfs } = await import("../storage/mod.ts");
  const { anonymousVolumes } = await import("./anonymous_volumes.ts");
  const { layerPath } = await import("../store/mod.ts");
  const layout = storeLayout();
  const image = findImage(layout, record.image);
  if (!image) {
    throw new NookError(
      `Cannot start container ${record.name}: its image ${record.image} (${record.imageName}) ` +
        "is no longer in the store; pull it again or remove the container",
    );
  }
  const imageConfig = readImageConfig(layout, image).config ?? {};
  const exposedPorts = Object.keys(imageConfig.ExposedPorts ?? {});
  const network = {
    ...await networkInternals(config.network, record.id, {
      ...ports,
      exposed: [...exposedPorts, ...ports.exposed],
    }),
    ...namespaces,
  };
  const plan = applyImageConfig(imageConfig, {
    command: config.command,
    entrypoint: config.entrypoint,
    workdir: config.workdir,
    user: config.user,
  });
  const storage = await chooseStorageDriver({ requested: record.storageDriver, onWarning: warn });
  const layers = image.chainIds.map((c) => `${layerPath(layout, c)}/diff`);
  const dir = containerDir(record.id);
  const prepared = await prepareRootfs(storage, { layers, containerDir: dir });
  const taken = new Set(config.mounts.map((m) => m.target));
  const volumes = await anonymousVolumes(
    Object.keys(imageConfig.Volumes ?? {}),
    layers,
    dir,
    taken,
  );
  return {
    start: {
      rootfs: prepared.rootfs,
      id: record.id,
      ...network,
      name: record.name,
      image: { argv: plan.argv, user: plan.user, workdir: plan.workdir, env: plan.env },
      extraMounts: volumes,
      exposedPorts,
      rootfsSetup: prepared.setup,
      readFile: layeredReader(layers),
    },
    explain: (e) => prepared.explain(e),
  };
}

/** Notes the container's cgroup (or that it has none) in its record. */
async function noteCgroup(record: ContainerRecord, dir: string | null): Promise<void> {
  if (dir === null && record.cgroup === undefined) return; // nothing to note or to drop
  await withRecordsLock(() => {
    const now = readRecord(record.id);
    if (!now || now.cgroup === (dir ?? undefined)) return;
    const { cgroup: _, ...rest } = now;
    writeRecord(dir === null ? rest : { ...rest, cgroup: dir });
  });
}

function nowNs(): number {
  return Date.now() * 1e6;
}

/** Tells the other containers of a user-defined network about this one (their /etc/hosts). */
async function announceOnNetwork(record: ContainerRecord, hosts: string): Promise<void> {
  if (userNetworkName(record.config.network) === undefined) return;
  const { announceContainer } = await import("../network/network_attach.ts");
  await announceContainer(record.id, hosts);
}

/**
 * After a container on a user-defined network stopped: withdraw its published
 * ports, and when `release`, end the network's process if no member runs.
 */
async function leaveNetwork(record: ContainerRecord, release: boolean): Promise<void> {
  const network = userNetworkName(record.config.network);
  if (network === undefined) return;
  const { releaseNetwork, syncNetworkPorts } = await import("../network/network_attach.ts");
  await syncNetworkPorts(network).catch(() => {});
  if (release) await releaseNetwork(network).catch(() => {});
}

/** Runs a start; when it fails, nothing of the container stays on its network. */
async function leaveNetworkOnFailure<T>(
  record: ContainerRecord,
  start: () => Promise<T>,
): Promise<T> {
  try {
    return await start();
  } catch (err) {
    await leaveNetwork(record, true);
    throw err;
  }
}

/** How a foreground start handles stdio and signals (as `spawnContainer` takes them). */
export interface ForegroundOptions {
  /** Where stdout goes (default "inherit"). */
  stdout?: OutputMode;
  /** Where stderr goes (default "inherit"). */
  stderr?: OutputMode;
  /** Forward this process's signals to the container. */
  forwardSignals?: boolean;
  /** Aborting kills the container. */
  signal?: AbortSignal;
  /** Receives warnings. */
  onWarning?: (message: string) => void;
  /** `--preserve-fds`: nook's fds 3 to 3+N-1 stay open in the container. */
  preserveFds?: number;
  /** `--timeout`: seconds after which the container is killed. */
  timeout?: number;
  /** Called after the container ended and its state is recorded (e.g. to remove it). */
  onExit?: (exitCode: number) => Promise<void>;
}

/**
 * Starts a created container in the foreground: this process is its parent
 * and records its state; stdio passes straight through.
 *
 * @param record The container.
 * @param options Stdio, signals, warnings.
 * @returns The running container.
 * @throws {NookError} Subclasses when setup fails.
 *
 * @example
 * ```ts ignore
 * const c = await launchForeground(record, { forwardSignals: true });
 * await c.status;
 * ```
 */
export async function launchForeground(
  record: ContainerRecord,
  options: ForegroundOptions = {},
): Promise<RunningContainer> {
  const warn = options.onWarning ?? ((m: string) => sys.stderr(`nook: ${m}\n`));
  const container = await leaveNetworkOnFailure(record, async () => {
    const parts = await containerParts(record, warn);
    return await spawnConfigured(
      record.config,
      {
        ...parts.start,
        // Its /etc/hosts names the network's containers before it starts.
        onHostsFile: (hosts) => announceOnNetwork(record, hosts),
        onCgroup: (dir) => noteCgroup(record, dir),
      },
      { ...options, onWarning: warn },
    ).catch((err) => {
      throw parts.explain(err);
    });
  });
  writeNetworkState(record.id, {
    mode: container.network,
    ports: [...container.ports],
    ...container.netAddresses,
  });
  const self = sys.pid();
  const state = {
    status: "running",
    pid: container.pid,
    pidStart: processStart(container.pid) ?? "-",
    monitor: self,
    monitorStart: processStart(self) ?? "-",
    boot: currentBoot(),
    started: nowNs(),
    restarts: 0,
  };
  // The state of a container removed when it ends (--rm) is not fsynced (2 ms per run).
  const durable = !record.config.autoRemove;
  writeState(record.id, state, { durable });
  await containerEvent(record, "start");
  const status = container.status.then(async (s) => {
    // Before the state says it ended: who saw that sees the event too.
    await containerEvent(record, "die", {
      exitCode: String(s.exitCode),
      execDuration: String(Math.floor((nowNs() - state.started) / 1e9)),
    });
    try {
      writeState(record.id, {
        ...state,
        status: "exited",
        // Killed by --timeout: podman records -1.
        exitCode: s.timedOut ? -1 : s.exitCode,
        finished: nowNs(),
      }, { durable });
    } catch {
      // removed meanwhile (rm -f from another shell)
    }
    await leaveNetwork(record, false);
    await options.onExit?.(s.exitCode);
    return s;
  });
  return { ...container, status };
}

/**
 * What a detached start reaches outside nook's own records: the host's files
 * and terminal, the runtime's planner, the cgroup maker and the monitor. A
 * seam: unit tests pass recording fakes, as lib/host's tests pass fakeHost.
 */
export interface LaunchContext {
  /** The files and terminal a start uses. */
  sys: Pick<Sys, "writeFile" | "remove" | "mkdirp" | "isTerminal" | "terminalSize" | "stderr">;
  /** Plans the container's process from its config (the runtime's planner). */
  planProcess: typeof planContainerProcess;
  /** Makes the container's own cgroup with its limits. */
  prepareCgroup: typeof prepareContainerCgroup;
  /** Starts a monitor on its config lines; resolves with its report (shim/monitor). */
  startMonitor: typeof startMonitor;
}

/** The real {@linkcode LaunchContext}. */
export const realLaunchContext: LaunchContext = {
  sys,
  planProcess: planContainerProcess,
  prepareCgroup: prepareContainerCgroup,
  startMonitor,
};

/** Options of {@linkcode launchDetached}. */
export interface DetachedOptions {
  /** The host, planner, cgroups and monitor it uses (default: the real ones). */
  context?: LaunchContext;
  /** Receives warnings. */
  onWarning?: (message: string) => void;
  /** The pty size for `-t` (default: this terminal's, else 24x80). */
  ttySize?: { rows: number; columns: number };
  /** Connect to its attach socket before it starts (no output is missed). */
  attach?: boolean;
}

/** A detached container just started. */
export interface Launched {
  /** Pid of its first process. */
  pid: number;
  /** The attach connection, when asked for. */
  conn?: SysConn;
}

/** Connects to the socket the monitor is about to make (it waits for us before it starts). */
async function connectEarly(
  path: string,
  done: Promise<unknown>,
): Promise<SysConn | undefined> {
  let over = false;
  done.then(() => over = true, () => over = true);
  for (let i = 0; i < 500 && !over; i++) {
    if (sys.lstat(path)) {
      try {
        return await sys.connectUnix(path);
      } catch {
        // not listening yet
      }
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  return undefined;
}

/**
 * The monitor's log file of a container.
 *
 * @param id The container id.
 * @returns `<data>/containers/<id>/container.log` (rotated files add .1, .2, ...).
 *
 * @example
 * ```ts ignore
 * logPath(id);
 * ```
 */
export function logPath(id: string): string {
  return `${containerDir(id)}/container.log`;
}

/**
 * The attach socket of a running detached container.
 *
 * @param id The container id.
 * @returns The socket path.
 *
 * @example
 * ```ts ignore
 * attachSocketPath(id);
 * ```
 */
export function attachSocketPath(id: string): string {
  return `${containerRunDir(id)}/attach.sock`;
}

/**
 * The file whose presence tells the monitor not to restart (a user stopped it).
 *
 * @param id The container id.
 * @returns The path.
 *
 * @example
 * ```ts ignore
 * stopMarkerPath(id);
 * ```
 */
export function stopMarkerPath(id: string): string {
  return `${containerDir(id)}/stop-requested`;
}

/**
 * Starts a created container under a monitor that outlives this process; returns
 * once the container's command runs (or throws why it could not start).
 *
 * @param record The container.
 * @param options Warnings, pty size.
 * @returns The pid of the container's first process.
 * @throws {NookError} Subclasses naming the failed step, as a foreground run words them.
 *
 * @example
 * ```ts ignore
 * const { pid } = await launchDetached(record);
 * ```
 */
export async function launchDetached(
  record: ContainerRecord,
  options: DetachedOptions = {},
): Promise<Launched> {
  // Each start reads the config as stored now (update and network connect change it).
  const stored = readRecord(record.id) ?? record;
  return await leaveNetworkOnFailure(stored, () => startDetached(stored, options));
}

async function startDetached(record: ContainerRecord, options: DetachedOptions): Promise<Launched> {
  const ctx = options.context ?? realLaunchContext;
  const warn = options.onWarning ?? ((m: string) => ctx.sys.stderr(`nook: ${m}\n`));
  const now = containerStatus(record.id);
  if (now.status === "running" || now.status === "restarting") return { pid: now.pid };
  ctx.sys.remove(stopMarkerPath(record.id));
  const parts = await containerParts(record, warn);
  const run = containerRunDir(record.id);
  ctx.sys.remove(run);
  ctx.sys.mkdirp(run, 0o700);
  const config = record.config;
  // Made now, with its limits; the monitor clones each of the container's processes into it
  // and removes it when the container has ended for good.
  const cgroup = await ctx.prepareCgroup({
    id: record.id,
    limits: config.resources,
    mode: config.cgroups,
    parent: config.cgroupParent,
    onWarning: warn,
  });
  try {
    await noteCgroup(record, cgroup?.dir ?? null);
    return await startUnderMonitor(record, parts, run, cgroup?.dir, options, warn);
  } catch (err) {
    await cgroup?.remove();
    throw err;
  }
}

/** Plans the container's process and starts a monitor on it. */
async function startUnderMonitor(
  record: ContainerRecord,
  parts: Parts,
  run: string,
  cgroup: string | undefined,
  options: DetachedOptions,
  warn: (m: string) => void,
): Promise<Launched> {
  const ctx = options.context ?? realLaunchContext;
  const ttySize = options.ttySize ??
    (ctx.sys.isTerminal(1) ? ctx.sys.terminalSize() ?? undefined : undefined);
  const { spec, plan } = ctx.planProcess(
    record.config,
    { ...parts.start, detached: true, ttySize, ownCgroup: cgroup !== undefined },
    run,
    warn,
  );
  ctx.sys.writeFile(`${run}/program`, encodeProgram(plan.program), { mode: 0o600 });
  await announceOnNetwork(record, spec.initLayer.hosts);
  const dir = containerDir(record.id);
  const config: MonitorConfig = {
    id: record.id,
    program: `${run}/program`,
    state: `${dir}/state`,
    // --log-driver none: the monitor still drains the container's output, into nothing.
    log: record.config.log.driver === "none" ? "/dev/null" : logPath(record.id),
    attach: attachSocketPath(record.id),
    stopMarker: stopMarkerPath(record.id),
    logMaxSize: record.config.log.maxSize,
    logMaxFiles: record.config.log.maxFiles,
    restart: {
      policy: record.config.restart.name,
      maxRetries: record.config.restart.maximumRetryCount,
    },
    openStdin: spec.interactive,
    tty: spec.tty,
    waitAttach: options.attach ?? false,
    // A program that joins a network joins its user namespace too: no maps to write.
    userns: joinsUserns(spec) ? { mode: "join" } : monitorUserns(spec.idMap),
    netHelper: spec.netHelper,
    cgroup,
    // The monitor appends its start, death and restarts (a start written here could follow
    // the death of a quick command).
    events: eventsPath(),
    eventAttributes: monitorEventAttributes(record),
  };
  if (record.config.autoRemove) {
    const { selfCommand } = await import("../sys/sys.ts");
    config.onExit = [...selfCommand(), "rm", "--force", record.id];
  }
  let conn: SysConn | undefined;
  const report = await ctx.startMonitor(
    run,
    config,
    `container ${record.name}`,
    options.attach
      ? async (started) => {
        conn = await connectEarly(attachSocketPath(record.id), started);
      }
      : undefined,
  );
  if (report.kind === "ok") {
    writeNetworkState(record.id, {
      mode: spec.network,
      ports: spec.ports ?? [],
      ...spec.netAddresses,
    });
    return { pid: report.pid, conn };
  }
  conn?.close();
  const netHelper = spec.netHelper;
  throw await monitorFailure(report, {
    what: `container ${record.name}`,
    whose: "the container's",
    cgroup,
    step: (f) => parts.explain(stepError(plan, f.step, f.op, f.errno)),
    clone: (errno) => cloneError(errno, cgroup),
    net: netHelper && (async (f) => {
      const { netHelperError } = await import("../network/attach_network.ts");
      return netHelperError(netHelper, f);
    }),
  });
}
