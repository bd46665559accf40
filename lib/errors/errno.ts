/**
 * Linux errno numbers and their messages, so a failing setup step reads as
 * "mount proc on /proc: Operation not permitted" rather than "errno 1".
 *
 * @module
 */

/**
 * The errno numbers nook's code tests for, by name.
 *
 * @example
 * ```ts
 * import { Errno } from "./errno.ts";
 * console.assert(Errno.ENOENT === 2);
 * ```
 */
export const Errno = {
  EPERM: 1,
  ENOENT: 2,
  ESRCH: 3,
  E2BIG: 7,
  EACCES: 13,
  EBUSY: 16,
  EEXIST: 17,
  EINVAL: 22,
  ENOSPC: 28,
  ENOTTY: 25,
  EPIPE: 32,
  ENOSYS: 38,
  ELOOP: 40,
  EUSERS: 87,
  EOPNOTSUPP: 95,
  ETIMEDOUT: 110,
} as const;

const TEXTS: Record<number, [string, string]> = {
  1: ["EPERM", "Operation not permitted"],
  2: ["ENOENT", "No such file or directory"],
  3: ["ESRCH", "No such process"],
  4: ["EINTR", "Interrupted system call"],
  5: ["EIO", "Input/output error"],
  7: ["E2BIG", "Argument list too long"],
  8: ["ENOEXEC", "Exec format error"],
  9: ["EBADF", "Bad file descriptor"],
  10: ["ECHILD", "No child processes"],
  11: ["EAGAIN", "Resource temporarily unavailable"],
  12: ["ENOMEM", "Cannot allocate memory"],
  13: ["EACCES", "Permission denied"],
  14: ["EFAULT", "Bad address"],
  16: ["EBUSY", "Device or resource busy"],
  17: ["EEXIST", "File exists"],
  18: ["EXDEV", "Invalid cross-device link"],
  19: ["ENODEV", "No such device"],
  20: ["ENOTDIR", "Not a directory"],
  21: ["EISDIR", "Is a directory"],
  22: ["EINVAL", "Invalid argument"],
  23: ["ENFILE", "Too many open files in system"],
  24: ["EMFILE", "Too many open files"],
  25: ["ENOTTY", "Inappropriate ioctl for device"],
  26: ["ETXTBSY", "Text file busy"],
  27: ["EFBIG", "File too large"],
  28: ["ENOSPC", "No space left on device"],
  30: ["EROFS", "Read-only file system"],
  31: ["EMLINK", "Too many links"],
  32: ["EPIPE", "Broken pipe"],
  36: ["ENAMETOOLONG", "File name too long"],
  38: ["ENOSYS", "Function not implemented"],
  39: ["ENOTEMPTY", "Directory not empty"],
  40: ["ELOOP", "Too many levels of symbolic links"],
  61: ["ENODATA", "No data available"],
  95: ["EOPNOTSUPP", "Operation not supported"],
  98: ["EADDRINUSE", "Address already in use"],
  99: ["EADDRNOTAVAIL", "Cannot assign requested address"],
  110: ["ETIMEDOUT", "Connection timed out"],
  111: ["ECONNREFUSED", "Connection refused"],
  122: ["EDQUOT", "Disk quota exceeded"],
};

/**
 * The message the C library gives for an errno.
 *
 * @param errno A positive Linux errno.
 * @returns The text, e.g. "Operation not permitted", or "errno N" when unknown.
 *
 * @example
 * ```ts
 * import { errnoText } from "./errno.ts";
 * console.assert(errnoText(1) === "Operation not permitted");
 * ```
 */
export function errnoText(errno: number): string {
  return TEXTS[errno]?.[1] ?? `errno ${errno}`;
}

/**
 * The symbolic name of an errno.
 *
 * @param errno A positive Linux errno.
 * @returns The name, e.g. "EPERM", or "E<N>" when unknown.
 *
 * @example
 * ```ts
 * import { errnoName } from "./errno.ts";
 * console.assert(errnoName(2) === "ENOENT");
 * ```
 */
export function errnoName(errno: number): string {
  return TEXTS[errno]?.[0] ?? `E${errno}`;
}
