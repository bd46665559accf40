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
  if (strcmp(s, MON_RESTART_NO) == 0) return RESTART_NO;
  if (strcmp(s, MON_RESTART_ON_FAILURE) == 0) return RESTART_ON_FAILURE;
  if (strcmp(s, MON_RESTART_ALWAYS) == 0) return RESTART_ALWAYS;
  if (strcmp(s, MON_RESTART_UNLESS_STOPPED) == 0) return RESTART_UNLESS_STOPPED;
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
    if (strcmp(key, MON_KEY_ID) == 0) cfg->id = v[1];
    else if (strcmp(key, MON_KEY_PROGRAM) == 0) cfg->program = v[1];
    else if (strcmp(key, MON_KEY_STATE) == 0) cfg->state = v[1];
    else if (strcmp(key, MON_KEY_LOG) == 0) cfg->log = v[1];
    else if (strcmp(key, MON_KEY_ATTACH) == 0) cfg->attach = v[1];
    else if (strcmp(key, MON_KEY_STOP_MARKER) == 0) cfg->stop_marker = v[1];
    else if (strcmp(key, MON_KEY_LOG_MAX_SIZE) == 0) cfg->log_max_size = atoll(v[1]);
    else if (strcmp(key, MON_KEY_LOG_MAX_FILES) == 0) cfg->log_max_files = atoi(v[1]);
    else if (strcmp(key, MON_KEY_OPEN_STDIN) == 0) cfg->open_stdin = atoi(v[1]);
    else if (strcmp(key, MON_KEY_TTY) == 0) cfg->tty = atoi(v[1]);
    else if (strcmp(key, MON_KEY_WAIT_ATTACH) == 0) cfg->wait_attach = atoi(v[1]);
    else if (strcmp(key, MON_KEY_USERNS) == 0) {
      cfg->join_userns = strcmp(v[1], MON_USERNS_JOIN) == 0;
      if (!cfg->join_userns && strcmp(v[1], MON_USERNS_NEW) != 0) {
        snprintf(why, whylen, "bad userns '%s': " MON_USERNS_NEW " or " MON_USERNS_JOIN, v[1]);
        return -1;
      }
    }
    else if (strcmp(key, MON_KEY_UID_MAP) == 0) cfg->uid_map_text = v[1];
    else if (strcmp(key, MON_KEY_GID_MAP) == 0) cfg->gid_map_text = v[1];
    else if (strcmp(key, MON_KEY_RESTART) == 0 && n == 3) {
      cfg->restart = restart_policy(v[1]);
      cfg->restart_max = atoi(v[2]);
      if (cfg->restart < 0) {
        snprintf(why, whylen, "bad restart policy '%s'", v[1]);
        return -1;
      }
    } else if (strcmp(key, MON_KEY_NET_LOG) == 0) cfg->net_log = v[1];
    else if (strcmp(key, MON_KEY_NET_API) == 0) cfg->net_api = v[1];
    else if (strcmp(key, MON_KEY_CGROUP) == 0) cfg->cgroup = v[1];
    else if (strcmp(key, MON_KEY_EVENTS) == 0) cfg->events = v[1];
    else if (strcmp(key, MON_KEY_EVENT_ATTRIBUTES) == 0) cfg->event_attributes = v[1];
    else if (strcmp(key, MON_KEY_NET_REQUEST) == 0) {
      if (cfg->net_nrequests == MON_MAX_REQUESTS) {
        snprintf(why, whylen, "more than %d " MON_KEY_NET_REQUEST " lines", MON_MAX_REQUESTS);
        return -1;
      }
      cfg->net_requests[cfg->net_nrequests++] = v[1];
    } else if (strcmp(key, MON_KEY_NEWUIDMAP) == 0 || strcmp(key, MON_KEY_NEWGIDMAP) == 0 ||
               strcmp(key, MON_KEY_ON_EXIT) == 0 || strcmp(key, MON_KEY_NET_HELPER) == 0) {
      char **dst = strcmp(key, MON_KEY_ON_EXIT) == 0      ? cfg->on_exit
                   : strcmp(key, MON_KEY_NET_HELPER) == 0 ? cfg->net_helper
                   : strcmp(key, MON_KEY_NEWUIDMAP) == 0  ? cfg->uidmap
                                                          : cfg->gidmap;
      if (n > MON_MAX_ARGS) { /* the values and the NULL after them must fit */
        snprintf(why, whylen, "more than %d values for '%s'", MON_MAX_ARGS - 1, key);
        return -1;
      }
      for (int i = 1; i < n; i++) dst[i - 1] = v[i];
      dst[n - 1] = NULL;
    } else {
      snprintf(why, whylen, "unknown config key '%s'", key);
      return -1;
    }
    line = next;
  }
  if (!cfg->id || !cfg->program || !cfg->state || !cfg->log) {
    snprintf(why, whylen,
             "config %s lacks " MON_KEY_ID ", " MON_KEY_PROGRAM ", " MON_KEY_STATE " or " MON_KEY_LOG,
             path);
    return -1;
  }
  if (cfg->join_userns && (cfg->uidmap[0] || cfg->gidmap[0] || cfg->uid_map_text)) {
    snprintf(why, whylen, "config %s both joins a user namespace and maps ids", path);
    return -1;
  }
  if (cfg->net_nrequests > 0 && (!cfg->net_api || !cfg->net_helper[0])) {
    snprintf(why, whylen, "config %s has " MON_KEY_NET_REQUEST " lines without " MON_KEY_NET_HELPER
             " and " MON_KEY_NET_API, path);
    return -1;
  }
  if (cfg->log_max_files < 1) cfg->log_max_files = 1;
  /* Map texts travel with MON_MAP_NEWLINE for newlines. */
  for (char *p = cfg->uid_map_text; p && *p; p++) if (*p == MON_MAP_NEWLINE) *p = '\n';
  for (char *p = cfg->gid_map_text; p && *p; p++) if (*p == MON_MAP_NEWLINE) *p = '\n';
  return 0;
}
