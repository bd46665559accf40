/**
 * A user-defined network's infrastructure: one long-lived process per network
 * (kept by a nook monitor, like a detached container) that owns a user
 * namespace and a network namespace holding the bridge `nook0` with the
 * gateway address, IP forwarding, and (unless internal) a masquerade rule for
 * the way out. Containers on the network join that user namespace, make their
 * own network namespace, and get a veth pair onto the bridge (see
 * network_attach.ts). Networks are apart because their bridges are in
 * different namespaces.
 *
 * @module
 */
import { encodeProgram, Op, type Step } from "../../shim/protocol.ts";
import { isAlive, parseState } from "../container/container_state.ts";
import { idMapLines, startMonitor } from "../container/monitor_process.ts";
import { errnoText, HostError, NookError } from "../errors/mod.ts";
import { runtimeDir } from "../paths/mod.ts";
import { CloneFlag } from "../runtime/defaults.ts";
import { sys, which } from "../sys/mod.ts";
import { chooseIdMaps } from "../userns/mod.ts";
import { type NetworkRecord, networksRoot } from "./network_record.ts";
import { parseSubnet } from "./subnet.ts";

/** The bridge's name inside a network's namespace. */
export const BRIDGE = "nook0";

/** The running infrastructure of a network. */
export interface NetworkInfra {
  /** Pid of the process that holds the namespaces. */
  pid: number;
  /** Its start time (/proc/PID/stat field 22). */
  startTime: string;
}

function infraDir(name: string): string {
  return `${networksRoot()}/${name}`;
}

/**
 * The network's infrastructure when it runs.
 *
 * @param name The network.
 * @returns Its process, or null.
 *
 * @example
 * ```ts ignore
 * networkInfra("backend")?.pid;
 * ```
 */
export function networkInfra(name: string): NetworkInfra | null {
  const text = sys.readText(`${infraDir(name)}/state`);
  if (text === null) return null;
  const s = parseState(text);
  if (s.status !== "running" || !isAlive(s.pid, s.pidStart, s.boot)) return null;
  return { pid: s.pid, startTime: s.pidStart };
}

/**
 * A host program the network steps run (ip, nsenter, nft, sleep).
 *
 * @param name The program.
 * @param pkg Its Debian package.
 * @param purpose What needs it, for the message ("make a network").
 * @returns Its path.
 * @throws {HostError} When it is not installed.
 *
 * @example
 * ```ts ignore
 * hostTool("ip", "iproute2", "make a network");
 * ```
 */
export function hostTool(name: string, pkg: string, purpose = "make a network"): string {
  const path = which(name) ?? ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]
    .map((d) => `${d}/${name}`).find((p) => sys.stat(p)?.isFile) ??
    null;
  if (!path) {
    throw new HostError(`Cannot ${purpose}: '${name}' is not installed (Debian package '${pkg}')`);
  }
  return path;
}

/**
 * The program of a network's infrastructure process.
 *
 * @param net The network.
 * @returns The steps and their descriptions.
 *
 * @example
 * ```ts ignore
 * planInfra(record);
 * ```
 */
export function planInfra(net: NetworkRecord): { steps: Step[]; describe: string[] } {
  const ip = hostTool("ip", "iproute2");
  const prefix = parseSubnet(net.subnet).prefix;
  const steps: Step[] = [];
  const describe: string[] = [];
  const add = (what: string, step: Step) => {
    steps.push(step);
    describe.push(what);
  };
  const run = (what: string, argv: string[]) =>
    add(what, { op: Op.RUN, n: [argv.length, 0], s: [argv[0], null, argv, []] });
  add("bring lo up", { op: Op.LOOPBACK_UP });
  run(`create the bridge ${BRIDGE}`, [ip, "link", "add", BRIDGE, "type", "bridge"]);
  run(`give ${BRIDGE} the address ${net.gateway}/${prefix}`, [
    ip,
    "addr",
    "add",
    `${net.gateway}/${prefix}`,
    "dev",
    BRIDGE,
  ]);
  run(`bring ${BRIDGE} up`, [ip, "link", "set", BRIDGE, "up"]);
  if (!net.internal) {
    const sh = hostTool("sh", "dash");
    run("enable IP forwarding", [sh, "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward"]);
    const nft = which("nft") ?? (sys.stat("/usr/sbin/nft") ? "/usr/sbin/nft" : null);
    if (nft) {
      run(`masquerade ${net.subnet} on the way out`, [
        sh,
        "-c",
        `"$0" add table ip nook && "$0" add chain ip nook post '{ type nat hook postrouting priority 100 ; }' && "$0" add rule ip nook post ip saddr ${net.subnet} oifname != ${BRIDGE} masquerade`,
        nft,
      ]);
    }
  }
  add("close inherited file descriptors", { op: Op.CLOSE_FDS });
  const sleep = hostTool("sleep", "coreutils");
  add("hold the network's namespaces", {
    op: Op.EXEC,
    n: [2, 0],
    s: [sleep, null, [sleep, "infinity"], []],
  });
  return { steps, describe };
}

/**
 * Starts a network's infrastructure unless it runs (call under the networks lock).
 *
 * @param net The network.
 * @returns Its process.
 * @throws {NookError} When a step fails (named).
 *
 * @example
 * ```ts ignore
 * const infra = await ensureNetworkInfra(record);
 * ```
 */
export async function ensureNetworkInfra(net: NetworkRecord): Promise<NetworkInfra> {
  const running = networkInfra(net.name);
  if (running) return running;
  const dir = infraDir(net.name);
  const run = `${runtimeDir()}/n/${net.id.slice(0, 12)}`;
  sys.mkdirp(dir, 0o700);
  sys.remove(run);
  sys.mkdirp(run, 0o700);
  const plan = planInfra(net);
  sys.writeFile(
    `${run}/program`,
    encodeProgram({ cloneFlags: CloneFlag.NEWUSER | CloneFlag.NEWNET, steps: plan.steps }),
    { mode: 0o600 },
  );
  const lines = [
    ["id", net.id],
    ["program", `${run}/program`],
    ["state", `${dir}/state`],
    ["log", `${dir}/infra.log`],
    ["restart", "no", "0"],
    ...idMapLines(chooseIdMaps({ onWarning: () => {} })),
  ];
  const { words } = await startMonitor(run, lines, `network '${net.name}'`);
  if (words[0] === "ok") {
    const infra = networkInfra(net.name);
    if (infra) return infra;
  }
  if (words[1] === "step") {
    const [step, , errno] = words.slice(2).map(Number);
    throw new NookError(
      `Cannot start network '${net.name}': ${plan.describe[step] ?? `step ${step}`} failed ` +
        `(${errno >= 0x10000 ? `exit status ${errno & 0xffff}` : errnoText(errno)})`,
    );
  }
  throw new NookError(
    `Cannot start network '${net.name}': ${
      words.slice(1).join(" ") || "the monitor gave no report"
    }`,
  );
}

/**
 * Stops a network's infrastructure (when no container uses it any more).
 *
 * @param name The network.
 *
 * @example
 * ```ts ignore
 * await stopNetworkInfra("backend");
 * ```
 */
export async function stopNetworkInfra(name: string): Promise<void> {
  const infra = networkInfra(name);
  if (!infra) return;
  const { signalProcess } = await import("../runtime/process_ref.ts");
  signalProcess({ pid: infra.pid, startTime: infra.startTime }, "SIGKILL");
  for (let i = 0; i < 100 && networkInfra(name); i++) await new Promise((r) => setTimeout(r, 20));
}
