/*
 * NOOK_OP_COPY_LAYER (vfs storage): apply one unpacked image layer onto a
 * plain directory, as root in the user namespace. The layer is in overlayfs
 * form (lib/unpack): a character device 0:0 deletes that path, a directory
 * with user.overlay.opaque=y hides what lower layers have beneath it.
 *
 * Every path is resolved one component at a time, relative to the
 * directories being walked, and no symlink is ever followed. Owners, modes
 * and times are copied, and the xattrs of files and directories (except
 * overlay's own); hard links within the layer stay hard links (up to 49152
 * per layer, then copies); sparse files become dense. The target's root keeps
 * its own owner and mode, as an overlay's upper directory does.
 *
 * The child of a threaded runtime must not malloc: memory comes from mmap.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "storage.h"

#define MAX_DEPTH 256
#define DENTS_BUF 2048
#define XATTR_BUF 65536
#define COPY_BUF 131072
#define LINK_SLOTS 65536u /* a power of two */
#define PATHS_BYTES (16u << 20)

/* A file of this layer with more than one link, and where its first name went. */
struct link {
  uint64_t dev, ino;
  uint32_t path; /* offset in paths */
  uint32_t used;
};

struct ctx {
  int root;           /* the target directory */
  char *names;        /* XATTR_BUF: flistxattr */
  char *value;        /* XATTR_BUF: one xattr value, or a symlink's text */
  char *copy;         /* COPY_BUF: file data when copy_file_range cannot */
  struct link *links; /* LINK_SLOTS */
  uint32_t nlinks;
  char *paths;        /* PATHS_BYTES of NUL-terminated paths relative to root */
  uint32_t paths_used;
  char rel[PATH_MAX]; /* the path being worked on, relative to root */
  size_t rel_len;     /* > PATH_MAX: too long to remember */
};

static int is_dot(const char *n) { return n[0] == '.' && (!n[1] || (n[1] == '.' && !n[2])); }

/* ---- the target's current path (for hard links) ---- */

static size_t rel_push(struct ctx *x, const char *name) {
  size_t saved = x->rel_len, len = strlen(name);
  if (saved > PATH_MAX || saved + len + 2 > sizeof x->rel) {
    x->rel_len = PATH_MAX + 1;
    return saved;
  }
  size_t at = saved;
  if (at) x->rel[at++] = '/';
  memcpy(x->rel + at, name, len + 1);
  x->rel_len = at + len;
  return saved;
}

static void rel_pop(struct ctx *x, size_t saved) {
  x->rel_len = saved;
  if (saved <= PATH_MAX) x->rel[saved] = '\0';
}

static struct link *link_slot(struct ctx *x, const struct stat *st) {
  uint64_t h = (st->st_ino * 0x9e3779b97f4a7c15ull) ^ st->st_dev;
  for (uint32_t i = 0; i < LINK_SLOTS; i++) {
    struct link *l = &x->links[(h + i) & (LINK_SLOTS - 1)];
    if (!l->used || (l->dev == st->st_dev && l->ino == st->st_ino)) return l;
  }
  return NULL;
}

/* Remember where the first name of a multiply linked file went (best effort: else a copy). */
static void link_remember(struct ctx *x, const struct stat *st) {
  if (x->rel_len > PATH_MAX || x->nlinks >= LINK_SLOTS / 4 * 3) return;
  if (x->paths_used + x->rel_len + 1 > PATHS_BYTES) return;
  struct link *l = link_slot(x, st);
  if (!l || l->used) return;
  memcpy(x->paths + x->paths_used, x->rel, x->rel_len + 1);
  *l = (struct link){.dev = st->st_dev, .ino = st->st_ino, .path = x->paths_used, .used = 1};
  x->paths_used += (uint32_t)x->rel_len + 1;
  x->nlinks++;
}

/* ---- removal (whiteouts, opaque directories, replaced entries) ---- */

static int remove_entry(int dir, const char *name, int depth);

static int empty_dir(int fd, int depth) {
  char buf[DENTS_BUF] __attribute__((aligned(8)));
  if (depth > MAX_DEPTH) return -ELOOP;
  /* Entries removed while reading may shift: pass again until a pass removes nothing. */
  for (int removed = 1; removed;) {
    removed = 0;
    if (lseek(fd, 0, SEEK_SET) < 0) return -errno;
    for (;;) {
      long n = syscall(SYS_getdents64, fd, buf, sizeof buf);
      if (n < 0) return -errno;
      if (n == 0) break;
      for (long at = 0; at < n;) {
        struct dirent64 *d = (struct dirent64 *)(buf + at);
        at += d->d_reclen;
        if (is_dot(d->d_name)) continue;
        int r = remove_entry(fd, d->d_name, depth + 1);
        if (r < 0) return r;
        removed = 1;
      }
    }
  }
  return 0;
}

