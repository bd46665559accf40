/**
 * `create`: resolve the image (pulling it per the pull policy), check and
 * store the options, give the container a unique id and name, and write its
 * record. Nothing runs yet; `start` (see launch_container.ts) makes the rootfs
 * and starts it.
 *
 * @module
 */
import { blockDeviceNumbers } from "../cgroups/limit_writes.ts";
import { checkLimits, parseBytes } from "../cgroups/parse_limits.ts";
import { limitNames } from "../cgroups/resource_limits.ts";
import { UsageError } from "../errors/mod.ts";
import type { ImageRecord } from "../store/mod.ts";
import { storeLayout } from "../store/mod.ts";
import { envFromFlags } from "../runtime/env_spec.ts";
import { defaultNetworkMode } from "../network/find_net_helper.ts";
import { type NetworkOption, parseNetwork } from "../network/network_option.ts";
import { parseAddHost } from "../runtime/init_layer.ts";
import { helperForPorts, wantedPorts } from "../runtime/network_spec.ts";
import { type MountSpec, parseMount, parseTmpfs, parseVolume } from "../runtime/mount_spec.ts";
import { newId } from "../runtime/run_container.ts";
import { sys } from "../sys/mod.ts";
import { isUserNetwork, parseNetworkMode } from "../runtime/network_mode.ts";
import { findNetwork } from "../network/network_record.ts";
import { checkContainerName, generateName } from "./container_name.ts";
import {
  containerDir,
  type ContainerRecord,
  listRecords,
  type RestartPolicy,
  type StoredOptions,
  withRecordsLock,
  writeRecord,
} from "../records/container_record.ts";
import type { ContainerOptions } from "./start_container.ts";

