/**
 * `nook run`: docker's flags, on a rootfs directory (`--rootfs DIR`).
 *
 * @module
 */
import { UsageError } from "../../lib/errors/mod.ts";
import { type ContainerOptions, startContainer } from "../../lib/container/start_container.ts";
import type { RunOptions } from "../../lib/runtime/run_options.ts";
import { pullProgress } from "../progress.ts";
import { type FlagSpec, helpText, parseArgs } from "../args.ts";
import { LIMIT_FLAGS, limitsFromArgs } from "../limit_flags.ts";
import { PROCESS_FLAGS } from "../process_flags.ts";
import { parseCgroupsMode } from "../../lib/cgroups/parse_limits.ts";
import { NETWORK_MODES } from "../../lib/runtime/network_mode.ts";
import { sys } from "../../lib/sys/sys.ts";

const FLAGS: FlagSpec[] = [
  {
    name: "rootfs",
    type: "string",
    value: "DIR",
    help: "Run from this root filesystem directory instead of an image",
  },
  {
    name: "pull",
    type: "string",
    value: "POLICY",
    help: "Pull the image: missing (default), always, never, newer",
  },
  { name: "platform", type: "string", value: "OS/ARCH", help: "Platform of the image to pull" },
  { name: "quiet", short: "q", type: "bool", help: "Do not show pull progress" },
  {
    name: "storage-driver",
    type: "string",
    value: "NAME",
    help: "overlay, fuse-overlayfs or vfs (default: $NOOK_STORAGE_DRIVER, else automatic)",
  },
  { name: "rm", type: "bool", help: "Remove the container when it exits" },
  { name: "replace", type: "bool", help: "Remove the container of this --name first, if any" },
  {
    name: "cidfile",
    type: "string",
    value: "FILE",
    help: "Write the container id to FILE (which must not exist)",
  },
  ...PROCESS_FLAGS,
  { name: "group-add", type: "list", value: "GROUP", help: "Add a supplementary group" },
  {
    name: "tz",
    type: "string",
    value: "TZ",
    help: "Time zone: a zone of /usr/share/zoneinfo, or local",
  },
  { name: "hostname", short: "h", type: "string", value: "NAME", help: "Container hostname" },
  {
    name: "entrypoint",
    type: "string",
    value: "CMD",
    help: "Command to put in front of the arguments",
  },
  {
    name: "init",
    type: "bool",
    help: "Run an init inside that forwards signals and reaps processes",
  },
  {
    name: "volume",
    short: "v",
    type: "list",
    value: "HOST:CTR[:ro]",
    help: "Bind mount a host path",
  },
  { name: "tmpfs", type: "list", value: "CTR[:OPTS]", help: "Mount a tmpfs" },
  { name: "mount", type: "list", value: "type=..", help: "Attach a bind or tmpfs mount" },
  { name: "read-only", type: "bool", help: "Mount the root filesystem read-only" },
  { name: "shm-size", type: "string", value: "SIZE", help: "Size of /dev/shm (default 64m)" },
  {
    name: "pid",
    type: "string",
    value: "MODE",
    help: "PID namespace: private (default), host, container:NAME",
  },
  {
    name: "ipc",
    type: "string",
    value: "MODE",
    help: "IPC namespace: private (default), shareable, host, container:NAME",
  },
  {
    name: "uts",
    type: "string",
    value: "MODE",
    help: "UTS namespace: host shares the host's hostname",
  },
  {
    name: "network",
    aliases: ["net"],
    type: "string",
    value: "MODE",
    help: `${NETWORK_MODES} (default for an image: slirp4netns, with -p/-P pasta; else none)`,
  },
  {
    name: "publish",
    short: "p",
    type: "list",
    value: "[IP:][HOSTPORT:]PORT[/PROTO]",
    help: "Publish a container port (or range) on the host",
  },
  {
    name: "publish-all",
    short: "P",
    type: "bool",
    help: "Publish every port the image and --expose expose on a free host port",
  },
  {
    name: "expose",
    type: "list",
    value: "PORT[/PROTO]",
    help: "Expose a port (or range) without publishing it",
  },
  {
    name: "add-host",
    type: "list",
    value: "NAME:IP",
    help: "Add a line to /etc/hosts (IP may be host-gateway)",
  },
  { name: "dns", type: "list", value: "IP", help: "Set a nameserver in /etc/resolv.conf" },
  {
    name: "dns-search",
    type: "list",
    value: "DOMAIN",
    help: "Set a search domain in /etc/resolv.conf",
  },
  { name: "dns-option", type: "list", value: "OPT", help: "Set an option in /etc/resolv.conf" },
  { name: "cap-add", type: "list", value: "CAP", help: "Add a capability" },
  { name: "cap-drop", type: "list", value: "CAP", help: "Drop a capability" },
  {
    name: "userns",
    type: "string",
    value: "MODE",
    help: "keep-id: your uid and gid are the same inside",
  },
  { name: "name", type: "string", value: "NAME", help: "Container name" },
  {
    name: "detach",
    short: "d",
    type: "bool",
    help: "Run in the background and print the container id",
  },
  {
    name: "restart",
    type: "string",
    value: "POLICY",
    help: "no, on-failure[:MAX], always, unless-stopped (detached)",
  },
  { name: "label", short: "l", type: "list", value: "KEY=VALUE", help: "Set a label" },
  {
    name: "label-file",
    type: "list",
    value: "FILE",
    help: "Read labels from a file of KEY=VALUE lines",
  },
  { name: "annotation", type: "list", value: "KEY=VALUE", help: "Set an annotation" },
  {
    name: "stop-signal",
    type: "string",
    value: "SIGNAL",
    help: "Signal 'stop' sends first (default SIGTERM)",
  },
  {
    name: "stop-timeout",
    type: "string",
    value: "SECONDS",
    help: "Seconds 'stop' waits before SIGKILL (default 10)",
  },
  {
    name: "log-driver",
    type: "string",
    value: "DRIVER",
    help: "k8s-file (default), json-file, or none: no log",
  },
  { name: "log-opt", type: "list", value: "OPT", help: "Log options: max-size=SIZE, max-file=N" },
  {
    name: "detach-keys",
    type: "string",
    value: "KEYS",
    help: "Keys that detach 'attach' from it (default ctrl-p,ctrl-q)",
  },
  {
    name: "sig-proxy",
    type: "bool",
    help: "Forward signals to a foreground container (default true)",
  },
  {
    name: "no-healthcheck",
    type: "bool",
    help: "Disable the image's health check (nook runs none yet)",
  },
  ...LIMIT_FLAGS,
  {
    name: "cgroups",
    type: "string",
    value: "MODE",
    help: "enabled (default), disabled, or required: fail where limits cannot be applied",
  },
  {
    name: "cgroup-parent",
    type: "string",
    value: "DIR",
    help: "cgroup2 directory for the container's cgroup (default: $NOOK_CGROUP_PARENT, else found)",
  },
  { name: "help", type: "bool", help: "Print usage" },
]; // deno-fmt-ignore

