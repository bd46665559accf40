/*
 * User-mode network helpers (slirp4netns, pasta) for a container's network
 * namespace, and host port probes. Linked into the shim (foreground runs call
 * it through FFI) and into the monitor (detached containers): one code path.
 *
 *   nook_net_spawn    start the helper for a container pid, with a parent-death
 *                     signal, a ready pipe (fd 3) and an exit pipe (fd 4)
 *   nook_net_ready    wait until the helper writes to its ready pipe
 *   nook_net_request  one request/reply on a unix socket (slirp4netns's API)
 *   nook_port_probe   can this host port be bound? (port 0: pick a free one)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "shim.h"

#define NET_MAX_ARGS 256
#define NET_PID_TOKEN "{pid}"
#define NET_STACK_SIZE (64 * 1024)

extern char **environ;

struct helper_exec {
  char **argv;
  int fds[5]; /* what becomes fds 0-4 of the helper */
  int err_w;  /* close-on-exec: the child writes its exec errno here */
  pid_t parent;
};

/* The child, sharing memory with the suspended parent (CLONE_VM | CLONE_VFORK): only
   system calls until execve. */
static int helper_child(void *arg) {
  struct helper_exec *h = arg;
  int err = 0;
  /* Handlers do not survive exec, but ignored signals (the runtime ignores SIGPIPE) would. */
  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; sig++)
    if (sig != SIGKILL && sig != SIGSTOP) (void)sigaction(sig, &dfl, NULL);
  /* The helper dies with whoever started it (nook, or the monitor). */
  if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != h->parent) {
    err = errno ? errno : ESRCH;
    goto fail;
  }
  /* Move the sources above 4 first, so that no dup2 clobbers a later source. */
  int high[5];
  for (int i = 0; i < 5; i++) {
    high[i] = fcntl(h->fds[i], F_DUPFD, 10);
    if (high[i] < 0) {
      err = errno;
      goto fail;
    }
  }
  for (int i = 0; i < 5; i++) {
    if (dup2(high[i], i) < 0) {
      err = errno;
      goto fail;
    }
    close(high[i]);
  }
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  execve(h->argv[0], h->argv, environ);
  err = errno;
fail:
  while (write(h->err_w, &err, sizeof err) < 0 && errno == EINTR) {
  }
  _exit(127);
}

/* ARG with every "{pid}" replaced by PID (malloc'd), or NULL. */
static char *with_pid(const char *arg, int pid) {
  char num[16];
  int nlen = snprintf(num, sizeof num, "%d", pid);
  size_t tok = strlen(NET_PID_TOKEN), count = 0;
  for (const char *p = strstr(arg, NET_PID_TOKEN); p; p = strstr(p + tok, NET_PID_TOKEN)) count++;
  char *out = malloc(strlen(arg) + count * (size_t)nlen + 1);
  if (!out) return NULL;
  char *o = out;
  for (const char *p = arg;;) {
    const char *at = strstr(p, NET_PID_TOKEN);
    size_t n = at ? (size_t)(at - p) : strlen(p);
    memcpy(o, p, n);
    o += n;
    if (!at) break;
    memcpy(o, num, (size_t)nlen);
    o += nlen;
    p = at + tok;
  }
  *o = '\0';
  return out;
}

static void close_all(int *fds, int n) {
  for (int i = 0; i < n; i++)
    if (fds[i] >= 0) close(fds[i]);
}

NOOK_EXPORT int nook_net_spawn(const uint8_t *blob, uint32_t len, uint32_t argc, int32_t target,
                               const char *log, int32_t *out) {
  if (argc == 0 || argc > NET_MAX_ARGS || len == 0 || blob[len - 1] != '\0') return -EINVAL;
  char *argv[NET_MAX_ARGS + 1];
  uint32_t off = 0, made = 0;
  int r = 0;
  for (; made < argc; made++) {
    if (off >= len) {
      r = -EINVAL;
      break;
    }
    argv[made] = with_pid((const char *)blob + off, target);
    if (!argv[made]) {
      r = -ENOMEM;
      break;
    }
    off += (uint32_t)strlen((const char *)blob + off) + 1;
  }
  argv[made] = NULL;
  /* 0 devnull, 1 log, 2 ready[0], 3 ready[1], 4 exit[0], 5 exit[1], 6 err[0], 7 err[1] */
  int fd[8] = {-1, -1, -1, -1, -1, -1, -1, -1};
  void *stack = MAP_FAILED;
  if (r == 0) {
    fd[0] = open("/dev/null", O_RDWR | O_CLOEXEC);
    fd[1] = log && *log ? open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600)
                        : fcntl(fd[0], F_DUPFD_CLOEXEC, 3);
    if (fd[0] < 0 || fd[1] < 0 || pipe2(fd + 2, O_CLOEXEC) < 0 || pipe2(fd + 4, O_CLOEXEC) < 0 ||
        pipe2(fd + 6, O_CLOEXEC) < 0)
      r = -errno;
  }
  if (r == 0) {
    stack = mmap(NULL, NET_STACK_SIZE, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED) r = -errno;
  }
  pid_t pid = -1;
  if (r == 0) {
    struct helper_exec h = {.argv = argv,
                            .fds = {fd[0], fd[0], fd[1], fd[3], fd[4]},
                            .err_w = fd[7],
                            .parent = getpid()};
    /* No handler of the runtime may run in the child, which shares its memory. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pid = clone(helper_child, (char *)stack + NET_STACK_SIZE, CLONE_VM | CLONE_VFORK | SIGCHLD, &h);
    int e = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (pid < 0) r = -e;
  }
  if (stack != MAP_FAILED) munmap(stack, NET_STACK_SIZE);
  for (uint32_t i = 0; i < made; i++) free(argv[i]);
  if (pid > 0) {
    close(fd[7]);
    fd[7] = -1;
    int err = 0;
    ssize_t n;
    while ((n = read(fd[6], &err, sizeof err)) < 0 && errno == EINTR) {
    }
    if (n == (ssize_t)sizeof err) { /* exec failed: the child is gone */
      while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
      }
      r = -err;
    }
  }
  if (r < 0) {
    close_all(fd, 8);
    return r;
  }
  out[0] = pid;
  out[1] = fd[2]; /* ready, read end */
  out[2] = fd[5]; /* exit, write end: closing it tells slirp4netns to exit */
  fd[2] = fd[5] = -1;
  close_all(fd, 8);
  return 0;
}

