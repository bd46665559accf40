/**
 * What a container gets unless asked otherwise, as docker gives it.
 *
 * @module
 */

/** PATH of a container whose environment sets none. */
export const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** Paths hidden from the container (docker's default masked paths). */
export const MASKED_PATHS: readonly string[] = [
  "/proc/asound",
  "/proc/acpi",
  "/proc/interrupts",
  "/proc/kcore",
  "/proc/keys",
  "/proc/latency_stats",
  "/proc/timer_list",
  "/proc/timer_stats",
  "/proc/sched_debug",
  "/proc/scsi",
  "/sys/firmware",
  "/sys/devices/virtual/powercap",
];

/** Paths the container may read but not write (docker's default). */
export const READONLY_PATHS: readonly string[] = [
  "/proc/bus",
  "/proc/fs",
  "/proc/irq",
  "/proc/sys",
  "/proc/sysrq-trigger",
];

/** The size of a container's /dev/shm without `--shm-size`: 64 MiB, docker's. */
export const DEFAULT_SHM_SIZE = 64 * 1024 * 1024;

/** Host devices bind-mounted into the container's /dev. */
export const DEVICES: readonly string[] = ["null", "zero", "full", "random", "urandom", "tty"];

/** Symlinks in the container's /dev. */
export const DEV_SYMLINKS: readonly [string, string][] = [
  ["/dev/ptmx", "pts/ptmx"],
  ["/dev/fd", "/proc/self/fd"],
  ["/dev/stdin", "/proc/self/fd/0"],
  ["/dev/stdout", "/proc/self/fd/1"],
  ["/dev/stderr", "/proc/self/fd/2"],
  ["/dev/core", "/proc/kcore"],
];

/** Linux clone flags for new namespaces. */
export const CloneFlag = {
  NEWNS: 0x00020000,
  NEWCGROUP: 0x02000000,
  NEWUTS: 0x04000000,
  NEWIPC: 0x08000000,
  NEWUSER: 0x10000000,
  NEWPID: 0x20000000,
  NEWNET: 0x40000000,
} as const;

/** Linux mount flags. */
export const MountFlag = {
  RDONLY: 0x1,
  NOSUID: 0x2,
  NODEV: 0x4,
  NOEXEC: 0x8,
  REC: 0x4000,
  STRICTATIME: 0x1000000,
} as const;

/** open(2) flags. */
export const OpenFlag = { RDONLY: 0, WRONLY: 1, RDWR: 2 } as const;
