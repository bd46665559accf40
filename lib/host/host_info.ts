/**
 * The facts `nook info` shows.
 *
 * @module
 */
import type { Host } from "./host.ts";
import type { SubidRange } from "./parse_subid_file.ts";
import { findCgroupPlacement } from "../cgroups/cgroup_placement.ts";
import type { CgroupInfo } from "./detect_cgroups.ts";
import { idMapping } from "./id_mapping.ts";
import { inspectRuntimeDir } from "./inspect_runtime_dir.ts";
import { subidRanges } from "./subid_ranges.ts";
import { canAccess } from "./_access.ts";
import { KERNEL_OVERLAY_USERNS, kernelOlder, parseKernelVersion } from "./_kernel_version.ts";

/** A network helper found on PATH. */
export interface NetworkHelper {
  /** `"pasta"` or `"slirp4netns"`. */
  name: string;
  /** Absolute path. */
  path: string;
}

/** Where containers' cgroups go (see lib/cgroups/cgroup_placement.ts). */
export interface ContainerCgroupsInfo {
  /** The directory they are made in, or null when containers get none. */
  base: string | null;
  /** The cgroup delegated to the user it is in. */
  delegated?: string;
  /** Where it came from ("--cgroup-parent", "user@1000.service", ...). */
  source?: string;
  /** The controllers containers' cgroups get. */
  controllers: string[];
  /** Why containers get no cgroup, and the fix. */
  reason?: string;
  /** How to get one. */
  fix?: string;
}

/** What {@linkcode hostInfo} returns. */
export interface HostInfo {
  /** Kernel release. */
  kernel: string;
  /** The user nook runs as. */
  user: { name: string | null; uid: number; gid: number };
  /** The user's ranges in /etc/subuid. */
  subuid: SubidRange[];
  /** The user's ranges in /etc/subgid. */
  subgid: SubidRange[];
  /** `"subid"`: ranges via newuidmap/newgidmap; `"single"`: only the user's own ids. */
  idMapping: "subid" | "single";
  /** Why the mapping is single, `null` when it is not. */
  idMappingReason: string | null;
  /** The cgroup hierarchy. */
  cgroups: CgroupInfo;
  /** Where containers' own cgroups go, with which controllers. */
  containerCgroups: ContainerCgroupsInfo;
  /** Storage drivers that may work, best first (kernel overlay is not probed). */
  storageDrivers: string[];
  /** Network helpers on PATH, preferred first. */
  networkHelpers: NetworkHelper[];
  /** The runtime directory nook uses. */
  runtimeDir: string;
}

/**
 * Gathers the host facts `nook info` prints. It only reads; nothing is probed.
 *
 * @param host The host to read.
 * @returns The facts.
 *
 * @example
 * ```ts
 * import { fakeHost } from "./fake_host.ts";
 * import { hostInfo } from "./host_info.ts";
 * const info = await hostInfo(fakeHost({ kernel: "6.8.0" }));
 * console.assert(info.storageDrivers.join(",") === "overlay,vfs");
 * ```
 */
export async function hostInfo(host: Host): Promise<HostInfo> {
  const kernel = host.kernelRelease();
  const [subuid, subgid, mapping, placement, dir, fuse, fuseDevice, pasta, slirp] = await Promise
    .all(
      [
        subidRanges(host, "uid"),
        subidRanges(host, "gid"),
        idMapping(host),
        findCgroupPlacement(host),
        inspectRuntimeDir(host),
        host.which("fuse-overlayfs"),
        canAccess(host, "/dev/fuse", { read: true, write: true }),
        host.which("pasta"),
        host.which("slirp4netns"),
      ],
    );
  const version = parseKernelVersion(kernel);
  const storageDrivers = [
    ...(version === null || !kernelOlder(version, KERNEL_OVERLAY_USERNS) ? ["overlay"] : []),
    ...(fuse !== null && fuseDevice ? ["fuse-overlayfs"] : []),
    "vfs",
  ];
  const networkHelpers: NetworkHelper[] = [];
  if (pasta !== null) networkHelpers.push({ name: "pasta", path: pasta });
  if (slirp !== null) networkHelpers.push({ name: "slirp4netns", path: slirp });
  return {
    kernel,
    user: { name: host.userName(), uid: host.uid(), gid: host.gid() },
    subuid,
    subgid,
    idMapping: mapping.mode,
    idMappingReason: mapping.mode === "single" ? mapping.reason : null,
    cgroups: placement.info,
    containerCgroups: placement.ok
      ? {
        base: placement.base,
        delegated: placement.delegated,
        source: placement.source,
        controllers: placement.controllers,
      }
      : { base: null, controllers: [], reason: placement.reason, fix: placement.fix },
    storageDrivers,
    networkHelpers,
    runtimeDir: dir.path,
  };
}
