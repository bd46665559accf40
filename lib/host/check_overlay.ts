/**
 * Check whether kernel overlayfs can be mounted in a user namespace.
 *
 * @module
 */
import type { Check } from "./check.ts";
import type { Host } from "./host.ts";
import { canAccess } from "./_access.ts";
import { KERNEL_OVERLAY_USERNS, kernelOlder, parseKernelVersion } from "./_kernel_version.ts";

/**
 * Mounts a kernel overlayfs in a fresh user namespace and reports whether it
 * worked: `true`, `false`, or a string saying why it failed. The runtime
 * provides it; the host package does not make namespaces.
 */
export type OverlayProbe = () => Promise<boolean | string>;

/** Options of {@linkcode checkOverlay}. */
export interface CheckOverlayOptions {
  /** The probe; without it the check is `"warn"` with detail "not probed". */
  probeOverlay?: OverlayProbe;
}

/**
 * Checks whether kernel overlayfs works in a user namespace by running the
 * probe the runtime supplies. When it does not, nook falls back to
 * fuse-overlayfs or copying layers, so failure is a warning.
 *
 * @param host The host to read (for the kernel version in the fix).
 * @param options The probe.
 * @returns The `overlay` check.
 *
 * @example
 * ```ts
 * import { checkOverlay } from "./check_overlay.ts";
 * import { fakeHost } from "./fake_host.ts";
 * const host = fakeHost();
 * console.assert((await checkOverlay(host)).detail === "not probed");
 * const probed = await checkOverlay(host, { probeOverlay: () => Promise.resolve(true) });
 * console.assert(probed.status === "ok");
 * ```
 */
export async function checkOverlay(host: Host, options: CheckOverlayOptions = {}): Promise<Check> {
  const base = { id: "overlay", title: "Kernel overlayfs in a user namespace" };
  if (options.probeOverlay === undefined) {
    return { ...base, status: "warn", detail: "not probed" };
  }
  let result: boolean | string;
  try {
    result = await options.probeOverlay();
  } catch (err) {
    result = err instanceof Error ? err.message : String(err);
  }
  if (result === true) return { ...base, status: "ok", detail: "mounts in a user namespace" };
  const version = parseKernelVersion(host.kernelRelease());
  const old = version !== null && kernelOlder(version, KERNEL_OVERLAY_USERNS);
  const why = typeof result === "string" && result !== "" ? ` (${result})` : "";
  // The storage driver nook then chooses (lib/storage/choose_storage_driver.ts).
  const fuse = await host.which("fuse-overlayfs") !== null &&
    await canAccess(host, "/dev/fuse", { read: true, write: true });
  return {
    ...base,
    status: "warn",
    detail: `cannot be mounted in a user namespace${why}: nook uses ${
      fuse ? "fuse-overlayfs" : "vfs (a full copy of the image per container)"
    }`,
    fix: old
      ? "upgrade the kernel to 5.11 or newer, or: sudo apt-get install fuse-overlayfs"
      : "sudo modprobe overlay, or: sudo apt-get install fuse-overlayfs",
  };
}
