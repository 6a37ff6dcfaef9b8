/*
 * mqload flow: P publishers and S subscribers on one run prefix. Subscribers subscribe to
 * bench/<prefix>/+ (--topics wild: publisher i publishes to bench/<prefix>/p<i>) or all to
 * bench/<prefix>/t (--topics exact), so every message goes to every subscriber. Closed loop by
 * default: at most --window messages not yet delivered to every subscriber, and with --qos 1 at
 * most --pub-window PUBACKs outstanding per publisher. --rate R instead publishes R messages/s on
 * a fixed schedule (open loop). Before the run each publisher sends probes until every subscriber
 * got one (routes between gateways are then in place); then --warmup s, the measured --duration
 * s, and a drain until every message arrived or nothing arrived for --stall-ms.
 * Every payload carries its send time, publisher and sequence number: each subscriber checks
 * that it gets every publisher's messages exactly once and in order [MQTT-4.6.0-5].
 */
#include "mqload.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#define PROBE_SEQ 0xFFFFFFFFu
#define MAX_PUB_WINDOW 1024

typedef struct {
  conn_t c;
  int ready;
  uint8_t head[300], probe_head[300];
  size_t headlen, probe_headlen;
  uint32_t seq;
  uint16_t next_pid;
  uint16_t out[MAX_PUB_WINDOW];
  int nout;
  int probes_seen; /* subscribers that got one of its probes */
} pub_t;

typedef struct {
  conn_t c;
  int ready;
} sub_t;

enum { P_SETUP, P_PROBE, P_RUN, P_DRAIN, P_DONE, P_CLOSING };

static int P, S, QOS, SUBQOS, WINDOW, PUBWIN, PAYLOAD, REFILL;
static double RATE;
static pub_t *pubs;
static sub_t *subs;
static uint32_t *last_seq;    /* [pub * S + sub]: last sequence seen, PROBE_SEQ = none */
static uint8_t *probe_seen;   /* [pub * S + sub] */
static int phase = P_SETUP, ready_subs, ready_pubs, probes_seen, rr, closed_at_end;
static uint64_t published, delivered, acked, gaps, reordered, dupflag, unknown, stray_acks;
static uint64_t win_delivered, win_published, win_acked, probes_sent;
static int64_t win_start, win_end, last_progress;
static hist_t lat;
static char error_msg[256];
static uint8_t payload_template[65536];
static char prefix[128];

static void set_error(const char *msg) {
  if (!error_msg[0]) snprintf(error_msg, sizeof error_msg, "%s", msg);
  if (phase < P_DONE) phase = P_DONE;
}

static void on_connack(conn_t *c, const uint8_t *b, uint32_t len) {
  if (len < 2 || b[1] != 0) {
    char m[128];
    snprintf(m, sizeof m, "CONNACK return code %d for %s %d", len < 2 ? -1 : b[1], c->role ? "publisher" : "subscriber", c->idx);
    set_error(m);
    return;
  }
  if (c->role == 0) {
    char filter[200];
    if (strcmp(arg_str("topics", "wild"), "exact") == 0) snprintf(filter, sizeof filter, "bench/%s/t", prefix);
    else snprintf(filter, sizeof filter, "bench/%s/+", prefix);
    uint8_t buf[256];
    conn_send(c, buf, mq_subscribe(buf, 1, filter, SUBQOS));
  } else {
    pubs[c->idx].ready = 1;
    ready_pubs++;
  }
}

