/**
 * Starting a nook monitor (shim/monitor) on a {@linkcode MonitorConfig}, and
 * reading its report (see monitor_protocol.ts). Detached containers and the
 * processes of user-defined networks both run under one.
 *
 * @module
 */
import { monitorPath } from "../../shim/binding.ts";
import { HostError, NookError } from "../errors/mod.ts";
import { type CommandResult, sys, which } from "../sys/mod.ts";
import type { IdMapPlan } from "../userns/mod.ts";
import {
  decodeMonitorReport,
  encodeMonitorConfig,
  type MonitorConfig,
  type MonitorReport,
  type MonitorUserns,
} from "./monitor_protocol.ts";

/**
 * The user namespace of a new process whose id maps the monitor writes: through
 * the setuid helpers for subordinate ranges, else the single mapping itself.
 *
 * @param idMap The planned maps.
 * @returns The config's user namespace.
 * @throws {HostError} When newuidmap or newgidmap is missing.
 *
 * @example
 * ```ts ignore
 * monitorUserns(chooseIdMaps({ onWarning: () => {} }));
 * ```
 */
export function monitorUserns(idMap: IdMapPlan): MonitorUserns {
  if (idMap.mode === "single") return { mode: "single", uid: idMap.uid, gid: idMap.gid };
  const tool = (name: "newuidmap" | "newgidmap") => {
    const path = which(name);
    if (!path) {
      throw new HostError(`Cannot map ids: '${name}' is not installed (package 'uidmap')`);
    }
    return path;
  };
  return {
    mode: "subid",
    newuidmap: tool("newuidmap"),
    newgidmap: tool("newgidmap"),
    uid: idMap.uid,
    gid: idMap.gid,
  };
}

/**
 * Writes `<dir>/monitor.conf` and starts a monitor on it; resolves once it
 * reported (the started process runs, or why it could not start).
 *
 * @param dir A private runtime directory.
 * @param config The config.
 * @param what How messages name what starts ("container web").
 * @param whileStarting Runs while the monitor starts (e.g. connecting to its attach socket).
 * @returns The report.
 * @throws {NookError} When a value holds a tab or newline (or a line too many values).
 * @throws {HostError} When the monitor executable cannot run.
 *
 * @example
 * ```ts ignore
 * const report = await startMonitor(run, config, "container web");
 * if (report.kind !== "ok") throw await monitorFailure(report, context);
 * ```
 */
export async function startMonitor(
  dir: string,
  config: MonitorConfig,
  what: string,
  whileStarting?: (started: Promise<unknown>) => Promise<void>,
): Promise<MonitorReport> {
  let text: string;
  try {
    text = encodeMonitorConfig(config);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    // "The value of 'log' (...) holds a tab or newline" goes on after "Cannot start WHAT: ".
    const why = err.message[0].toLowerCase() + err.message.slice(1);
    throw new NookError(`Cannot start ${what}: ${why}`);
  }
  const conf = `${dir}/monitor.conf`;
  sys.writeText(conf, text, 0o600);
  let out: CommandResult;
  try {
    const output = sys.run(monitorPath(), [conf], { stderr: "null" });
    await whileStarting?.(output);
    out = await output;
  } catch (err) {
    throw new HostError(
      `Cannot start the monitor '${monitorPath()}' for ${what}: ${(err as Error).message}; ` +
        "build it with 'deno task build'",
    );
  }
  return decodeMonitorReport(out.stdout, out.code);
}
