/**
 * Starting a nook monitor (shim/monitor): its config file (one setting per
 * line, tab-separated) and its one-line report ("ok PID START" or "fail ...").
 * Detached containers and the processes of user-defined networks both run
 * under one.
 *
 * @module
 */
import { monitorPath } from "../../shim/binding.ts";
import { HostError, NookError } from "../errors/mod.ts";
import type { NetHelperPlan } from "../network/plan_net_helper.ts";
import { type CommandResult, sys, which } from "../sys/mod.ts";
import type { IdMapPlan } from "../userns/mod.ts";

/**
 * The config lines that write a new user namespace's id maps: the setuid
 * helpers for subordinate ranges, else the single mapping's text.
 *
 * @param idMap The planned maps.
 * @returns The lines.
 * @throws {HostError} When newuidmap or newgidmap is missing.
 *
 * @example
 * ```ts ignore
 * idMapLines(chooseIdMaps({ onWarning: () => {} }));
 * ```
 */
export function idMapLines(idMap: IdMapPlan): string[][] {
  const flat = (maps: IdMapPlan["uid"]) =>
    maps.flatMap((m) => [String(m.inside), String(m.outside), String(m.count)]);
  if (idMap.mode === "subid") {
    return (["newuidmap", "newgidmap"] as const).map((tool) => {
      const path = which(tool);
      if (!path) {
        throw new HostError(`Cannot map ids: '${tool}' is not installed (package 'uidmap')`);
      }
      return [tool, path, ...flat(tool === "newuidmap" ? idMap.uid : idMap.gid)];
    });
  }
  const text = (maps: IdMapPlan["uid"]) =>
    maps.map((m) => `${m.inside} ${m.outside} ${m.count}`).join(";");
  return [["uid-map", text(idMap.uid)], ["gid-map", text(idMap.gid)]];
}

/**
 * The config lines that start a network helper with each process the monitor starts.
 *
 * @param helper The helper's plan, if any.
 * @returns The lines.
 *
 * @example
 * ```ts ignore
 * netHelperLines(spec.netHelper);
 * ```
 */
export function netHelperLines(helper: NetHelperPlan | undefined): string[][] {
  if (!helper) return [];
  return [
    ["net-helper", ...helper.argv],
    ["net-log", helper.log],
    ...(helper.api ? [["net-api", helper.api]] : []),
    ...helper.requests.map((r) => ["net-request", r]),
  ];
}

/** A started monitor's report. */
export interface MonitorStart {
  /** The report's words: ["ok", PID, START] or ["fail", KIND, ...]. */
  words: string[];
  /** The monitor's exit code (its first process exits at once). */
  code: number;
}

/**
 * Writes `<dir>/monitor.conf` and starts a monitor on it; resolves once it
 * reported (the started process runs, or why it could not start).
 *
 * @param dir A private runtime directory.
 * @param lines The config.
 * @param what How messages name what starts ("container web").
 * @param whileStarting Runs while the monitor starts (e.g. connecting to its attach socket).
 * @returns The report.
 * @throws {NookError} When a value holds a tab or newline.
 * @throws {HostError} When the monitor executable cannot run.
 *
 * @example
 * ```ts ignore
 * const { words } = await startMonitor(run, lines, "container web");
 * ```
 */
export async function startMonitor(
  dir: string,
  lines: string[][],
  what: string,
  whileStarting?: (started: Promise<unknown>) => Promise<void>,
): Promise<MonitorStart> {
  if (lines.some((l) => l.some((v) => /[\t\n]/.test(v)))) {
    throw new NookError(`Cannot start ${what}: a path or value holds a tab or newline`);
  }
  const conf = `${dir}/monitor.conf`;
  sys.writeText(conf, lines.map((l) => l.join("\t")).join("\n") + "\n", 0o600);
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
  return { words: out.stdout.trim().split(" "), code: out.code };
}
