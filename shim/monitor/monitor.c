/* nook-monitor CONFIG: see monitor.h. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../src/nook_shim.h"
#include "monitor.h"

/* The report line of a MON_FAIL_OTHER failure worded by FORMAT. */
#define REPORT_OTHER(format) MON_REPORT_FAIL " " MON_FAIL_OTHER " " format "\n"

struct monitor {
  struct mon_config cfg;
  uint8_t *prog;
  uint32_t prog_len;
  int devnull;
  int sfd;
  pid_t pid;   /* the container's first process, 0 when none */
  int pidfd;
  int out_r, err_r; /* output pipes, or out_r = the pty master */
  int in_w;         /* the container's stdin, -1 when closed */
  int restarts;
  long long oom_kills; /* the OOM killer's kills in the container's cgroup so far, -1: unknown */
  int64_t started;
  char pid_start[32];
  char self_start[32];
  char boot[64];
  struct mon_log log;
  struct mon_attach attach;
  struct mon_net net; /* the network helper of the current container process */
};

int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int write_all(int fd, const void *buf, size_t n) {
  const char *p = buf;
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

static int read_small(const char *path, char *out, size_t len) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = read(fd, out, len - 1);
  close(fd);
  if (n < 0) return -1;
  out[n] = '\0';
  return (int)n;
}

/* Field 22 of /proc/PID/stat: when the process started, in clock ticks since boot. */
int proc_start_time(int pid, char *out, size_t len) {
  char path[64], stat[1024];
  snprintf(path, sizeof path, "/proc/%d/stat", pid);
  if (read_small(path, stat, sizeof stat) < 0) return -1;
  char *p = strrchr(stat, ')');
  for (int field = 2; p && field < 22; field++) p = strchr(p + 1, ' ');
  if (!p) return -1;
  size_t n = strcspn(p + 1, " ");
  if (n >= len) return -1;
  memcpy(out, p + 1, n);
  out[n] = '\0';
  return 0;
}

/* The state file, replaced atomically: written, synced, renamed. */
static void write_state(struct monitor *m, const char *status, int code) {
  long long oom = cgroup_oom_kills(m->cfg.cgroup);
  if (oom >= 0) m->oom_kills = oom; /* the last count stays once the cgroup is gone */
  char text[1024];
  int n = snprintf(text, sizeof text,
                   MON_STATE_STATUS " %s\n" MON_STATE_PID " %d\n" MON_STATE_PID_START " %s\n"
                   MON_STATE_MONITOR " %d\n" MON_STATE_MONITOR_START " %s\n" MON_STATE_BOOT
                   " %s\n" MON_STATE_STARTED " %lld\n" MON_STATE_RESTARTS " %d\n",
                   status, (int)m->pid, m->pid_start[0] ? m->pid_start : MON_NONE, (int)getpid(),
                   m->self_start, m->boot, (long long)m->started, m->restarts);
  if (m->oom_kills >= 0)
    n += snprintf(text + n, sizeof text - (size_t)n, MON_STATE_OOM_KILLS " %lld\n", m->oom_kills);
  if (code >= 0)
    n += snprintf(text + n, sizeof text - (size_t)n,
                  MON_STATE_EXIT_CODE " %d\n" MON_STATE_FINISHED " %lld\n", code,
                  (long long)now_ns());
  char tmp[4200];
  snprintf(tmp, sizeof tmp, "%s.tmp-%d", m->cfg.state, (int)getpid());
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return;
  int ok = write_all(fd, text, (size_t)n) == 0 && fsync(fd) == 0;
  close(fd);
  if (!ok || rename(tmp, m->cfg.state) < 0) (void)unlink(tmp);
}

/* Appends the container's event ACTION to the journal; CODE >= 0 adds the exit code and how
   long it ran. One write with O_APPEND of a line shorter than PIPE_BUF: lines never mix. */
