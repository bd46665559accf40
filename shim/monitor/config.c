/* The monitor's config: one setting per line, "KEY<TAB>VALUE[<TAB>VALUE...]". */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "monitor.h"

char *mon_read_file(const char *path, size_t *len) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return NULL;
  struct stat st;
  if (fstat(fd, &st) < 0 || st.st_size > (16 << 20)) {
    close(fd);
    return NULL;
  }
  char *buf = malloc((size_t)st.st_size + 1);
  size_t got = 0;
  while (buf && got < (size_t)st.st_size) {
    ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += (size_t)n;
  }
  close(fd);
  if (buf) buf[got] = '\0';
  if (len) *len = got;
  return buf;
}

/* Splits LINE at tabs into VEC (NULL-terminated); returns the count or -1. */
static int split(char *line, char **vec, int max) {
  int n = 0;
  for (char *p = line; p;) {
    if (n == max - 1) return -1;
    vec[n++] = p;
    p = strchr(p, '\t');
    if (p) *p++ = '\0';
  }
  vec[n] = NULL;
  return n;
}

static int restart_policy(const char *s) {
  if (strcmp(s, "no") == 0) return RESTART_NO;
  if (strcmp(s, "on-failure") == 0) return RESTART_ON_FAILURE;
  if (strcmp(s, "always") == 0) return RESTART_ALWAYS;
  if (strcmp(s, "unless-stopped") == 0) return RESTART_UNLESS_STOPPED;
  return -1;
}

int mon_read_config(const char *path, struct mon_config *cfg, char *why, size_t whylen) {
  memset(cfg, 0, sizeof *cfg);
  cfg->log_max_files = 1;
  char *text = mon_read_file(path, NULL);
  if (!text) {
    snprintf(why, whylen, "cannot read %s: %s", path, strerror(errno));
    return -1;
  }
  for (char *line = text; line && *line;) {
    char *next = strchr(line, '\n');
    if (next) *next++ = '\0';
    char *v[MON_MAX_ARGS + 2];
    int n = split(line, v, MON_MAX_ARGS + 2);
    const char *key = v[0];
    if (n < 2) {
      snprintf(why, whylen, "bad config line '%s'", line);
      return -1;
    }
    if (strcmp(key, "id") == 0) cfg->id = v[1];
    else if (strcmp(key, "program") == 0) cfg->program = v[1];
    else if (strcmp(key, "state") == 0) cfg->state = v[1];
    else if (strcmp(key, "log") == 0) cfg->log = v[1];
    else if (strcmp(key, "attach") == 0) cfg->attach = v[1];
    else if (strcmp(key, "stop-marker") == 0) cfg->stop_marker = v[1];
    else if (strcmp(key, "log-max-size") == 0) cfg->log_max_size = atoll(v[1]);
    else if (strcmp(key, "log-max-files") == 0) cfg->log_max_files = atoi(v[1]);
    else if (strcmp(key, "open-stdin") == 0) cfg->open_stdin = atoi(v[1]);
    else if (strcmp(key, "tty") == 0) cfg->tty = atoi(v[1]);
    else if (strcmp(key, "wait-attach") == 0) cfg->wait_attach = atoi(v[1]);
    else if (strcmp(key, "userns") == 0) {
      cfg->join_userns = strcmp(v[1], "join") == 0;
      if (!cfg->join_userns && strcmp(v[1], "new") != 0) {
        snprintf(why, whylen, "bad userns '%s': new or join", v[1]);
        return -1;
      }
    }
    else if (strcmp(key, "uid-map") == 0) cfg->uid_map_text = v[1];
    else if (strcmp(key, "gid-map") == 0) cfg->gid_map_text = v[1];
    else if (strcmp(key, "restart") == 0 && n == 3) {
      cfg->restart = restart_policy(v[1]);
      cfg->restart_max = atoi(v[2]);
      if (cfg->restart < 0) {
        snprintf(why, whylen, "bad restart policy '%s'", v[1]);
        return -1;
      }
    } else if (strcmp(key, "net-log") == 0) cfg->net_log = v[1];
    else if (strcmp(key, "net-api") == 0) cfg->net_api = v[1];
    else if (strcmp(key, "cgroup") == 0) cfg->cgroup = v[1];
    else if (strcmp(key, "net-request") == 0) {
      if (cfg->net_nrequests == MON_MAX_REQUESTS) {
        snprintf(why, whylen, "more than %d net-request lines", MON_MAX_REQUESTS);
        return -1;
      }
      cfg->net_requests[cfg->net_nrequests++] = v[1];
    } else if (strcmp(key, "newuidmap") == 0 || strcmp(key, "newgidmap") == 0 ||
               strcmp(key, "on-exit") == 0 || strcmp(key, "net-helper") == 0) {
      char **dst = strcmp(key, "on-exit") == 0      ? cfg->on_exit
                   : strcmp(key, "net-helper") == 0 ? cfg->net_helper
                   : strcmp(key, "newuidmap") == 0  ? cfg->uidmap
                                                    : cfg->gidmap;
      for (int i = 1; i < n; i++) dst[i - 1] = v[i];
      dst[n - 1] = NULL;
    } else {
      snprintf(why, whylen, "unknown config key '%s'", key);
      return -1;
    }
    line = next;
  }
  if (!cfg->id || !cfg->program || !cfg->state || !cfg->log) {
    snprintf(why, whylen, "config %s lacks id, program, state or log", path);
    return -1;
  }
  if (cfg->join_userns && (cfg->uidmap[0] || cfg->gidmap[0] || cfg->uid_map_text)) {
    snprintf(why, whylen, "config %s both joins a user namespace and maps ids", path);
    return -1;
  }
  if (cfg->net_nrequests > 0 && (!cfg->net_api || !cfg->net_helper[0])) {
    snprintf(why, whylen, "config %s has net-request lines without net-helper and net-api", path);
    return -1;
  }
  if (cfg->log_max_files < 1) cfg->log_max_files = 1;
  /* Map texts travel with ';' for newlines. */
  for (char *p = cfg->uid_map_text; p && *p; p++) if (*p == ';') *p = '\n';
  for (char *p = cfg->gid_map_text; p && *p; p++) if (*p == ';') *p = '\n';
  return 0;
}
