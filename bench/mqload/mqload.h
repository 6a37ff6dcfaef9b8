/*
 * mqload: the MQTT 3.1.1 load generator of bench/mqtt-load.ts. One thread, one epoll loop, many
 * non-blocking sockets, packets encoded once and copied (so that the generator, not the broker
 * under test, is the cheap side). Built by bench/lib/mqload-build.ts with the machine's C
 * compiler; no library beyond libc. Scenarios: flow.c (publish/subscribe throughput and
 * latency), sessions.c (connect rate, idle connections, reconnect storm).
 * It prints JSON lines on stdout ({"event":...}); the last one is {"event":"result",...}.
 */
#ifndef MQLOAD_H
#define MQLOAD_H

#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>

/* ---- time, arguments, output (loop.c) ---- */
int64_t now_ns(void);
void args_init(int argc, char **argv);
long arg_int(const char *name, long def);
double arg_num(const char *name, double def);
const char *arg_str(const char *name, const char *def);
/* A fatal setup error: prints {"event":"error"} and exits 2. */
void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void emit(const char *fmt, ...) __attribute__((format(printf, 1, 2))); /* one JSON line */

/* ---- CPU readings from /proc/<pid>/stat ---- */
double proc_cpu_seconds(int pid);
/* Groups given as --watch name:pid,pid (repeatable) plus "generator" (this process). */
void cpu_window_start(void);
void cpu_window_end(void);
/* Writes "cpu":{"generator":s,...,"machine":s},"cpuWindowSeconds":w to buf ("machine": every
 * process on the machine, all cores). */
int cpu_json(char *buf, size_t cap);

/* ---- latency histogram (microseconds, 0.1 % relative precision) ---- */
typedef struct {
  uint64_t *buckets;
  uint64_t count;
  double sum;
  double max;
} hist_t;
void hist_init(hist_t *h);
void hist_add(hist_t *h, double us);
double hist_pct(const hist_t *h, double p); /* nearest rank, as bench/lib/stats.ts */
int hist_json(const hist_t *h, char *buf, size_t cap);

/* ---- connections ---- */
enum { CS_FREE = 0, CS_CONNECTING, CS_OPEN };
enum { FAIL_REFUSED, FAIL_RESET, FAIL_EOF, FAIL_RC, FAIL_TIMEOUT, FAIL_LOCAL, FAIL_KINDS };
extern const char *FAIL_NAMES[FAIL_KINDS];

typedef struct conn conn_t;
typedef struct {
  /* A complete MQTT packet: first header byte, body (after the remaining length), body length. */
  void (*on_packet)(conn_t *c, uint8_t header, const uint8_t *body, uint32_t len);
  /* The connection ended: err 0 = orderly EOF from the peer, else an errno. Closed afterwards. */
  void (*on_close)(conn_t *c, int err);
} handlers_t;

struct conn {
  int fd;
  uint8_t state;
  uint8_t dirty;
  uint32_t slot; /* registry index (loop.c) */
  uint32_t gen;  /* bumped on every close, so stale epoll events are ignored */
  uint8_t *rbuf; /* an incomplete packet only; complete ones are parsed from a shared buffer */
  uint32_t rlen, rcap;
  uint8_t *wbuf;
  uint32_t woff, wlen, wcap;
  const handlers_t *h;
  /* for the scenario */
  int role;
  int idx;
  int64_t t0;
  int64_t deadline;
  int flag;
  int user;
};

/* Ports (--ports a,b) and source addresses (--sources N: 127.0.0.1 .. 127.0.0.N). */
void net_init(void);
int net_port_count(void);
int net_port(int i);
/* Starts a TCP connect to ports[port_index % count]; 0 or -errno (nothing to close). */
int conn_connect(conn_t *c, int port_index, const handlers_t *h);
void conn_send(conn_t *c, const void *p, size_t n);
uint8_t *conn_reserve(conn_t *c, size_t n); /* room for n bytes at the end of the write buffer */
void conn_commit(conn_t *c, size_t n);      /* n of them used; marks the connection for flushing */
void conn_flush(conn_t *c);
/* Closes now; rst = 1 sends a TCP reset (SO_LINGER 0), so no TIME_WAIT is left behind. */
void conn_close(conn_t *c, int rst);
/* One epoll_wait (at most timeout_ms, 0 = poll), handle its events, flush written connections. */
void loop_once(int timeout_ms);
/* An extra fd (stdin, a timerfd): cb runs when it is readable. */
void loop_watch_fd(int fd, void (*cb)(int fd));
int fail_kind(int err);

/* ---- MQTT 3.1.1 encoding (mqtt.c) ---- */
size_t mq_varint(uint8_t *b, uint32_t v);
size_t mq_connect(uint8_t *b, const char *client_id, int clean, uint16_t keepalive);
size_t mq_subscribe(uint8_t *b, uint16_t pid, const char *filter, int qos);
/* PUBLISH fixed header + topic, without packet id and payload (body = pid? + payload). */
size_t mq_publish_head(uint8_t *b, const char *topic, int qos, size_t payload_len);
size_t mq_puback(uint8_t *b, uint16_t pid);
size_t mq_disconnect(uint8_t *b);
/* Packet types (high nibble of the first byte). */
enum { MQ_CONNACK = 2, MQ_PUBLISH = 3, MQ_PUBACK = 4, MQ_SUBACK = 9, MQ_PINGRESP = 13 };

/* ---- scenarios ---- */
int run_flow(void);     /* flow.c */
int run_connect(void);  /* sessions.c */
int run_hold(void);     /* sessions.c: idle connections and the reconnect storm */

#endif