static void write_event(struct monitor *m, const char *action, int code) {
  if (!m->cfg.events) return;
  const char *attrs = m->cfg.event_attributes ? m->cfg.event_attributes : "";
  int64_t t = now_ns();
  char line[MON_EVENT_MAX_LINE], extra[128] = "";
  if (code >= 0)
    snprintf(extra, sizeof extra, "\"" MON_EVENT_ATTR_EXIT_CODE "\":\"%d\",\"" MON_EVENT_ATTR_EXEC_DURATION
             "\":\"%lld\"%s", code, (long long)((t - m->started) / 1000000000), *attrs ? "," : "");
  for (int pass = 0; pass < 2; pass++) {
    int n = snprintf(line, sizeof line,
                     "{\"Type\":\"container\",\"Action\":\"%s\",\"Actor\":{\"ID\":\"%s\","
                     "\"Attributes\":{%s%s}},\"scope\":\"local\",\"time\":%lld,\"timeNano\":%lld}\n",
                     action, m->cfg.id, extra, pass == 0 ? attrs : "", (long long)(t / 1000000000),
                     (long long)t);
    if (n < 0) return;
    if ((size_t)n >= sizeof line) { /* too long to append at once: without the attributes */
      size_t len = strlen(extra);
      if (len > 0 && extra[len - 1] == ',') extra[len - 1] = '\0';
      continue;
    }
    int fd = open(m->cfg.events, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return;
    (void)write_all(fd, line, (size_t)n);
    close(fd);
    return;
  }
}

/* Runs newuidmap/newgidmap for PID: ARGV is the helper and its ranges. */
static int run_map_helper(char *const *argv, pid_t pid, char *why, size_t whylen) {
  uint8_t blob[4096];
  uint32_t len = 0, argc = 0;
  char pidstr[16];
  snprintf(pidstr, sizeof pidstr, "%d", (int)pid);
  for (int i = 0; argv[i]; i++) {
    const char *parts[2] = {argv[i], i == 0 ? pidstr : NULL};
    for (int k = 0; k < 2 && parts[k]; k++) {
      size_t l = strlen(parts[k]) + 1;
      if (len + l > sizeof blob) return -1;
      memcpy(blob + len, parts[k], l);
      len += (uint32_t)l;
      argc++;
    }
  }
  uint8_t err[512];
  int st = nook_run_helper(blob, len, argc, err, sizeof err);
  if (st == 0) return 0;
  char *last = (char *)err;
  for (char *p = (char *)err; *p; p++)
    if (*p == '\n' && p[1]) last = p + 1;
  last[strcspn(last, "\n")] = '\0';
  if (st < 0) snprintf(why, whylen, "cannot run '%s': %s", argv[0], strerror(-st));
  else snprintf(why, whylen, "'%s' failed: %s", argv[0], *last ? last : "no message");
  return -1;
}

static int write_proc(pid_t pid, const char *file, const char *text, char *why, size_t whylen) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, file);
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  int ok = fd >= 0 && write_all(fd, text, strlen(text)) == 0;
  int e = errno;
  if (fd >= 0) close(fd);
  if (!ok) snprintf(why, whylen, "cannot write %s: %s", path, strerror(e));
  return ok ? 0 : -1;
}

static int write_id_maps(struct monitor *m, char *why, size_t whylen) {
  const struct mon_config *c = &m->cfg;
  if (c->join_userns) return 0; /* the program joins a user namespace that has its maps */
  if (c->uidmap[0] && run_map_helper(c->uidmap, m->pid, why, whylen) < 0) return -1;
  if (c->gidmap[0] && run_map_helper(c->gidmap, m->pid, why, whylen) < 0) return -1;
  if (c->uid_map_text) {
    if (write_proc(m->pid, "setgroups", "deny", why, whylen) < 0) return -1;
    if (write_proc(m->pid, "uid_map", c->uid_map_text, why, whylen) < 0) return -1;
    if (write_proc(m->pid, "gid_map", c->gid_map_text ? c->gid_map_text : "", why, whylen) < 0)
      return -1;
  }
  return 0;
}

static void reap_now(pid_t pid) {
  int st;
  while (waitpid(pid, &st, __WALL) < 0 && errno == EINTR) {
  }
}

/* Starts the container; on failure writes the report's failure into WHY: a MON_FAIL_* kind
   and its fields (see monitor_protocol.h). */