NOOK_EXPORT int nook_net_ready(int ready_fd, int timeout_ms) {
  struct timespec start, now;
  clock_gettime(CLOCK_MONOTONIC, &start);
  int r;
  for (;;) {
    clock_gettime(CLOCK_MONOTONIC, &now);
    long spent = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
    if (spent >= timeout_ms) {
      r = -ETIMEDOUT;
      break;
    }
    struct pollfd p = {.fd = ready_fd, .events = POLLIN};
    int n = poll(&p, 1, (int)(timeout_ms - spent));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      r = -errno;
      break;
    }
    if (n == 0) continue;
    char buf[64];
    ssize_t got = read(ready_fd, buf, sizeof buf);
    if (got < 0 && errno == EINTR) continue;
    r = got > 0 ? 0 : got == 0 ? -EPIPE : -errno; /* EOF first: the helper ended */
    break;
  }
  close(ready_fd);
  return r;
}

NOOK_EXPORT int nook_net_request(const char *path, const uint8_t *req, uint32_t len, uint8_t *resp,
                                 uint32_t resplen) {
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  if (resplen == 0 || strlen(path) >= sizeof sa.sun_path) return -ENAMETOOLONG;
  strcpy(sa.sun_path, path);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -errno;
  struct timeval tv = {.tv_sec = 10};
  (void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  (void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  int r = 0;
  if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) r = -errno;
  for (uint32_t done = 0; r == 0 && done < len;) {
    ssize_t n = send(fd, req + done, len - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) r = -errno;
    else done += (uint32_t)n;
  }
  if (r == 0) (void)shutdown(fd, SHUT_WR);
  uint32_t got = 0;
  while (r == 0 && got + 1 < resplen) {
    ssize_t n = read(fd, resp + got, resplen - 1 - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) r = -errno;
    if (n <= 0) break;
    got += (uint32_t)n;
  }
  close(fd);
  resp[got] = '\0';
  return r < 0 ? r : (int)got;
}

NOOK_EXPORT int nook_port_probe(int udp, const char *ip, int port) {
  union {
    struct sockaddr sa;
    struct sockaddr_in in4;
    struct sockaddr_in6 in6;
  } a;
  memset(&a, 0, sizeof a);
  socklen_t alen;
  if (port < 0 || port > 65535) return -EINVAL;
  if (inet_pton(AF_INET, ip, &a.in4.sin_addr) == 1) {
    a.in4.sin_family = AF_INET;
    a.in4.sin_port = htons((uint16_t)port);
    alen = sizeof a.in4;
  } else if (inet_pton(AF_INET6, ip, &a.in6.sin6_addr) == 1) {
    a.in6.sin6_family = AF_INET6;
    a.in6.sin6_port = htons((uint16_t)port);
    alen = sizeof a.in6;
  } else {
    return -EINVAL;
  }
  int fd = socket(a.sa.sa_family, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
  if (fd < 0) return -errno;
  int one = 1;
  /* As the helpers bind: a port in TIME_WAIT is free, a listening one is not. */
  if (!udp) (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (a.sa.sa_family == AF_INET6) (void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  int r = bind(fd, &a.sa, alen) < 0 ? -errno : 0;
  if (r == 0 && getsockname(fd, &a.sa, &alen) < 0) r = -errno;
  if (r == 0) r = ntohs(a.sa.sa_family == AF_INET ? a.in4.sin_port : a.in6.sin6_port);
  close(fd);
  return r;
}
