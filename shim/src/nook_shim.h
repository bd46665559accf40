/*
 * nook shim: the protocol between TypeScript (policy) and C (mechanics).
 *
 * TypeScript compiles a container's setup into a program: a header, an array
 * of fixed-size steps, and a blob of NUL-terminated strings. The shim checks
 * the whole program in the parent (parse first), clones the child with the
 * requested namespaces, and the child runs the steps in order with raw
 * syscalls only (act later). The first failing step is reported to the parent
 * as a `struct nook_report` over the control socket; a successful execve is
 * seen by the parent as EOF on that socket.
 *
 * shim/protocol.ts mirrors every number in this file; tests/shim_protocol_test.ts
 * checks that the two agree.
 */
#ifndef NOOK_SHIM_H
#define NOOK_SHIM_H

#include <stdint.h>

#define NOOK_ABI 3
#define NOOK_PROG_MAGIC 0x6b6f6f6eu /* "nook" little-endian */
#define NOOK_NO_STR 0xffffffffu
#define NOOK_MAX_STEPS 1024
#define NOOK_MAX_LIST 16384 /* argv or envp entries */

/* Step operations. s[] are offsets into the string blob, n[] numbers. */
enum nook_op {
  NOOK_OP_SETHOSTNAME = 1,    /* s0 name */
  NOOK_OP_LOOPBACK_UP = 2,    /* bring "lo" up in the new network namespace */
  NOOK_OP_MOUNT_PRIVATE = 3,  /* make every mount private (no propagation to the host) */
  NOOK_OP_ENTER_ROOT = 4,     /* s0 rootfs: bind it on itself; later targets resolve beneath it */
  NOOK_OP_MOUNT = 5,          /* s0 source, s1 target in root, s2 fstype, s3 data; n0 flags */
  NOOK_OP_BIND = 6,           /* s0 host source, s1 target in root; n0 flags (MS_REC, MS_RDONLY) */
  NOOK_OP_MASK = 7,           /* s1 target in root: tmpfs (dir) or /dev/null (file) over it */
  NOOK_OP_READONLY = 8,       /* s1 target in root: bind on itself, remount read-only */
  NOOK_OP_SYMLINK = 9,        /* s0 link text, s1 path in root */
  NOOK_OP_PIVOT_ROOT = 10,    /* switch to the root; detach the old one */
  NOOK_OP_REMOUNT_RO = 11,    /* s1 target (after pivot_root: a container path) */
  NOOK_OP_MKDIR = 12,         /* s1 path (mkdir -p, beneath the root); n0 mode */
  NOOK_OP_OPEN_FD = 13,       /* s0 path; n0 target fd; n1 open flags */
  NOOK_OP_DUP2 = 14,          /* n0 from, n1 to */
  NOOK_OP_SETSID = 15,        /* new session, no controlling terminal */
  NOOK_OP_PTY = 16,           /* n0 rows, n1 cols: new pty from /dev/ptmx, master sent to parent */
  NOOK_OP_CAPS = 17,          /* n0 bounding set to keep (bit per cap), n1 last cap */
  NOOK_OP_NO_NEW_PRIVS = 18,
  NOOK_OP_SETGROUPS = 19,     /* s0 "gid,gid,..." (may be empty) */
  NOOK_OP_SETGID = 20,        /* n0 gid */
  NOOK_OP_SETUID = 21,        /* n0 uid */
  NOOK_OP_CHDIR = 22,         /* s0 dir */
  NOOK_OP_INIT = 23,          /* fork: this process stays as a reaping PID 1, the child goes on */
  NOOK_OP_EXEC = 24,          /* s0 file, s1 PATH (NOOK_NO_STR: no search), s2 argv, s3 envp; n0 argc, n1 envc */
  NOOK_OP_PDEATHSIG = 25,     /* n0 signal sent to the child when its parent dies */
  NOOK_OP_CLOSE_FDS = 26,     /* close-on-exec every fd >= n0 (3 when lower: --preserve-fds keeps 3..n0-1) */
  NOOK_OP_OVERLAY = 27,       /* s0 upper, s1 work, s2 lowers (top first; n0 of them), s3 host target */
  NOOK_OP_MOUNT_ATTR = 28,    /* s1 host path: mount_setattr set n0, clear n1 (NOOK_F_RECURSIVE) */
  NOOK_OP_RUN = 29,           /* s0 file, s2 argv, s3 envp; n0 argc, n1 envc: fork, execve, wait */
  NOOK_OP_COPY_LAYER = 30,    /* s0 layer dir, s1 host target dir: apply the layer (vfs storage) */
  NOOK_OP_UNSHARE = 31,       /* n0 CLONE_NEW* flags: unshare(2), e.g. leave a helper's mount ns */
  NOOK_OP_SETNS = 32,         /* n0 pidfd, n1 CLONE_NEW* flags: join that process's namespaces */
  NOOK_OP_JOIN_NS = 33,       /* s0 namespace file, n1 its CLONE_NEW* type; s1 start time of pid n0 */
  NOOK_OP_CLONE = 34,         /* n0 CLONE_NEW* flags: a sibling in new namespaces goes on (see below) */
  NOOK_OP_SHARE_MOUNT = 35,   /* s0 mount namespace file, s1 mount there, s2 target in root: its copy */
  NOOK_OP_OP_COUNT = 36
};