static int start_container(struct monitor *m, char *why, size_t whylen) {
  int out[2] = {-1, -1}, err[2] = {-1, -1}, in[2] = {-1, -1};
  int cgfd = -1;
  if (m->cfg.cgroup) {
    cgfd = cgroup_attach_program(m->prog, m->prog_len, m->cfg.cgroup);
    if (cgfd < 0) {
      snprintf(why, whylen, MON_FAIL_CGROUP " %d", -cgfd);
      return -1;
    }
  }
  if (!m->cfg.tty) {
    if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0 ||
        (m->cfg.open_stdin && pipe2(in, O_CLOEXEC) < 0)) {
      snprintf(why, whylen, MON_FAIL_OTHER " cannot make pipes: %s", strerror(errno));
      if (cgfd >= 0) close(cgfd);
      return -1;
    }
    /* The child inherits fds 0-2 as its stdio (the program leaves them as they are). */
    dup2(in[0] >= 0 ? in[0] : m->devnull, 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
  }
  int32_t res[3];
  int r = nook_spawn(m->prog, m->prog_len, res);
  if (cgfd >= 0) close(cgfd);
  for (int fd = 0; fd < 3; fd++) dup2(m->devnull, fd);
  if (in[0] >= 0) close(in[0]);
  if (out[1] >= 0) close(out[1]);
  if (err[1] >= 0) close(err[1]);
  m->out_r = out[0];
  m->err_r = err[0];
  m->in_w = in[1];
  if (r < 0) {
    snprintf(why, whylen, MON_FAIL_CLONE " %d", -r);
    return -1;
  }
  m->pid = res[0];
  m->pidfd = res[1];
  char maperr[600];
  if (write_id_maps(m, maperr, sizeof maperr) < 0) {
    close(res[2]); /* the child reads EOF and exits */
    reap_now(m->pid);
    snprintf(why, whylen, MON_FAIL_MAP " %s", maperr);
    return -1;
  }
  /* The network is up before the command runs. */
  if (net_start(&m->net, &m->cfg, m->pid, why, whylen) < 0) {
    close(res[2]);
    reap_now(m->pid);
    return -1;
  }
  int32_t rel[NOOK_REL_COUNT];
  r = nook_release(res[2], rel);
  if (r == 0 && rel[NOOK_REL_PID] > 0) {
    /* The program joined a namespace and cloned a sibling (NOOK_OP_CLONE), which is our
     * child too: it is the container from now on; the first child has exited. */
    reap_now(m->pid);
    if (m->pidfd >= 0) close(m->pidfd);
    m->pid = rel[NOOK_REL_PID];
    m->pidfd = rel[NOOK_REL_PIDFD];
  }
  if (r < 0 || rel[NOOK_REL_RESULT] != 0) {
    if (rel[NOOK_REL_PTY_FD] >= 0) close(rel[NOOK_REL_PTY_FD]);
    reap_now(m->pid);
    net_stop(&m->net);
    if (r < 0)
      snprintf(why, whylen, MON_FAIL_OTHER " cannot start the container: %s", strerror(-r));
    else if (rel[NOOK_REL_RESULT] == 1)
      snprintf(why, whylen, MON_FAIL_STEP " %d %d %d", rel[NOOK_REL_STEP], rel[NOOK_REL_OP],
               rel[NOOK_REL_ERRNO]);
    else
      snprintf(why, whylen, MON_FAIL_OTHER " the container's first process died during setup");
    return -1;
  }
  if (m->cfg.tty) {
    m->out_r = rel[NOOK_REL_PTY_FD];
    m->in_w = m->cfg.open_stdin ? m->out_r : -1;
  }
  m->started = now_ns();
  if (proc_start_time(m->pid, m->pid_start, sizeof m->pid_start) < 0) m->pid_start[0] = '\0';
  write_state(m, MON_STATUS_RUNNING, -1);
  return 0;
}

static void close_fd(int *fd) {
  if (*fd >= 0) close(*fd);
  *fd = -1;
}

/* Attach input. */
static void on_stdin(void *ctx, const char *buf, size_t n) {
  struct monitor *m = ctx;
  if (m->in_w >= 0 && write_all(m->in_w, buf, n) < 0 && !m->cfg.tty) close_fd(&m->in_w);
}
static void on_stdin_close(void *ctx) {
  struct monitor *m = ctx;
  if (m->cfg.tty) {
    if (m->in_w >= 0) (void)write_all(m->in_w, "\x04", 1); /* ^D: EOF for the terminal */
    return;
  }
  close_fd(&m->in_w);
}
static void on_resize(void *ctx, unsigned rows, unsigned cols) {
  struct monitor *m = ctx;
  if (!m->cfg.tty || m->out_r < 0) return;
  struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
  (void)ioctl(m->out_r, TIOCSWINSZ, &ws);
}

