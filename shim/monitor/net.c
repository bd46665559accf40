/* The container's network helper, as the monitor keeps it: see monitor.h. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../src/nook_shim.h"
#include "monitor.h"

#define NET_READY_TIMEOUT_MS 10000
/* A report's failure of the helper: MON_FAIL_NET, then the kind. */
#define NET_FAIL(kind) MON_FAIL_NET " " kind

int net_start(struct mon_net *n, const struct mon_config *cfg, pid_t target, char *why,
              size_t whylen) {
  n->pid = 0;
  n->exit_fd = -1;
  if (!cfg->net_helper[0]) return 0;
  if (cfg->net_api) (void)unlink(cfg->net_api); /* a restart: the last helper's socket */
  uint8_t blob[16384];
  uint32_t len = 0, argc = 0;
  for (; cfg->net_helper[argc]; argc++) {
    size_t l = strlen(cfg->net_helper[argc]) + 1;
    if (len + l > sizeof blob) {
      snprintf(why, whylen, NET_FAIL(MON_NET_SPAWN) " %d", E2BIG);
      return -1;
    }
    memcpy(blob + len, cfg->net_helper[argc], l);
    len += (uint32_t)l;
  }
  int32_t out[3];
  int r = nook_net_spawn(blob, len, argc, target, cfg->net_log, out);
  if (r < 0) {
    snprintf(why, whylen, NET_FAIL(MON_NET_SPAWN) " %d", -r);
    return -1;
  }
  n->pid = out[0];
  n->exit_fd = out[2];
  r = nook_net_ready(out[1], NET_READY_TIMEOUT_MS);
  if (r < 0) {
    net_stop(n);
    snprintf(why, whylen, NET_FAIL(MON_NET_READY) " %d", -r);
    return -1;
  }
  for (int i = 0; i < cfg->net_nrequests; i++) {
    char reply[1024];
    const char *req = cfg->net_requests[i];
    r = nook_net_request(cfg->net_api, (const uint8_t *)req, (uint32_t)strlen(req),
                         (uint8_t *)reply, sizeof reply);
    if (r >= 0 && strstr(reply, "\"return\"")) continue;
    net_stop(n);
    if (r < 0) snprintf(reply, sizeof reply, "errno %d", -r);
    for (char *p = reply; *p; p++)
      if (*p == '\n' || *p == '\r') *p = ' ';
    snprintf(why, whylen, NET_FAIL(MON_NET_REQUEST) " %d %s", i, reply);
    return -1;
  }
  return 0;
}

void net_stop(struct mon_net *n) {
  if (n->exit_fd >= 0) close(n->exit_fd);
  n->exit_fd = -1;
  if (n->pid <= 0) return;
  /* Not reaped yet, so the pid is still the helper's. */
  (void)kill(n->pid, SIGKILL);
  while (waitpid(n->pid, NULL, __WALL) < 0 && errno == EINTR) {
  }
  n->pid = 0;
}

const char *net_failure_text(const struct mon_config *cfg, const char *why, char *out,
                             size_t len) {
  char kind[16];
  int e = 0;
  if (!cfg->net_helper[0] || sscanf(why, MON_FAIL_NET " %15s %d", kind, &e) != 2) return why;
  if (strcmp(kind, MON_NET_REQUEST) == 0) {
    const char *reply = strchr(why + strlen(NET_FAIL(MON_NET_REQUEST) " "), ' ');
    snprintf(out, len, "%s refused to publish a port: %s", cfg->net_helper[0],
             reply ? reply + 1 : why);
  } else
    snprintf(out, len, "the network helper %s did not %s: %s; see %s", cfg->net_helper[0],
             strcmp(kind, MON_NET_SPAWN) == 0 ? "start" : "get ready", strerror(e),
             cfg->net_log ? cfg->net_log : "its log");
  return out;
}
