/* The container's own cgroup: each process the monitor starts is cloned into it
 * (CLONE_INTO_CGROUP through the program header's cgroup_fd); it is removed once
 * the container has ended for good. nook made it, with its limits. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../src/nook_shim.h"
#include "monitor.h"

int cgroup_attach_program(uint8_t *prog, uint32_t len, const char *path) {
  if (!path) return -1;
  int fd = nook_cgroup_open(path);
  /* Removed behind our back between two runs: make it again (without nook's limits). */
  if (fd == -ENOENT && mkdir(path, 0755) == 0) fd = nook_cgroup_open(path);
  if (fd < 0) return fd;
  struct nook_prog hdr;
  if (len < sizeof hdr) {
    close(fd);
    return -EINVAL;
  }
  memcpy(&hdr, prog, sizeof hdr);
  hdr.cgroup_fd = fd;
  memcpy(prog, &hdr, sizeof hdr);
  return fd;
}

void cgroup_remove(const char *path) {
  if (!path) return;
  /* A cgroup stays busy for a moment after its last process was reaped. */
  for (int i = 0; i < 200; i++) {
    if (rmdir(path) == 0 || errno == ENOENT) return;
    if (errno != EBUSY) return;
    struct timespec ts = {.tv_sec = 0, .tv_nsec = 10 * 1000000L};
    nanosleep(&ts, NULL);
  }
}

long long cgroup_oom_kills(const char *path) {
  if (!path) return -1;
  char file[4200], text[1024];
  snprintf(file, sizeof file, "%s/memory.events", path);
  int fd = open(file, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = read(fd, text, sizeof text - 1);
  close(fd);
  if (n <= 0) return -1;
  text[n] = '\0';
  /* "low N\nhigh N\nmax N\noom N\noom_kill N\n..." */
  for (char *line = text; line;) {
    if (strncmp(line, "oom_kill ", 9) == 0) return atoll(line + 9);
    char *nl = strchr(line, '\n');
    line = nl ? nl + 1 : NULL;
  }
  return -1;
}