static void on_sub_publish(sub_t *s, uint8_t h, const uint8_t *b, uint32_t len) {
  int qos = (h >> 1) & 3;
  if (len < 2) {
    unknown++;
    return;
  }
  uint32_t off = 2 + ((uint32_t)b[0] << 8 | b[1]);
  if (qos) {
    if (off + 2 > len) {
      unknown++;
      return;
    }
    uint8_t ack[4];
    conn_send(&s->c, ack, mq_puback(ack, (uint16_t)(b[off] << 8 | b[off + 1]))); /* [MQTT-4.3.2-2] */
    off += 2;
  }
  if (off > len || len - off < 16) {
    unknown++;
    return;
  }
  int64_t ts;
  uint32_t pub, seq;
  memcpy(&ts, b + off, 8);
  memcpy(&pub, b + off + 8, 4);
  memcpy(&seq, b + off + 12, 4);
  if (pub >= (uint32_t)P) {
    unknown++;
    return;
  }
  size_t k = (size_t)pub * (size_t)S + (size_t)s->c.idx;
  if (seq == PROBE_SEQ) {
    if (!probe_seen[k]) {
      probe_seen[k] = 1;
      probes_seen++;
      pubs[pub].probes_seen++;
    }
    return;
  }
  uint32_t expected = last_seq[k] + 1; /* PROBE_SEQ + 1 = 0 */
  if (seq == expected) {
    last_seq[k] = seq;
  } else if (last_seq[k] == PROBE_SEQ || seq > last_seq[k]) {
    gaps += seq - expected; /* messages missing (so far) */
    if (getenv("MQLOAD_DEBUG")) fprintf(stderr, "gap pub %u sub %d: expected %u got %u (published %llu delivered %llu acked %llu)\n", pub, s->c.idx, expected, seq, (unsigned long long)published, (unsigned long long)delivered, (unsigned long long)acked);
    last_seq[k] = seq;
  } else {
    reordered++; /* a duplicate or out of order */
  }
  if (h & 0x08) dupflag++;
  delivered++;
  int64_t now = now_ns();
  last_progress = now;
  if (now >= win_start && now < win_end) {
    win_delivered++;
    hist_add(&lat, (double)(now - ts) / 1000.0);
  }
}

static void on_pub_puback(pub_t *p, const uint8_t *b, uint32_t len) {
  if (len < 2) {
    stray_acks++;
    return;
  }
  uint16_t pid = (uint16_t)(b[0] << 8 | b[1]);
  for (int i = 0; i < p->nout; i++) {
    if (p->out[i] == pid) {
      p->out[i] = p->out[--p->nout];
      acked++;
      int64_t now = now_ns();
      last_progress = now;
      if (now >= win_start && now < win_end) win_acked++;
      return;
    }
  }
  stray_acks++;
}

static void on_packet(conn_t *c, uint8_t h, const uint8_t *b, uint32_t len) {
  switch (h >> 4) {
    case MQ_CONNACK: on_connack(c, b, len); break;
    case MQ_SUBACK:
      if (c->role == 0 && !subs[c->idx].ready) {
        if (len < 3 || b[2] != SUBQOS) {
          char m[128];
          snprintf(m, sizeof m, "SUBACK granted 0x%02x, not QoS %d, to subscriber %d", len < 3 ? 0xFF : b[2], SUBQOS, c->idx);
          set_error(m);
          return;
        }
        subs[c->idx].ready = 1;
        ready_subs++;
      }
      break;
    case MQ_PUBLISH:
      if (c->role == 0) on_sub_publish(&subs[c->idx], h, b, len);
      else unknown++;
      break;
    case MQ_PUBACK:
      if (c->role == 1) on_pub_puback(&pubs[c->idx], b, len);
      else stray_acks++;
      break;
    default: break;
  }
}

static void on_close(conn_t *c, int err) {
  if (phase == P_CLOSING) {
    closed_at_end++;
    return;
  }
  char m[160];
  snprintf(m, sizeof m, "%s %d: connection %s (%s)", c->role ? "publisher" : "subscriber", c->idx,
           c->state == CS_CONNECTING ? "failed" : "closed by the broker", err ? strerror(err) : "EOF");
  set_error(m);
}

static const handlers_t handlers = {on_packet, on_close};

