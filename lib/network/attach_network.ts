/**
 * Attaches a foreground container's network namespace to the host through
 * its helper, between the id maps and the release of the container's first
 * process, so that the network is up before the command runs. The helper is
 * this process's child (it dies with it: a parent-death signal, and for
 * slirp4netns its exit fd); `detach()` kills and reaps it by pid when the
 * container ends. The monitor does the same in C for detached containers;
 * both word failures with {@linkcode netHelperError}.
 *
 * @module
 */
import { loadShim } from "../../shim/binding.ts";
import type { NetFailure } from "../monitor/monitor_protocol.ts";
import { Errno, errnoText, HostError, NookError } from "../errors/mod.ts";
import { sys } from "../sys/mod.ts";
import { NET_HELPER_PACKAGES } from "./find_net_helper.ts";
import type { NetHelperPlan } from "./plan_net_helper.ts";
import { hostAddress } from "./port_mapping.ts";

/** How long a helper may take to configure the namespace. */
export const NET_READY_TIMEOUT_MS = 10_000;

const { ENOENT, EPIPE, ETIMEDOUT } = Errno;

/** A helper that runs for a container. */
export interface AttachedNetwork {
  /** The helper's pid. */
  readonly pid: number;
  /**
   * Kills it and reaps it (once; later calls wait for the first). With
   * `wait: false` the promise resolves once it is killed and the reaping goes
   * on in the background: a helper's exit tears its tap device down, which
   * waits for an RCU grace period (26-54 ms measured here), and a container
   * that published no port has nothing left to free that a caller could see.
   */
  detach(options?: { wait?: boolean }): Promise<void>;
}

/** What went wrong, as the shim or the monitor reports it (the monitor's `NetFailure`). */
export type NetHelperFailure = NetFailure;

/**
 * The lines of a helper's log worth showing: its last words, its chatter left
 * out, and for a usage error what it said before printing its usage.
 *
 * @param text The helper's log.
 * @returns The lines, joined with "; ".
 *
 * @example
 * ```ts
 * import { helperSaid } from "./attach_network.ts";
 * console.assert(helperSaid("pasta: unrecognized option '--x'\nUsage: pasta [OPTION]...\n  -d\n") ===
 *   "pasta: unrecognized option '--x'");
 * ```
 */
export function helperSaid(text: string): string {
  let lines = text.split("\n").map((l) => l.trim()).filter((l) =>
    l !== "" && !/^WARNING: Support for seccomp is experimental/.test(l) &&
    !/^(sent|received) tapfd=/.test(l) && !/Failed to send \d+ bytes to syslog/.test(l)
  );
  const usage = lines.findIndex((l) => /^Usage:/.test(l));
  if (usage >= 0) lines = lines.slice(0, usage);
  return lines.slice(-3).join("; ");
}

/**
 * Words a helper failure for the user.
 *
 * @param plan The helper's plan.
 * @param failure What the shim or monitor reported.
 * @returns The error: what failed, the helper's own words, and the fix.
 *
 * @example
 * ```ts ignore
 * throw netHelperError(plan, { kind: "ready", errno: 32 });
 * ```
 */
export function netHelperError(plan: NetHelperPlan, failure: NetHelperFailure): NookError {
  const tool = plan.tool;
  if (failure.kind === "spawn") {
    const fix = failure.errno === ENOENT
      ? `install it with 'sudo apt-get install ${NET_HELPER_PACKAGES[tool]}'`
      : "check that it runs";
    return new HostError(
      `Cannot start the network helper ${plan.argv[0]}: ${errnoText(failure.errno)}; ${fix}`,
    );
  }
  if (failure.kind === "ready") {
    const said = helperSaid(sys.readText(plan.log) ?? "");
    const why = failure.errno === ETIMEDOUT
      ? `it did not configure the network within ${NET_READY_TIMEOUT_MS / 1000} s`
      : failure.errno === EPIPE
      ? "it exited before the network was configured"
      : errnoText(failure.errno);
    return new NookError(
      `Cannot set up the container's network with ${tool}: ${why}` +
        (said ? `: ${said}` : "") +
        `; try another --network (none, host, ${tool === "pasta" ? "slirp4netns" : "pasta"})`,
    );
  }
  const port = plan.requestPorts[failure.index];
  let desc = failure.reply;
  try {
    desc = JSON.parse(failure.reply)?.error?.desc ?? failure.reply;
  } catch {
    // not JSON: show it as it is
  }
  return new NookError(
    `Cannot publish ${port ? hostAddress(port) : "a port"}` +
      (port ? `/${port.protocol} to container port ${port.containerPort}` : "") +
      `: slirp4netns refused it (${desc}); choose another host port`,
  );
}

/**
 * Starts a container's helper and waits until its network is configured and
 * its ports are published. Call it from the main thread: the helper's
 * parent-death signal follows the thread that starts it.
 *
 * @param plan The helper's plan.
 * @param pid The container's first process (cloned, maps written, not released).
 * @returns The running helper.
 * @throws {NookError} Worded by {@linkcode netHelperError}; nothing is left running.
 *
 * @example
 * ```ts ignore
 * const net = await attachNetwork(spec.netHelper, child.pid);
 * // ... the container runs ...
 * await net.detach();
 * ```
 */
export async function attachNetwork(plan: NetHelperPlan, pid: number): Promise<AttachedNetwork> {
  const shim = loadShim();
  if (plan.api) sys.remove(plan.api);
  const child = shim.netSpawn(plan.argv, pid, plan.log);
  if (typeof child === "number") throw netHelperError(plan, { kind: "spawn", errno: -child });
  let reaped: Promise<unknown> | undefined;
  const detach = ({ wait = true }: { wait?: boolean } = {}) => {
    if (!reaped) {
      shim.close(child.exitFd);
      try {
        sys.kill(child.pid, "SIGKILL"); // not reaped yet: the pid is still the helper's
      } catch {
        // it ended by itself
      }
      reaped = shim.wait(child.pid);
    }
    return wait ? reaped.then(() => {}) : Promise.resolve();
  };
  const ready = await shim.netReady(child.readyFd, NET_READY_TIMEOUT_MS);
  if (ready < 0) {
    await detach();
    throw netHelperError(plan, { kind: "ready", errno: -ready });
  }
  for (const [index, request] of plan.requests.entries()) {
    const reply = await shim.netRequest(plan.api, request);
    if (typeof reply === "string" && reply.includes('"return"')) continue;
    await detach();
    throw netHelperError(plan, {
      kind: "request",
      index,
      reply: typeof reply === "number" ? errnoText(-reply) : reply,
    });
  }
  return { pid: child.pid, detach };
}