/* Moves what one output fd has into the log and to attach clients; 0 at EOF. */
static int pump(struct monitor *m, int *fd, int stream) {
  char buf[65536];
  ssize_t n = read(*fd, buf, sizeof buf);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return 1;
  if (n <= 0) { /* EOF, or EIO from a pty whose other side is gone */
    log_flush(&m->log, stream);
    if (m->cfg.tty && *fd == m->in_w) m->in_w = -1;
    close_fd(fd);
    return 0;
  }
  log_write(&m->log, stream, buf, (size_t)n);
  attach_broadcast(&m->attach, stream + 1, buf, (size_t)n);
  return 1;
}

static int exit_code(int st) {
  if (WIFEXITED(st)) return WEXITSTATUS(st);
  if (WIFSIGNALED(st)) return 128 + WTERMSIG(st);
  return 125;
}

static int stop_requested(const struct monitor *m) {
  return m->cfg.stop_marker && access(m->cfg.stop_marker, F_OK) == 0;
}

/* `nook restart` stops the container with MON_STOP_RESTART in the marker: it starts it again
   at once, so the on-exit command (`nook rm` for --rm) must not run. */
static int restart_requested(const struct monitor *m) {
  char text[16];
  size_t len = strlen(MON_STOP_RESTART);
  return m->cfg.stop_marker && read_small(m->cfg.stop_marker, text, sizeof text) >= (int)len &&
         strncmp(text, MON_STOP_RESTART, len) == 0;
}

static int should_restart(const struct monitor *m, int code) {
  if (stop_requested(m)) return 0;
  switch (m->cfg.restart) {
  case RESTART_ON_FAILURE:
    return code != 0 && (m->cfg.restart_max == 0 || m->restarts < m->cfg.restart_max);
  case RESTART_ALWAYS:
  case RESTART_UNLESS_STOPPED:
    return 1;
  default:
    return 0;
  }
}

/* Serves output, input and signals until the container's first process is reaped. */
static int serve(struct monitor *m) {
  int status = -1;
  int64_t drain_until = 0;
  for (;;) {
    struct pollfd p[4 + MON_MAX_CLIENTS];
    int np = 0;
    p[np++] = (struct pollfd){.fd = status < 0 ? m->sfd : -1, .events = POLLIN};
    p[np++] = (struct pollfd){.fd = m->out_r, .events = POLLIN};
    p[np++] = (struct pollfd){.fd = m->err_r, .events = POLLIN};
    p[np++] = (struct pollfd){.fd = m->attach.listen_fd, .events = POLLIN};
    for (int k = 0; k < MON_MAX_CLIENTS; k++)
      p[np++] = (struct pollfd){.fd = m->attach.fds[k], .events = POLLIN};
    if (status >= 0 && m->out_r < 0 && m->err_r < 0) return status;
    int timeout = -1;
    if (status >= 0) {
      int64_t left = (drain_until - now_ns()) / 1000000;
      if (left <= 0) return status; /* something in the container still holds its output */
      timeout = (int)left;
    }
    int r = poll(p, (nfds_t)np, timeout);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return status >= 0 ? status : 125;
    if (p[0].revents & POLLIN) {
      struct signalfd_siginfo si;
      if (read(m->sfd, &si, sizeof si) == (ssize_t)sizeof si) {
        if (si.ssi_signo == SIGCHLD) {
          int st;
          pid_t w;
          while ((w = waitpid(-1, &st, WNOHANG | __WALL)) > 0) {
            if (w == m->pid) {
              status = exit_code(st);
              drain_until = now_ns() + 2000000000LL;
            }
            if (w == m->net.pid) m->net.pid = 0; /* the helper died: nothing to end later */
          }
        } else if (m->pidfd >= 0) {
          (void)syscall(SYS_pidfd_send_signal, m->pidfd, (int)si.ssi_signo, NULL, 0);
        }
      }
    }
    if (p[1].revents) pump(m, &m->out_r, 0);
    if (p[2].revents) pump(m, &m->err_r, 1);
    if (p[3].revents & POLLIN) attach_accept(&m->attach);
    struct attach_sink sink = {on_stdin, on_stdin_close, on_resize, m};
    for (int k = 0; k < MON_MAX_CLIENTS; k++)
      if (p[4 + k].revents && m->attach.fds[k] >= 0) attach_read(&m->attach, k, &sink);
  }
}

