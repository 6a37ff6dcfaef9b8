/*
 * mqload connect: --concurrency slots, each in a loop: TCP connect, CONNECT, CONNACK, DISCONNECT,
 * then (while the broker closes that connection, at most --close-wait-ms) the next attempt. Clean
 * sessions get a new client id every time; with --clean 0 each slot cycles through --ids-per-slot
 * ids, so after the first round every CONNECT resumes a session and the CONNACK must say Session
 * Present [MQTT-3.2.2-2] (the first use of an id must not [MQTT-3.2.2-3]). The first use of a
 * persistent id also subscribes (QoS 0, to bench/<prefix>/d/<id>), so that the session has state
 * to keep (Aedes reports a session only when it has subscriptions), and the measured window opens
 * only after every id has its session: it measures resumed sessions. Rate = CONNACKs received in
 * the measured window / its length.
 */
#include "mqload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  conn_t *cur;
  long iter;
  int waiting; /* no free connection, or a local error: retried next round */
} slot_t;

static int C, CLEAN, IDS_PER_SLOT, ending;
static conn_t *pool;
static conn_t **free_list;
static int nfree, npool;
static slot_t *slots;
static uint8_t *created, *tried; /* per persistent id: session made (SUBACK seen); attempted */
static long ncreated;
static long counter;
static int64_t win_start, win_end, timeout_ns, close_wait_ns;
static uint64_t attempts, ok_total, ok_win, fails[FAIL_KINDS], sp_mismatch, close_wait_expired, closed_by_broker;
static hist_t lat;
static char prefix[128];

enum { R_ATTEMPT = 0, R_CLOSING = 1, R_SUBSCRIBING = 2 };

static void release(conn_t *c) {
  conn_close(c, 1);
  free_list[nfree++] = c;
}

static void start_attempt(int s);

static void attempt_failed(conn_t *c, int kind) {
  fails[kind]++;
  int s = c->idx;
  release(c);
  slots[s].cur = NULL;
  start_attempt(s);
}

static void id_of(char *id, size_t cap, int s, long k) {
  if (CLEAN) snprintf(id, cap, "%s-%ld", prefix, k);
  else snprintf(id, cap, "%s-%d-%ld", prefix, s, k);
}

static void finish(conn_t *c, int64_t now) {
  uint8_t d[2];
  conn_send(c, d, mq_disconnect(d));
  c->role = R_CLOSING;
  c->deadline = now + close_wait_ns;
  int s = c->idx;
  slots[s].cur = NULL;
  start_attempt(s);
}

static void on_packet(conn_t *c, uint8_t h, const uint8_t *b, uint32_t len) {
  int64_t now = now_ns();
  long key = (long)c->idx * IDS_PER_SLOT + c->user; /* persistent id of this attempt */
  if (c->role == R_SUBSCRIBING && (h >> 4) == MQ_SUBACK) {
    if (len < 3 || b[2] != 0) die("SUBACK 0x%02x for a persistent session", len < 3 ? 0xFF : b[2]);
    if (!created[key]) created[key] = 1, ncreated++;
    finish(c, now);
    return;
  }
  if (c->role != R_ATTEMPT || (h >> 4) != MQ_CONNACK) return;
  if (len < 2 || b[1] != 0) {
    attempt_failed(c, FAIL_RC);
    return;
  }
  ok_total++;
  if (now >= win_start && now < win_end) {
    ok_win++;
    hist_add(&lat, (double)(now - c->t0) / 1000.0);
  }
  int sp = b[0] & 1;
  if (CLEAN) {
    if (sp) sp_mismatch++; /* [MQTT-3.2.2-1] */
  } else if (created[key] && !sp) {
    sp_mismatch++; /* the session was lost */
  } else if (!created[key] && sp && !c->flag) {
    sp_mismatch++; /* a session nobody made */
  }
  if (!CLEAN && !created[key]) {
    if (sp) {
      created[key] = 1; /* an earlier attempt that timed out made it */
      ncreated++;
    } else {
      char id[200], filter[420];
      uint8_t buf[512];
      id_of(id, sizeof id, c->idx, c->user);
      snprintf(filter, sizeof filter, "bench/%s/d/%s", prefix, id);
      conn_send(c, buf, mq_subscribe(buf, 1, filter, 0));
      c->role = R_SUBSCRIBING;
      return;
    }
  }
  finish(c, now);
}

static void on_close(conn_t *c, int err) {
  if (c->role == R_CLOSING) {
    closed_by_broker++;
    release(c);
    return;
  }
  attempt_failed(c, fail_kind(err));
}

static const handlers_t handlers = {on_packet, on_close};

static void start_attempt(int s) {
  slot_t *sl = &slots[s];
  if (ending) return;
  if (nfree == 0) {
    sl->waiting = 1;
    return;
  }
  conn_t *c = free_list[--nfree];
  char id[200];
  c->user = CLEAN ? 0 : (int)(sl->iter % IDS_PER_SLOT);
  id_of(id, sizeof id, s, CLEAN ? counter : c->user);
  if (!CLEAN) {
    c->flag = tried[(long)s * IDS_PER_SLOT + c->user]; /* an earlier attempt may have made it */
    tried[(long)s * IDS_PER_SLOT + c->user] = 1;
  }
  c->role = R_ATTEMPT;
  c->idx = s;
  c->t0 = now_ns();
  int r = conn_connect(c, (int)counter, &handlers);
  counter++;
  attempts++;
  if (r < 0) {
    fails[FAIL_LOCAL]++;
    free_list[nfree++] = c;
    sl->waiting = 1;
    return;
  }
  sl->iter++;
  sl->cur = c;
  sl->waiting = 0;
  uint8_t buf[256];
  conn_send(c, buf, mq_connect(buf, id, CLEAN, 1200));
}

