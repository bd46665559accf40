/* A container's cgroup, opened for CLONE_INTO_CGROUP (the program header's cgroup_fd). */
#include <errno.h>
#include <fcntl.h>

#include "shim.h"

NOOK_EXPORT int nook_cgroup_open(const char *path) {
  /* O_PATH will not do: the kernel takes the cgroup from a file it can read. */
  int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  return fd < 0 ? -errno : fd;
}