static void sleep_ms(long ms) {
  struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
  }
}

/* Whether FILE (pid and start time) still names this process. */
static int anchor_named(const char *file) {
  char buf[64];
  int fd = open(file, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno != ENOENT && errno != ENOTDIR; /* gone: no run finds it any more */
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n < 0) return 1;
  buf[n] = '\0';
  return strtol(buf, NULL, 10) == (long)getpid();
}

/* `nook-monitor --anchor FILE`: the process that holds the user namespace foreground runs
 * share (lib/runtime/userns_anchor.ts). It detaches as a monitor does, writes the pid that
 * stays on stdout and then holds nothing open, until FILE no longer names it (removed with
 * its runtime directory, or naming a newer anchor) or it is killed. */
static int anchor_main(const char *file) {
  char dir[4096];
  size_t len = strlen(file);
  const char *slash = strrchr(file, '/');
  if (!slash || slash == file || len >= sizeof dir) return 2;
  memcpy(dir, file, (size_t)(slash - file));
  dir[slash - file] = '\0';
  int in = inotify_init1(IN_CLOEXEC);
  if (in < 0 || inotify_add_watch(in, dir, IN_CREATE | IN_MOVED_TO | IN_DELETE | IN_MOVED_FROM |
                                               IN_DELETE_SELF | IN_MOVE_SELF) < 0) {
    return 1;
  }
  pid_t first = fork();
  if (first < 0) return 1;
  if (first > 0) _exit(0);
  (void)setsid();
  (void)prctl(PR_SET_NAME, MON_ANCHOR_NAME, 0, 0, 0);
  if (chdir("/") < 0) return 1;
  printf("%d\n", (int)getpid());
  if (fflush(stdout) != 0) return 1;
  int null = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null < 0) return 1;
  for (int fd = 0; fd < 3; fd++) (void)dup2(null, fd);
  close(null);
  /* nook writes FILE once it has checked this process: until then, it may be missing. */
  int named = 0;
  for (;;) {
    char events[4096];
    ssize_t n = read(in, events, sizeof events);
    if (n < 0 && errno != EINTR) return 1;
    int now = anchor_named(file);
    if (named && !now) return 0;
    if (now) named = 1;
    if (!named) {
      /* Not yet written: a nook that gave up (it died, or found this one unfit) writes none. */
      struct stat st;
      if (stat(dir, &st) < 0) return 0;
    }
  }
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "--anchor") == 0) return anchor_main(argv[2]);
  if (argc != 2) {
    fprintf(stderr, "usage: nook-monitor CONFIG (started by nook, not by hand)\n");
    return 2;
  }
  /* Detach from the CLI: the first process exits at once, the second is reparented. */
  pid_t first = fork();
  if (first < 0) {
    printf(REPORT_OTHER("cannot fork the monitor: %s"), strerror(errno));
    return 1;
  }
  if (first > 0) _exit(0);
  (void)setsid();
  (void)prctl(PR_SET_NAME, "nook-monitor", 0, 0, 0);
  int report = fcntl(1, F_DUPFD_CLOEXEC, 3);

  static struct monitor m;
  char why[1024];
  m.pid = 0;
  m.oom_kills = -1;
  m.pidfd = m.out_r = m.err_r = m.in_w = -1;
  m.net.pid = 0;
  m.net.exit_fd = -1;
  if (mon_read_config(argv[1], &m.cfg, why, sizeof why) < 0) {
    dprintf(report, REPORT_OTHER("%s"), why);
    return 1;
  }
  size_t prog_len = 0;
  m.prog = (uint8_t *)mon_read_file(m.cfg.program, &prog_len);
  m.prog_len = (uint32_t)prog_len;
  m.devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (!m.prog || m.devnull < 0 || chdir("/") < 0) {
    dprintf(report, REPORT_OTHER("cannot read the program %s: %s"), m.cfg.program,
            strerror(errno));
    return 1;
  }
  if (read_small("/proc/sys/kernel/random/boot_id", m.boot, sizeof m.boot) < 0)
    strcpy(m.boot, MON_NONE);
  m.boot[strcspn(m.boot, "\n")] = '\0';
  if (proc_start_time(getpid(), m.self_start, sizeof m.self_start) < 0) strcpy(m.self_start, MON_NONE);

  sigset_t mask;
  sigemptyset(&mask);
  int sigs[] = {SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
  for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) sigaddset(&mask, sigs[i]);
  sigprocmask(SIG_BLOCK, &mask, NULL);
  signal(SIGPIPE, SIG_IGN);
  m.sfd = signalfd(-1, &mask, SFD_CLOEXEC);
  int ar = attach_listen(&m.attach, m.cfg.attach);
  if (m.sfd < 0 || ar < 0) {
    dprintf(report, REPORT_OTHER("cannot listen on %s: %s"),
            m.cfg.attach ? m.cfg.attach : MON_NONE, strerror(ar < 0 ? -ar : errno));
    return 1;
  }
  log_open(&m.log, &m.cfg);
  if (m.cfg.wait_attach && m.attach.listen_fd >= 0) {
    struct pollfd pl = {.fd = m.attach.listen_fd, .events = POLLIN};
    if (poll(&pl, 1, 10000) == 1) attach_accept(&m.attach);
  }

  if (start_container(&m, why, sizeof why) < 0) {
    dprintf(report, MON_REPORT_FAIL " %s\n", why); /* nook removes the cgroup it made */
    attach_close_all(&m.attach, m.cfg.attach);
    return 1;
  }
  write_event(&m, MON_EVENT_START, -1); /* before the report: nook's next event follows it */
  dprintf(report, MON_REPORT_OK " %d %s\n", (int)m.pid, m.pid_start[0] ? m.pid_start : MON_NONE);
  close(report);

  int code;
  for (;;) {
    code = serve(&m);
    net_stop(&m.net); /* the network goes with the container's process */
    close_fd(&m.out_r);
    close_fd(&m.err_r);
    if (!m.cfg.tty) close_fd(&m.in_w);
    m.in_w = -1;
    close_fd(&m.pidfd);
    int64_t ran_ms = (now_ns() - m.started) / 1000000;
    write_event(&m, MON_EVENT_DIE, code); /* before the state says it ended: who saw that sees it */
    if (!should_restart(&m, code)) break;
    write_state(&m, MON_STATUS_RESTARTING, code);
    /* docker's backoff: 100 ms, doubling, reset after a run of 10 s */
    long delay = ran_ms >= 10000 ? 100 : 100L << (m.restarts < 9 ? m.restarts : 9);
    for (long waited = 0; waited < delay && !stop_requested(&m); waited += 50) sleep_ms(50);
    if (stop_requested(&m)) break;
    m.restarts++;
    if (start_container(&m, why, sizeof why) < 0) {
      char line[1400], text[1200];
      int n = snprintf(line, sizeof line, "nook: restarting the container failed: %s\n",
                       net_failure_text(&m.cfg, why, text, sizeof text));
      log_write(&m.log, 1, line, (size_t)n);
      code = 125;
      break;
    }
    write_event(&m, MON_EVENT_START, -1);
  }
  /* Decided before the state says "exited": then `nook restart` removes the marker. */
  int keep = restart_requested(&m);
  /* Before the state says "exited": who sees that sees the cgroup gone (its OOM kills kept). */
  long long oom = cgroup_oom_kills(m.cfg.cgroup);
  if (oom >= 0) m.oom_kills = oom;
  cgroup_remove(m.cfg.cgroup);
  write_state(&m, MON_STATUS_EXITED, code);
  char frame[16];
  int n = snprintf(frame, sizeof frame, "%d", code);
  attach_broadcast(&m.attach, STREAM_EXIT, frame, (size_t)n);
  attach_close_all(&m.attach, m.cfg.attach);
  if (m.cfg.on_exit[0] && !keep) {
    execv(m.cfg.on_exit[0], m.cfg.on_exit);
    return 1;
  }
  return 0;
}
