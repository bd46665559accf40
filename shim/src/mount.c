/*
 * Mount steps. Every target is resolved beneath the container root with
 * openat2(RESOLVE_IN_ROOT): a symlink in the rootfs (/data -> /etc,
 * /proc -> /host/proc) resolves inside the container, never on the host.
 * The mount then goes onto /proc/self/fd/N, the exact dentry resolved.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "shim.h"

enum kind { KIND_NONE = 0, KIND_DIR = 1, KIND_FILE = 2 };

/* "/proc/self/fd/N" without snprintf. */
static const char *fd_path(char buf[32], int fd) {
  static const char prefix[] = "/proc/self/fd/";
  char digits[12];
  int n = 0;
  unsigned v = (unsigned)fd;
  do {
    digits[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  memcpy(buf, prefix, sizeof prefix - 1);
  int p = sizeof prefix - 1;
  while (n) buf[p++] = digits[--n];
  buf[p] = '\0';
  return buf;
}

static int open_beneath(int rootfd, const char *path, int *out) {
  while (*path == '/') path++;
  if (*path == '\0') path = ".";
  struct open_how how;
  memset(&how, 0, sizeof how);
  how.flags = O_PATH | O_CLOEXEC;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  long fd = syscall(SYS_openat2, rootfd, path, &how, sizeof how);
  if (fd < 0) return -errno;
  *out = (int)fd;
  return 0;
}

/* Resolve PATH beneath the root, creating what is missing (mkdir -p, then a dir or file). */
static int ensure_target(const struct child *c, const char *path, enum kind kind, unsigned mode,
                         int *out) {
  int r = open_beneath(c->rootfd, path, out);
  if (r != -ENOENT || kind == KIND_NONE) return r;
  char buf[PATH_MAX];
  while (*path == '/') path++;
  size_t len = strlen(path);
  if (len >= sizeof buf) return -ENAMETOOLONG;
  memcpy(buf, path, len + 1);
  int parent;
  if ((r = open_beneath(c->rootfd, ".", &parent)) < 0) return r;
  size_t start = 0;
  while (start < len) {
    size_t end = start;
    while (end < len && buf[end] != '/') end++;
    int last = end >= len;
    buf[end] = '\0';
    int fd;
    r = open_beneath(c->rootfd, buf, &fd);
    if (r == -ENOENT && end > start) {
      const char *name = buf + start;
      if (!last || kind == KIND_DIR) {
        r = mkdirat(parent, name, last ? mode : 0755) < 0 ? -errno : 0;
      } else {
        int f = openat(parent, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
        r = f < 0 ? -errno : close(f);
      }
      if (r == 0) r = open_beneath(c->rootfd, buf, &fd);
    }
    if (!last) buf[end] = '/';
    if (r < 0) {
      close(parent);
      return r;
    }
    close(parent);
    parent = fd;
    start = end + 1;
    while (start < len && buf[start] == '/') start++;
  }
  *out = parent;
  return 0;
}

/* Read-only without dropping the flags a user namespace may not clear (locked flags). */
static int make_readonly(int fd, int recursive) {
  struct mount_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.attr_set = MOUNT_ATTR_RDONLY;
  unsigned flags = AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0);
  if (syscall(SYS_mount_setattr, fd, "", flags, &attr, sizeof attr) == 0) return 0;
  if (errno != ENOSYS) return -errno;
  char p[32];
  struct statfs st;
  if (statfs(fd_path(p, fd), &st) < 0) return -errno;
  unsigned long keep = (unsigned long)st.f_flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME |
                                                    MS_NODIRATIME | MS_RELATIME);
  return mount(NULL, p, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | keep, NULL) < 0 ? -errno : 0;
}

int setup_mount_private(void) {
  return mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ? -errno : 0;
}

int setup_enter_root(struct child *c, const char *rootfs) {
  /* pivot_root needs the new root to be a mount point. */
  if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0) return -errno;
  c->rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (c->rootfd < 0) return -errno;
  c->devnull = open("/dev/null", O_PATH | O_CLOEXEC);
  return c->devnull < 0 ? -errno : 0;
}

