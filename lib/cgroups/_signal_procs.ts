/**
 * Signals every process of a cgroup and of the cgroups below it, one pid at a
 * time: what `cgroup.kill` does in one write, for kernels before 5.14.
 *
 * @module
 */
import { sys } from "../sys/mod.ts";
import { readCgroupText } from "./_cgroup_file.ts";

/**
 * The pids listed in `cgroup.procs` of a cgroup and of every cgroup below it.
 *
 * @param dir The cgroup directory.
 * @returns The pids (empty when the cgroup does not exist).
 *
 * @example
 * ```ts ignore
 * cgroupPids(dir).length;
 * ```
 */
export function cgroupPids(dir: string): number[] {
  const pids = (readCgroupText(`${dir}/cgroup.procs`) ?? "").split("\n")
    .filter((line) => /^\d+$/.test(line)).map(Number);
  for (const name of sys.readDir(dir)) {
    if (sys.lstat(`${dir}/${name}`)?.isDirectory) pids.push(...cgroupPids(`${dir}/${name}`));
  }
  return pids;
}

/**
 * Sends a signal to every process of a cgroup and of the cgroups below it.
 * A process that ends meanwhile is skipped; one that forks meanwhile leaves
 * its child unsignalled, so callers repeat until the cgroup is empty.
 *
 * @param dir The cgroup directory.
 * @param signal The signal name, e.g. "SIGKILL".
 * @returns How many processes were signalled.
 *
 * @example
 * ```ts ignore
 * signalCgroupProcesses(dir, "SIGKILL");
 * ```
 */
export function signalCgroupProcesses(dir: string, signal: string): number {
  let sent = 0;
  for (const pid of cgroupPids(dir)) {
    try {
      sys.kill(pid, signal);
      sent++;
    } catch {
      // ended between the read and the kill
    }
  }
  return sent;
}
