/*
 * The attach socket: clients (nook attach, start -a) receive the container's
 * output as frames [stream u8][length u32 BE][bytes] and send their input as
 * frames [type u8][length u32 BE][bytes] (stdin data, stdin close, resize
 * "ROWS COLS"). A client that stops reading stalls output, as with docker.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "monitor.h"

int attach_listen(struct mon_attach *a, const char *path) {
  for (int k = 0; k < MON_MAX_CLIENTS; k++) a->fds[k] = -1;
  a->listen_fd = -1;
  if (!path) return 0;
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof addr.sun_path) return -ENAMETOOLONG;
  strcpy(addr.sun_path, path);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return -errno;
  (void)unlink(path);
  if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(fd, 8) < 0) {
    int e = errno;
    close(fd);
    return -e;
  }
  a->listen_fd = fd;
  return 0;
}

void attach_accept(struct mon_attach *a) {
  int fd = accept4(a->listen_fd, NULL, NULL, SOCK_CLOEXEC);
  if (fd < 0) return;
  for (int k = 0; k < MON_MAX_CLIENTS; k++) {
    if (a->fds[k] < 0) {
      a->fds[k] = fd;
      a->hdr_got[k] = a->body_left[k] = a->resize_got[k] = 0;
      return;
    }
  }
  close(fd); /* too many clients */
}

static void drop(struct mon_attach *a, int k) {
  close(a->fds[k]);
  a->fds[k] = -1;
}

void attach_broadcast(struct mon_attach *a, int stream, const char *buf, size_t n) {
  uint8_t hdr[5] = {(uint8_t)stream, (uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8),
                    (uint8_t)n};
  for (int k = 0; k < MON_MAX_CLIENTS; k++) {
    if (a->fds[k] < 0) continue;
    if (write_all(a->fds[k], hdr, sizeof hdr) < 0 || write_all(a->fds[k], buf, n) < 0) drop(a, k);
  }
}

void attach_read(struct mon_attach *a, int k, const struct attach_sink *sink) {
  char buf[65536];
  ssize_t n = read(a->fds[k], buf, sizeof buf);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
  if (n <= 0) {
    drop(a, k);
    return;
  }
  for (ssize_t i = 0; i < n;) {
    if (a->body_left[k] == 0 && a->hdr_got[k] < 5) {
      a->hdr[k][a->hdr_got[k]++] = (uint8_t)buf[i++];
      if (a->hdr_got[k] < 5) continue;
      const uint8_t *h = a->hdr[k];
      a->body_type[k] = h[0];
      a->body_left[k] = (uint32_t)h[1] << 24 | (uint32_t)h[2] << 16 | (uint32_t)h[3] << 8 | h[4];
      a->hdr_got[k] = 0;
      a->resize_got[k] = 0;
      if (a->body_type[k] == FRAME_STDIN_CLOSE) sink->close_stdin(sink->ctx);
      if (a->body_left[k] == 0) continue;
    }
    size_t take = (size_t)(n - i) < a->body_left[k] ? (size_t)(n - i) : a->body_left[k];
    if (a->body_type[k] == FRAME_STDIN) {
      sink->data(sink->ctx, buf + i, take);
    } else if (a->body_type[k] == FRAME_RESIZE) {
      for (size_t j = 0; j < take && a->resize_got[k] < sizeof a->resize[k] - 1; j++)
        a->resize[k][a->resize_got[k]++] = buf[i + j];
    }
    i += (ssize_t)take;
    a->body_left[k] -= (uint32_t)take;
    if (a->body_left[k] == 0 && a->body_type[k] == FRAME_RESIZE) {
      a->resize[k][a->resize_got[k]] = '\0';
      unsigned rows = 0, cols = 0;
      if (sscanf(a->resize[k], "%u %u", &rows, &cols) == 2) sink->resize(sink->ctx, rows, cols);
    }
  }
}

void attach_close_all(struct mon_attach *a, const char *path) {
  for (int k = 0; k < MON_MAX_CLIENTS; k++)
    if (a->fds[k] >= 0) drop(a, k);
  if (a->listen_fd >= 0) {
    close(a->listen_fd);
    a->listen_fd = -1;
    if (path) (void)unlink(path);
  }
}