static int remove_entry(int dir, const char *name, int depth) {
  struct stat st;
  if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0) return errno == ENOENT ? 0 : -errno;
  if (S_ISDIR(st.st_mode)) {
    int fd = openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return -errno;
    int r = empty_dir(fd, depth);
    close(fd);
    if (r < 0) return r;
    return unlinkat(dir, name, AT_REMOVEDIR) < 0 ? -errno : 0;
  }
  return unlinkat(dir, name, 0) < 0 && errno != ENOENT ? -errno : 0;
}

/* ---- metadata ---- */

static int is_overlay_xattr(const char *name) {
  return strncmp(name, "user.overlay.", 13) == 0 || strncmp(name, "trusted.overlay.", 16) == 0;
}

static int is_opaque(struct ctx *x, int fd) {
  ssize_t n = fgetxattr(fd, "user.overlay.opaque", x->value, XATTR_BUF);
  return n == 1 && x->value[0] == 'y';
}

static int copy_xattrs(struct ctx *x, int from, int to) {
  ssize_t n = flistxattr(from, x->names, XATTR_BUF);
  if (n < 0) return errno == ENOTSUP ? 0 : -errno;
  for (const char *p = x->names; p < x->names + n; p += strlen(p) + 1) {
    if (is_overlay_xattr(p)) continue;
    ssize_t v = fgetxattr(from, p, x->value, XATTR_BUF);
    if (v < 0) {
      if (errno == ENODATA) continue;
      return -errno;
    }
    if (fsetxattr(to, p, x->value, (size_t)v, 0) < 0 && errno != ENOTSUP) return -errno;
  }
  return 0;
}

/* Owner first (chown clears set-id bits and capabilities), then mode, xattrs, times. */
static int copy_meta(struct ctx *x, int from, int to, const struct stat *st) {
  if (fchown(to, st->st_uid, st->st_gid) < 0) return -errno;
  if (fchmod(to, st->st_mode & 07777) < 0) return -errno;
  int r = copy_xattrs(x, from, to);
  if (r < 0) return r;
  struct timespec ts[2] = {st->st_atim, st->st_mtim};
  return futimens(to, ts) < 0 ? -errno : 0;
}

