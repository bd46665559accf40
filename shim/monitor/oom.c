/* Whether the kernel's OOM killer killed a process of the container's cgroup: the oom_kill
   counter of its memory.events, read before the cgroup is removed (docker's OOMKilled). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "monitor.h"

int mon_oom_killed(const char *cgroup_dir) {
  if (!cgroup_dir || !*cgroup_dir) return 0;
  char path[4200];
  snprintf(path, sizeof path, "%s/memory.events", cgroup_dir);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0; /* no memory controller in it: nothing is known */
  char text[1024];      /* six short lines; a cgroup file reports no size to fstat */
  size_t got = 0;
  for (;;) {
    ssize_t n = read(fd, text + got, sizeof text - 1 - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += (size_t)n;
  }
  close(fd);
  text[got] = '\0';
  const char *p = strncmp(text, "oom_kill ", 9) == 0 ? text : strstr(text, "\noom_kill ");
  if (!p) return 0;
  if (*p == '\n') p++;
  return strtoll(p + 9, NULL, 10) > 0;
}
