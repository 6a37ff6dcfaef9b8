/* mqload: the epoll loop and the connections (non-blocking, edge-triggered, writes batched). */
#include "mqload.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

const char *FAIL_NAMES[FAIL_KINDS] = {"refused", "reset", "closed", "refusedByConnack", "timeout", "local"};

static int epfd = -1;
static int ports[16];
static int nports;
static int nsources;
static int quickack;
static uint32_t next_source;

/* Registry: epoll events carry slot | gen << 32, so an event for a closed and reused conn is dropped. */
static conn_t **registry;
static uint32_t nregistry, capregistry;
#define EXTRA_TAG 0xFFFFFFF0u
static void (*extra_cb[8])(int fd);
static int extra_fd[8];
static int nextra;

static conn_t **dirty;
static size_t ndirty, capdirty;

/* Complete packets are parsed straight from this buffer; only a partial tail is kept per conn. */
static uint8_t scratch[1 << 18];

void net_init(void) {
  epfd = epoll_create1(EPOLL_CLOEXEC);
  if (epfd < 0) die("epoll_create1: %s", strerror(errno));
  const char *p = arg_str("ports", NULL);
  if (!p) die("--ports is required");
  while (*p && nports < 16) {
    ports[nports++] = atoi(p);
    p = strchr(p, ',');
    if (!p) break;
    p++;
  }
  nsources = (int)arg_int("sources", 16);
  quickack = (int)arg_int("quickack", 0);
  if (nsources < 1 || nsources > 250) die("--sources must be 1..250");
}

int net_port_count(void) { return nports; }
int net_port(int i) { return ports[i % nports]; }

int fail_kind(int err) {
  switch (err) {
    case 0: return FAIL_EOF;
    case ECONNREFUSED: return FAIL_REFUSED;
    case ECONNRESET:
    case EPIPE:
    case ECONNABORTED: return FAIL_RESET;
    case ETIMEDOUT: return FAIL_TIMEOUT;
    default: return FAIL_LOCAL;
  }
}

int conn_connect(conn_t *c, int port_index, const handlers_t *h) {
  if (c->state != CS_FREE) die("conn_connect on a connection in use");
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -errno;
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  /* A source address from 127.0.0.1..N, port chosen at connect(): N × the ephemeral range. */
  setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
  struct sockaddr_in src = {.sin_family = AF_INET};
  src.sin_addr.s_addr = htonl(0x7F000001u + (next_source++ % (uint32_t)nsources));
  if (bind(fd, (struct sockaddr *)&src, sizeof src) < 0) {
    int e = errno;
    close(fd);
    return -e;
  }
  struct sockaddr_in dst = {.sin_family = AF_INET, .sin_port = htons((uint16_t)net_port(port_index))};
  dst.sin_addr.s_addr = htonl(0x7F000001u);
  int r = connect(fd, (struct sockaddr *)&dst, sizeof dst);
  if (r < 0 && errno != EINPROGRESS) {
    int e = errno;
    close(fd);
    return -e;
  }
  if (c->slot == 0) {
    if (nregistry + 1 >= capregistry) {
      capregistry = capregistry ? capregistry * 2 : 4096;
      registry = realloc(registry, capregistry * sizeof *registry);
      if (!registry) die("out of memory");
      if (nregistry == 0) nregistry = 1; /* slot 0 = unregistered */
    }
    c->slot = nregistry++;
    registry[c->slot] = c;
  }
  c->fd = fd;
  c->h = h;
  c->state = r == 0 ? CS_OPEN : CS_CONNECTING;
  c->rlen = 0;
  c->woff = c->wlen = 0;
  struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET};
  ev.data.u64 = (uint64_t)c->slot | ((uint64_t)c->gen << 32);
  if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0) die("epoll_ctl: %s", strerror(errno));
  return 0;
}

uint8_t *conn_reserve(conn_t *c, size_t n) {
  if (c->woff == c->wlen) c->woff = c->wlen = 0;
  if (c->wlen + n > c->wcap) {
    if (c->woff > 0) {
      memmove(c->wbuf, c->wbuf + c->woff, c->wlen - c->woff);
      c->wlen -= c->woff;
      c->woff = 0;
    }
    if (c->wlen + n > c->wcap) {
      uint32_t cap = c->wcap ? c->wcap : 256;
      while (cap < c->wlen + n) cap *= 2;
      c->wbuf = realloc(c->wbuf, cap);
      if (!c->wbuf) die("out of memory");
      c->wcap = cap;
    }
  }
  return c->wbuf + c->wlen;
}

void conn_commit(conn_t *c, size_t n) {
  c->wlen += (uint32_t)n;
  if (!c->dirty) {
    if (ndirty == capdirty) {
      capdirty = capdirty ? capdirty * 2 : 1024;
      dirty = realloc(dirty, capdirty * sizeof *dirty);
      if (!dirty) die("out of memory");
    }
    dirty[ndirty++] = c;
    c->dirty = 1;
  }
}

void conn_send(conn_t *c, const void *p, size_t n) {
  memcpy(conn_reserve(c, n), p, n);
  conn_commit(c, n);
}

static void fail(conn_t *c, int err) {
  const handlers_t *h = c->h;
  uint32_t gen = c->gen;
  if (h && h->on_close) h->on_close(c, err);
  if (c->gen == gen && c->state != CS_FREE) conn_close(c, 1);
}

void conn_flush(conn_t *c) {
  if (c->state != CS_OPEN) return; /* written once connected */
  while (c->woff < c->wlen) {
    ssize_t n = write(c->fd, c->wbuf + c->woff, c->wlen - c->woff);
    if (n > 0) {
      c->woff += (uint32_t)n;
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && errno == EAGAIN) {
      return; /* EPOLLOUT will come */
    } else {
      fail(c, errno);
      return;
    }
  }
  c->woff = c->wlen = 0;
  if (c->wcap > 65536) { /* a burst is over: give the memory back */
    free(c->wbuf);
    c->wbuf = NULL;
    c->wcap = 0;
  }
}

