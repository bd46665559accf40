/** A kernel version as numbers, for comparisons. */
export interface KernelVersion {
  major: number;
  minor: number;
}

/** openat2(2), which nook uses to resolve paths beneath the root. */
export const KERNEL_MIN: KernelVersion = { major: 5, minor: 6 };
/** Kernel overlayfs can be mounted in a user namespace. */
export const KERNEL_OVERLAY_USERNS: KernelVersion = { major: 5, minor: 11 };

/** Reads "6.8.0-45-generic" as 6.8; `null` when it does not start with N.N. */
export function parseKernelVersion(release: string): KernelVersion | null {
  const match = /^(\d+)\.(\d+)/.exec(release);
  return match ? { major: Number(match[1]), minor: Number(match[2]) } : null;
}

/** Whether `version` is older than `than`. */
export function kernelOlder(version: KernelVersion, than: KernelVersion): boolean {
  return version.major !== than.major ? version.major < than.major : version.minor < than.minor;
}

/** "5.11". */
export function formatKernelVersion(version: KernelVersion): string {
  return `${version.major}.${version.minor}`;
}
