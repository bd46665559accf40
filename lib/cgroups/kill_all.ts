/**
 * Ends every process of a cgroup at once (`cgroup.kill`), double-forked
 * daemons and processes of cgroups below it included, and waits until the
 * kernel says the cgroup is empty (`populated 0` in `cgroup.events`).
 *
 * @module
 */
import { NookError } from "../errors/mod.ts";
import { sys } from "../sys/mod.ts";
import { readCgroupEvents, waitForEvents, writeCgroupFile } from "./_cgroup_file.ts";
import { cgroupPids, signalCgroupProcesses } from "./_signal_procs.ts";

/** Options of {@linkcode killCgroup}. */
export interface KillCgroupOptions {
  /** How long to wait for the cgroup to be empty, in ms (default 10,000). */
  timeoutMs?: number;
}

/**
 * SIGKILLs every process of a cgroup and of the cgroups below it and waits
 * until none is left: one write of `cgroup.kill` (Linux 5.14 and later),
 * else SIGKILL to each pid in `cgroup.procs`, repeated until the cgroup is
 * empty (a process that forked between the read and the kill is caught by
 * the next round). A frozen cgroup is killed as well: a fatal signal ends a
 * frozen process.
 *
 * @param dir The cgroup directory; a cgroup that does not exist is empty.
 * @param options The timeout.
 * @throws {NookError} When `cgroup.kill` cannot be written, or processes are
 *   left when the time is up (e.g. in an uninterruptible sleep).
 *
 * @example
 * ```ts ignore
 * await killCgroup(record.cgroup);
 * ```
 */
export async function killCgroup(dir: string, options: KillCgroupOptions = {}): Promise<void> {
  const what = `kill the processes of cgroup '${dir}'`;
  const timeoutMs = options.timeoutMs ?? 10_000;
  if (!readCgroupEvents(dir)?.populated) return;
  const oneWrite = sys.lstat(`${dir}/cgroup.kill`) !== null;
  if (oneWrite) {
    try {
      writeCgroupFile(`${dir}/cgroup.kill`, "1", what);
    } catch (err) {
      if (readCgroupEvents(dir) === null) return; // removed meanwhile: nothing runs there
      throw err;
    }
  }
  const empty = await waitForEvents(dir, (e) => {
    if (!e?.populated) return true;
    if (!oneWrite) signalCgroupProcesses(dir, "SIGKILL");
    return false;
  }, timeoutMs);
  if (!empty) {
    throw new NookError(
      `Cannot ${what}: processes ${cgroupPids(dir).join(", ")} are left after ${timeoutMs} ms ` +
        "(in an uninterruptible sleep?)",
    );
  }
}

/**
 * Whether a live process is in a cgroup or below it (`populated 1` in its
 * `cgroup.events`).
 *
 * @param dir The cgroup directory.
 * @returns False also when the cgroup does not exist.
 *
 * @example
 * ```ts
 * import { isPopulated } from "./kill_all.ts";
 * console.assert(isPopulated("/nonexistent") === false);
 * ```
 */
export function isPopulated(dir: string): boolean {
  return readCgroupEvents(dir)?.populated ?? false;
}