static void send_message(pub_t *p, uint32_t seq, int qos) {
  size_t headlen = seq == PROBE_SEQ ? p->probe_headlen : p->headlen;
  size_t need = headlen + (qos ? 2 : 0) + (size_t)PAYLOAD;
  uint8_t *b = conn_reserve(&p->c, need);
  memcpy(b, seq == PROBE_SEQ ? p->probe_head : p->head, headlen);
  size_t n = headlen;
  if (qos) {
    if (++p->next_pid == 0) p->next_pid = 1; /* packet ids are non-zero [MQTT-2.3.1-1] */
    b[n++] = (uint8_t)(p->next_pid >> 8);
    b[n++] = (uint8_t)p->next_pid;
    p->out[p->nout++] = p->next_pid;
  }
  memcpy(b + n, payload_template, (size_t)PAYLOAD);
  int64_t t = now_ns();
  uint32_t idx = (uint32_t)p->c.idx;
  memcpy(b + n, &t, 8);
  memcpy(b + n + 8, &idx, 4);
  memcpy(b + n + 12, &seq, 4);
  conn_commit(&p->c, need);
}

/* One message from the next publisher with room; 0 when none has room. */
static int publish_one(int64_t now) {
  for (int tries = 0; tries < P; tries++) {
    pub_t *p = &pubs[rr];
    rr = (rr + 1) % P;
    if (QOS && p->nout >= PUBWIN) continue;
    send_message(p, p->seq++, QOS);
    published++;
    if (now >= win_start && now < win_end) win_published++;
    return 1;
  }
  return 0;
}

static void drain_timer(int fd) {
  uint64_t expirations;
  while (read(fd, &expirations, sizeof expirations) > 0) {
  }
}

