/*
 * mqload hold: --clients connections (client ids <prefix>-<offset+i>) connect, --concurrency at a
 * time, and stay connected (keep alive 1200 s, nothing sent). Then it follows commands on stdin:
 *   drop   every connection is reset at once (RST) and reconnects at once (the reconnect
 *          storm); a failed or timed-out attempt (--timeout-ms) is retried with exponential
 *          backoff (retry_later), until all are served or --limit-s passed.
 *   close  DISCONNECT all, wait (at most 10 s) for the broker to close, print the result, exit.
 * With --subscribe 1 each client subscribes (--sub-qos) to bench/<prefix>/d/<id> after its first
 * CONNACK. With --clean 0 the first CONNACK of an id must not say Session Present and the storm's
 * must [MQTT-3.2.2-2/3]. Events: {"event":"connected"}, {"event":"stormed"}, then the result.
 */
#include "mqload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { H_IDLE = 0, H_ATTEMPT, H_SUBSCRIBING, H_UP, H_RETRY };
enum { PH_RAMP, PH_HELD, PH_STORM, PH_STORMED, PH_CLOSING };

static int N, C, CLEAN, SUBSCRIBE, SUBQOS;
static long OFFSET;
static conn_t *conns;
static int phase = PH_RAMP, inflight, up, next_start, closed_at_end;
static int64_t timeout_ns, retry_ns, t_phase, t_last_up;
static uint64_t fails[FAIL_KINDS], sp_mismatch, dropped_while_held, attempts, first_attempt_served;
static hist_t since_drop, per_attempt;
static char prefix[128];
static char cmd[64];

static const handlers_t *H;

static void start(int i) {
  conn_t *c = &conns[i];
  char id[200];
  snprintf(id, sizeof id, "%s-%ld", prefix, OFFSET + i);
  c->t0 = now_ns();
  c->role = H_ATTEMPT;
  c->idx = i;
  attempts++;
  int r = conn_connect(c, i, H);
  if (r < 0) {
    fails[FAIL_LOCAL]++;
    c->role = H_RETRY;
    c->deadline = now_ns() + retry_ns;
    return;
  }
  inflight++;
  uint8_t buf[256];
  conn_send(c, buf, mq_connect(buf, id, CLEAN, 1200));
}

/* Exponential backoff with jitter: the n-th retry after 2^(n-1) × --retry-ms, up to 32 ×, plus up
 * to as much again at random (as device SDKs do; a fixed period would keep a struggling broker
 * under the full load). */
static void retry_later(conn_t *c, int kind) {
  fails[kind]++;
  inflight--;
  conn_close(c, 1);
  c->role = H_RETRY;
  int n = c->user < 5 ? c->user : 5;
  c->user++;
  int64_t base = retry_ns << n;
  c->deadline = now_ns() + base + (int64_t)((double)rand() / RAND_MAX * (double)base);
}

static void became_up(conn_t *c) {
  int64_t now = now_ns();
  c->role = H_UP;
  inflight--;
  up++;
  t_last_up = now;
  if (phase == PH_STORM) {
    hist_add(&since_drop, (double)(now - t_phase) / 1000.0);
    hist_add(&per_attempt, (double)(now - c->t0) / 1000.0);
    if (c->flag == 1) first_attempt_served++;
  }
}

static void on_packet(conn_t *c, uint8_t h, const uint8_t *b, uint32_t len) {
  if (c->role == H_ATTEMPT && (h >> 4) == MQ_CONNACK) {
    if (len < 2 || b[1] != 0) {
      retry_later(c, FAIL_RC);
      return;
    }
    /* A retried first connect may find the session its timed-out attempt created. */
    int expected = !CLEAN && phase == PH_STORM;
    if ((b[0] & 1) != expected && (phase == PH_STORM || c->flag == 1)) sp_mismatch++;
    if (SUBSCRIBE && phase == PH_RAMP) {
      uint8_t buf[256];
      char filter[200];
      snprintf(filter, sizeof filter, "bench/%s/d/%ld", prefix, OFFSET + c->idx);
      conn_send(c, buf, mq_subscribe(buf, 1, filter, SUBQOS));
      c->role = H_SUBSCRIBING;
      return;
    }
    became_up(c);
  } else if (c->role == H_SUBSCRIBING && (h >> 4) == MQ_SUBACK) {
    if (len < 3 || b[2] != SUBQOS) die("SUBACK 0x%02x for %s-%ld", len < 3 ? 0xFF : b[2], prefix, OFFSET + c->idx);
    became_up(c);
  }
}

static void on_close(conn_t *c, int err) {
  if (phase == PH_CLOSING) {
    closed_at_end++;
    return;
  }
  if (c->role == H_UP) {
    dropped_while_held++; /* the broker closed a connection that did nothing wrong */
    up--;
    conn_close(c, 1);
    c->role = H_IDLE;
    return;
  }
  retry_later(c, fail_kind(err));
}

static const handlers_t handlers = {on_packet, on_close};

static void on_stdin(int fd) {
  char buf[64];
  ssize_t n = read(fd, buf, sizeof buf - 1);
  if (n <= 0) {
    strcpy(cmd, "close");
    return;
  }
  buf[n] = 0;
  char *nl = strchr(buf, '\n');
  if (nl) *nl = 0;
  snprintf(cmd, sizeof cmd, "%s", buf);
}

static void failures_json(char *f, size_t cap) {
  int n = 0;
  for (int k = 0; k < FAIL_KINDS; k++)
    n += snprintf(f + n, cap - (size_t)n, "%s\"%s\":%llu", k ? "," : "", FAIL_NAMES[k], (unsigned long long)fails[k]);
}