void conn_close(conn_t *c, int rst) {
  if (c->state == CS_FREE) return;
  if (rst) {
    struct linger lg = {.l_onoff = 1, .l_linger = 0};
    setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  }
  close(c->fd); /* also leaves the epoll set */
  c->fd = -1;
  c->state = CS_FREE;
  c->gen++;
  c->rlen = 0;
  c->woff = c->wlen = 0;
  free(c->rbuf);
  c->rbuf = NULL;
  c->rcap = 0;
  if (c->wcap > 4096) {
    free(c->wbuf);
    c->wbuf = NULL;
    c->wcap = 0;
  }
}

/* Parses complete packets in buf[0..len); returns the bytes consumed. Stops if c was closed. */
static size_t parse(conn_t *c, const uint8_t *buf, size_t len) {
  size_t off = 0;
  uint32_t gen = c->gen;
  while (len - off >= 2) {
    uint32_t rem = 0, mult = 1;
    size_t i = off + 1;
    int complete = 0;
    for (int k = 0; k < 4 && i < len; k++, i++) {
      rem += (uint32_t)(buf[i] & 0x7F) * mult;
      mult *= 128;
      if (!(buf[i] & 0x80)) {
        complete = 1;
        i++;
        break;
      }
    }
    if (!complete) {
      if (i - off > 4) { /* five length bytes: not MQTT */
        fail(c, EPROTO);
        return len;
      }
      break;
    }
    if (len - i < rem) break;
    c->h->on_packet(c, buf[off], buf + i, rem);
    if (c->gen != gen || c->state == CS_FREE) return len;
    off = i + rem;
  }
  return off;
}

static void on_readable(conn_t *c) {
  uint32_t gen = c->gen;
  if (quickack) {
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
  }
  for (;;) {
    ssize_t n;
    if (c->rlen == 0) {
      n = read(c->fd, scratch, sizeof scratch);
      if (n > 0) {
        size_t used = parse(c, scratch, (size_t)n);
        if (c->gen != gen) return;
        size_t left = (size_t)n - used;
        if (left) {
          if (c->rcap < left) {
            c->rcap = left < 1024 ? 1024 : (uint32_t)left * 2;
            free(c->rbuf);
            c->rbuf = malloc(c->rcap);
            if (!c->rbuf) die("out of memory");
          }
          memcpy(c->rbuf, scratch + used, left);
          c->rlen = (uint32_t)left;
        }
        /* A short read emptied the socket; data arriving later raises a new edge. */
        if ((size_t)n < sizeof scratch) return;
        continue;
      }
    } else {
      if (c->rcap - c->rlen < 16384) {
        c->rcap = c->rlen + 65536;
        c->rbuf = realloc(c->rbuf, c->rcap);
        if (!c->rbuf) die("out of memory");
      }
      n = read(c->fd, c->rbuf + c->rlen, c->rcap - c->rlen);
      if (n > 0) {
        c->rlen += (uint32_t)n;
        size_t used = parse(c, c->rbuf, c->rlen);
        if (c->gen != gen) return;
        size_t room = c->rcap - c->rlen;
        memmove(c->rbuf, c->rbuf + used, c->rlen - used);
        c->rlen -= (uint32_t)used;
        if ((size_t)n < room) return;
        continue;
      }
    }
    if (n == 0) {
      fail(c, 0);
      return;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN) return;
    fail(c, errno);
    return;
  }
}

void loop_watch_fd(int fd, void (*cb)(int fd)) {
  if (nextra == 8) die("too many watched fds");
  extra_cb[nextra] = cb;
  extra_fd[nextra] = fd;
  struct epoll_event ev = {.events = EPOLLIN};
  ev.data.u64 = EXTRA_TAG + (uint64_t)nextra;
  if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0) die("epoll_ctl: %s", strerror(errno));
  nextra++;
}

void loop_once(int timeout_ms) {
  static struct epoll_event events[1024];
  int n = epoll_wait(epfd, events, 1024, timeout_ms);
  if (n < 0 && errno != EINTR) die("epoll_wait: %s", strerror(errno));
  for (int i = 0; i < n; i++) {
    uint64_t tag = events[i].data.u64;
    if (tag >= EXTRA_TAG && tag < EXTRA_TAG + 8) {
      extra_cb[tag - EXTRA_TAG](extra_fd[tag - EXTRA_TAG]);
      continue;
    }
    uint32_t slot = (uint32_t)tag, gen = (uint32_t)(tag >> 32);
    conn_t *c = registry[slot];
    if (c->gen != gen || c->state == CS_FREE) continue; /* closed since */
    uint32_t evs = events[i].events;
    if (c->state == CS_CONNECTING) {
      if (!(evs & (EPOLLOUT | EPOLLERR | EPOLLHUP))) continue;
      int err = 0;
      socklen_t len = sizeof err;
      getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err) {
        fail(c, err);
        continue;
      }
      c->state = CS_OPEN;
    }
    if (evs & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) on_readable(c);
    if (c->gen == gen && c->state == CS_OPEN && (evs & EPOLLOUT) && c->woff < c->wlen) conn_flush(c);
  }
  /* Flush what the handlers wrote (one write per connection per round). */
  for (size_t i = 0; i < ndirty; i++) {
    conn_t *c = dirty[i];
    c->dirty = 0;
    if (c->state == CS_OPEN && c->woff < c->wlen) conn_flush(c);
  }
  ndirty = 0;
}