int run_flow(void) {
  P = (int)arg_int("pubs", 1);
  S = (int)arg_int("subs", 1);
  QOS = (int)arg_int("qos", 0);
  SUBQOS = (int)arg_int("sub-qos", QOS);
  WINDOW = (int)arg_int("window", 500);
  PUBWIN = (int)arg_int("pub-window", 20);
  PAYLOAD = (int)arg_int("payload", 64);
  REFILL = (int)(arg_num("refill", 0.25) * WINDOW);
  if (REFILL < 1) REFILL = 1;
  RATE = arg_num("rate", 0);
  double duration = arg_num("duration", 5), warmup = arg_num("warmup", 1);
  int64_t stall_ns = arg_int("stall-ms", 5000) * 1000000LL;
  int64_t setup_ns = arg_int("setup-timeout-ms", 30000) * 1000000LL;
  snprintf(prefix, sizeof prefix, "%s", arg_str("prefix", "mqload"));
  if (P < 1 || S < 1 || QOS < 0 || QOS > 1 || SUBQOS < 0 || SUBQOS > 1) die("--pubs/--subs >= 1, --qos 0|1");
  if (PAYLOAD < 16 || PAYLOAD > 65536) die("--payload must be 16..65536 bytes");
  if (PUBWIN < 1 || PUBWIN > MAX_PUB_WINDOW || WINDOW < 1) die("--window >= 1, --pub-window 1..%d", MAX_PUB_WINDOW);
  memset(payload_template, 'x', sizeof payload_template);
  net_init();
  hist_init(&lat);
  pubs = calloc((size_t)P, sizeof *pubs);
  subs = calloc((size_t)S, sizeof *subs);
  last_seq = malloc((size_t)P * (size_t)S * sizeof *last_seq);
  probe_seen = calloc((size_t)P * (size_t)S, 1);
  if (!pubs || !subs || !last_seq || !probe_seen) die("out of memory");
  memset(last_seq, 0xFF, (size_t)P * (size_t)S * sizeof *last_seq);
  win_start = win_end = INT64_MAX;

  int64_t t_setup = now_ns();
  uint8_t buf[512];
  char id[200], topic[200];
  for (int j = 0; j < S; j++) {
    conn_t *c = &subs[j].c;
    c->role = 0;
    c->idx = j;
    snprintf(id, sizeof id, "%s-s%d", prefix, j);
    int r = conn_connect(c, j, &handlers);
    if (r < 0) die("subscriber %d: connect: %s", j, strerror(-r));
    conn_send(c, buf, mq_connect(buf, id, 1, 1200));
  }
  int exact = strcmp(arg_str("topics", "wild"), "exact") == 0;
  for (int i = 0; i < P; i++) {
    pub_t *p = &pubs[i];
    p->c.role = 1;
    p->c.idx = i;
    if (exact) snprintf(topic, sizeof topic, "bench/%s/t", prefix);
    else snprintf(topic, sizeof topic, "bench/%s/p%d", prefix, i);
    p->headlen = mq_publish_head(p->head, topic, QOS, (size_t)PAYLOAD);
    p->probe_headlen = mq_publish_head(p->probe_head, topic, 0, (size_t)PAYLOAD);
    snprintf(id, sizeof id, "%s-p%d", prefix, i);
    int r = conn_connect(&p->c, i, &handlers);
    if (r < 0) die("publisher %d: connect: %s", i, strerror(-r));
    conn_send(&p->c, buf, mq_connect(buf, id, 1, 1200));
  }

  int tfd = -1;
  int64_t t_run = 0, t_probe = 0, next_probe = 0, t_drain = 0;
  double setup_s = 0;
  /* Closed loop: a pause after each round lets deliveries pile up, so one read takes several. */
  long coalesce_us = RATE > 0 ? 0 : arg_int("coalesce-us", 0);
  while (phase < P_DONE) {
    loop_once(1);
    if (coalesce_us > 0 && phase == P_RUN) usleep((useconds_t)coalesce_us);
    int64_t now = now_ns();
    if (phase == P_SETUP) {
      if (ready_subs == S && ready_pubs == P) {
        phase = P_PROBE;
        t_probe = now;
        next_probe = now;
        setup_s = (double)(now - t_setup) / 1e9;
      } else if (now - t_setup > setup_ns) {
        char m[160];
        snprintf(m, sizeof m, "setup timed out: %d/%d subscribers subscribed, %d/%d publishers connected", ready_subs, S, ready_pubs, P);
        set_error(m);
      }
    }
    if (phase == P_PROBE) {
      if (probes_seen == P * S) {
        phase = P_RUN;
        t_run = now;
        win_start = t_run + (int64_t)(warmup * 1e9);
        win_end = win_start + (int64_t)(duration * 1e9);
        last_progress = now;
        if (RATE > 0) {
          tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
          if (tfd < 0) die("timerfd_create: %s", strerror(errno));
        }
      } else if (now - t_probe > 15000000000LL) {
        char m[160];
        snprintf(m, sizeof m, "probes: only %d of %d publisher-subscriber routes delivered one within 15 s", probes_seen, P * S);
        set_error(m);
      } else if (now >= next_probe) {
        for (int i = 0; i < P; i++)
          if (pubs[i].probes_seen < S) {
            send_message(&pubs[i], PROBE_SEQ, 0);
            probes_sent++;
          }
        next_probe = now + 200000000LL;
      }
    }
    if (phase == P_RUN) {
      static int window_open;
      if (!window_open && now >= win_start) {
        cpu_window_start();
        window_open = 1;
      }
      if (now >= win_end) {
        cpu_window_end();
        phase = P_DRAIN;
        t_drain = now;
        last_progress = now;
      } else if (RATE > 0) {
        /* Open loop: every message due by now, then sleep until the next one is due. */
        uint64_t due = (uint64_t)((double)(now - t_run) * RATE / 1e9) + 1;
        while (published < due && publish_one(now)) conn_flush(&pubs[(rr + P - 1) % P].c);
        int64_t next = t_run + (int64_t)((double)published * 1e9 / RATE);
        struct itimerspec its = {.it_value = {.tv_sec = next / 1000000000LL, .tv_nsec = next % 1000000000LL}};
        timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL);
        static int watched;
        if (!watched) {
          loop_watch_fd(tfd, drain_timer);
          watched = 1;
        }
      } else {
        /* Refill only once REFILL of the window is free: fewer, larger writes on both sides. */
        int64_t free_msgs = (int64_t)WINDOW - (int64_t)(published * (uint64_t)S - delivered) / S;
        if (free_msgs >= REFILL)
          while ((int64_t)(published * (uint64_t)S - delivered) < (int64_t)WINDOW * S && publish_one(now)) {
          }
      }
    }
    if (phase == P_DRAIN) {
      int complete = delivered >= published * (uint64_t)S && (QOS == 0 || acked >= published);
      if (complete || now - last_progress > stall_ns) phase = P_DONE;
    }
  }
  double drain_s = t_drain ? (double)(now_ns() - t_drain) / 1e9 : 0;

  /* Disconnect everyone and wait (at most 2 s) for the broker to close [MQTT-3.14.4-1]. */
  phase = P_CLOSING;
  int open = 0;
  for (int j = 0; j < S; j++)
    if (subs[j].c.state == CS_OPEN) conn_send(&subs[j].c, buf, mq_disconnect(buf)), open++;
  for (int i = 0; i < P; i++)
    if (pubs[i].c.state == CS_OPEN) conn_send(&pubs[i].c, buf, mq_disconnect(buf)), open++;
  int64_t t_close = now_ns();
  while (closed_at_end < open && now_ns() - t_close < 2000000000LL) loop_once(10);
  for (int j = 0; j < S; j++) conn_close(&subs[j].c, 1);
  for (int i = 0; i < P; i++) conn_close(&pubs[i].c, 1);

  uint64_t expected = published * (uint64_t)S;
  int ok = !error_msg[0] && delivered == expected && gaps == 0 && reordered == 0 && unknown == 0 &&
           stray_acks == 0 && (QOS == 0 || acked == published);
  if (!error_msg[0] && !ok) {
    snprintf(error_msg, sizeof error_msg,
             "delivered %llu of %llu expected (gaps %llu, out of order or duplicate %llu, unknown %llu), PUBACKs %llu of %llu, stray PUBACKs %llu",
             (unsigned long long)delivered, (unsigned long long)expected, (unsigned long long)gaps,
             (unsigned long long)reordered, (unsigned long long)unknown, (unsigned long long)acked,
             (unsigned long long)(QOS ? published : 0), (unsigned long long)stray_acks);
  }
  char cpu[1024], h[256];
  cpu_json(cpu, sizeof cpu);
  hist_json(&lat, h, sizeof h);
  emit("{\"event\":\"result\",\"scenario\":\"flow\",\"ok\":%s,\"error\":\"%s\",\"publishers\":%d,\"subscribers\":%d,"
       "\"qos\":%d,\"subQos\":%d,\"published\":%llu,\"expectedDeliveries\":%llu,\"delivered\":%llu,\"gaps\":%llu,"
       "\"outOfOrder\":%llu,\"dupFlag\":%llu,\"unknown\":%llu,\"pubacks\":%llu,\"strayPubacks\":%llu,\"probesSent\":%llu,"
       "\"windowSeconds\":%.3f,\"deliveriesPerSecond\":%.0f,\"publishesPerSecond\":%.0f,\"pubacksPerSecond\":%.0f,"
       "\"latencyUs\":%s,\"setupSeconds\":%.3f,\"drainSeconds\":%.3f,%s}",
       ok ? "true" : "false", error_msg, P, S, QOS, SUBQOS, (unsigned long long)published, (unsigned long long)expected,
       (unsigned long long)delivered, (unsigned long long)gaps, (unsigned long long)reordered,
       (unsigned long long)dupflag, (unsigned long long)unknown, (unsigned long long)acked,
       (unsigned long long)stray_acks, (unsigned long long)probes_sent, duration, (double)win_delivered / duration,
       (double)win_published / duration, (double)win_acked / duration, h, setup_s, drain_s, cpu);
  if (tfd >= 0) close(tfd);
  return ok ? 0 : 1;
}