int run_connect(void) {
  C = (int)arg_int("concurrency", 100);
  CLEAN = (int)arg_int("clean", 1);
  IDS_PER_SLOT = (int)arg_int("ids-per-slot", 10);
  double duration = arg_num("duration", 5), warmup = arg_num("warmup", 1);
  timeout_ns = arg_int("timeout-ms", 10000) * 1000000LL;
  close_wait_ns = arg_int("close-wait-ms", 1000) * 1000000LL;
  snprintf(prefix, sizeof prefix, "%s", arg_str("prefix", "mqload"));
  if (C < 1 || IDS_PER_SLOT < 1) die("--concurrency and --ids-per-slot must be >= 1");
  net_init();
  hist_init(&lat);
  npool = C * 16;
  pool = calloc((size_t)npool, sizeof *pool);
  free_list = malloc((size_t)npool * sizeof *free_list);
  slots = calloc((size_t)C, sizeof *slots);
  created = calloc((size_t)C * (size_t)IDS_PER_SLOT, 1);
  tried = calloc((size_t)C * (size_t)IDS_PER_SLOT, 1);
  if (!pool || !free_list || !slots || !created || !tried) die("out of memory");
  for (int i = npool - 1; i >= 0; i--) free_list[nfree++] = &pool[i];

  int64_t t0 = now_ns();
  win_start = win_end = INT64_MAX;
  for (int s = 0; s < C; s++) start_attempt(s);
  int window_open = 0, window_closed = 0;
  int64_t next_scan = 0, t_end = 0, t_created = 0;
  int64_t create_limit = arg_int("create-limit-s", 120) * 1000000000LL;
  for (;;) {
    loop_once(1);
    int64_t now = now_ns();
    /* The window opens after the warm-up and, for persistent ids, once every session exists. */
    if (!window_open && now - t0 >= (int64_t)(warmup * 1e9) &&
        (CLEAN || ncreated == (long)C * IDS_PER_SLOT || now - t0 > create_limit)) {
      win_start = now;
      win_end = now + (int64_t)(duration * 1e9);
      t_created = now - t0;
      cpu_window_start();
      window_open = 1;
    }
    if (window_open && !window_closed && now >= win_end) {
      cpu_window_end();
      window_closed = 1;
      ending = 1;
      t_end = now;
    }
    if (!ending)
      for (int s = 0; s < C; s++)
        if (slots[s].waiting) start_attempt(s);
    if (now >= next_scan) {
      next_scan = now + 50000000LL;
      for (int i = 0; i < npool; i++) {
        conn_t *c = &pool[i];
        if (c->state == CS_FREE) continue;
        if ((c->role == R_ATTEMPT || c->role == R_SUBSCRIBING) && now - c->t0 > timeout_ns)
          attempt_failed(c, FAIL_TIMEOUT);
        else if (c->role == R_CLOSING && now > c->deadline) {
          close_wait_expired++;
          release(c);
        }
      }
    }
    if (ending && nfree == npool) break;
    if (ending && now - t_end > timeout_ns + close_wait_ns + 1000000000LL) break; /* cannot happen */
  }
  uint64_t failed = 0;
  for (int k = 0; k < FAIL_KINDS; k++) failed += fails[k];
  int ok = sp_mismatch == 0 && ok_win > 0;
  char cpu[1024], h[256], f[256];
  cpu_json(cpu, sizeof cpu);
  hist_json(&lat, h, sizeof h);
  int n = 0;
  for (int k = 0; k < FAIL_KINDS; k++)
    n += snprintf(f + n, sizeof f - (size_t)n, "%s\"%s\":%llu", k ? "," : "", FAIL_NAMES[k], (unsigned long long)fails[k]);
  emit("{\"event\":\"result\",\"scenario\":\"connect\",\"ok\":%s,\"error\":\"%s\",\"clean\":%s,\"concurrency\":%d,"
       "\"attempts\":%llu,\"connacks\":%llu,\"windowSeconds\":%.3f,\"windowConnacks\":%llu,\"connectsPerSecond\":%.1f,"
       "\"failed\":%llu,\"failures\":{%s},\"sessionPresentWrong\":%llu,\"closedByBroker\":%llu,"
       "\"notClosedWithinWait\":%llu,\"sessionsCreated\":%ld,\"secondsBeforeWindow\":%.3f,\"connackLatencyUs\":%s,%s}",
       ok ? "true" : "false",
       sp_mismatch ? "CONNACK Session Present flag wrong" : ok_win == 0 ? "no CONNACK in the measured window" : "",
       CLEAN ? "true" : "false", C, (unsigned long long)attempts, (unsigned long long)ok_total, duration,
       (unsigned long long)ok_win, (double)ok_win / duration, (unsigned long long)failed, f,
       (unsigned long long)sp_mismatch, (unsigned long long)closed_by_broker,
       (unsigned long long)close_wait_expired, ncreated, (double)t_created / 1e9, h, cpu);
  return ok ? 0 : 1;
}