async function resolveImage(options: ContainerOptions): Promise<ImageRecord> {
  const { findImage } = await import("../image/mod.ts");
  const layout = storeLayout();
  const name = options.image!;
  const policy = options.pull ?? "missing";
  if (!["missing", "always", "never"].includes(policy)) {
    throw new UsageError(`Invalid --pull '${policy}': use missing, always or never`);
  }
  const found = policy === "always" ? null : findImage(layout, name);
  if (found) return found;
  if (policy === "never") {
    throw new UsageError(
      `Image '${name}' is not in the store and --pull=never was given; pull it first`,
    );
  }
  const { pullImage } = await import("../image/pull_image.ts");
  return await pullImage(name, {
    platform: options.platform,
    registry: options.registry,
    onProgress: options.onPullProgress,
    onWarning: options.onWarning,
  });
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
 * import { parseRestartPolicy } from "./create_container.ts";
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
 * {@linkcode parseBytes} does, with this message.
 *
 * @param value e.g. "10m".
 * @param what The flag, for the message.
 * @returns Bytes.
 * @throws {UsageError} When it is not a size.
 *
 * @example
 * ```ts
 * import { parseSize } from "./create_container.ts";
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

function logSettings(opts: readonly string[] | undefined): ContainerRecord["log"] {
  const log = { maxSize: 0, maxFiles: 1 };
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

function labelMap(labels: readonly string[] | Record<string, string> | undefined) {
  if (!labels) return {};
  if (!Array.isArray(labels)) return { ...labels } as Record<string, string>;
  const out: Record<string, string> = {};
  for (const l of labels as readonly string[]) {
    const at = l.indexOf("=");
    out[at < 0 ? l : l.slice(0, at)] = at < 0 ? "" : l.slice(at + 1);
  }
  return out;
}

/**
 * The network a container gets: the asked one (checked now), else for an
 * image or published ports the default helper, else none. Ports are parsed
 * now; host ports left open are picked at each start.
 */
function storedNetwork(options: ContainerOptions): Partial<StoredOptions> {
  const publish = wantedPorts(options.publish, false);
  let network: string | undefined = options.network;
  // Modes that join another namespace (container:, ns:, a user-defined network) are checked at start.
  const joins = network !== undefined && parseNetworkMode(network).mode !== "helper" &&
    network !== "none" && network !== "host";
  if (network === undefined) {
    if (publish.length > 0) network = helperForPorts();
    else if (options.image !== undefined) {
      network = defaultNetworkMode(options.onWarning ?? ((m) => sys.stderr(`nook: ${m}\n`)));
    }
  } else if (!joins) {
    parseNetwork(network);
  } else if (isUserNetwork(network)) {
    findNetwork(network); // "No such network" now, not at the first start
  }
  const mode = network === undefined ? "none" : joins ? "join" : parseNetwork(network).mode;
  // A bad --add-host fails now, not at each start.
  const gateway = mode === "none" ? "" : "0.0.0.0";
  for (const h of options.addHosts ?? []) parseAddHost(h, gateway);
  if (mode === "none" && publish.length > 0) {
    throw new UsageError(
      "Cannot publish ports with --network none: the container has only a loopback " +
        "interface; use --network pasta or slirp4netns (or drop -p)",
    );
  }
  return {
    network: network as NetworkOption | undefined,
    publish: publish.length ? publish : undefined,
    publishAll: options.publishAll || undefined,
    addHosts: options.addHosts?.length ? [...options.addHosts] : undefined,
    dns: options.dns?.length ? [...options.dns] : undefined,
    dnsSearch: options.dnsSearch?.length ? [...options.dnsSearch] : undefined,
    dnsOptions: options.dnsOptions?.length ? [...options.dnsOptions] : undefined,
  };
}

/** The options as `start` needs them again: env and mounts resolved now (as docker does). */
function storedOptions(options: ContainerOptions): StoredOptions {
  const cwd = sys.env("PWD") ?? "/";
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
  return {
    command: options.command ? [...options.command] : undefined,
    entrypoint: options.entrypoint ? [...options.entrypoint] : undefined,
    env: envFromFlags(options),
    workdir: options.workdir,
    user: options.user,
    groupAdd: options.groupAdd ? [...options.groupAdd] : undefined,
    hostname: options.hostname,
    ...storedNetwork(options),
    mounts,
    readOnly: options.readOnly,
    init: options.init,
    tty: options.tty,
    interactive: options.interactive,
    capAdd: options.capAdd ? [...options.capAdd] : undefined,
    capDrop: options.capDrop ? [...options.capDrop] : undefined,
    userns: options.userns,
    ...storedCgroups(options),
  };
}

/** The resource limits and cgroup settings, checked now (not at the first start). */
function storedCgroups(options: ContainerOptions): Partial<StoredOptions> {
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
 * Creates a container: its record and directory, nothing running.
 *
 * @param options The image (or rootfs), command, flags, name.
 * @returns The new record.
 * @throws {UsageError} On bad options, a name in use, a missing image (with pull "never").
 *
 * @example
 * ```ts ignore
 * const r = await createContainer({ image: "busybox", command: ["sleep", "60"], name: "nap" });
 * ```
 */
export async function createContainer(options: ContainerOptions): Promise<ContainerRecord> {
  if ((options.image === undefined) === (options.rootfs === undefined)) {
    throw new UsageError("Give either an image or a rootfs directory to run");
  }
  const stored = storedOptions(options);
  const restart = parseRestartPolicy(options.restart);
  if (options.rm && restart.name !== "no") {
    throw new UsageError(
      "Conflicting options: --restart and --rm; a removed container cannot restart",
    );
  }
  const log = logSettings(options.logOptions);
  const wanted = options.name === undefined ? undefined : checkContainerName(options.name);
  let image = "", imageName = options.rootfs ?? "", command: string[] = [], storageDriver = "";
  let stopSignal = options.stopSignal;
  let process: ContainerRecord["process"] = {
    env: [],
    user: stored.user,
    workdir: stored.workdir,
  };
  if (options.image !== undefined) {
    const { applyImageConfig, readImageConfig } = await import("../image/mod.ts");
    const { chooseStorageDriver, requestedStorageDriver } = await import("../storage/mod.ts");
    requestedStorageDriver(options.storageDriver); // a bad name fails before any pull
    const found = await resolveImage(options);
    const config = readImageConfig(storeLayout(), found).config ?? {};
    const plan = applyImageConfig(config, {
      command: stored.command,
      entrypoint: stored.entrypoint?.join(" "),
      workdir: stored.workdir,
      user: stored.user,
    });
    if (plan.argv.length === 0) {
      throw new UsageError(
        `Image '${options.image}' has no command: give one after the image name`,
      );
    }
    const storage = await chooseStorageDriver({
      requested: options.storageDriver,
      onWarning: options.onWarning,
    });
    image = found.id;
    imageName = options.image;
    command = plan.argv;
    storageDriver = storage.driver;
    stopSignal ??= config.StopSignal;
    process = { env: plan.env, user: plan.user, workdir: plan.workdir };
  } else {
    if (!options.rootfs!.startsWith("/")) {
      throw new UsageError(`Rootfs '${options.rootfs}' must be an absolute path`);
    }
    command = [...(stored.entrypoint ?? []), ...(stored.command ?? [])];
    if (command.length === 0) {
      throw new UsageError(
        "No command given: say what to run, e.g. 'nook run --rootfs DIR /bin/sh'",
      );
    }
  }
  return await withRecordsLock(() => {
    const all = listRecords();
    const names = new Set(all.map((r) => r.name));
    if (wanted !== undefined && names.has(wanted)) {
      const holder = all.find((r) => r.name === wanted)!;
      throw new UsageError(
        `The container name '${wanted}' is already in use by container ${
          holder.id.slice(0, 12)
        }: ` +
          "remove or rename that container, or choose another name",
      );
    }
    const prefixes = new Set(all.map((r) => r.id.slice(0, 12)));
    let id = newId();
    while (prefixes.has(id.slice(0, 12))) id = newId();
    const record: ContainerRecord = {
      id,
      name: wanted ?? generateName(names),
      image,
      imageName,
      rootfs: options.rootfs,
      command,
      created: new Date().toISOString(),
      storageDriver,
      options: stored,
      labels: labelMap(options.labels),
      restart,
      autoRemove: options.rm ?? false,
      stopSignal: stopSignal ?? "SIGTERM",
      stopTimeout: options.stopTimeout ?? 10,
      log,
      process,
    };
    sys.mkdirp(containerDir(id), 0o700);
    writeRecord(record);
    return record;
  });
}
