/* Process steps: identity, capabilities, file descriptors, init, exec. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shim.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

#define MAX_GROUPS 256

int setup_hostname(const char *name) {
  return sethostname(name, strlen(name)) < 0 ? -errno : 0;
}

int setup_loopback_up(void) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -errno;
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  memcpy(ifr.ifr_name, "lo", 3);
  int r = ioctl(fd, SIOCGIFFLAGS, &ifr) < 0 ? -errno : 0;
  if (r == 0) {
    ifr.ifr_flags |= IFF_UP;
    r = ioctl(fd, SIOCSIFFLAGS, &ifr) < 0 ? -errno : 0;
  }
  close(fd);
  return r;
}

int setup_open_fd(const char *path, int fd, int flags) {
  int f = open(path, flags | O_CLOEXEC);
  if (f < 0) return -errno;
  if (f == fd) return fcntl(f, F_SETFD, 0) < 0 ? -errno : 0;
  int r = dup2(f, fd) < 0 ? -errno : 0;
  close(f);
  return r;
}

/* Shrink the bounding set to KEEP: what an execve may ever give the process. */
int setup_caps(uint64_t keep, unsigned last_cap) {
  for (unsigned cap = 0; cap <= last_cap && cap < 64; cap++) {
    if (keep & (1ull << cap)) continue;
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL) return -errno;
  }
  /* No ambient capabilities survive into the container. */
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL) return -errno;
  return 0;
}

int setup_groups(const char *csv) {
  gid_t list[MAX_GROUPS];
  size_t n = 0;
  for (const char *p = csv; *p;) {
    unsigned long v = 0;
    if (*p < '0' || *p > '9') return -EINVAL;
    while (*p >= '0' && *p <= '9') v = v * 10 + (unsigned long)(*p++ - '0');
    if (n == MAX_GROUPS) return -E2BIG;
    list[n++] = (gid_t)v;
    if (*p == ',') p++;
  }
  return syscall(SYS_setgroups, n, list) < 0 ? -errno : 0;
}

int setup_close_fds(unsigned first) {
  if (first < 3) first = 3;
  if (syscall(SYS_close_range, first, ~0u, CLOSE_RANGE_CLOEXEC) == 0) return 0;
  for (int fd = (int)first; fd < 4096; fd++) (void)fcntl(fd, F_SETFD, FD_CLOEXEC);
  return 0;
}

/* Field N (1-based) of /proc/self/stat as a number; fields after the ")" of comm. */
static unsigned long stat_field(const char *buf, int n) {
  const char *p = strrchr(buf, ')');
  if (!p) return 0;
  int field = 2;
  unsigned long v = 0;
  for (p++; *p && field < n; p++) {
    if (*p == ' ') field++;
  }
  while (*p >= '0' && *p <= '9') v = v * 10 + (unsigned long)(*p++ - '0');
  return field == n ? v : 0;
}

/*
 * The reaper is a copy of the runtime's process: its argv area still holds the
 * host's command line (paths of the host). Overwrite it, so that the
 * container's ps shows "nook-init" and nothing of the host.
 */
static void hide_host_cmdline(void) {
  char buf[1024];
  int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return;
  buf[n] = '\0';
  char *start = (char *)stat_field(buf, 48), *end = (char *)stat_field(buf, 49);
  static const char name[] = "nook-init";
  if (!start || end <= start || (size_t)(end - start) < sizeof name) return;
  memset(start, 0, (size_t)(end - start));
  memcpy(start, name, sizeof name);
}

static int exit_code(int st) {
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/*
 * --init: this process stays PID 1, reaps every child and forwards signals to
 * the command; it exits with the command's status. The child returns and goes
 * on with the remaining steps (exec).
 */
int setup_init(struct child *c) {
  pid_t pid = (pid_t)syscall(SYS_clone, (unsigned long)SIGCHLD, 0, 0, 0, 0);
  if (pid < 0) return -errno;
  if (pid == 0) return 0;
  /* This process never execs, so close-on-exec does not apply: close all it
   * inherited from the runtime (the control socket too: the command's exec is
   * what the parent waits for). */
  (void)c;
  (void)prctl(PR_SET_NAME, "nook-init", 0, 0, 0);
  hide_host_cmdline();
  if (syscall(SYS_close_range, 3u, ~0u, 0u) < 0) {
    for (int fd = 3; fd < 4096; fd++) close(fd);
  }
  sigset_t all;
  sigfillset(&all);
  int sfd = signalfd(-1, &all, SFD_CLOEXEC);
  if (sfd < 0) _exit(125);
  for (;;) {
    struct signalfd_siginfo si;
    ssize_t n = read(sfd, &si, sizeof si);
    if (n != (ssize_t)sizeof si) {
      if (n < 0 && errno == EINTR) continue;
      _exit(125);
    }
    if (si.ssi_signo != SIGCHLD) {
      kill(pid, (int)si.ssi_signo);
      continue;
    }
    int st;
    pid_t p;
    while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
      if (p == pid) _exit(exit_code(st));
    }
  }
}

/* Default dispositions and an empty mask, as a freshly exec'd program expects. */
void reset_signals(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = SIG_DFL;
  for (int sig = 1; sig < 65; sig++) {
    if (sig != SIGKILL && sig != SIGSTOP) (void)sigaction(sig, &sa, NULL);
  }
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
}

/* Collect COUNT NUL-separated strings starting at OFF into VEC (NULL-terminated). */
static void fill_list(const struct child *c, uint32_t off, uint64_t count, char **vec) {
  for (uint64_t i = 0; i < count; i++) {
    vec[i] = (char *)(c->strings + off);
    off += (uint32_t)strlen(vec[i]) + 1;
  }
  vec[count] = NULL;
}

int setup_exec(const struct child *c, const struct nook_step *s) {
  const char *file = step_str(c, s, 0);
  const char *path = step_str(c, s, 1);
  char *argv[s->n[0] + 1];
  char *envp[s->n[1] + 1];
  fill_list(c, s->s[2], s->n[0], argv);
  fill_list(c, s->s[3], s->n[1], envp);
  reset_signals();
  if (!path || strchr(file, '/')) {
    execve(file, argv, envp);
    return -errno;
  }
  /* Search PATH like execvp, with the container's PATH, not ours. */
  size_t flen = strlen(file);
  int seen_eacces = 0;
  for (const char *p = path;;) {
    const char *end = strchr(p, ':');
    size_t dlen = end ? (size_t)(end - p) : strlen(p);
    char buf[PATH_MAX];
    if (dlen + flen + 2 <= sizeof buf) {
      size_t k = 0;
      if (dlen == 0) {
        buf[k++] = '.';
      } else {
        memcpy(buf, p, dlen);
        k = dlen;
      }
      buf[k++] = '/';
      memcpy(buf + k, file, flen + 1);
      execve(buf, argv, envp);
      if (errno == EACCES) {
        seen_eacces = 1;
      } else if (errno != ENOENT && errno != ENOTDIR) {
        return -errno;
      }
    }
    if (!end) break;
    p = end + 1;
  }
  return seen_eacces ? -EACCES : -ENOENT;
}
