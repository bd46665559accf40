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
import { parseEntrypoint } from "../entrypoint_flag.ts";
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
  {
    name: "rmi",
    type: "bool",
    help: "With --rm, remove the image too unless another container uses it",
  },
  {
    name: "attach",
    short: "a",
    type: "list",
    value: "STREAM",
    help: "Attach only these of stdin, stdout, stderr (without stdout and stderr: print the id)",
  },
  {
    name: "preserve-fds",
    type: "string",
    value: "N",
    help: "Pass file descriptors 3 to 3+N-1 of nook into the container",
  },
  {
    name: "timeout",
    type: "string",
    value: "SECONDS",
    help: "Kill the container after this long (exit code 255)",
  },
  {
    name: "hostuser",
    type: "list",
    value: "NAME|UID",
    help: "Add this host user's entry to the container's /etc/passwd",
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
  { name: "kernel-memory", type: "string", value: "BYTES", help: "Ignored (a warning says so)" },
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
  const preserveFds = wholeNumber(p.strings["preserve-fds"], "--preserve-fds", "a count of fds");
  const timeout = wholeNumber(p.strings.timeout, "--timeout", "whole seconds");
  const attach = attachedStreams(p.lists.attach);
  if (attach && p.bools.detach) {
    throw new UsageError("-a (--attach) and -d (--detach) conflict: give one or the other");
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
    rm: p.bools.rm || p.bools.rmi,
    rmi: p.bools.rmi,
    printId: attach !== undefined && !attach.has("stdout") && !attach.has("stderr"),
    stdout: attach && !attach.has("stdout") ? "null" : undefined,
    stderr: attach && !attach.has("stderr") ? "null" : undefined,
    preserveFds,
    timeout: timeout || undefined,
    hostUsers: p.lists.hostuser,
    kernelMemory: p.strings["kernel-memory"] !== undefined,
    storageDriver: p.strings["storage-driver"],
    pull: p.strings.pull as ContainerOptions["pull"],
    platform: p.strings.platform,
    onPullProgress: p.bools.quiet ? undefined : pullProgress(),
    command,
    entrypoint: p.strings.entrypoint !== undefined
      ? parseEntrypoint(p.strings.entrypoint)
      : undefined,
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

/** `run` options: a container's, plus what the command itself does around it. */
export interface RunCommandOptions extends ContainerOptions {
  /** Run in the background (-d). */
  detach?: boolean;
  /** `--rmi`: remove the image after the container, unless another container uses it. */
  rmi?: boolean;
  /** `-a stdin` alone: print the id, as docker does when neither stdout nor stderr is attached. */
  printId?: boolean;
  /** `--kernel-memory` was given (it is ignored, with a warning). */
  kernelMemory?: boolean;
}

/** The value of a flag that takes a whole number, or undefined when absent. */
function wholeNumber(value: string | undefined, flag: string, what: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`Invalid ${flag} '${value}': give ${what}`);
  return Number(value);
}

/** `-a` values: stdin, stdout, stderr (any case), or undefined without any. */
function attachedStreams(values: readonly string[]): Set<string> | undefined {
  if (values.length === 0) return undefined;
  const out = new Set<string>();
  for (const v of values) {
    const stream = v.toLowerCase();
    if (!["stdin", "stdout", "stderr"].includes(stream)) {
      throw new UsageError(`Invalid -a (--attach) '${v}': give stdin, stdout or stderr`);
    }
    out.add(stream);
  }
  return out;
}

/** `--rmi`: removes the image the container ran, unless a container still uses it. */
async function removeRunImage(image: string): Promise<void> {
  const { findImage } = await import("../../lib/image/find_image.ts");
  const { storeLayout } = await import("../../lib/store/mod.ts");
  const { listRecords } = await import("../../lib/records/container_record.ts");
  const { removeImage } = await import("../../lib/image/remove_image.ts");
  const found = findImage(storeLayout(), image);
  if (!found || listRecords().some((r) => r.image === found.id)) return;
  try {
    await removeImage(image, {});
  } catch (err) {
    sys.stderr(`nook: --rmi: ${(err as Error).message}\n`);
  }
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
  if (options.kernelMemory) {
    sys.stderr(
      "nook: --kernel-memory is ignored: cgroup v2 has no kernel memory limit of its own " +
        "(--memory covers kernel memory)\n",
    );
  }
  if (options.detach) {
    const foregroundOnly = [
      ["--rmi", options.rmi],
      ["--preserve-fds", options.preserveFds !== undefined],
      ["--timeout", options.timeout !== undefined],
    ] as const;
    for (const [flag, given] of foregroundOnly) {
      if (given) throw new UsageError(`${flag} applies to a foreground run: drop -d`);
    }
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
  if (options.printId) sys.stdout(`${container.id}\n`);
  const status = await container.status;
  if (options.rmi && options.image !== undefined) await removeRunImage(options.image);
  // A container killed by --timeout exits 255, as podman's does.
  return status.timedOut ? 255 : status.exitCode;
}
