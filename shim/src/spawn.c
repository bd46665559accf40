/*
 * Spawning: check the program (parse first), clone the child into its new
 * namespaces, and let TypeScript write the id maps before the child goes on.
 *
 *   nook_spawn   clone; the child blocks on the control socket
 *   (TypeScript writes uid_map/gid_map, e.g. with newuidmap)
 *   nook_release tell the child to go; wait for exec (EOF) or a failure report
 *                (after NOOK_OP_CLONE, also the pid of the sibling that took over)
 *   nook_wait    reap the child (run as a nonblocking FFI call)
 */
#include <errno.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shim.h"

NOOK_EXPORT int nook_abi_version(void) { return NOOK_ABI; }

void load_step(const struct child *c, uint32_t i, struct nook_step *out) {
  memcpy(out, c->steps + (size_t)i * sizeof *out, sizeof *out);
}

const char *step_str(const struct child *c, const struct nook_step *s, int i) {
  return s->s[i] == NOOK_NO_STR ? NULL : c->strings + s->s[i];
}

/* Every string list (argv, envp) must fit in the blob. */
static int check_list(const char *strings, uint32_t len, uint32_t off, uint64_t count) {
  if (count > NOOK_MAX_LIST) return -E2BIG;
  if (count == 0) return 0;
  if (off == NOOK_NO_STR) return -EINVAL;
  for (uint64_t k = 0; k < count; k++) {
    if (off >= len) return -EINVAL;
    off += (uint32_t)strlen(strings + off) + 1;
  }
  return off <= len ? 0 : -EINVAL;
}

/* Parse first: reject a malformed program before anything is cloned. */
static int check_program(const uint8_t *buf, uint32_t len, struct child *c) {
  struct nook_prog hdr;
  if (len < sizeof hdr) return -EINVAL;
  memcpy(&hdr, buf, sizeof hdr);
  if (hdr.magic != NOOK_PROG_MAGIC || hdr.abi != NOOK_ABI) return -EPROTO;
  if (hdr.nsteps > NOOK_MAX_STEPS) return -E2BIG;
  uint64_t want = sizeof hdr + (uint64_t)hdr.nsteps * sizeof(struct nook_step) + hdr.strings_len;
  if (want != len) return -EINVAL;
  c->steps = buf + sizeof hdr;
  c->strings = (const char *)(c->steps + (size_t)hdr.nsteps * sizeof(struct nook_step));
  if (hdr.strings_len == 0 || c->strings[hdr.strings_len - 1] != '\0') return -EINVAL;
  for (uint32_t i = 0; i < hdr.nsteps; i++) {
    struct nook_step s;
    load_step(c, i, &s);
    if (s.op == 0 || s.op >= NOOK_OP_OP_COUNT) return -EINVAL;
    for (int k = 0; k < 4; k++)
      if (s.s[k] != NOOK_NO_STR && s.s[k] >= hdr.strings_len) return -EINVAL;
    if (s.op == NOOK_OP_OVERLAY) {
      if (s.s[0] == NOOK_NO_STR || s.s[1] == NOOK_NO_STR || s.s[3] == NOOK_NO_STR) return -EINVAL;
      int r = check_list(c->strings, hdr.strings_len, s.s[2], s.n[0]);
      if (r < 0 || s.n[0] == 0) return r < 0 ? r : -EINVAL;
    }
    if (s.op == NOOK_OP_JOIN_NS && s.s[0] == NOOK_NO_STR) return -EINVAL;
    if (s.op == NOOK_OP_EXEC || s.op == NOOK_OP_RUN) {
      if (s.s[0] == NOOK_NO_STR) return -EINVAL;
      int r = check_list(c->strings, hdr.strings_len, s.s[2], s.n[0]);
      if (r == 0) r = check_list(c->strings, hdr.strings_len, s.s[3], s.n[1]);
      if (r < 0) return r;
    }
  }
  c->prog = hdr;
  return 0;
}

/* The child: wait for the parent's word (the id maps are written), then run. */
static void child_main(struct child *c) __attribute__((noreturn));
static void child_main(struct child *c) {
  char go = 0;
  ssize_t n;
  do {
    n = read(c->ctl, &go, 1);
  } while (n < 0 && errno == EINTR);
  if (n != 1 || go != 'g') _exit(125); /* the parent is gone or changed its mind */
  run_steps(c);
}