/** The flags of `run`, which `create` shares. */
export const RUN_FLAGS: readonly FlagSpec[] = FLAGS;

const USAGE =
  "nook run [OPTIONS] IMAGE [COMMAND] [ARG...]\n        nook run [OPTIONS] --rootfs DIR COMMAND [ARG...]";

/**
 * Maps `nook run` arguments onto the API's container options (and nothing
 * else: `createContainer` and `startContainer` check them, in
 * lib/config/build_config.ts).
 *
 * @param args Arguments after "run".
 * @returns The options, or null when --help was asked.
 * @throws {UsageError} On bad flags.
 *
 * @example
 * ```ts
 * import { runOptions } from "./run.ts";
 * const o = runOptions(["--rootfs", "/r", "-e", "A=1", "sh", "-c", "echo"]);
 * console.assert(o?.command?.join(" ") === "sh -c echo");
 * ```
 */
export function runOptions(args: string[], verb = "run"): RunCommandOptions | null {
  const p = parseArgs(args, FLAGS, { command: verb });
  if (p.bools.help) return null;
  const stopTimeout = p.strings["stop-timeout"];
  if (stopTimeout !== undefined && !/^-?\d+$/.test(stopTimeout)) {
    throw new UsageError(`Invalid --stop-timeout '${stopTimeout}': give whole seconds`);
  }
  let rootfs = p.strings.rootfs;
  let command = p.rest;
  let image: string | undefined;
  if (rootfs === undefined) {
    if (command.length === 0) {
      throw new UsageError(
        `'nook ${verb}' needs an image or --rootfs DIR\nUsage: ${USAGE.replaceAll("run", verb)}`,
      );
    }
    [image, ...command] = command;
  } else if (!rootfs.startsWith("/")) {
    rootfs = `${sys.cwd()}/${rootfs}`;
  }
  return {
    rootfs,
    image,
    rm: p.bools.rm,
    storageDriver: p.strings["storage-driver"],
    pull: p.strings.pull as ContainerOptions["pull"],
    platform: p.strings.platform,
    onPullProgress: p.bools.quiet ? undefined : pullProgress(),
    command,
    entrypoint: p.strings.entrypoint !== undefined ? [p.strings.entrypoint] : undefined,
    env: p.lists.env,
    envFiles: p.lists["env-file"],
    workdir: p.strings.workdir,
    user: p.strings.user,
    groupAdd: p.lists["group-add"],
    hostname: p.strings.hostname,
    network: p.strings.network,
    publish: p.lists.publish,
    publishAll: p.bools["publish-all"],
    addHosts: p.lists["add-host"],
    dns: p.lists.dns,
    dnsSearch: p.lists["dns-search"],
    dnsOptions: p.lists["dns-option"],
    volumes: p.lists.volume,
    tmpfs: p.lists.tmpfs,
    mounts: p.lists.mount,
    readOnly: p.bools["read-only"],
    init: p.bools.init,
    tty: p.bools.tty,
    interactive: p.bools.interactive,
    capAdd: p.lists["cap-add"],
    capDrop: p.lists["cap-drop"],
    userns: p.strings.userns as RunOptions["userns"],
    forwardSignals: true,
    sigProxy: p.bools["sig-proxy"],
    name: p.strings.name,
    replace: p.bools.replace,
    cidFile: p.strings.cidfile,
    timezone: p.strings.tz,
    shmSize: p.strings["shm-size"],
    pid: p.strings.pid,
    ipc: p.strings.ipc,
    uts: p.strings.uts,
    expose: p.lists.expose,
    labels: p.lists.label,
    labelFiles: p.lists["label-file"],
    annotations: p.lists.annotation,
    logDriver: p.strings["log-driver"],
    detachKeys: p.strings["detach-keys"],
    noHealthcheck: p.bools["no-healthcheck"],
    restart: p.strings.restart,
    stopSignal: p.strings["stop-signal"],
    stopTimeout: stopTimeout === undefined ? undefined : Number(stopTimeout),
    logOptions: p.lists["log-opt"],
    resources: limitsFromArgs(p),
    cgroups: parseCgroupsMode(p.strings.cgroups),
    cgroupParent: p.strings["cgroup-parent"],
    detach: p.bools.detach,
  };
}

