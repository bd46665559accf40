/*
 * Joining namespaces that exist already (--network container:NAME, ns:PATH):
 * the step that joins a namespace file together with the user namespace that
 * owns it (NOOK_OP_JOIN_NS), the sibling clone that then makes the
 * container's own namespaces (NOOK_OP_CLONE), and two questions TypeScript
 * asks before it plans: what kind of namespace a file is, and the id maps of
 * the user namespace that owns it.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shim.h"

#ifndef NS_GET_USERNS
#define NS_GET_USERNS _IO(0xb7, 0x1)
#endif
#ifndef NS_GET_NSTYPE
#define NS_GET_NSTYPE _IO(0xb7, 0x3)
#endif

/* Whether FD (a user namespace) is the one this process is in. */
static int is_own_userns(int fd) {
  struct stat a, b;
  if (fstat(fd, &a) < 0 || stat("/proc/self/ns/user", &b) < 0) return 0;
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* 0 when process PID runs and started at START (field 22 of /proc/PID/stat), else -ESRCH. */
static int check_start(int pid, const char *start) {
  char path[32] = "/proc/", buf[1024];
  char digits[12];
  int n = 0, k = 6;
  unsigned v = (unsigned)pid;
  if (pid <= 0) return -ESRCH;
  do {
    digits[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  while (n) path[k++] = digits[--n];
  memcpy(path + k, "/stat", 6);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -ESRCH;
  ssize_t len = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (len <= 0) return -ESRCH;
  buf[len] = '\0';
  /* After the comm (which may hold anything): " S ppid ..."; field 3 is the state. */
  char *p = strrchr(buf, ')');
  if (!p || p[1] != ' ' || p[2] == 'Z' || p[2] == 'X') return -ESRCH;
  for (int field = 2; p && field < 22; field++) p = strchr(p + 1, ' ');
  if (!p) return -ESRCH;
  size_t want = strlen(start), have = strcspn(p + 1, " ");
  return want == have && memcmp(p + 1, start, want) == 0 ? 0 : -ESRCH;
}

int setup_join_ns(const char *path, uint64_t type, int pid, const char *start) {
  /* Until execve, this process holds a copy of the runtime's memory: keep the
   * processes of the namespace it joins from reading it. */
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) return -errno;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return start && errno == ENOENT ? -ESRCH : -errno; /* its /proc/PID is gone */
  int r = start ? check_start(pid, start) : 0;
  if (r == 0) {
    int owner = ioctl(fd, NS_GET_USERNS);
    if (owner < 0) {
      r = -errno;
    } else {
      if (!is_own_userns(owner) && syscall(SYS_setns, owner, CLONE_NEWUSER) < 0) r = -errno;
      close(owner);
    }
  }
  if (r == 0 && syscall(SYS_setns, fd, (int)type) < 0) r = -errno;
  close(fd);
  return r;
}

int setup_clone(struct child *c, uint64_t flags) {
  struct clone_args args;
  memset(&args, 0, sizeof args);
  int pidfd = -1;
  /* With CLONE_PARENT the exit signal is the caller's own (SIGCHLD); clone3 wants 0 here. */
  args.flags = flags | CLONE_PARENT | CLONE_PIDFD;
  args.pidfd = (uint64_t)(uintptr_t)&pidfd;
  long pid = syscall(SYS_clone3, &args, sizeof args);
  if (pid < 0 && errno == ENOSYS) {
    pidfd = -1; /* kernels before 5.3: plain clone, no pidfd */
    pid = syscall(SYS_clone, (unsigned long)(flags | CLONE_PARENT), 0, 0, 0, 0);
  }
  if (pid < 0) return -errno;
  if (pid == 0) {
    /* The sibling goes on with the steps, in a pid namespace of its own that no process of the
     * joined namespace sees: as dumpable as a child nook cloned itself (the join made this one
     * undumpable), so that the user can read the /proc files of an --init that never execs. */
    (void)prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
    return 0;
  }
  struct nook_report r = {.kind = NOOK_REPORT_PID, .step = c->step, .err = (int32_t)pid,
                          .op = NOOK_OP_CLONE};
  if (send_fd(c->ctl, &r, pidfd) < 0) {
    /* The runtime would never learn of it: it must not run. */
    kill((pid_t)pid, SIGKILL);
    _exit(125);
  }
  _exit(0);
}

/* The CLONE_NEW* type of the namespace file PATH, or -errno (ENOTTY: not a namespace file). */
NOOK_EXPORT int nook_ns_type(const char *path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -errno;
  int type = ioctl(fd, NS_GET_NSTYPE);
  int r = type < 0 ? -errno : type;
  close(fd);
  return r;
}

/* Appends the file PATH and a NUL to BUF; returns the new length, or -errno. */
static ssize_t append_file(const char *path, char *buf, size_t at, size_t len) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -errno;
  for (;;) {
    if (at + 1 >= len) {
      close(fd);
      return -E2BIG;
    }
    ssize_t n = read(fd, buf + at, len - 1 - at);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      close(fd);
      return -e;
    }
    if (n == 0) break;
    at += (size_t)n;
  }
  close(fd);
  buf[at++] = '\0';
  return (ssize_t)at;
}