static pid_t clone_child(uint64_t flags, int cgroup_fd, int *pidfd) {
  struct clone_args args;
  memset(&args, 0, sizeof args);
  args.flags = flags | CLONE_PIDFD;
  args.pidfd = (uint64_t)(uintptr_t)pidfd;
  args.exit_signal = SIGCHLD;
  if (cgroup_fd >= 0) {
    args.flags |= CLONE_INTO_CGROUP;
    args.cgroup = (uint64_t)cgroup_fd;
  }
  long pid = syscall(SYS_clone3, &args, sizeof args);
  if (pid < 0 && (errno == ENOSYS || errno == E2BIG) && cgroup_fd < 0) {
    *pidfd = -1; /* kernels before 5.3: plain clone, no pidfd */
    pid = syscall(SYS_clone, (unsigned long)(flags | SIGCHLD), 0, 0, 0, 0);
  }
  return (pid_t)pid;
}

NOOK_EXPORT int nook_spawn(const uint8_t *prog, uint32_t len, int32_t *out) {
  struct child c = {.rootfd = -1, .devnull = -1};
  int r = check_program(prog, len, &c);
  if (r < 0) return r;

  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) return -errno;

  /* Block every signal so no handler of the runtime runs in the child. */
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  int pidfd = -1;
  pid_t pid = clone_child(c.prog.clone_flags, c.prog.cgroup_fd, &pidfd);
  if (pid == 0) {
    close(sv[0]);
    c.ctl = sv[1];
    child_main(&c);
  }
  int saved = errno;
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  close(sv[1]);
  if (pid < 0) {
    close(sv[0]);
    return -saved;
  }
  out[0] = pid;
  out[1] = pidfd;
  out[2] = sv[0];
  return 0;
}

NOOK_EXPORT int nook_release(int ctl, int32_t *out) {
  out[NOOK_REL_RESULT] = 0;
  out[NOOK_REL_STEP] = out[NOOK_REL_ERRNO] = out[NOOK_REL_OP] = 0;
  out[NOOK_REL_PTY_FD] = -1;
  out[NOOK_REL_PID] = 0;
  out[NOOK_REL_PIDFD] = -1;
  int result = 0;
  if (send(ctl, "g", 1, MSG_NOSIGNAL) != 1) result = 2; /* the child died before */
  for (;;) {
    struct nook_report rep;
    struct iovec iov = {.iov_base = &rep, .iov_len = sizeof rep};
    union {
      char buf[CMSG_SPACE(sizeof(int))];
      struct cmsghdr align;
    } u;
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                         .msg_controllen = sizeof u.buf};
    ssize_t n = recvmsg(ctl, &msg, MSG_CMSG_CLOEXEC);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      close(ctl);
      return -e;
    }
    if (n == 0) break; /* execve closed the socket, or the child is gone */
    struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
    int fd = -1;
    if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
      memcpy(&fd, CMSG_DATA(cm), sizeof fd);
    if ((size_t)n != sizeof rep) {
      if (fd >= 0) close(fd);
      continue;
    }
    if (rep.kind == NOOK_REPORT_PTY && fd >= 0) {
      out[NOOK_REL_PTY_FD] = fd;
    } else if (rep.kind == NOOK_REPORT_PID) {
      out[NOOK_REL_PID] = rep.err; /* the process to wait for from now on */
      out[NOOK_REL_PIDFD] = fd;
    } else {
      if (fd >= 0) close(fd);
      if (rep.kind == NOOK_REPORT_ERROR && result != 1) {
        result = 1;
        out[NOOK_REL_STEP] = (int32_t)rep.step;
        out[NOOK_REL_ERRNO] = rep.err;
        out[NOOK_REL_OP] = (int32_t)rep.op;
      }
    }
  }
  close(ctl);
  out[NOOK_REL_RESULT] = result;
  return 0;
}

NOOK_EXPORT int nook_wait(int pid, int32_t *status) {
  int st = 0;
  while (waitpid(pid, &st, __WALL) < 0) {
    if (errno != EINTR) return -errno;
  }
  *status = st;
  return 0;
}
