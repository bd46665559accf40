/**
 * `nook top CONTAINER`: its processes (host pids, as docker shows them).
 *
 * @module
 */
import { UsageError } from "../../lib/errors/mod.ts";
import { findContainer } from "../../lib/container/find_container.ts";
import { containerStatus } from "../../lib/records/container_state.ts";
import { containerProcesses } from "../../lib/container/container_processes.ts";
import { sys } from "../../lib/sys/mod.ts";
import { type FlagSpec, helpText, parseArgs } from "../args.ts";
import { table } from "../table.ts";

const FLAGS: FlagSpec[] = [{ name: "help", type: "bool", help: "Print usage" }];

function clock(seconds: number): string {
  const s = Math.floor(seconds);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(Math.floor(s / 3600))}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}`;
}

/**
 * Runs `nook top`.
 *
 * @param args Arguments after "top".
 * @returns 0.
 *
 * @example
 * ```ts ignore
 * await main(["web"]);
 * ```
 */
export function main(args: string[]): Promise<number> {
  const p = parseArgs(args, FLAGS, { command: "top", stopAtPositional: false });
  if (p.bools.help) {
    sys.stdout(helpText("nook top CONTAINER", "Show a container's processes.", FLAGS));
    return Promise.resolve(0);
  }
  if (p.rest.length < 1) throw new UsageError("'nook top' needs a container");
  const record = findContainer(p.rest[0]);
  const s = containerStatus(record.id);
  if (s.status !== "running" || !s.pid) {
    throw new UsageError(`Container ${record.name} is not running (status ${s.status})`);
  }
  const rows = containerProcesses(s.pid).map((proc) => [
    String(proc.uid),
    String(proc.pid),
    String(proc.ppid),
    clock(proc.cpuSeconds),
    proc.command,
  ]);
  sys.stdout(table(["UID", "PID", "PPID", "TIME", "CMD"], rows));
  return Promise.resolve(0);
}
