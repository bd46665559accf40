/*
 * NOOK_OP_RUN: run a helper program to completion from inside the child's
 * namespaces (fuse-overlayfs mounts the root there, then leaves its daemon
 * behind in the container's PID namespace, which dies with the container).
 * Async-signal-safe only: raw clone, execve, waitpid; nothing is printed.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "storage.h"

#define RUN_MAX_ARGS 64
#define RUN_MAX_ENV 16

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

int step_list(const struct child *c, uint32_t off, uint64_t count, char **vec, uint64_t cap) {
  if (count > cap) return -E2BIG;
  uint32_t len = c->prog.strings_len;
  for (uint64_t i = 0; i < count; i++) {
    if (off == NOOK_NO_STR || off >= len) return -EINVAL;
    vec[i] = (char *)(c->strings + off);
    off += (uint32_t)strlen(vec[i]) + 1; /* the blob ends in NUL: strlen stays inside */
  }
  vec[count] = NULL;
  return 0;
}

/* The helper's side of the fork: a clean process image, then execve. */
static void helper_main(const char *file, char **argv, char **envp, int errfd)
    __attribute__((noreturn));
static void helper_main(const char *file, char **argv, char **envp, int errfd) {
  reset_signals();
  /* No terminal output from the child's helpers: stdio is /dev/null. */
  int null = open("/dev/null", O_RDWR | O_CLOEXEC);
  for (int fd = 0; null >= 0 && fd < 3; fd++) (void)dup2(null, fd);
  (void)syscall(SYS_close_range, 3u, ~0u, CLOSE_RANGE_CLOEXEC);
  execve(file, argv, envp);
  int err = errno;
  (void)!write(errfd, &err, sizeof err);
  _exit(127);
}

int setup_run(const struct child *c, const struct nook_step *s) {
  const char *file = step_str(c, s, 0);
  char *argv[RUN_MAX_ARGS + 1], *envp[RUN_MAX_ENV + 1];
  if (!file || s->n[0] == 0) return -EINVAL;
  int r = step_list(c, s->s[2], s->n[0], argv, RUN_MAX_ARGS);
  if (r == 0) r = step_list(c, s->s[3], s->n[1], envp, RUN_MAX_ENV);
  if (r < 0) return r;
  int p[2];
  if (pipe2(p, O_CLOEXEC) < 0) return -errno;
  pid_t pid = (pid_t)syscall(SYS_clone, (unsigned long)SIGCHLD, 0, 0, 0, 0);
  if (pid < 0) {
    r = -errno;
    close(p[0]);
    close(p[1]);
    return r;
  }
  if (pid == 0) helper_main(file, argv, envp, p[1]);
  close(p[1]);
  /* EOF: execve happened; an int: it failed with that errno. */
  int err = 0;
  ssize_t n;
  do {
    n = read(p[0], &err, sizeof err);
  } while (n < 0 && errno == EINTR);
  close(p[0]);
  int st = 0;
  while (waitpid(pid, &st, 0) < 0) {
    if (errno != EINTR) return -errno;
  }
  if (n == (ssize_t)sizeof err) return -err;
  if (WIFEXITED(st)) return WEXITSTATUS(st) == 0 ? 0 : -(NOOK_RUN_EXITED + WEXITSTATUS(st));
  return -(NOOK_RUN_SIGNALED + WTERMSIG(st));
}
