/* The child's one failure path: a typed report to the parent, never a message. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "shim.h"

int send_fd(int ctl, const struct nook_report *r, int fd) {
  struct iovec iov = {.iov_base = (void *)r, .iov_len = sizeof *r};
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } u;
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
  if (fd >= 0) {
    memset(&u, 0, sizeof u);
    msg.msg_control = u.buf;
    msg.msg_controllen = sizeof u.buf;
    struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cm), &fd, sizeof fd);
  }
  while (sendmsg(ctl, &msg, MSG_NOSIGNAL) < 0) {
    if (errno != EINTR) return -errno;
  }
  return 0;
}

void report_error(int ctl, uint32_t step, uint32_t op, int err) {
  struct nook_report r = {.kind = NOOK_REPORT_ERROR, .step = step, .err = err, .op = op};
  (void)send_fd(ctl, &r, -1);
}
