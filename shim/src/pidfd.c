/*
 * Processes by pidfd: open one, signal through it (a reused pid number can
 * never receive the signal), and join a running process's namespaces
 * (NOOK_OP_SETNS, for exec).
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "shim.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

/* A close-on-exec pidfd for PID, or -errno (ESRCH: no such process; ENOSYS: before 5.3). */
NOOK_EXPORT int nook_pidfd_open(int pid) {
  if (pid <= 0) return -EINVAL;
  long fd = syscall(SYS_pidfd_open, (pid_t)pid, 0u);
  return fd < 0 ? -errno : (int)fd;
}

/* Sends SIG to the process PIDFD refers to: 0, or -errno (ESRCH once it has ended). */
NOOK_EXPORT int nook_pidfd_signal(int pidfd, int sig) {
  if (pidfd < 0) return -EBADF;
  return syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0u) < 0 ? -errno : 0;
}

int setup_setns(int pidfd, uint64_t flags) {
  /* Until execve, this process holds a copy of the runtime's memory: keep the
   * container's processes from reading it (execve makes the command dumpable). */
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) return -errno;
  if (flags == 0) return 0;
  return syscall(SYS_setns, pidfd, (int)flags) < 0 ? -errno : 0;
}
