/**
 * `inspect` and `ps` data: docker's shapes, from a container's record and
 * its live status.
 *
 * @module
 */
import { containerCgroupDir } from "../cgroups/container_cgroup_dir.ts";
import { type HostConfigResources, inspectLimits } from "../cgroups/inspect_limits.ts";
import { readOomKilled } from "../cgroups/memory_events.ts";
import { formatNamespaceMode } from "../config/namespace_config.ts";
import { formatNetworkConfig } from "../config/network_config.ts";
import { DEFAULT_SHM_SIZE } from "../runtime/defaults.ts";
import type { ContainerRecord } from "../records/container_record.ts";
import { containerDir } from "../records/container_record.ts";
import { type ContainerStatus, containerStatus } from "../records/container_state.ts";
import { logPath, stopMarkerPath } from "./launch_container.ts";
import { sys } from "../sys/mod.ts";
import { readNetworkState } from "../records/network_state.ts";
import { type PortMapping, shownHostIp } from "../network/port_mapping.ts";

/** docker's inspect object (the fields nook has). */
export interface ContainerInspect {
  /** Full id. */
  Id: string;
  /** ISO creation time. */
  Created: string;
  /** The command's file. */
  Path: string;
  /** Its arguments. */
  Args: string[];
  /** docker's State. */
  State: {
    Status: string;
    Running: boolean;
    Paused: boolean;
    Restarting: boolean;
    OOMKilled: boolean;
    Dead: boolean;
    Pid: number;
    ExitCode: number;
    Error: string;
    StartedAt: string;
    FinishedAt: string;
  };
  /** Image id. */
  Image: string;
  /** Log file. */
  LogPath: string;
  /** "/name". */
  Name: string;
  /** Restarts by the policy. */
  RestartCount: number;
  /** Storage driver. */
  Driver: string;
  /** Mounts the user asked for. */
  Mounts: { Type: string; Source: string; Destination: string; RW: boolean }[];
  /** docker's Config. */
  Config: {
    Hostname: string;
    User: string;
    Tty: boolean;
    OpenStdin: boolean;
    Env: string[];
    Cmd: string[] | null;
    Entrypoint: string[] | null;
    Image: string;
    WorkingDir: string;
    Labels: Record<string, string>;
    StopSignal: string;
    StopTimeout: number;
    /** `--expose` ports (docker's shape: "80/tcp" -> {}). */
    ExposedPorts?: Record<string, Record<string, never>>;
    /** podman's `--annotation`s. */
    Annotations?: Record<string, string>;
    /** podman's `--tz`. */
    Timezone?: string;
    /** `--no-healthcheck`: docker's `{ Test: ["NONE"] }`. */
    Healthcheck?: { Test: string[] };
  };
  /** docker's HostConfig (the parts nook has). */
  HostConfig: {
    AutoRemove: boolean;
    RestartPolicy: { Name: string; MaximumRetryCount: number };
    NetworkMode: string;
    PortBindings: Record<string, { HostIp: string; HostPort: string }[]>;
    PublishAllPorts: boolean;
    ExtraHosts: string[] | null;
    Dns: string[];
    DnsSearch: string[];
    DnsOptions: string[];
    ReadonlyRootfs: boolean;
    CapAdd: string[] | null;
    CapDrop: string[] | null;
    Init: boolean;
    LogConfig: { Type: string; Config: Record<string, string> };
    PidMode: string;
    IpcMode: string;
    UTSMode: string;
    ShmSize: number;
    ContainerIDFile: string;
    Annotations?: Record<string, string>;
  } & HostConfigResources;
  /** docker's NetworkSettings: the ports and addresses of a running container. */
  NetworkSettings: {
    Ports: Record<string, { HostIp: string; HostPort: string }[] | null>;
    IPAddress: string;
    Gateway: string;
    SandboxKey: string;
  };
  /** Where nook keeps its files. */
  NookDir: string;
  /** The container's own cgroup while it has one, else "". */
  NookCgroup: string;
}

const ZERO_TIME = "0001-01-01T00:00:00Z";