/* NOOK_OP_SETNS (exec into a running container): the pidfd is one the parent
 * opened (nook_pidfd_open) and the clone child inherited. The child makes
 * itself non-dumpable first (execve restores it), so that the container cannot
 * read the runtime's memory through it, then joins every namespace in n1 at
 * once (setns(2) with a pidfd: Linux 5.8; older kernels fail with EINVAL). A
 * process enters a pid namespace only through a child: NOOK_OP_INIT follows,
 * and its parent stays outside, forwarding signals and exiting with the
 * command's status. */

/* NOOK_OP_JOIN_NS (a container that shares the network of another one, or a
 * namespace file the user names): the child makes itself non-dumpable, opens
 * s0 (e.g. /proc/PID/ns/net), and when s1 is given checks that process n0
 * still has that start time (field 22 of /proc/PID/stat), so that the file
 * belonged to the very process TypeScript resolved, not to one that reused its
 * pid (ESRCH otherwise). It then joins the user namespace that owns the
 * namespace (ioctl NS_GET_USERNS), unless that is its own: only there does it
 * hold CAP_SYS_ADMIN over it, as rootless runtimes must. Then it joins the
 * namespace itself (EINVAL: not of type n1; ENOTTY: not a namespace file).
 *
 * NOOK_OP_CLONE: a process that joined a user namespace can no longer be
 * moved into a new pid namespace, and the runtime waits for its own child.
 * So the child clones a sibling (CLONE_PARENT: the runtime is its parent too)
 * in the namespaces n0 (owned by the joined user namespace), which goes on
 * with the remaining steps; this one reports the sibling's pid (err of a
 * NOOK_REPORT_PID, its pidfd as SCM_RIGHTS) and exits 0. nook_release hands
 * both back: from then on the sibling is the process to wait for. The sibling,
 * in a pid namespace of its own that no process of a joined namespace sees,
 * is made dumpable again, as a child nook cloned itself is (its `--init`
 * reaper never execs). */

/* NOOK_OP_RUN: a helper that ran but failed is reported as err = base + its
 * exit status (or + the signal that killed it); an exec failure as its errno. */
#define NOOK_RUN_EXITED 0x10000
#define NOOK_RUN_SIGNALED 0x20000

/* Step flags. */
#define NOOK_F_OPTIONAL 0x1u /* a failure is ignored (e.g. a kernel feature that may be absent) */
#define NOOK_F_MKDIR 0x2u    /* create the target as a directory when missing */
#define NOOK_F_MKFILE 0x4u   /* create the target as an empty file when missing */
#define NOOK_F_RECURSIVE 0x8u /* apply to every mount below the target too */

