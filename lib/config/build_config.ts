/**
 * Builds a container's {@linkcode ContainerConfig} from the API's options
 * (which the CLI fills from docker's flags): every check happens here, once,
 * before anything is pulled, stored or started, with messages that name the
 * value and the fix.
 *
 * @module
 */
import { blockDeviceNumbers } from "../cgroups/limit_writes.ts";
import { checkLimits, parseBytes } from "../cgroups/parse_limits.ts";
import { limitNames } from "../cgroups/resource_limits.ts";
import { UsageError } from "../errors/mod.ts";
import { defaultNetworkMode } from "../network/find_net_helper.ts";
import { parseNetwork } from "../network/network_option.ts";
import { isIpAddress } from "../network/port_mapping.ts";
import { envFromFlags } from "../runtime/env_spec.ts";
import { parseAddHost } from "../runtime/init_layer.ts";
import { type MountSpec, parseMount, parseTmpfs, parseVolume } from "../runtime/mount_spec.ts";
import { checkNetworkFlags } from "../runtime/network_mode.ts";
import { helperForPorts, wantedPorts } from "../runtime/network_spec.ts";
import { signalName } from "../runtime/signal_name.ts";
import { sys } from "../sys/mod.ts";
import {
  CONFIG_SCHEMA_VERSION,
  type ContainerConfig,
  type LogDriver,
  type LogSettings,
  type RestartPolicy,
} from "./container_config.ts";
import type { ContainerOptions } from "./container_options.ts";
import { parseDetachKeys } from "./detach_keys.ts";
import { parseNamespaceModes } from "./namespace_config.ts";
import { checkTimezone } from "./timezone.ts";
import { type HelperNetwork, type NetworkConfig, parseNetworkConfig } from "./network_config.ts";

/** Options of {@linkcode buildContainerConfig}: what it reads besides the options. */
export interface BuildContext {
  /** Where relative `-v`/`--mount` host paths start (default `$PWD`, else "/"). */
  cwd?: string;
  /** Receives warnings (no network helper installed). */
  onWarning?: (message: string) => void;
  /** Checks that a user-defined network exists (`create` passes it; throws "No such network"). */
  findNetwork?: (name: string) => unknown;
}

/**
 * Parses `--restart`: no, on-failure[:N], always, unless-stopped.
 *
 * @param value The flag's value (default "no").
 * @returns The policy.
 * @throws {UsageError} On anything else.
 *
 * @example
 * ```ts
 * import { parseRestartPolicy } from "./build_config.ts";
 * console.assert(parseRestartPolicy("on-failure:2").maximumRetryCount === 2);
 * ```
 */
export function parseRestartPolicy(value = "no"): RestartPolicy {
  const m = /^(no|on-failure|always|unless-stopped)(?::(\d+))?$/.exec(value);
  if (!m || (m[2] !== undefined && m[1] !== "on-failure")) {
    throw new UsageError(
      `Invalid --restart '${value}': use no, on-failure[:MAX], always or unless-stopped`,
    );
  }
  return { name: m[1] as RestartPolicy["name"], maximumRetryCount: Number(m[2] ?? 0) };
}

/**
 * Parses a size with docker's units (b, k, m, g, t, p; case-insensitive), as
 * `parseBytes` does, with this message.
 *
 * @param value e.g. "10m".
 * @param what The flag, for the message.
 * @returns Bytes.
 * @throws {UsageError} When it is not a size.
 *
 * @example
 * ```ts
 * import { parseSize } from "./build_config.ts";
 * console.assert(parseSize("2k", "max-size") === 2048);
 * ```
 */
export function parseSize(value: string, what: string): number {
  const n = parseBytes(value.trim());
  if (n === null) {
    throw new UsageError(`Invalid ${what} '${value}': use a size such as 10m or 512k`);
  }
  return n;
}

const LOG_DRIVERS: readonly LogDriver[] = ["k8s-file", "json-file", "none"];

