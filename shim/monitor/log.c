/*
 * The container log, in the k8s-file format podman uses:
 *   2026-11-24T16:10:59.123456789Z stdout F a whole line
 *   2026-11-24T16:10:59.123456789Z stderr P the start of a long or unfinished line
 * F ends a line, P continues on the next record of the same stream. With a
 * size limit the file is rotated: log -> log.1 -> ... -> log.(N-1).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "monitor.h"

static const char *STREAM_NAME[2] = {"stdout", "stderr"};

void log_open(struct mon_log *l, const struct mon_config *cfg) {
  l->cfg = cfg;
  l->fd = open(cfg->log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  struct stat st;
  l->size = l->fd >= 0 && fstat(l->fd, &st) == 0 ? (long long)st.st_size : 0;
}

static void rotate(struct mon_log *l) {
  const struct mon_config *cfg = l->cfg;
  char from[4096], to[4096];
  if (cfg->log_max_files <= 1) {
    if (ftruncate(l->fd, 0) == 0) l->size = 0;
    return;
  }
  for (int i = cfg->log_max_files - 1; i >= 1; i--) {
    if (i == 1) snprintf(from, sizeof from, "%s", cfg->log);
    else snprintf(from, sizeof from, "%s.%d", cfg->log, i - 1);
    snprintf(to, sizeof to, "%s.%d", cfg->log, i);
    (void)rename(from, to);
  }
  close(l->fd);
  log_open(l, cfg);
}

static void record(struct mon_log *l, int stream, char kind, const char *text, size_t n) {
  if (l->fd < 0) return;
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  struct tm tm;
  gmtime_r(&ts.tv_sec, &tm);
  char head[96];
  int h = snprintf(head, sizeof head, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ %s %c ",
                   tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                   tm.tm_sec, ts.tv_nsec, STREAM_NAME[stream], kind);
  long long need = h + (long long)n + 1;
  if (l->cfg->log_max_size > 0 && l->size > 0 && l->size + need > l->cfg->log_max_size) rotate(l);
  char line[96 + sizeof l->partial[0] + 1];
  memcpy(line, head, (size_t)h);
  memcpy(line + h, text, n);
  line[h + n] = '\n';
  if (write_all(l->fd, line, (size_t)h + n + 1) == 0) l->size += need;
}

void log_write(struct mon_log *l, int stream, const char *buf, size_t n) {
  char *part = l->partial[stream];
  size_t *len = &l->partial_len[stream];
  while (n > 0) {
    const char *nl = memchr(buf, '\n', n);
    size_t take = nl ? (size_t)(nl - buf) : n;
    size_t room = sizeof l->partial[0] - *len;
    if (take >= room) { /* a long line: write what fits as a partial record */
      memcpy(part + *len, buf, room);
      record(l, stream, 'P', part, sizeof l->partial[0]);
      *len = 0;
      buf += room;
      n -= room;
      continue;
    }
    memcpy(part + *len, buf, take);
    *len += take;
    if (!nl) return;
    record(l, stream, 'F', part, *len);
    *len = 0;
    buf += take + 1;
    n -= take + 1;
  }
}

void log_flush(struct mon_log *l, int stream) {
  if (l->partial_len[stream] == 0) return;
  record(l, stream, 'P', l->partial[stream], l->partial_len[stream]);
  l->partial_len[stream] = 0;
}