/* For what cannot be opened (symlinks, devices, fifos, sockets): by name, never followed. */
static int copy_meta_at(int dir, const char *name, const struct stat *st) {
  if (fchownat(dir, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0) return -errno;
  if (!S_ISLNK(st->st_mode) && fchmodat(dir, name, st->st_mode & 07777, 0) < 0) return -errno;
  struct timespec ts[2] = {st->st_atim, st->st_mtim};
  return utimensat(dir, name, ts, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
}

/* ---- copying ---- */

static int copy_data(struct ctx *x, int in, int out) {
  for (;;) {
    long n = syscall(SYS_copy_file_range, in, NULL, out, NULL, (size_t)1 << 30, 0u);
    if (n == 0) return 0;
    if (n > 0) continue;
    if (errno == EINTR) continue;
    if (errno != EXDEV && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP) return -errno;
    break; /* nothing was copied yet: the kernel cannot do it here; copy by hand */
  }
  for (;;) {
    ssize_t n = read(in, x->copy, COPY_BUF);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -errno;
    if (n == 0) return 0;
    for (ssize_t done = 0; done < n;) {
      ssize_t w = write(out, x->copy + done, (size_t)(n - done));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) return -errno;
      done += w;
    }
  }
}

static int copy_file(struct ctx *x, int sdir, int ddir, const char *name, const struct stat *st) {
  int in = openat(sdir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (in < 0) return -errno;
  int out = openat(ddir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  int r = out < 0 ? -errno : copy_data(x, in, out);
  if (r == 0) r = copy_meta(x, in, out, st);
  if (out >= 0) close(out);
  close(in);
  return r;
}

static int copy_other(struct ctx *x, int sdir, int ddir, const char *name, const struct stat *st) {
  if (S_ISLNK(st->st_mode)) {
    ssize_t n = readlinkat(sdir, name, x->value, XATTR_BUF - 1);
    if (n < 0) return -errno;
    x->value[n] = '\0';
    if (symlinkat(x->value, ddir, name) < 0) return -errno;
  } else if (mknodat(ddir, name, st->st_mode & (S_IFMT | 07777), st->st_rdev) < 0) {
    return -errno;
  }
  return copy_meta_at(ddir, name, st);
}

static int apply_dir(struct ctx *x, int sfd, int dfd, int depth);

static int apply_subdir(struct ctx *x, int sdir, int ddir, const char *name, const struct stat *st,
                        int have_dir, int depth) {
  if (!have_dir && mkdirat(ddir, name, 0700) < 0) return -errno;
  int s = openat(sdir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (s < 0) return -errno;
  int d = openat(ddir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  int r = d < 0 ? -errno : 0;
  /* Opaque: what lower layers put here is hidden, so it goes. */
  if (r == 0 && have_dir && is_opaque(x, s)) r = empty_dir(d, depth + 1);
  if (r == 0) r = apply_dir(x, s, d, depth + 1);
  /* After the entries: creating them changed the directory's times. */
  if (r == 0) r = copy_meta(x, s, d, st);
  if (d >= 0) close(d);
  close(s);
  return r;
}

static int apply_entry(struct ctx *x, int sdir, int ddir, const char *name, int depth) {
  struct stat st, old;
  if (fstatat(sdir, name, &st, AT_SYMLINK_NOFOLLOW) < 0) return -errno;
  if (S_ISCHR(st.st_mode) && st.st_rdev == 0) return remove_entry(ddir, name, depth); /* whiteout */
  int e = fstatat(ddir, name, &old, AT_SYMLINK_NOFOLLOW) < 0 ? errno : 0;
  if (e != 0 && e != ENOENT) return -e;
  int have = e == 0;
  int r = 0;
  /* A directory merges with a directory below; anything else replaces what was there. */
  if (have && !(S_ISDIR(st.st_mode) && S_ISDIR(old.st_mode))) {
    if ((r = remove_entry(ddir, name, depth)) < 0) return r;
    have = 0;
  }
  size_t saved = rel_push(x, name);
  if (S_ISDIR(st.st_mode)) {
    r = apply_subdir(x, sdir, ddir, name, &st, have, depth);
  } else {
    struct link *l = st.st_nlink > 1 ? link_slot(x, &st) : NULL;
    if (l && l->used) {
      r = linkat(x->root, x->paths + l->path, ddir, name, 0) < 0 ? -errno : 0;
    } else {
      r = S_ISREG(st.st_mode) ? copy_file(x, sdir, ddir, name, &st)
                              : copy_other(x, sdir, ddir, name, &st);
      if (r == 0 && st.st_nlink > 1) link_remember(x, &st);
    }
  }
  rel_pop(x, saved);
  return r;
}

static int apply_dir(struct ctx *x, int sfd, int dfd, int depth) {
  char buf[DENTS_BUF] __attribute__((aligned(8)));
  if (depth > MAX_DEPTH) return -ELOOP;
  for (;;) {
    long n = syscall(SYS_getdents64, sfd, buf, sizeof buf);
    if (n < 0) return -errno;
    if (n == 0) return 0;
    for (long at = 0; at < n;) {
      struct dirent64 *d = (struct dirent64 *)(buf + at);
      at += d->d_reclen;
      if (is_dot(d->d_name)) continue;
      int r = apply_entry(x, sfd, dfd, d->d_name, depth);
      if (r < 0) return r;
    }
  }
}

int setup_copy_layer(const struct child *c, const struct nook_step *s) {
  const char *layer = step_str(c, s, 0), *target = step_str(c, s, 1);
  if (!layer || !target) return -EINVAL;
  size_t size = sizeof(struct ctx) + 2 * XATTR_BUF + COPY_BUF +
                LINK_SLOTS * sizeof(struct link) + PATHS_BYTES;
  void *mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (mem == MAP_FAILED) return -errno;
  struct ctx *x = mem; /* zero-filled */
  char *p = (char *)mem + sizeof *x;
  x->names = p;
  x->value = p + XATTR_BUF;
  x->copy = p + 2 * XATTR_BUF;
  x->links = (struct link *)(void *)(p + 2 * XATTR_BUF + COPY_BUF);
  x->paths = p + 2 * XATTR_BUF + COPY_BUF + LINK_SLOTS * sizeof(struct link);
  int r = 0;
  int src = open(layer, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (src < 0) r = -errno;
  x->root = r == 0 ? open(target, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
  if (r == 0 && x->root < 0) r = -errno;
  if (r == 0) r = apply_dir(x, src, x->root, 0);
  if (x->root >= 0) close(x->root);
  if (src >= 0) close(src);
  munmap(mem, size);
  return r;
}
