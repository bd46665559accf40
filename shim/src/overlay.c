/*
 * The container's root as an overlay of image layers, mounted inside the
 * container's user namespace (kernel >= 5.11, `userxattr`). The new mount API
 * takes the layers one by one ("lowerdir+", kernel >= 6.8), so there is no
 * limit from the one-page option string; older kernels get that string.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "shim.h"

static int fsconfig_str(int fd, const char *key, const char *value) {
  return syscall(SYS_fsconfig, fd, FSCONFIG_SET_STRING, key, value, 0) < 0 ? -errno : 0;
}

static int overlay_new_api(const char *upper, const char *work, const char *lowers, uint64_t n,
                           const char *target) {
  int fd = (int)syscall(SYS_fsopen, "overlay", FSOPEN_CLOEXEC);
  if (fd < 0) return -errno;
  int r = syscall(SYS_fsconfig, fd, FSCONFIG_SET_FLAG, "userxattr", NULL, 0) < 0 ? -errno : 0;
  const char *p = lowers;
  for (uint64_t i = 0; r == 0 && i < n; i++) {
    r = fsconfig_str(fd, "lowerdir+", p);
    /* Kernels before 6.8 do not know "lowerdir+": say so, so that the caller falls back. */
    if (r == -EINVAL && i == 0) r = -ENOSYS;
    p += strlen(p) + 1;
  }
  if (r == 0) r = fsconfig_str(fd, "upperdir", upper);
  if (r == 0) r = fsconfig_str(fd, "workdir", work);
  if (r == 0 && syscall(SYS_fsconfig, fd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) r = -errno;
  int mfd = -1;
  if (r == 0 && (mfd = (int)syscall(SYS_fsmount, fd, FSMOUNT_CLOEXEC, 0)) < 0) r = -errno;
  if (r == 0 && syscall(SYS_move_mount, mfd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
    r = -errno;
  if (mfd >= 0) close(mfd);
  close(fd);
  return r;
}

static int append(char *buf, size_t *at, size_t cap, const char *text) {
  size_t len = strlen(text);
  if (*at + len + 1 > cap) return -E2BIG;
  memcpy(buf + *at, text, len + 1);
  *at += len;
  return 0;
}

static int overlay_old_api(const char *upper, const char *work, const char *lowers, uint64_t n,
                           const char *target) {
  char data[4096]; /* the kernel takes one page of options */
  size_t at = 0;
  int r = append(data, &at, sizeof data, "lowerdir=");
  const char *p = lowers;
  for (uint64_t i = 0; r == 0 && i < n; i++) {
    if (i) r = append(data, &at, sizeof data, ":");
    if (r == 0) r = append(data, &at, sizeof data, p);
    p += strlen(p) + 1;
  }
  if (r == 0) r = append(data, &at, sizeof data, ",upperdir=");
  if (r == 0) r = append(data, &at, sizeof data, upper);
  if (r == 0) r = append(data, &at, sizeof data, ",workdir=");
  if (r == 0) r = append(data, &at, sizeof data, work);
  if (r == 0) r = append(data, &at, sizeof data, ",userxattr");
  if (r < 0) return r;
  return mount("overlay", target, "overlay", 0, data) < 0 ? -errno : 0;
}

int setup_overlay(const struct child *c, const struct nook_step *s) {
  const char *upper = step_str(c, s, 0), *work = step_str(c, s, 1);
  const char *lowers = step_str(c, s, 2), *target = step_str(c, s, 3);
  int r = overlay_new_api(upper, work, lowers, s->n[0], target);
  if (r == -ENOSYS) r = overlay_old_api(upper, work, lowers, s->n[0], target);
  return r;
}