/** `run` options: a container's, plus -d. */
export interface RunCommandOptions extends ContainerOptions {
  /** Run in the background (-d). */
  detach?: boolean;
}

/**
 * Runs `nook run`.
 *
 * @param args Arguments after "run".
 * @returns The container's exit code.
 *
 * @example
 * ```ts ignore
 * import { main } from "./run.ts";
 * await main(["--rootfs", "/tmp/rootfs", "true"]);
 * ```
 */
export async function main(args: string[]): Promise<number> {
  const options = runOptions(args);
  if (!options) {
    console.log(helpText(USAGE, "Run a command in a new container.", FLAGS));
    return 0;
  }
  if (options.detach) {
    const { createContainer } = await import("../../lib/container/create_container.ts");
    const { launchDetached } = await import("../../lib/container/launch_container.ts");
    const { removeContainer } = await import("../../lib/container/remove_container.ts");
    const { warnIfNoLinger } = await import("../../lib/container/linger.ts");
    const record = await createContainer({ ...options, onPullProgress: options.onPullProgress });
    try {
      await launchDetached(record);
    } catch (err) {
      await removeContainer(record.id, { force: true }).catch(() => {});
      throw err;
    }
    await warnIfNoLinger();
    console.log(record.id);
    return 0;
  }
  if (options.restart !== undefined && options.restart !== "no") {
    throw new UsageError("--restart applies to detached containers: add -d");
  }
  const container = await startContainer(options);
  return (await container.status).exitCode;
}
