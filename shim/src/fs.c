/* Filesystem calls the runtimes do not offer (no mknod, no xattrs, no l*-calls in Deno). */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "shim.h"

NOOK_EXPORT int nook_fs_mknod(const char *path, uint32_t mode, uint32_t major, uint32_t minor) {
  return mknod(path, (mode_t)mode, makedev(major, minor)) < 0 ? -errno : 0;
}

NOOK_EXPORT int nook_fs_lsetxattr(const char *path, const char *name, const uint8_t *value,
                                  uint32_t len) {
  return lsetxattr(path, name, value, len, 0) < 0 ? -errno : 0;
}

NOOK_EXPORT int nook_fs_lgetxattr(const char *path, const char *name, uint8_t *value,
                                  uint32_t len) {
  ssize_t n = lgetxattr(path, name, value, len);
  return n < 0 ? -errno : (int)n;
}

NOOK_EXPORT int nook_fs_lchown(const char *path, uint32_t uid, uint32_t gid) {
  return lchown(path, (uid_t)uid, (gid_t)gid) < 0 ? -errno : 0;
}

/* Times in nanoseconds since the epoch; the link itself, not its target. */
NOOK_EXPORT int nook_fs_lutimes(const char *path, int64_t atime_ns, int64_t mtime_ns) {
  struct timespec ts[2] = {
      {.tv_sec = atime_ns / 1000000000, .tv_nsec = atime_ns % 1000000000},
      {.tv_sec = mtime_ns / 1000000000, .tv_nsec = mtime_ns % 1000000000},
  };
  return utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
}

/* Sets FS_TOPDIR_FL (chattr +T) on a directory: ext4 then places each directory made in it
 * as it places those of the root, in a block group of its own. 0, or -errno (ENOTTY and
 * EOPNOTSUPP where the file system has no such flag). */
NOOK_EXPORT int nook_fs_set_topdir(const char *path) {
  int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return -errno;
  int flags = 0;
  int r = ioctl(fd, FS_IOC_GETFLAGS, &flags);
  if (r == 0 && !(flags & FS_TOPDIR_FL)) {
    flags |= FS_TOPDIR_FL;
    r = ioctl(fd, FS_IOC_SETFLAGS, &flags);
  }
  int err = r < 0 ? -errno : 0;
  close(fd);
  return err;
}