/** docker's port maps: "80/tcp" -> [{ HostIp, HostPort }]. */
function portMap(
  ports: readonly PortMapping[],
  ip: (m: PortMapping) => string,
  port: (m: PortMapping) => string,
): Record<string, { HostIp: string; HostPort: string }[]> {
  const out: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const m of ports) {
    (out[`${m.containerPort}/${m.protocol}`] ??= []).push({ HostIp: ip(m), HostPort: port(m) });
  }
  return out;
}

/**
 * A container as `inspect` shows it.
 *
 * @param r The record.
 * @param s Its status (default: read now).
 * @returns docker's shape.
 *
 * @example
 * ```ts ignore
 * console.log(JSON.stringify([inspectContainer(record)], null, 4));
 * ```
 */
export function inspectContainer(
  r: ContainerRecord,
  s: ContainerStatus = containerStatus(r.id),
): ContainerInspect {
  const o = r.config;
  const running = s.status === "running";
  const net = running ? readNetworkState(r.id) : null;
  return {
    Id: r.id,
    Created: r.created,
    Path: r.command[0] ?? "",
    Args: r.command.slice(1),
    State: {
      // podman's: a stop was asked for and the container has not ended yet.
      Status: running && !s.paused && sys.readText(stopMarkerPath(r.id)) !== null
        ? "stopping"
        : stateName(s),
      Running: running,
      Paused: s.paused,
      Restarting: s.status === "restarting",
      // Recorded at the end of the last run; while it runs, read from its cgroup.
      OOMKilled: s.oomKilled || (running && r.cgroup !== undefined && !!readOomKilled(r.cgroup)),
      Dead: false,
      Pid: running ? s.pid : 0,
      ExitCode: s.exitCode,
      Error: s.status === "unknown"
        ? "its monitor ended without recording the exit (killed, or the host rebooted)"
        : "",
      StartedAt: s.startedAt || ZERO_TIME,
      FinishedAt: s.finishedAt || ZERO_TIME,
    },
    Image: r.image,
    LogPath: logPath(r.id),
    Name: `/${r.name}`,
    RestartCount: s.restarts,
    Driver: r.storageDriver,
    Mounts: o.mounts.map((m) => ({
      Type: m.type,
      Source: m.type === "bind" ? m.source : "",
      Destination: m.target,
      RW: !m.readOnly,
    })),
    Config: {
      // --uts host: the host's, as the container sees it.
      Hostname: o.uts?.mode === "host"
        ? (sys.readText("/proc/sys/kernel/hostname") ?? "").trim()
        : o.hostname ?? r.id.slice(0, 12),
      User: o.user ?? "",
      Tty: o.tty ?? false,
      OpenStdin: o.interactive ?? false,
      Env: o.env,
      Cmd: o.command ?? null,
      Entrypoint: o.entrypoint ?? null,
      Image: r.imageName,
      WorkingDir: o.workdir ?? "",
      Labels: o.labels,
      StopSignal: o.stopSignal,
      StopTimeout: o.stopTimeout,
      ...(o.expose && { ExposedPorts: Object.fromEntries(o.expose.map((p) => [p, {}])) }),
      ...(o.annotations && { Annotations: o.annotations }),
      ...(o.timezone !== undefined && { Timezone: o.timezone }),
      ...(o.noHealthcheck && { Healthcheck: { Test: ["NONE"] } }),
    },
    HostConfig: {
      AutoRemove: o.autoRemove,
      RestartPolicy: { Name: o.restart.name, MaximumRetryCount: o.restart.maximumRetryCount },
      NetworkMode: formatNetworkConfig(o.network),
      PortBindings: portMap(
        o.publish ?? [],
        (m) => m.hostIp,
        (m) => m.hostPort ? `${m.hostPort}` : "",
      ),
      PublishAllPorts: o.publishAll ?? false,
      ExtraHosts: o.addHosts ?? null,
      Dns: o.dns ?? [],
      DnsSearch: o.dnsSearch ?? [],
      DnsOptions: o.dnsOptions ?? [],
      ReadonlyRootfs: o.readOnly ?? false,
      CapAdd: o.capAdd ?? null,
      CapDrop: o.capDrop ?? null,
      Init: o.init ?? false,
      LogConfig: {
        Type: o.log.driver ?? "k8s-file",
        Config: o.log.maxSize
          ? { "max-size": String(o.log.maxSize), "max-file": String(o.log.maxFiles) }
          : {},
      },
      PidMode: formatNamespaceMode(o.pid, ""),
      IpcMode: formatNamespaceMode(o.ipc, "private"),
      UTSMode: formatNamespaceMode(o.uts, ""),
      ShmSize: o.shmSize ?? DEFAULT_SHM_SIZE,
      ContainerIDFile: o.cidFile ?? "",
      ...(o.annotations && { Annotations: o.annotations }),
      ...inspectLimits(o),
    },
    NetworkSettings: {
      Ports: portMap(running ? net?.ports ?? [] : [], shownHostIp, (m) => `${m.hostPort}`),
      IPAddress: running ? net?.ip ?? "" : "",
      Gateway: running ? net?.gateway ?? "" : "",
      SandboxKey: running && s.pid > 0 && net?.mode !== "host" ? `/proc/${s.pid}/ns/net` : "",
    },
    NookDir: containerDir(r.id),
    NookCgroup: containerCgroupDir(r) ?? "",
  };
}

