/**
 * A container's cgroup before its first process is cloned into it: found,
 * made, limits written, or the one warning (`--cgroups=enabled`) or error
 * (`--cgroups=required`) that says what could not be done and how to fix it.
 *
 * @module
 */
import { HostError } from "../errors/mod.ts";
import type { Host } from "../host/host.ts";
import { realHost } from "../host/real_host.ts";
import type { Unapplied } from "./apply_limits.ts";
import { findCgroupPlacement } from "./cgroup_placement.ts";
import { noPlacementProblem, unappliedProblem } from "./limits_warning.ts";
import { makeContainerCgroup, removeCgroup } from "./make_container_cgroup.ts";
import { checkLimits } from "./parse_limits.ts";
import {
  type CgroupsMode,
  type LimitName,
  limitNames,
  LIMITS,
  type ResourceLimits,
} from "./resource_limits.ts";

/** What {@linkcode prepareContainerCgroup} takes. */
export interface PrepareCgroupOptions {
  /** The container id (the cgroup's name). */
  id: string;
  /** The limits to write (none: a cgroup without limits). */
  limits?: ResourceLimits;
  /** `--cgroups` (default "enabled"). */
  mode?: CgroupsMode;
  /** `--cgroup-parent`. */
  parent?: string;
  /** Receives the one warning. */
  onWarning: (message: string) => void;
  /** The host to read (default: this machine). */
  host?: Host;
  /** The device numbers of a block device (tests). */
  deviceNumbers?: (path: string) => { major: number; minor: number };
}

/** A container's own cgroup, ready for its first process. */
export interface ContainerCgroup {
  /** Its directory (the record's `cgroup`). */
  dir: string;
  /** The controllers it has. */
  controllers: string[];
  /** Limits that were not applied (and were warned about). */
  unapplied: Unapplied[];
  /** Removes it once its processes are gone (retrying for a moment while it is busy). */
  remove(): Promise<boolean>;
}

const SILENCE = "--cgroups=disabled silences this warning";

function flagList(limits: readonly LimitName[]): string {
  return limits.map((l) => LIMITS[l].flag).join(", ");
}

/**
 * Finds and makes a container's cgroup and writes its limits.
 *
 * @param options Id, limits, mode, parent, warnings.
 * @returns The cgroup, or null when the container runs without one
 *   (disabled, or not possible: then limits asked for were warned about).
 * @throws {UsageError} When the limits do not fit together.
 * @throws {HostError} With `required` when the cgroup or a limit cannot be had
 *   (nothing is left made).
 * @throws {NookError} When the kernel refuses a value (nothing is left made).
 *
 * @example
 * ```ts ignore
 * const cg = await prepareContainerCgroup({ id, limits: { memory: 64 << 20 }, onWarning: warn });
 * ```
 */
export async function prepareContainerCgroup(
  options: PrepareCgroupOptions,
): Promise<ContainerCgroup | null> {
  const mode = options.mode ?? "enabled";
  if (mode === "disabled") return null;
  const limits = options.limits ?? {};
  checkLimits(limits);
  const asked = limitNames(limits);
  const placement = await findCgroupPlacement(options.host ?? realHost(), {
    parent: options.parent,
  });
  if (!placement.ok) {
    if (mode === "required") {
      throw new HostError(
        `Cannot give the container a cgroup of its own (--cgroups=required): ` +
          `${placement.reason}; to get one, ${placement.fix}`,
      );
    }
    if (asked.length > 0) {
      const { what, fix } = noPlacementProblem(placement, asked);
      options.onWarning(`resource limits not applied: ${what}; to apply them, ${fix}; ${SILENCE}`);
    } else if (placement.explicit) {
      options.onWarning(
        `the container runs without a cgroup of its own: ${placement.reason}; ${placement.fix}`,
      );
    }
    return null;
  }
  // With `required`, a limit that cannot be had fails before anything is made.
  const lacking = asked.filter((l) => !placement.controllers.includes(LIMITS[l].controller));
  if (mode === "required" && lacking.length > 0) {
    const { what, fix } = unappliedProblem(
      placement,
      lacking.map((limit) => ({ limit, controller: LIMITS[limit].controller, why: "controller" })),
    );
    throw new HostError(
      `Cannot apply resource limits (--cgroups=required): ${what}; to apply them, ${fix}`,
    );
  }
  let made;
  try {
    made = makeContainerCgroup(placement, options.id, limits, {
      deviceNumbers: options.deviceNumbers,
    });
  } catch (err) {
    // A cgroup that cannot be made (a limit on descendants, a read-only mount): the container
    // runs without, unless it requires one. A value the kernel refuses stays an error.
    if (!(err instanceof HostError) || mode === "required") throw err;
    options.onWarning(
      `the container runs without a cgroup of its own${
        asked.length ? ` and without its limits (${flagList(asked)})` : ""
      }: ${err.message}`,
    );
    return null;
  }
  const cgroup: ContainerCgroup = { ...made, remove: () => removeCgroup(made.dir) };
  if (made.unapplied.length > 0) {
    const { what, fix } = unappliedProblem(placement, made.unapplied);
    if (mode === "required") {
      await cgroup.remove();
      throw new HostError(
        `Cannot apply resource limits (--cgroups=required): ${what}; to apply them, ${fix}`,
      );
    }
    options.onWarning(`resource limits not applied: ${what}; to apply them, ${fix}; ${SILENCE}`);
  }
  return cgroup;
}
