/**
 * The cgroup v2 freezer: `cgroup.freeze` asks, `cgroup.events` tells when
 * every process of the cgroup (and below it) is stopped, or running again.
 *
 * @module
 */
import { NookError } from "../errors/mod.ts";
import { readCgroupEvents, waitForEvents, writeCgroupFile } from "./_cgroup_file.ts";

/** Options of {@linkcode freezeCgroup} and {@linkcode thawCgroup}. */
export interface FreezeOptions {
  /** How long to wait for `cgroup.events` to agree, in ms (default 5000). */
  timeoutMs?: number;
}

async function setFrozen(dir: string, frozen: boolean, options: FreezeOptions): Promise<void> {
  const verb = frozen ? "freeze" : "thaw";
  const timeoutMs = options.timeoutMs ?? 5000;
  writeCgroupFile(`${dir}/cgroup.freeze`, frozen ? "1" : "0", `${verb} cgroup '${dir}'`);
  let gone = false;
  const done = await waitForEvents(
    dir,
    (e) => (gone = e === null) || e!.frozen === frozen,
    timeoutMs,
  );
  if (gone) throw new NookError(`Cannot ${verb} cgroup '${dir}': it was removed meanwhile`);
  if (done) return;
  if (frozen) {
    // Half frozen helps nobody: let the processes run again, as runc does.
    writeCgroupFile(`${dir}/cgroup.freeze`, "0", `thaw cgroup '${dir}'`);
  }
  throw new NookError(
    `Cannot ${verb} cgroup '${dir}': cgroup.events still says 'frozen ${frozen ? 0 : 1}' ` +
      `after ${timeoutMs} ms` +
      (frozen ? " (a process may be in an uninterruptible sleep); it was thawed again" : ""),
  );
}

/**
 * Freezes every process of a cgroup and waits until the kernel says it is
 * frozen (`frozen 1` in `cgroup.events`). On a timeout the cgroup is thawed
 * again.
 *
 * @param dir The cgroup directory.
 * @param options The timeout.
 * @throws {NookError} When `cgroup.freeze` cannot be written (missing, no
 *   permission) or the cgroup is not frozen in time.
 *
 * @example
 * ```ts ignore
 * await freezeCgroup("/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service/nook-0123");
 * ```
 */
export async function freezeCgroup(dir: string, options: FreezeOptions = {}): Promise<void> {
  await setFrozen(dir, true, options);
}

/**
 * Thaws a frozen cgroup and waits until the kernel says it runs
 * (`frozen 0` in `cgroup.events`).
 *
 * @param dir The cgroup directory.
 * @param options The timeout.
 * @throws {NookError} When `cgroup.freeze` cannot be written or the cgroup
 *   is still frozen in time (e.g. its parent is frozen).
 *
 * @example
 * ```ts ignore
 * await thawCgroup(dir);
 * ```
 */
export async function thawCgroup(dir: string, options: FreezeOptions = {}): Promise<void> {
  await setFrozen(dir, false, options);
}

/**
 * Whether a cgroup is frozen now (`frozen 1` in its `cgroup.events`).
 *
 * @param dir The cgroup directory.
 * @returns False also when the cgroup does not exist.
 *
 * @example
 * ```ts
 * import { isFrozen } from "./freeze.ts";
 * console.assert(isFrozen("/nonexistent") === false);
 * ```
 */
export function isFrozen(dir: string): boolean {
  return readCgroupEvents(dir)?.frozen ?? false;
}
