/* Runs a short helper program (newuidmap, newgidmap) to completion, cheaply:
 * posix_spawn (vfork-like) instead of the runtime's process machinery. */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shim.h"

#define MAX_HELPER_ARGS 64

extern char **environ;

NOOK_EXPORT int nook_run_helper(const uint8_t *blob, uint32_t len, uint32_t argc, uint8_t *err,
                                uint32_t errlen) {
  char *argv[MAX_HELPER_ARGS + 1];
  if (argc == 0 || argc > MAX_HELPER_ARGS || len == 0 || blob[len - 1] != '\0') return -EINVAL;
  uint32_t off = 0;
  for (uint32_t i = 0; i < argc; i++) {
    if (off >= len) return -EINVAL;
    argv[i] = (char *)(blob + off);
    off += (uint32_t)strlen(argv[i]) + 1;
  }
  argv[argc] = NULL;
  int p[2];
  if (pipe2(p, O_CLOEXEC) < 0) return -errno;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, p[1], 2);
  pid_t pid;
  int r = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  close(p[1]);
  if (r != 0) {
    close(p[0]);
    return -r;
  }
  uint32_t got = 0;
  for (;;) {
    char sink[256];
    char *dst = got + 1 < errlen ? (char *)err + got : sink;
    size_t room = got + 1 < errlen ? errlen - 1 - got : sizeof sink;
    ssize_t n = read(p[0], dst, room);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (dst != sink) got += (uint32_t)n;
  }
  if (errlen) err[got] = '\0';
  close(p[0]);
  int st;
  while (waitpid(pid, &st, 0) < 0) {
    if (errno != EINTR) return -errno;
  }
  return st;
}
