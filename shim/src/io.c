/* Small file descriptor helpers for runtimes that have no raw-fd API. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "shim.h"

NOOK_EXPORT int nook_pipe(int32_t *fds) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) < 0) return -errno;
  fds[0] = p[0];
  fds[1] = p[1];
  return 0;
}

/* F_SETPIPE_SZ: a pipe's capacity (rounded up by the kernel); the new size, or -errno. */
NOOK_EXPORT int nook_pipe_size(int fd, int size) {
  int r = fcntl(fd, F_SETPIPE_SZ, size);
  return r < 0 ? -errno : r;
}

NOOK_EXPORT int nook_read(int fd, uint8_t *buf, uint32_t len) {
  ssize_t n;
  do {
    n = read(fd, buf, len);
  } while (n < 0 && errno == EINTR);
  return n < 0 ? -errno : (int)n;
}

NOOK_EXPORT int nook_write(int fd, const uint8_t *buf, uint32_t len) {
  ssize_t n;
  do {
    n = write(fd, buf, len);
  } while (n < 0 && errno == EINTR);
  return n < 0 ? -errno : (int)n;
}

NOOK_EXPORT int nook_close(int fd) { return close(fd) < 0 ? -errno : 0; }
