/* The child's program runner: one switch over the steps TypeScript compiled. */
#include <errno.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "shim.h"
#include "storage.h"

static int run_step(struct child *c, const struct nook_step *s) {
  switch (s->op) {
  case NOOK_OP_SETHOSTNAME:
    return setup_hostname(step_str(c, s, 0));
  case NOOK_OP_LOOPBACK_UP:
    return setup_loopback_up();
  case NOOK_OP_MOUNT_PRIVATE:
    return setup_mount_private();
  case NOOK_OP_ENTER_ROOT:
    return setup_enter_root(c, step_str(c, s, 0));
  case NOOK_OP_MOUNT:
    return setup_mount(c, s);
  case NOOK_OP_BIND:
    return setup_bind(c, s);
  case NOOK_OP_MASK:
    return setup_mask(c, step_str(c, s, 1));
  case NOOK_OP_READONLY:
    return setup_readonly(c, step_str(c, s, 1));
  case NOOK_OP_SYMLINK:
    return setup_symlink(c, step_str(c, s, 0), step_str(c, s, 1));
  case NOOK_OP_PIVOT_ROOT:
    return setup_pivot_root(c);
  case NOOK_OP_REMOUNT_RO:
    return setup_remount_ro(step_str(c, s, 1));
  case NOOK_OP_MKDIR:
    return setup_mkdir(c, step_str(c, s, 1), (unsigned)s->n[0]);
  case NOOK_OP_OPEN_FD:
    return setup_open_fd(step_str(c, s, 0), (int)s->n[0], (int)s->n[1]);
  case NOOK_OP_DUP2:
    return dup2((int)s->n[0], (int)s->n[1]) < 0 ? -errno : 0;
  case NOOK_OP_SETSID:
    return setsid() < 0 ? -errno : 0;
  case NOOK_OP_PTY:
    return setup_pty(c, (unsigned)s->n[0], (unsigned)s->n[1]);
  case NOOK_OP_CAPS:
    return setup_caps(s->n[0], (unsigned)s->n[1]);
  case NOOK_OP_NO_NEW_PRIVS:
    return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ? -errno : 0;
  case NOOK_OP_SETGROUPS:
    return setup_groups(step_str(c, s, 0));
  /* Raw syscalls: glibc's wrappers would try to signal threads the child does not have. */
  case NOOK_OP_SETGID:
    return syscall(SYS_setresgid, (gid_t)s->n[0], (gid_t)s->n[0], (gid_t)s->n[0]) < 0 ? -errno : 0;
  case NOOK_OP_SETUID:
    return syscall(SYS_setresuid, (uid_t)s->n[0], (uid_t)s->n[0], (uid_t)s->n[0]) < 0 ? -errno : 0;
  case NOOK_OP_CHDIR:
    return chdir(step_str(c, s, 0)) < 0 ? -errno : 0;
  case NOOK_OP_INIT:
    return setup_init(c);
  case NOOK_OP_EXEC:
    return setup_exec(c, s);
  case NOOK_OP_PDEATHSIG:
    return prctl(PR_SET_PDEATHSIG, (unsigned long)s->n[0], 0, 0, 0) < 0 ? -errno : 0;
  case NOOK_OP_CLOSE_FDS:
    return setup_close_fds((unsigned)s->n[0]);
  case NOOK_OP_MOUNT_ATTR:
    return setup_mount_attr(step_str(c, s, 1), s->n[0], s->n[1], (s->flags & NOOK_F_RECURSIVE) != 0);
  case NOOK_OP_OVERLAY:
    return setup_overlay(c, s);
  case NOOK_OP_RUN:
    return setup_run(c, s);
  case NOOK_OP_COPY_LAYER:
    return setup_copy_layer(c, s);
  case NOOK_OP_UNSHARE:
    return unshare((int)s->n[0]) < 0 ? -errno : 0;
  case NOOK_OP_SETNS:
    return setup_setns((int)s->n[0], s->n[1]);
  case NOOK_OP_JOIN_NS:
    return setup_join_ns(step_str(c, s, 0), s->n[1], (int)s->n[0], step_str(c, s, 1));
  case NOOK_OP_CLONE:
    return setup_clone(c, s->n[0]);
  case NOOK_OP_SHARE_MOUNT:
    return setup_share_mount(c, s);
  }
  return -EINVAL;
}

void run_steps(struct child *c) {
  for (uint32_t i = 0; i < c->prog.nsteps; i++) {
    struct nook_step s;
    load_step(c, i, &s);
    c->step = i;
    int r = run_step(c, &s);
    if (r < 0 && !(s.flags & NOOK_F_OPTIONAL)) {
      report_error(c->ctl, i, s.op, -r);
      _exit(125);
    }
  }
  _exit(0); /* a program without exec: the setup itself was the job */
}