int run_hold(void) {
  N = (int)arg_int("clients", 1000);
  C = (int)arg_int("concurrency", 200);
  CLEAN = (int)arg_int("clean", 1);
  SUBSCRIBE = (int)arg_int("subscribe", 0);
  SUBQOS = (int)arg_int("sub-qos", 0);
  OFFSET = arg_int("offset", 0);
  timeout_ns = arg_int("timeout-ms", 10000) * 1000000LL;
  retry_ns = arg_int("retry-ms", 1000) * 1000000LL;
  int64_t limit_ns = (int64_t)(arg_num("limit-s", 300) * 1e9);
  snprintf(prefix, sizeof prefix, "%s", arg_str("prefix", "mqload"));
  net_init();
  H = &handlers;
  hist_init(&since_drop);
  hist_init(&per_attempt);
  conns = calloc((size_t)N, sizeof *conns);
  if (!conns) die("out of memory");
  loop_watch_fd(0, on_stdin);
  srand((unsigned)getpid());

  t_phase = now_ns();
  int64_t next_scan = 0;
  char f[256], cpu[1024], h1[256], h2[256];
  for (;;) {
    loop_once(phase == PH_HELD || phase == PH_STORMED ? 100 : 1);
    int64_t now = now_ns();
    if (phase == PH_RAMP)
      while (inflight < C && next_start < N) {
        conns[next_start].flag = 1; /* first attempt */
        conns[next_start].user = 0;
        start(next_start++);
      }
    if (now >= next_scan) {
      next_scan = now + 100000000LL;
      for (int i = 0; i < N; i++) {
        conn_t *c = &conns[i];
        if ((c->role == H_ATTEMPT || c->role == H_SUBSCRIBING) && now - c->t0 > timeout_ns) retry_later(c, FAIL_TIMEOUT);
        else if (c->role == H_RETRY && now >= c->deadline && (phase == PH_RAMP || phase == PH_STORM)) {
          c->flag = 0;
          start(i);
        }
      }
    }
    if (phase == PH_RAMP && up == N) {
      failures_json(f, sizeof f);
      double s = (double)(now - t_phase) / 1e9;
      emit("{\"event\":\"connected\",\"clients\":%d,\"seconds\":%.3f,\"connectsPerSecond\":%.1f,\"attempts\":%llu,"
           "\"failures\":{%s},\"sessionPresentWrong\":%llu}",
           N, s, N / s, (unsigned long long)attempts, f, (unsigned long long)sp_mismatch);
      phase = PH_HELD;
    } else if (phase == PH_RAMP && now - t_phase > limit_ns) {
      die("only %d of %d clients connected within %.0f s", up, N, (double)limit_ns / 1e9);
    }
    if (phase == PH_STORM && (up == N || now - t_phase > limit_ns)) {
      cpu_window_end();
      failures_json(f, sizeof f);
      cpu_json(cpu, sizeof cpu);
      hist_json(&since_drop, h1, sizeof h1);
      hist_json(&per_attempt, h2, sizeof h2);
      emit("{\"event\":\"stormed\",\"clients\":%d,\"served\":%d,\"firstAttemptServed\":%llu,\"attempts\":%llu,"
           "\"failures\":{%s},\"sessionPresentWrong\":%llu,\"lastConnackSeconds\":%.3f,\"connackSinceDropUs\":%s,"
           "\"connackPerAttemptUs\":%s,%s}",
           N, up, (unsigned long long)first_attempt_served, (unsigned long long)attempts, f,
           (unsigned long long)sp_mismatch, (double)(t_last_up - t_phase) / 1e9, h1, h2, cpu);
      phase = PH_STORMED;
    }
    if (strcmp(cmd, "drop") == 0 && phase == PH_HELD) {
      cmd[0] = 0;
      cpu_window_start();
      t_phase = now_ns();
      attempts = 0;
      memset(fails, 0, sizeof fails);
      for (int i = 0; i < N; i++)
        if (conns[i].role == H_UP) conn_close(&conns[i], 1); /* RST: the network blip */
      up = 0;
      inflight = 0;
      phase = PH_STORM;
      for (int i = 0; i < N; i++) {
        conns[i].flag = 1; /* first attempt */
        conns[i].user = 0;
        start(i);
      }
    } else if (strcmp(cmd, "close") == 0 && (phase == PH_HELD || phase == PH_STORMED)) {
      break;
    }
  }

  phase = PH_CLOSING;
  int open = 0;
  uint8_t d[2];
  mq_disconnect(d);
  for (int i = 0; i < N; i++)
    if (conns[i].state == CS_OPEN) conn_send(&conns[i], d, 2), open++;
  int64_t t_close = now_ns();
  while (closed_at_end < open && now_ns() - t_close < 10000000000LL) loop_once(10);
  for (int i = 0; i < N; i++) conn_close(&conns[i], 1);
  int ok = sp_mismatch == 0 && dropped_while_held == 0;
  emit("{\"event\":\"result\",\"scenario\":\"hold\",\"ok\":%s,\"error\":\"%s\",\"clients\":%d,\"up\":%d,"
       "\"sessionPresentWrong\":%llu,\"droppedWhileHeld\":%llu,\"closedByBrokerAfterDisconnect\":%d,\"disconnected\":%d}",
       ok ? "true" : "false",
       sp_mismatch ? "CONNACK Session Present flag wrong" : dropped_while_held ? "the broker closed idle connections" : "",
       N, up, (unsigned long long)sp_mismatch, (unsigned long long)dropped_while_held, closed_at_end, open);
  return ok ? 0 : 1;
}
