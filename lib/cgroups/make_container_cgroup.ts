/**
 * Makes a container's own cgroup where a {@linkcode CgroupPlacement} says:
 * the controllers the delegated cgroup offers are enabled down to the
 * container's (cgroup.subtree_control of the delegated cgroup and of nook's
 * `nook` cgroup below it, which never holds a process, so v2's
 * no-internal-process rule holds), then the leaf `<base>/<id>` is made and
 * the limits written into it, before any process is cloned into it.
 *
 * @module
 */
import { Errno, errnoText, HostError } from "../errors/mod.ts";
import { sys } from "../sys/mod.ts";
import { applyLimits, type ApplyOptions, type Unapplied } from "./apply_limits.ts";
import type { CgroupPlacement } from "./cgroup_placement.ts";
import type { ResourceLimits } from "./resource_limits.ts";
import { osErrno } from "./_os_errno.ts";
import { controllerList } from "./_controller_list.ts";

/** A container's cgroup, made. */
export interface MadeCgroup {
  /** Its directory. */
  dir: string;
  /** The controllers it has. */
  controllers: string[];
  /** The limits that could not be applied. */
  unapplied: Unapplied[];
}

const { ENOENT } = Errno;

/**
 * Enables `wanted` in `dir`'s cgroup.subtree_control: all in one write, or
 * where that fails one by one. Returns the controllers its children get.
 */
function enableControllers(dir: string, wanted: readonly string[]): string[] {
  const file = `${dir}/cgroup.subtree_control`;
  const have = controllerList(sys.readText(file));
  const missing = wanted.filter((c) => !have.includes(c));
  if (missing.length === 0) return wanted.filter((c) => have.includes(c));
  const write = (list: string[]) => {
    try {
      sys.writeText(file, list.map((c) => `+${c}`).join(" "));
      return true;
    } catch {
      return false;
    }
  };
  if (write(missing)) return [...wanted];
  const enabled = missing.filter((c) => write([c]));
  return wanted.filter((c) => have.includes(c) || enabled.includes(c));
}

function mkdirCgroup(dir: string): void {
  try {
    sys.mkdir(dir, 0o755);
  } catch (err) {
    throw new HostError(`Cannot make the cgroup ${dir}: ${errnoText(osErrno(err))}`, {
      cause: err,
    });
  }
}

/**
 * Makes a container's cgroup and applies its limits; on failure nothing
 * new is left (the leaf is removed again).
 *
 * @param placement Where (from {@linkcode findCgroupPlacement}).
 * @param id The container id: the leaf's name.
 * @param limits The limits.
 * @param options Device lookup.
 * @returns The cgroup, and the limits it could not apply.
 * @throws {HostError} When a cgroup cannot be made or the kernel refuses a value.
 *
 * @example
 * ```ts ignore
 * const cg = makeContainerCgroup(placement, id, { memory: 64 << 20 });
 * ```
 */
export function makeContainerCgroup(
  placement: CgroupPlacement,
  id: string,
  limits: ResourceLimits,
  options: Pick<ApplyOptions, "deviceNumbers"> = {},
): MadeCgroup {
  const { delegated, base } = placement;
  let controllers = enableControllers(delegated, placement.controllers);
  for (let attempt = 0;; attempt++) {
    const dir = `${base}/${id}`;
    try {
      if (base !== delegated) {
        mkdirCgroup(base);
        controllers = enableControllers(base, controllers);
      }
      mkdirCgroup(dir);
    } catch (err) {
      // Another nook removed the empty `nook` cgroup meanwhile: make it again, once.
      if (attempt === 0 && osErrno((err as Error).cause) === ENOENT) continue;
      throw err;
    }
    try {
      const unapplied = applyLimits(dir, limits, { ...options, controllers });
      return { dir, controllers, unapplied };
    } catch (err) {
      removeCgroupNow(dir);
      throw err;
    }
  }
}

/** rmdir, ignoring a cgroup that is gone; false when it still has processes (or children). */
function removeCgroupNow(dir: string): boolean {
  try {
    sys.rmdir(dir);
    return true;
  } catch (err) {
    return osErrno(err) === ENOENT || !sys.lstat(dir);
  }
}

/**
 * Removes a container's cgroup once its processes are gone: a process that
 * has exited may keep a cgroup busy for a moment (EBUSY), so this retries
 * for up to `timeoutMs`.
 *
 * @param dir The cgroup's directory.
 * @param timeoutMs How long to keep trying (default 2000).
 * @returns True when it is gone.
 *
 * @example
 * ```ts ignore
 * await removeCgroup(record.cgroup!);
 * ```
 */
export async function removeCgroup(dir: string, timeoutMs = 2000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (let delay = 5;; delay = Math.min(delay * 2, 100)) {
    if (removeCgroupNow(dir)) return true;
    if (Date.now() >= end) return false;
    await new Promise((r) => setTimeout(r, delay));
  }
}