function logSettings(opts: readonly string[] | undefined, driver?: string): LogSettings {
  if (driver !== undefined && !LOG_DRIVERS.includes(driver as LogDriver)) {
    throw new UsageError(
      `Unsupported --log-driver '${driver}': nook writes k8s-file (json-file is taken as it), ` +
        "or none",
    );
  }
  const log: LogSettings = { maxSize: 0, maxFiles: 1 };
  // The default stays unrecorded, so that records read back as they were written.
  if (driver !== undefined && driver !== "k8s-file") log.driver = driver as LogDriver;
  for (const o of opts ?? []) {
    const at = o.indexOf("=");
    const key = o.slice(0, at), value = o.slice(at + 1);
    if (key === "max-size") log.maxSize = parseSize(value, "--log-opt max-size");
    else if (key === "max-file") {
      log.maxFiles = Number(value);
      if (!Number.isInteger(log.maxFiles) || log.maxFiles < 1) {
        throw new UsageError(`Invalid --log-opt max-file '${value}': use a whole number >= 1`);
      }
    } else {
      throw new UsageError(`Unknown --log-opt '${o}': nook knows max-size=SIZE and max-file=N`);
    }
  }
  return log;
}

function labelMap(
  labels: ContainerOptions["labels"],
  into: Record<string, string> = {},
): Record<string, string> {
  if (!labels) return into;
  if (!Array.isArray(labels)) return { ...into, ...labels } as Record<string, string>;
  const out: Record<string, string> = into;
  for (const l of labels as readonly string[]) {
    const at = l.indexOf("=");
    out[at < 0 ? l : l.slice(0, at)] = at < 0 ? "" : l.slice(at + 1);
  }
  return out;
}

/**
 * Reads `--label-file` files: a `KEY=VALUE` (or `KEY`) a line; blank lines and
 * `#` comments skipped, as docker reads them.
 *
 * @param files The files.
 * @returns `KEY=VALUE` entries, in order.
 * @throws {UsageError} When a file cannot be read, naming it.
 *
 * @example
 * ```ts ignore
 * readLabelFiles(["./labels"]); // ["team=core", "tier=web"]
 * ```
 */
export function readLabelFiles(files: readonly string[] | undefined): string[] {
  const out: string[] = [];
  for (const file of files ?? []) {
    const text = sys.readText(file);
    if (text === null) {
      throw new UsageError(`Cannot read --label-file '${file}': no such readable file`);
    }
    for (const raw of text.split("\n")) {
      const line = raw.trim();
      if (line !== "" && !line.startsWith("#")) out.push(line);
    }
  }
  return out;
}

/**
 * Parses `--expose` values: a port or a range, with /tcp (default), /udp.
 *
 * @param values e.g. "80", "53/udp", "8000-8002".
 * @returns One "PORT/PROTO" key per port (as docker's ExposedPorts), or undefined for none.
 * @throws {UsageError} On a bad port, range or protocol.
 *
 * @example
 * ```ts
 * import { parseExpose } from "./build_config.ts";
 * console.assert(parseExpose(["80", "53/udp", "90-91"])?.join(" ") === "80/tcp 53/udp 90/tcp 91/tcp");
 * ```
 */
export function parseExpose(values: readonly string[] | undefined): string[] | undefined {
  const out: string[] = [];
  for (const v of values ?? []) {
    const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp))?$/i.exec(v.trim());
    const first = Number(m?.[1]), last = Number(m?.[2] ?? m?.[1]);
    if (!m || first < 1 || last > 65535 || last < first) {
      throw new UsageError(
        `Invalid --expose '${v}': give PORT[/tcp|udp] or a range FIRST-LAST, ports 1 to 65535`,
      );
    }
    const proto = (m[3] ?? "tcp").toLowerCase();
    for (let port = first; port <= last; port++) {
      if (!out.includes(`${port}/${proto}`)) out.push(`${port}/${proto}`);
    }
  }
  return out.length ? out : undefined;
}

/** `--cidfile`: an absolute path of a file that does not exist yet (docker's rule). */
function cidFileOf(path: string | undefined, cwd: string): string | undefined {
  if (path === undefined) return undefined;
  if (path === "") throw new UsageError("Invalid --cidfile '': give a file name");
  const abs = path.startsWith("/") ? path : `${cwd}/${path}`;
  if (sys.lstat(abs)) {
    throw new UsageError(
      `Container ID file found, make sure the other container isn't running or delete ${path}`,
    );
  }
  return abs;
}

/** A map, or undefined for an empty one (so the record keeps no empty maps). */
function nonEmpty(map: Record<string, string>): Record<string, string> | undefined {
  return Object.keys(map).length ? map : undefined;
}

/** A copy of a list, or undefined for none (so the record keeps no empty lists). */
function list<T>(values: readonly T[] | undefined): T[] | undefined {
  return values?.length ? [...values] : undefined;
}