struct nook_prog {
  uint32_t magic;
  uint32_t abi;
  uint64_t clone_flags; /* CLONE_NEW* */
  int32_t cgroup_fd;    /* clone into this cgroup (CLONE_INTO_CGROUP), -1 for none */
  uint32_t nsteps;
  uint32_t strings_len;
  uint32_t reserved;
};

struct nook_step {
  uint32_t op;
  uint32_t flags;
  uint64_t n[2];
  uint32_t s[4];
};

/* Child -> parent messages on the control socket (SOCK_SEQPACKET). */
enum nook_report_kind {
  NOOK_REPORT_ERROR = 1, /* step failed: step index, op, errno */
  NOOK_REPORT_PTY = 2,   /* the pty master travels as SCM_RIGHTS */
  NOOK_REPORT_PID = 3    /* NOOK_OP_CLONE: err is the new pid, its pidfd travels as SCM_RIGHTS */
};

struct nook_report {
  uint32_t kind;
  uint32_t step;
  int32_t err;
  uint32_t op;
};

/* What nook_release() hands back to TypeScript: int32[NOOK_REL_COUNT]. */
enum nook_release_field {
  NOOK_REL_RESULT = 0, /* 0 exec happened, 1 a step failed, 2 child died silently */
  NOOK_REL_STEP = 1,
  NOOK_REL_ERRNO = 2,
  NOOK_REL_OP = 3,
  NOOK_REL_PTY_FD = 4,
  NOOK_REL_PID = 5,   /* after NOOK_OP_CLONE: the process that took over (also on failure), else 0 */
  NOOK_REL_PIDFD = 6, /* its pidfd, or -1 */
  NOOK_REL_COUNT = 7
};

/* Exported entry points (everything else is hidden). */
int nook_abi_version(void);
int nook_spawn(const uint8_t *prog, uint32_t len, int32_t *out);
int nook_release(int ctl, int32_t *out);
int nook_wait(int pid, int32_t *status);
int nook_pty_relay(int master, int in_fd, int out_fd);
int nook_set_winsize(int fd, int rows, int cols);
int nook_pipe(int32_t *fds);
int nook_pipe_size(int fd, int size);
int nook_fs_set_topdir(const char *path);
int nook_read(int fd, uint8_t *buf, uint32_t len);
int nook_write(int fd, const uint8_t *buf, uint32_t len);
int nook_close(int fd);
int nook_pidfd_open(int pid);
int nook_pidfd_signal(int pidfd, int sig);
int nook_ns_type(const char *path);
int nook_cgroup_open(const char *path); /* a cgroup directory fd for cgroup_fd, or -errno */
int nook_ns_owner_maps(const char *path, uint8_t *buf, uint32_t len);
int nook_run_helper(const uint8_t *blob, uint32_t len, uint32_t argc, uint8_t *err, uint32_t errlen);
/* net.c: user-mode network helpers (slirp4netns, pasta) and host port probes. */
int nook_net_spawn(const uint8_t *blob, uint32_t len, uint32_t argc, int32_t target,
                   const char *log, int32_t *out);
int nook_net_ready(int ready_fd, int timeout_ms);
int nook_net_request(const char *path, const uint8_t *req, uint32_t len, uint8_t *resp,
                     uint32_t resplen);
int nook_port_probe(int udp, const char *ip, int port);

int nook_fs_mknod(const char *path, uint32_t mode, uint32_t major, uint32_t minor);
int nook_fs_lsetxattr(const char *path, const char *name, const uint8_t *value, uint32_t len);
int nook_fs_lgetxattr(const char *path, const char *name, uint8_t *value, uint32_t len);
int nook_fs_lchown(const char *path, uint32_t uid, uint32_t gid);
int nook_fs_lutimes(const char *path, int64_t atime_ns, int64_t mtime_ns);

#endif