/* The helper process: join OWNER, read its maps as seen from inside (so with the parent
 * namespace's ids), send them over OUT. Exits with the errno of a failure. */
static void maps_main(int owner, int out) __attribute__((noreturn));
static void maps_main(int owner, int out) {
  char buf[8192];
  if (syscall(SYS_setns, owner, CLONE_NEWUSER) < 0) _exit(errno);
  static const char *const files[] = {"/proc/self/uid_map", "/proc/self/gid_map",
                                      "/proc/self/setgroups"};
  ssize_t at = 0;
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
    at = append_file(files[i], buf, (size_t)at, sizeof buf);
    if (at < 0) _exit((int)-at);
  }
  for (ssize_t done = 0; done < at;) {
    ssize_t n = write(out, buf + done, (size_t)(at - done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) _exit(EIO);
    done += n;
  }
  _exit(0);
}

/*
 * The uid_map, gid_map and setgroups files (each NUL-terminated, in that
 * order, ids outside as the owner's parent namespace sees them) of the user
 * namespace that owns the namespace file PATH: the bytes written to BUF; 0
 * when that user namespace is the caller's own; or -errno (ENOTTY: not a
 * namespace file; EPERM: no privilege over it).
 */
NOOK_EXPORT int nook_ns_owner_maps(const char *path, uint8_t *buf, uint32_t len) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -errno;
  int owner = ioctl(fd, NS_GET_USERNS);
  int e = errno;
  close(fd);
  if (owner < 0) return -e;
  if (is_own_userns(owner)) {
    close(owner);
    return 0;
  }
  int p[2];
  if (pipe2(p, O_CLOEXEC) < 0) {
    e = errno;
    close(owner);
    return -e;
  }
  /* A raw clone, as nook_spawn's: no fork handlers of the runtime run in the child, which
   * only makes async-signal-safe calls. Every signal stays blocked there. */
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  long pid = syscall(SYS_clone, (unsigned long)SIGCHLD, 0, 0, 0, 0);
  if (pid == 0) {
    close(p[0]);
    maps_main(owner, p[1]);
  }
  e = errno;
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  close(owner);
  close(p[1]);
  if (pid < 0) {
    close(p[0]);
    return -e;
  }
  uint32_t got = 0;
  for (;;) {
    uint8_t sink[256];
    uint8_t *dst = got < len ? buf + got : sink;
    size_t room = got < len ? len - got : sizeof sink;
    ssize_t n = read(p[0], dst, room);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (dst != sink) got += (uint32_t)n;
  }
  close(p[0]);
  int st;
  while (waitpid((pid_t)pid, &st, __WALL) < 0) {
    if (errno != EINTR) return -errno;
  }
  if (!WIFEXITED(st)) return -EIO;
  if (WEXITSTATUS(st) != 0) return -WEXITSTATUS(st);
  return got == 0 || got >= len ? -EIO : (int)got;
}