/** The DNS flags: IP addresses, and one word per search domain and option. */
function checkDns(options: ContainerOptions): void {
  for (const ip of options.dns ?? []) {
    if (!isIpAddress(ip)) throw new UsageError(`Invalid --dns '${ip}': give an IP address`);
  }
  const words = { "dns-search": options.dnsSearch, "dns-option": options.dnsOptions };
  for (const [flag, values] of Object.entries(words)) {
    const bad = (values ?? []).find((v) => v === "" || /\s/.test(v));
    if (bad !== undefined) {
      throw new UsageError(`Invalid --${flag} '${bad}': give one word per flag, e.g. --${flag} x`);
    }
  }
}

/**
 * The network: the asked one, else for published ports or an image the
 * default helper, else none; with its ports, /etc/hosts entries and DNS
 * checked against it.
 */
function networkOf(
  options: ContainerOptions,
  context: BuildContext,
): Pick<ContainerConfig, "network" | "publish" | "publishAll"> {
  const asked = options.network === undefined ? undefined : parseNetworkConfig(options.network);
  checkNetworkFlags(asked ?? { mode: "none" }, {
    hostname: options.hostname,
    publish: (options.publish ?? []).map(String),
    dns: options.dns,
    addHost: options.addHosts,
    userns: options.userns,
  });
  const publish = wantedPorts(options.publish, false);
  checkDns(options);
  let network: NetworkConfig;
  // -P of --expose ports is publishing too (an image's EXPOSE comes with the image's default).
  const exposed = options.publishAll && (options.expose ?? []).length > 0;
  if (asked !== undefined) network = asked;
  else if (publish.length > 0 || exposed) {
    network = parseNetwork(helperForPorts()) as HelperNetwork;
  } else if (options.image !== undefined && !joinsNamespace(options)) {
    // (One that joins another's pid or IPC namespace gets none: a helper attaches before the
    // join, see run_container.ts; it stays "none" unless --network says otherwise.)
    const warn = context.onWarning ?? ((m: string) => sys.stderr(`nook: ${m}\n`));
    const ports = options.publishAll === true; // -P: the image's EXPOSE ports
    network = parseNetwork(defaultNetworkMode(warn, undefined, undefined, ports)) as NetworkConfig;
  } else network = { mode: "none" };
  if (network.mode === "network") context.findNetwork?.(network.name); // not at the first start
  // A bad --add-host fails now, not at each start.
  const gateway = network.mode === "none" ? "" : "0.0.0.0";
  for (const h of options.addHosts ?? []) parseAddHost(h, gateway);
  if (network.mode === "none" && publish.length > 0) {
    throw new UsageError(
      "Cannot publish ports with --network none: the container has only a loopback " +
        "interface; use --network pasta or slirp4netns (or drop -p)",
    );
  }
  return {
    network,
    publish: publish.length ? publish : undefined,
    publishAll: options.publishAll || undefined,
  };
}

/** Whether `--pid` or `--ipc` names a container. */
function joinsNamespace(options: ContainerOptions): boolean {
  return [options.pid, options.ipc].some((m) => m?.startsWith("container:"));
}

/** Mounts from -v, --tmpfs and --mount, host paths resolved and checked. */
function mountsOf(options: ContainerOptions, cwd: string): MountSpec[] {
  const mounts: MountSpec[] = [
    ...(options.volumes ?? []).map((v) => typeof v === "string" ? parseVolume(v, cwd) : v),
    ...(options.tmpfs ?? []).map(parseTmpfs),
    ...(options.mounts ?? []).map((m) => parseMount(m, cwd)),
  ];
  for (const m of mounts) {
    if (m.type === "bind" && !sys.stat(m.source)) {
      throw new UsageError(
        `Cannot bind '${m.source}' on '${m.target}': '${m.source}' does not exist on the host`,
      );
    }
  }
  return mounts;
}

/** The resource limits and cgroup settings, checked now (not at the first start). */
function cgroupsOf(
  options: ContainerOptions,
): Pick<ContainerConfig, "resources" | "cgroups" | "cgroupParent"> {
  const resources = options.resources;
  if (resources) {
    checkLimits(resources);
    // A --device-*-bps path that is no block device fails now, not at the first start.
    for (const d of [...resources.deviceReadBps ?? [], ...resources.deviceWriteBps ?? []]) {
      blockDeviceNumbers(d.path);
    }
  }
  return {
    resources: limitNames(resources).length > 0 ? structuredClone(resources) : undefined,
    cgroups: options.cgroups === "enabled" ? undefined : options.cgroups,
    cgroupParent: options.cgroupParent,
  };
}

