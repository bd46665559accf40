/* Terminals: the container's pty (made inside its own devpts) and the relay. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "shim.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

int setup_pty(struct child *c, unsigned rows, unsigned cols) {
  int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0) return -errno;
  int unlock = 0, r = 0, slave = -1;
  struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
  if (ioctl(master, TIOCSPTLCK, &unlock) < 0 || (rows && ioctl(master, TIOCSWINSZ, &ws) < 0)) {
    r = -errno;
  } else if ((slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY)) < 0) {
    r = -errno;
  } else {
    struct nook_report rep = {.kind = NOOK_REPORT_PTY};
    r = send_fd(c->ctl, &rep, master);
  }
  close(master);
  if (r == 0 && ioctl(slave, TIOCSCTTY, 0) < 0) r = -errno;
  for (int fd = 0; r == 0 && fd < 3; fd++) {
    if (dup2(slave, fd) < 0) r = -errno;
  }
  if (slave > 2) close(slave);
  return r;
}

static int write_all(int fd, const char *buf, ssize_t n) {
  while (n > 0) {
    ssize_t w = write(fd, buf, (size_t)n);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return -errno;
    buf += w;
    n -= w;
  }
  return 0;
}

NOOK_EXPORT int nook_pty_relay(int master, int in_fd, int out_fd) {
  struct pollfd fds[2] = {{.fd = master, .events = POLLIN}, {.fd = in_fd, .events = POLLIN}};
  char buf[16384];
  for (;;) {
    if (poll(fds, in_fd >= 0 ? 2 : 1, -1) < 0) {
      if (errno == EINTR) continue;
      return -errno;
    }
    if (fds[0].revents) {
      ssize_t n = read(master, buf, sizeof buf);
      if (n > 0) {
        if (write_all(out_fd, buf, n) < 0) return 0;
      } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        return 0; /* EIO: every copy of the slave is closed, the container is done */
      }
    }
    if (fds[1].fd >= 0 && fds[1].revents) {
      ssize_t n = read(fds[1].fd, buf, sizeof buf);
      if (n > 0) {
        (void)write_all(master, buf, n);
      } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        fds[1].fd = -1; /* stdin ended: keep relaying output */
      }
    }
  }
}

NOOK_EXPORT int nook_set_winsize(int fd, int rows, int cols) {
  struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
  return ioctl(fd, TIOCSWINSZ, &ws) < 0 ? -errno : 0;
}
