/**
 * Check that the kernel is new enough.
 *
 * @module
 */
import type { Check } from "./check.ts";
import type { Host } from "./host.ts";
import {
  formatKernelVersion,
  KERNEL_MIN,
  KERNEL_OVERLAY_USERNS,
  kernelOlder,
  parseKernelVersion,
} from "./_kernel_version.ts";

/**
 * Checks the kernel release: before 5.6 is an error (no openat2), before
 * 5.11 a warning (no kernel overlayfs in a user namespace, so nook needs
 * fuse-overlayfs or copies layers).
 *
 * @param host The host to read.
 * @returns The `kernel` check.
 *
 * @example
 * ```ts
 * import { checkKernel } from "./check_kernel.ts";
 * import { fakeHost } from "./fake_host.ts";
 * console.assert((await checkKernel(fakeHost({ kernel: "5.4.0-150-generic" }))).status === "error");
 * console.assert((await checkKernel(fakeHost({ kernel: "6.8.0" }))).status === "ok");
 * ```
 */
export function checkKernel(host: Host): Promise<Check> {
  const release = host.kernelRelease();
  const base = { id: "kernel", title: "Kernel version" };
  const version = parseKernelVersion(release);
  const upgrade = `upgrade the kernel to ${formatKernelVersion(KERNEL_OVERLAY_USERNS)} or newer`;
  if (version === null) {
    return Promise.resolve({
      ...base,
      status: "warn",
      detail: `cannot read the version of kernel release '${release}'`,
    });
  }
  if (kernelOlder(version, KERNEL_MIN)) {
    return Promise.resolve({
      ...base,
      status: "error",
      detail: `${release} is older than ${formatKernelVersion(KERNEL_MIN)} (openat2 is needed)`,
      fix: upgrade,
    });
  }
  if (kernelOlder(version, KERNEL_OVERLAY_USERNS)) {
    return Promise.resolve({
      ...base,
      status: "warn",
      detail: `${release} is older than ${
        formatKernelVersion(KERNEL_OVERLAY_USERNS)
      }: no kernel overlayfs in a user namespace, nook needs fuse-overlayfs or copies layers`,
      fix: `${upgrade}, or: sudo apt-get install fuse-overlayfs`,
    });
  }
  return Promise.resolve({ ...base, status: "ok", detail: release });
}