/**
 * Checks a container's options and resolves them into its config: `-e` and
 * `--env-file` read, mounts and ports parsed, the network chosen and parsed,
 * limits, restart policy and log options checked.
 *
 * @param options The options (as `create()` and `run()` take them).
 * @param context The working directory, warnings, the network lookup.
 * @returns The config (`stopSignal` SIGTERM unless given: `create` applies the image's).
 * @throws {UsageError} Naming the bad value and what to give instead.
 * @throws {HostError} When ports are published and no network helper is installed.
 *
 * @example
 * ```ts
 * import { buildContainerConfig } from "./build_config.ts";
 * const c = buildContainerConfig({ rootfs: "/r", command: ["sh"], env: ["A=1"], restart: "always" });
 * console.assert(c.env[0] === "A=1" && c.network.mode === "none" && c.restart.name === "always");
 * ```
 */
export function buildContainerConfig(
  options: ContainerOptions,
  context: BuildContext = {},
): ContainerConfig {
  if ((options.image === undefined) === (options.rootfs === undefined)) {
    throw new UsageError("Give either an image or a rootfs directory to run");
  }
  const stopSignal = options.stopSignal === undefined ? undefined : signalName(options.stopSignal);
  if (options.stopTimeout !== undefined && !Number.isInteger(options.stopTimeout)) {
    throw new UsageError(`Invalid --stop-timeout '${options.stopTimeout}': give whole seconds`);
  }
  const userns = options.userns;
  if (userns !== undefined && userns !== "" && userns !== "keep-id") {
    throw new UsageError(`Unsupported --userns '${userns}': use keep-id`);
  }
  if (options.workdir !== undefined && !options.workdir.startsWith("/")) {
    throw new UsageError(`Working directory '${options.workdir}' must be an absolute path`);
  }
  const shmSize = options.shmSize === undefined
    ? undefined
    : typeof options.shmSize === "number"
    ? options.shmSize
    : parseSize(options.shmSize, "--shm-size");
  if (shmSize !== undefined && (!Number.isInteger(shmSize) || shmSize <= 0)) {
    throw new UsageError(`Invalid --shm-size '${options.shmSize}': give a size above 0, e.g. 64m`);
  }
  const namespaces = parseNamespaceModes({
    pid: options.pid,
    ipc: options.ipc,
    uts: options.uts,
    hostname: options.hostname,
    userns: options.userns,
    shmSize,
  });
  if (options.detachKeys !== undefined) parseDetachKeys(options.detachKeys);
  const network = networkOf(options, context);
  const cwd = context.cwd ?? sys.env("PWD") ?? "/";
  const mounts = mountsOf(options, cwd);
  const env = envFromFlags(options);
  const cgroups = cgroupsOf(options);
  const restart = parseRestartPolicy(options.restart);
  if (options.rm && restart.name !== "no") {
    throw new UsageError(
      "Conflicting options: --restart and --rm; a removed container cannot restart",
    );
  }
  return {
    schemaVersion: CONFIG_SCHEMA_VERSION,
    command: options.command ? [...options.command] : undefined,
    entrypoint: options.entrypoint ? [...options.entrypoint] : undefined,
    env,
    workdir: options.workdir,
    user: options.user,
    groupAdd: options.groupAdd ? [...options.groupAdd] : undefined,
    hostname: options.hostname,
    ...network,
    addHosts: list(options.addHosts),
    dns: list(options.dns),
    dnsSearch: list(options.dnsSearch),
    dnsOptions: list(options.dnsOptions),
    mounts,
    readOnly: options.readOnly,
    init: options.init,
    tty: options.tty,
    interactive: options.interactive,
    capAdd: options.capAdd ? [...options.capAdd] : undefined,
    capDrop: options.capDrop ? [...options.capDrop] : undefined,
    userns,
    ...cgroups,
    labels: labelMap(options.labels, labelMap(readLabelFiles(options.labelFiles))),
    restart,
    autoRemove: options.rm ?? false,
    stopSignal: stopSignal ?? "SIGTERM",
    stopTimeout: options.stopTimeout ?? 10,
    log: logSettings(options.logOptions, options.logDriver),
    ...namespaces,
    shmSize,
    expose: parseExpose(options.expose),
    annotations: nonEmpty(labelMap(options.annotations)),
    cidFile: cidFileOf(options.cidFile, cwd),
    timezone: checkTimezone(options.timezone),
    detachKeys: options.detachKeys,
    sigProxy: options.sigProxy === false ? false : undefined,
    noHealthcheck: options.noHealthcheck ? true : undefined,
    hostUsers: list(options.hostUsers),
  };
}
