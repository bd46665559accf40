/**
 * Writes resource limits into a cgroup's files: at creation (before the
 * container's first process is cloned into it) and for `update`. A limit
 * whose controller the cgroup does not have is not written but reported, so
 * that the caller can say so once.
 *
 * @module
 */
import { Errno, errnoText, NookError } from "../errors/mod.ts";
import { sys } from "../sys/mod.ts";
import { type LimitWriteOptions, limitWrites } from "./limit_writes.ts";
import type { LimitName, ResourceLimits } from "./resource_limits.ts";
import { controllerList } from "./_controller_list.ts";
import { osErrno } from "./_os_errno.ts";

/** A limit that was not applied. */
export interface Unapplied {
  /** The limit. */
  limit: LimitName;
  /** The controller it needs. */
  controller: string;
  /**
   * Why: "controller" (the cgroup does not have the controller) or "file"
   * (the kernel has no such file, e.g. memory.swap.max without swap accounting).
   */
  why: "controller" | "file";
  /** For "file": the file. */
  file?: string;
}

/** Options of {@linkcode applyLimits}. */
export interface ApplyOptions extends Pick<LimitWriteOptions, "deviceNumbers"> {
  /** The controllers the cgroup has (default: its cgroup.controllers). */
  controllers?: readonly string[];
}

const { ENOENT, EACCES } = Errno;

/**
 * Applies limits to a cgroup directory.
 *
 * @param dir The cgroup's directory.
 * @param limits The limits.
 * @param options The cgroup's controllers, device lookup.
 * @returns The limits that could not be applied (empty when all were).
 * @throws {NookError} When the kernel refuses a value (e.g. CPUs the parent does not have).
 * @throws {UsageError} When a --device-*-bps path is not a block device.
 *
 * @example
 * ```ts
 * import { applyLimits } from "./apply_limits.ts";
 * const dir = Deno.makeTempDirSync();
 * const missed = applyLimits(dir, { pidsLimit: 64, memory: 64 << 20 }, { controllers: ["pids"] });
 * console.assert(Deno.readTextFileSync(`${dir}/pids.max`) === "64");
 * console.assert(missed.length === 1 && missed[0].limit === "memory");
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export function applyLimits(
  dir: string,
  limits: ResourceLimits,
  options: ApplyOptions = {},
): Unapplied[] {
  const controllers = options.controllers ??
    controllerList(sys.readText(`${dir}/cgroup.controllers`));
  const writes = limitWrites(limits, {
    deviceNumbers: options.deviceNumbers,
    bfq: sys.lstat(`${dir}/io.bfq.weight`) !== null,
  });
  const missed: Unapplied[] = [];
  const miss = (names: LimitName[], controller: string, why: Unapplied["why"], file?: string) => {
    for (const limit of names) {
      if (!missed.some((m) => m.limit === limit)) {
        missed.push({ limit, controller, why, ...(file ? { file } : {}) });
      }
    }
  };
  for (const w of writes) {
    if (!controllers.includes(w.controller)) {
      if (!w.optional) miss(w.limits, w.controller, "controller");
      continue;
    }
    try {
      sys.writeText(`${dir}/${w.file}`, w.value);
    } catch (err) {
      const errno = osErrno(err);
      // cgroupfs creates no file (EACCES): the kernel lacks the feature.
      if ((errno === ENOENT || errno === EACCES) && !sys.lstat(`${dir}/${w.file}`)) {
        if (!w.optional) miss(w.limits, w.controller, "file", w.file);
        continue;
      }
      throw new NookError(
        `Cannot set ${w.file} of the container's cgroup ${dir} to '${w.value}': ` +
          (errno ? errnoText(errno) : (err as Error).message),
      );
    }
  }
  return missed;
}
