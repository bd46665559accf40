/**
 * Run every host check, for `nook system check`.
 *
 * @module
 */
import type { Check } from "./check.ts";
import type { Host } from "./host.ts";
import { checkCgroups } from "./check_cgroups.ts";
import { checkHelperTool } from "./check_helper_tool.ts";
import { checkIdmapHelper } from "./check_idmap_helper.ts";
import { checkKernel } from "./check_kernel.ts";
import { checkLinger } from "./check_linger.ts";
import { checkOverlay, type OverlayProbe } from "./check_overlay.ts";
import { checkRuntimeDir } from "./check_runtime_dir.ts";
import { checkSubid } from "./check_subid.ts";
import { checkUserns } from "./check_userns.ts";

/** Options of {@linkcode runChecks}. */
export interface RunChecksOptions {
  /** Probe for kernel overlayfs in a user namespace; without it `overlay` is "not probed". */
  probeOverlay?: OverlayProbe;
}

/**
 * Runs every host check concurrently. A check that throws becomes an
 * `"error"` check that says so, so one broken check does not hide the rest.
 *
 * @param host The host to read.
 * @param options The overlay probe.
 * @returns The checks, in this order: kernel, userns, subuid, subgid,
 * newuidmap, newgidmap, cgroups, overlay, fuse-overlayfs, slirp4netns, pasta,
 * runtime-dir.
 *
 * @example
 * ```ts
 * import { fakeHost } from "./fake_host.ts";
 * import { runChecks } from "./run_checks.ts";
 * const checks = await runChecks(fakeHost());
 * console.assert(checks[0].id === "kernel");
 * console.assert(!checks.some((c) => c.status === "error"));
 * ```
 */
export function runChecks(host: Host, options: RunChecksOptions = {}): Promise<Check[]> {
  const checks: [string, () => Promise<Check>][] = [
    ["kernel", () => checkKernel(host)],
    ["userns", () => checkUserns(host)],
    ["subuid", () => checkSubid(host, "uid")],
    ["subgid", () => checkSubid(host, "gid")],
    ["newuidmap", () => checkIdmapHelper(host, "newuidmap")],
    ["newgidmap", () => checkIdmapHelper(host, "newgidmap")],
    ["cgroups", () => checkCgroups(host)],
    ["overlay", () => checkOverlay(host, { probeOverlay: options.probeOverlay })],
    ["fuse-overlayfs", () => checkHelperTool(host, "fuse-overlayfs")],
    ["slirp4netns", () => checkHelperTool(host, "slirp4netns")],
    ["pasta", () => checkHelperTool(host, "pasta")],
    ["runtime-dir", () => checkRuntimeDir(host)],
    ["linger", () => checkLinger(host)],
  ];
  return Promise.all(checks.map(async ([id, run]): Promise<Check> => {
    try {
      return await run();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return { id, title: id, status: "error", detail: `the check failed: ${message}` };
    }
  }));
}
