/*
 * nook-monitor: the small process that keeps one detached container.
 *
 * TypeScript plans the container (the same step program `nook run` uses),
 * writes it and a config file into the container's runtime directory, and
 * starts `nook-monitor CONFIG`. The monitor detaches from the CLI, starts the
 * container through the shim's spawn code, reports "ok PID START" or the
 * failure to the CLI on its stdout, then holds the container's stdio: it writes
 * the log, serves attach clients, records the exit in the state file, applies
 * the restart policy, and finally runs the on-exit command (e.g. `nook rm` for
 * --rm). It never links the runtime; it needs a few hundred KB of memory.
 * The config, the report and the state file: monitor_protocol.h.
 */
#ifndef NOOK_MONITOR_H
#define NOOK_MONITOR_H

#include <stddef.h>
#include <stdint.h>

#include "monitor_protocol.h"

#define MON_MAX_CLIENTS 16

enum restart_policy { RESTART_NO, RESTART_ON_FAILURE, RESTART_ALWAYS, RESTART_UNLESS_STOPPED };

struct mon_config {
  char *id;
  char *program;     /* the step program (binary) */
  char *state;       /* the state file, replaced atomically at each change */
  char *log;         /* the log file (k8s-file lines: TIME STREAM F|P TEXT) */
  char *attach;      /* the attach socket path, or NULL */
  char *stop_marker; /* present when a user stopped the container: no restart */
  long long log_max_size; /* bytes, 0: no limit */
  int log_max_files;      /* files kept with rotation (>= 1) */
  int restart;
  int restart_max; /* on-failure:N, 0: no limit */
  int open_stdin;
  int tty;
  int wait_attach; /* wait (at most 10 s) for the first attach client before starting */
  char *uidmap[MON_MAX_ARGS]; /* newuidmap PATH ARGS (the pid is put after PATH) */
  char *gidmap[MON_MAX_ARGS];
  int join_userns; /* "userns join": the program joins an existing user namespace, no maps */
  char *uid_map_text; /* single mapping: written to /proc/PID/uid_map directly */
  char *gid_map_text;
  char *on_exit[MON_MAX_ARGS]; /* exec'd after the final exit */
  char *net_helper[MON_MAX_ARGS]; /* network helper argv ("{pid}": the container's pid), or none */
  char *net_log;                  /* the helper's stderr */
  char *net_api;                  /* slirp4netns's API socket, where net_requests go */
  char *net_requests[MON_MAX_REQUESTS]; /* sent once the helper is ready (port forwards) */
  int net_nrequests;
  char *cgroup; /* the container's own cgroup directory, or NULL */
  char *events; /* the event journal, or NULL: no events */
  char *event_attributes; /* JSON object members ("name":"web",...), or NULL */
};

/* config.c */
/* A whole file (at most 16 MB, NUL-terminated), or NULL; LEN gets its size. */
char *mon_read_file(const char *path, size_t *len);
int mon_read_config(const char *path, struct mon_config *cfg, char *why, size_t whylen);

/* net.c: the container's network helper (slirp4netns, pasta), started between the id maps
   and the release of each container process, and ended with it. */
struct mon_net {
  pid_t pid;   /* 0 when none (or reaped) */
  int exit_fd; /* closing it tells slirp4netns to exit */
};
/* Starts the helper for TARGET and waits until it is ready; on failure WHY gets the report's
   failure (MON_FAIL_NET and a MON_NET_* kind with its fields) and nothing is left. */
int net_start(struct mon_net *n, const struct mon_config *cfg, pid_t target, char *why,
              size_t whylen);
/* Kills and reaps the helper (if it has not been reaped already). */
void net_stop(struct mon_net *n);
/* WHY in words for the log (a net_start report, or WHY itself for other failures). */
const char *net_failure_text(const struct mon_config *cfg, const char *why, char *out,
                             size_t len);

/* cgroup.c: the container's cgroup. */
/* Opens PATH (making it again when it is gone) and puts the fd into the program's header:
   the next nook_spawn clones into it. The fd (close it after the spawn), or -errno. */
int cgroup_attach_program(uint8_t *prog, uint32_t len, const char *path);
/* Removes PATH once it is empty (retrying for up to 2 s while it is busy). */
void cgroup_remove(const char *path);
/* How many processes the OOM killer ended in the cgroup PATH (memory.events), or -1. */
long long cgroup_oom_kills(const char *path);

/* log.c: one writer for both streams. */
struct mon_log {
  int fd;
  long long size;
  const struct mon_config *cfg;
  char partial[2][16384]; /* an unfinished line per stream */
  size_t partial_len[2];
};
void log_open(struct mon_log *l, const struct mon_config *cfg);
void log_write(struct mon_log *l, int stream, const char *buf, size_t n);
void log_flush(struct mon_log *l, int stream);

/* attach.c: clients of the attach socket. */
struct mon_attach {
  int listen_fd;
  int fds[MON_MAX_CLIENTS];
  uint8_t hdr[MON_MAX_CLIENTS][5];
  uint32_t hdr_got[MON_MAX_CLIENTS];
  uint32_t body_left[MON_MAX_CLIENTS];
  uint8_t body_type[MON_MAX_CLIENTS];
  char resize[MON_MAX_CLIENTS][32];
  uint32_t resize_got[MON_MAX_CLIENTS];
};
enum attach_frame { FRAME_STDIN = 0, FRAME_STDIN_CLOSE = 1, FRAME_RESIZE = 2 };
enum attach_stream { STREAM_STDOUT = 1, STREAM_STDERR = 2, STREAM_EXIT = 3 };
int attach_listen(struct mon_attach *a, const char *path);
void attach_accept(struct mon_attach *a);
void attach_broadcast(struct mon_attach *a, int stream, const char *buf, size_t n);
/* Reads what client K sent; calls back with stdin bytes, a close, or a resize. */
struct attach_sink {
  void (*data)(void *ctx, const char *buf, size_t n);
  void (*close_stdin)(void *ctx);
  void (*resize)(void *ctx, unsigned rows, unsigned cols);
  void *ctx;
};
void attach_read(struct mon_attach *a, int k, const struct attach_sink *sink);
void attach_close_all(struct mon_attach *a, const char *path);


/* util */
int64_t now_ns(void);
int proc_start_time(int pid, char *out, size_t len);
int write_all(int fd, const void *buf, size_t n);

#endif