/**
 * docker's State.Status: the status, "paused" for a frozen running container.
 *
 * @param s The status.
 * @returns "created", "running", "paused", "restarting", "exited" or "unknown".
 *
 * @example
 * ```ts
 * import { stateName } from "./inspect_container.ts";
 * console.assert(stateName({ status: "running", paused: true } as never) === "paused");
 * ```
 */
export function stateName(s: ContainerStatus): string {
  return s.status === "running" && s.paused ? "paused" : s.status;
}

/**
 * docker's human duration ("Less than a second", "5 seconds", "About a minute", ...).
 *
 * @param ms The duration.
 * @returns The words.
 *
 * @example
 * ```ts
 * import { humanDuration } from "./inspect_container.ts";
 * console.assert(humanDuration(5000) === "5 seconds" && humanDuration(90_000) === "About a minute");
 * ```
 */
export function humanDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 1) return "Less than a second";
  if (s === 1) return "1 second";
  if (s < 60) return `${s} seconds`;
  const m = Math.floor(s / 60);
  if (m === 1) return "About a minute";
  if (m < 60) return `${m} minutes`;
  const h = Math.round(s / 3600);
  if (h === 1) return "About an hour";
  if (h < 48) return `${h} hours`;
  if (h < 24 * 7 * 2) return `${Math.floor(h / 24)} days`;
  if (h < 24 * 30 * 2) return `${Math.floor(h / 24 / 7)} weeks`;
  if (h < 24 * 365 * 2) return `${Math.floor(h / 24 / 30)} months`;
  return `${Math.floor(h / 24 / 365)} years`;
}

/**
 * The STATUS column of `ps`: "Up 5 seconds", "Up 5 seconds (Paused)", "Exited (0) 3 minutes ago",
 * "Created".
 *
 * @param s The status.
 * @param now The present in ms.
 * @returns The words.
 *
 * @example
 * ```ts
 * import { statusText } from "./inspect_container.ts";
 * const s = { status: "exited", exitCode: 2, finishedAt: "2026-01-01T00:00:00Z" } as const;
 * console.assert(statusText(s as never, Date.parse("2026-01-01T00:00:05Z")) === "Exited (2) 5 seconds ago");
 * ```
 */
export function statusText(s: ContainerStatus, now = Date.now()): string {
  const since = (iso: string) => humanDuration(now - Date.parse(iso));
  switch (s.status) {
    case "created":
      return "Created";
    case "running":
      return `Up ${since(s.startedAt)}${s.paused ? " (Paused)" : ""}`;
    case "restarting":
      return `Restarting (${s.exitCode}) ${since(s.finishedAt || s.startedAt)} ago`;
    case "exited":
      return `Exited (${s.exitCode}) ${since(s.finishedAt)} ago`;
    default:
      return "Unknown";
  }
}
