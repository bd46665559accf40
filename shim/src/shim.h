/* Internal declarations of the shim: the child's context and its setup steps. */
#ifndef NOOK_SHIM_INTERNAL_H
#define NOOK_SHIM_INTERNAL_H

#include "nook_shim.h"

#define NOOK_EXPORT __attribute__((visibility("default")))

/* Everything the child knows while it runs the program. Lives on its stack. */
struct child {
  struct nook_prog prog;   /* copy of the header */
  const uint8_t *steps;  /* nsteps * sizeof(struct nook_step), maybe unaligned */
  const char *strings;
  int ctl;               /* control socket to the parent */
  uint32_t step;         /* index of the step that runs */
  int rootfd;            /* the container root (after NOOK_OP_ENTER_ROOT), else -1 */
  int devnull;           /* host /dev/null, opened before pivot_root, for masks */
};

/* A string argument of a step, or NULL for NOOK_NO_STR. */
const char *step_str(const struct child *c, const struct nook_step *s, int i);
void load_step(const struct child *c, uint32_t i, struct nook_step *out);

/* report.c: the one way a child fails. */
void report_error(int ctl, uint32_t step, uint32_t op, int err);
int send_fd(int ctl, const struct nook_report *r, int fd);

/* steps.c */
void run_steps(struct child *c) __attribute__((noreturn));

/* mount.c: each returns 0 or -errno. */
int setup_mount_private(void);
int setup_enter_root(struct child *c, const char *rootfs);
int setup_mount(struct child *c, const struct nook_step *s);
int setup_bind(struct child *c, const struct nook_step *s);
int setup_mask(struct child *c, const char *target);
int setup_readonly(struct child *c, const char *target);
int setup_symlink(struct child *c, const char *text, const char *path);
int setup_mkdir(struct child *c, const char *path, unsigned mode);
int setup_pivot_root(struct child *c);
int setup_remount_ro(const char *target);
int setup_mount_attr(const char *target, uint64_t set, uint64_t clr, int recursive);
int setup_overlay(const struct child *c, const struct nook_step *s);

/* process.c */
int setup_hostname(const char *name);
int setup_loopback_up(void);
int setup_open_fd(const char *path, int fd, int flags);
int setup_caps(uint64_t keep, unsigned last_cap);
int setup_groups(const char *csv);
int setup_init(struct child *c);
int setup_close_fds(unsigned first);
int setup_exec(const struct child *c, const struct nook_step *s);
void reset_signals(void);

/* pidfd.c */
int setup_setns(int pidfd, uint64_t flags);

/* join.c */
int setup_join_ns(const char *path, uint64_t type, int pid, const char *start);
int setup_share_mount(struct child *c, const struct nook_step *s);
int setup_clone(struct child *c, uint64_t flags);

/* pty.c */
int setup_pty(struct child *c, unsigned rows, unsigned cols);

#endif