/* A mount must never cover the container's root itself (e.g. /sys -> ../../..). */
static int is_root(const struct child *c, int fd) {
  struct stat a, b;
  if (fstat(fd, &a) < 0 || fstat(c->rootfd, &b) < 0) return 0;
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static enum kind kind_of(uint32_t flags) {
  return (flags & NOOK_F_MKDIR) ? KIND_DIR : (flags & NOOK_F_MKFILE) ? KIND_FILE : KIND_NONE;
}

int setup_mount(struct child *c, const struct nook_step *s) {
  int tfd, r;
  if ((r = ensure_target(c, step_str(c, s, 1), kind_of(s->flags), 0755, &tfd)) < 0) return r;
  if (is_root(c, tfd)) {
    close(tfd);
    return -ELOOP;
  }
  char p[32];
  r = mount(step_str(c, s, 0), fd_path(p, tfd), step_str(c, s, 2), (unsigned long)s->n[0],
            step_str(c, s, 3));
  r = r < 0 ? -errno : 0;
  close(tfd);
  return r;
}

int setup_bind(struct child *c, const struct nook_step *s) {
  const char *target = step_str(c, s, 1);
  int sfd = open(step_str(c, s, 0), O_PATH | O_CLOEXEC);
  if (sfd < 0) return -errno;
  struct stat st;
  int r = fstat(sfd, &st) < 0 ? -errno : 0;
  int tfd = -1;
  if (r == 0) r = ensure_target(c, target, S_ISDIR(st.st_mode) ? KIND_DIR : KIND_FILE, 0755, &tfd);
  if (r == 0 && is_root(c, tfd)) {
    close(tfd);
    r = -ELOOP;
  }
  if (r == 0) {
    char sp[32], tp[32];
    unsigned long rec = (unsigned long)s->n[0] & MS_REC;
    r = mount(fd_path(sp, sfd), fd_path(tp, tfd), NULL, MS_BIND | rec, NULL) < 0 ? -errno : 0;
    close(tfd);
    if (r == 0 && (s->n[0] & MS_RDONLY) && (r = open_beneath(c->rootfd, target, &tfd)) == 0) {
      r = make_readonly(tfd, rec != 0);
      close(tfd);
    }
  }
  close(sfd);
  return r;
}

int setup_mask(struct child *c, const char *target) {
  int tfd, r = open_beneath(c->rootfd, target, &tfd);
  if (r == -ENOENT) return 0; /* nothing to hide */
  if (r < 0) return r;
  struct stat st;
  char tp[32], sp[32];
  if (fstat(tfd, &st) < 0) {
    r = -errno;
  } else if (S_ISDIR(st.st_mode)) {
    r = mount("tmpfs", fd_path(tp, tfd), "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
              "size=0k") < 0 ? -errno : 0;
  } else {
    r = mount(fd_path(sp, c->devnull), fd_path(tp, tfd), NULL, MS_BIND, NULL) < 0 ? -errno : 0;
  }
  close(tfd);
  return r;
}

int setup_readonly(struct child *c, const char *target) {
  int tfd, r = open_beneath(c->rootfd, target, &tfd);
  if (r == -ENOENT) return 0;
  if (r < 0) return r;
  char tp[32];
  fd_path(tp, tfd);
  r = mount(tp, tp, NULL, MS_BIND | MS_REC, NULL) < 0 ? -errno : 0;
  close(tfd);
  if (r == 0 && (r = open_beneath(c->rootfd, target, &tfd)) == 0) {
    r = make_readonly(tfd, 1);
    close(tfd);
  }
  return r;
}

int setup_symlink(struct child *c, const char *text, const char *path) {
  char dir[PATH_MAX];
  size_t len = strlen(path);
  if (len >= sizeof dir) return -ENAMETOOLONG;
  memcpy(dir, path, len + 1);
  char *slash = strrchr(dir, '/');
  const char *name = path;
  if (slash) {
    *slash = '\0';
    name = path + (slash - dir) + 1;
  } else {
    dir[0] = '\0';
  }
  int pfd, r = ensure_target(c, dir, KIND_DIR, 0755, &pfd);
  if (r < 0) return r;
  r = symlinkat(text, pfd, name) < 0 ? -errno : 0;
  close(pfd);
  return r;
}

int setup_mkdir(struct child *c, const char *path, unsigned mode) {
  int fd, r = ensure_target(c, path, KIND_DIR, mode, &fd);
  if (r == 0) close(fd);
  return r;
}

int setup_pivot_root(struct child *c) {
  /* pivot_root(".", ".") stacks the old root on the new one; detach it at once. */
  if (fchdir(c->rootfd) < 0) return -errno;
  if (syscall(SYS_pivot_root, ".", ".") < 0) return -errno;
  if (umount2(".", MNT_DETACH) < 0) return -errno;
  return chdir("/") < 0 ? -errno : 0;
}

int setup_mount_attr(const char *target, uint64_t set, uint64_t clr, int recursive) {
  struct mount_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.attr_set = set;
  attr.attr_clr = clr;
  unsigned flags = recursive ? AT_RECURSIVE : 0;
  return syscall(SYS_mount_setattr, AT_FDCWD, target, flags, &attr, sizeof attr) < 0 ? -errno : 0;
}

int setup_remount_ro(const char *target) {
  int fd = open(target, O_PATH | O_CLOEXEC);
  if (fd < 0) return -errno;
  int r = make_readonly(fd, 0);
  close(fd);
  return r;
}

/* A copy of mount SRC of the mount namespace file NSPATH (a container's whose
 * IPC namespace this one joined, in the user namespace they share) on TARGET
 * beneath the root: a bind from another mount namespace is refused (EINVAL),
 * so the tree is cloned from inside that namespace and attached back here. */
int setup_share_mount(struct child *c, const struct nook_step *s) {
  int tfd, r;
  if ((r = ensure_target(c, step_str(c, s, 2), kind_of(s->flags), 0755, &tfd)) < 0) return r;
  int self = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
  int other = open(step_str(c, s, 0), O_RDONLY | O_CLOEXEC);
  int cwd = open(".", O_PATH | O_CLOEXEC); /* setns(2) of a mount namespace moves cwd and root */
  int tree = -1;
  if (self < 0 || other < 0 || cwd < 0) {
    r = -errno;
  } else if (syscall(SYS_setns, other, CLONE_NEWNS) < 0) {
    r = -errno;
  } else {
    tree = (int)syscall(SYS_open_tree, AT_FDCWD, step_str(c, s, 1),
                        OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
    if (tree < 0) r = -errno;
    /* Back home: this must not fail quietly, or the container would set up the other's tree. */
    if (syscall(SYS_setns, self, CLONE_NEWNS) < 0 || fchdir(cwd) < 0) {
      report_error(c->ctl, c->step, s->op, errno);
      _exit(125);
    }
  }
  if (r == 0 && syscall(SYS_move_mount, tree, "", tfd, "",
                        MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    r = -errno;
  if (tree >= 0) close(tree);
  if (cwd >= 0) close(cwd);
  if (other >= 0) close(other);
  if (self >= 0) close(self);
  close(tfd);
  return r;
}
