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
 * The way out: unless the network is internal, the monitor attaches a
 * user-mode helper to the process's network namespace, as it does for a
 * container (slirp4netns when installed, whose API socket publishes and
 * withdraws members' ports while the network runs; else pasta), and it dies
 * with the process. Members reach the outside through the bridge, forwarding,
 * the masquerade rule and the helper. Since that way would also lead to other
 * networks' subnets (the helper connects from the host), a forward rule rejects
 * traffic from the bridge to 10.89.0.0/16 and to every other network's subnet.
 *
 * @module
 */
import { encodeProgram, Op, RunFailure, type Step } from "../../shim/protocol.ts";
import { isAlive, parseState } from "../records/container_state.ts";
import { monitorUserns, startMonitor } from "../monitor/monitor_process.ts";
import { monitorFailure } from "../monitor/monitor_failure.ts";
import { RestartPolicy, Status } from "../monitor/monitor_protocol.ts";
import { errnoText, HostError, NookError } from "../errors/mod.ts";
import { runtimeDir } from "../paths/mod.ts";
import { CloneFlag } from "../runtime/defaults.ts";
import { sys, which } from "../sys/mod.ts";
import { chooseIdMaps } from "../userns/mod.ts";
import { netHelperError } from "./attach_network.ts";
import { findNetHelper, NET_HELPER_PACKAGES, netHelperFeatures } from "./find_net_helper.ts";
import { defaultRoute, hasDefaultRoute } from "./host_route.ts";
import { DEFAULT_MTU, type NetHelperTool } from "./network_option.ts";
import { listNetworks, type NetworkRecord, networksRoot } from "./network_record.ts";
import {
  type NetAddresses,
  type NetHelperPlan,
  planNetHelper,
  SLIRP_ADDRESSES,
} from "./plan_net_helper.ts";
import { parseSubnet } from "./subnet.ts";

/** The bridge's name inside a network's namespace. */
export const BRIDGE = "nook0";

/**
 * The MTU of a network's bridge and veths: the helper's, so that its TCP
 * segments to members are as large as a container's of its own.
 */
export const NETWORK_MTU = DEFAULT_MTU;

/** Where nook gives out subnets; always apart from a network's way out. */
export const SUBNET_POOL = "10.89.0.0/16";

/** A running network's way out, as its `helper.json` records it. */
export interface InfraHelper {
  /** slirp4netns or pasta. */
  tool: NetHelperTool;
  /** slirp4netns's API socket (ports are published through it), else "". */
  api: string;
  /** The helper's interface in the network's namespace. */
  tap: string;
  /** The addresses the helper gives the network's namespace (DNS, host loopback). */
  addresses: NetAddresses;
}

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
  if (s.status !== Status.RUNNING || !isAlive(s.pid, s.pidStart, s.boot)) return null;
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
 * The nft ruleset of a network's namespace: masquerade on the way out, a
 * chain for published ports (filled by network_ports.ts), and the rules that
 * keep the members from other networks' subnets.
 *
 * @param net The network.
 * @param others The other networks' subnets.
 * @returns The ruleset, for `nft -f`.
 *
 * @example
 * ```ts
 * import { infraRuleset } from "./network_infra.ts";
 * const rules = infraRuleset({ subnet: "10.89.3.0/24" }, ["192.168.7.0/24"]);
 * console.assert(rules.includes("ip daddr 192.168.7.0/24 reject"));
 * ```
 */
export function infraRuleset(
  net: Pick<NetworkRecord, "subnet">,
  others: readonly string[],
): string {
  const apart = [SUBNET_POOL, ...others.filter((s) => s !== net.subnet)];
  return [
    "add table ip nook",
    "add chain ip nook post { type nat hook postrouting priority 100 ; }",
    `add rule ip nook post ip saddr ${net.subnet} oifname != "${BRIDGE}" masquerade`,
    "add chain ip nook ports { type nat hook prerouting priority -100 ; }",
    "add chain ip nook apart { type filter hook forward priority 0 ; }",
    ...apart.map((s) => isolationRule(net.subnet, s)),
  ].join("\n") + "\n";
}

/**
 * The rule that keeps a network's members from a subnet (rejected at once,
 * as unreachable).
 *
 * @param own The network's subnet.
 * @param other The subnet to keep them from.
 * @returns An `nft` command line.
 *
 * @example
 * ```ts
 * import { isolationRule } from "./network_infra.ts";
 * console.assert(isolationRule("10.89.0.0/24", "10.90.0.0/16").startsWith("add rule ip nook apart"));
 * ```
 */
export function isolationRule(own: string, other: string): string {
  return `add rule ip nook apart iifname "${BRIDGE}" ip daddr != ${own} ip daddr ${other} ` +
    "reject with icmp type host-unreachable";
}

/**
 * The helper a network uses for its way out: slirp4netns when installed (its
 * API socket publishes members' ports while the network runs), else pasta
 * (where the host has a default route), else none.
 *
 * @param find Finds a helper (default: on PATH).
 * @param routed Whether the host has a default route.
 * @returns The tool, or null.
 *
 * @example
 * ```ts
 * import { networkHelperTool } from "./network_infra.ts";
 * console.assert(networkHelperTool(() => "/usr/bin/x", () => true) === "slirp4netns");
 * console.assert(networkHelperTool((t) => t === "pasta" ? "/usr/bin/pasta" : null, () => true) === "pasta");
 * ```
 */
export function networkHelperTool(
  find: (tool: NetHelperTool) => string | null = findNetHelper,
  routed: () => boolean = hasDefaultRoute,
): NetHelperTool | null {
  if (find("slirp4netns")) return "slirp4netns";
  if (find("pasta") && routed()) return "pasta";
  return null;
}

/**
 * The way out of a running network, if it has one.
 *
 * @param name The network.
 * @returns Its helper as recorded, or null (internal, no helper installed, or not running).
 *
 * @example
 * ```ts ignore
 * infraHelper("backend")?.addresses.dns;
 * ```
 */
export function infraHelper(name: string): InfraHelper | null {
  if (!networkInfra(name)) return null;
  try {
    return JSON.parse(sys.readText(`${infraDir(name)}/helper.json`) ?? "null");
  } catch {
    return null;
  }
}

function planInfraHelper(
  net: NetworkRecord,
  run: string,
): { plan: NetHelperPlan; helper: InfraHelper } | null {
  if (net.internal) return null;
  const asked = net.options?.helper as NetHelperTool | undefined;
  const tool = asked ?? networkHelperTool();
  if (!tool) return null;
  const path = findNetHelper(tool);
  if (!path) {
    throw new HostError(
      `Cannot start network '${net.name}': its way out is ${tool} (--opt helper=${tool}), ` +
        `which is not installed; 'sudo apt-get install ${NET_HELPER_PACKAGES[tool]}'`,
    );
  }
  const route = tool === "pasta" ? defaultRoute() : null;
  const { helper: plan, addresses } = planNetHelper(
    {
      mode: tool,
      allowHostLoopback: net.options?.allow_host_loopback === "true",
      mtu: DEFAULT_MTU,
      helperArgs: [],
    },
    [],
    {
      path,
      dir: run,
      features: tool === "slirp4netns"
        ? netHelperFeatures(path)
        : { sandbox: false, seccomp: false },
      route,
      apiSocket: tool === "slirp4netns",
    },
  );
  return {
    plan,
    helper: {
      tool,
      api: plan.api,
      tap: tool === "slirp4netns" ? "tap0" : route?.iface ?? "",
      addresses: tool === "slirp4netns" ? { ...addresses, ip: SLIRP_ADDRESSES.ip } : addresses,
    },
  };
}

/**
 * The program of a network's infrastructure process.
 *
 * @param net The network.
 * @param rules Where its nft ruleset is written (read by the process).
 * @returns The steps and their descriptions.
 *
 * @example
 * ```ts ignore
 * planInfra(record, `${run}/rules.nft`);
 * ```
 */
export function planInfra(
  net: NetworkRecord,
  rules: string,
): { steps: Step[]; describe: string[] } {
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
  run(`create the bridge ${BRIDGE}`, [
    ip,
    "link",
    "add",
    BRIDGE,
    "mtu",
    String(NETWORK_MTU),
    "type",
    "bridge",
  ]);
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
    const nft = hostTool("nft", "nftables", `give network '${net.name}' a way out`);
    sys.writeText(
      rules,
      infraRuleset(net, listNetworks().filter((n) => n.name !== net.name).map((n) => n.subnet)),
      0o600,
    );
    run(`masquerade ${net.subnet} on the way out, apart from other networks (${rules})`, [
      nft,
      "-f",
      rules,
    ]);
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
  const plan = planInfra(net, `${run}/rules.nft`);
  const way = planInfraHelper(net, run);
  sys.remove(`${dir}/helper.json`);
  if (way) sys.writeText(`${dir}/helper.json`, JSON.stringify(way.helper) + "\n", 0o600);
  sys.writeFile(
    `${run}/program`,
    encodeProgram({ cloneFlags: CloneFlag.NEWUSER | CloneFlag.NEWNET, steps: plan.steps }),
    { mode: 0o600 },
  );
  const what = `network '${net.name}'`;
  const report = await startMonitor(run, {
    id: net.id,
    program: `${run}/program`,
    state: `${dir}/state`,
    log: `${dir}/infra.log`,
    restart: { policy: RestartPolicy.NO, maxRetries: 0 },
    userns: monitorUserns(chooseIdMaps({ onWarning: () => {} })),
    netHelper: way?.plan,
  }, what);
  if (report.kind === "ok") {
    const infra = networkInfra(net.name);
    if (infra) return infra;
    throw new NookError(
      `Cannot start ${what}: its process ${report.pid} ended as soon as it started; ` +
        `see ${dir}/infra.log`,
    );
  }
  throw await monitorFailure(report, {
    what,
    whose: "the network's",
    step: ({ step, errno }) =>
      new NookError(
        `Cannot start ${what}: ${plan.describe[step] ?? `step ${step}`} failed ` +
          `(${errno >= RunFailure.EXITED ? `exit status ${errno & 0xffff}` : errnoText(errno)})`,
      ),
    net: way
      ? (f) => new NookError(`Cannot start ${what}: ${netHelperError(way.plan, f).message}`)
      : undefined,
  });
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
  const state = parseState(sys.readText(`${infraDir(name)}/state`) ?? "");
  const { signalProcess } = await import("../runtime/process_ref.ts");
  signalProcess({ pid: infra.pid, startTime: infra.startTime }, "SIGKILL");
  // The monitor ends the helper, then itself: wait for both.
  const monitorAlive = () =>
    state.monitor > 0 && isAlive(state.monitor, state.monitorStart, state.boot);
  for (let i = 0; i < 250 && (networkInfra(name) || monitorAlive()); i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
}
