/* mqload: time, arguments, JSON output, CPU readings and the latency histogram. */
#include "mqload.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* ---- arguments: --name value pairs ---- */
static int g_argc;
static char **g_argv;

void args_init(int argc, char **argv) {
  g_argc = argc;
  g_argv = argv;
}

static const char *arg_find(const char *name, int from) {
  for (int i = from; i + 1 < g_argc; i++) {
    if (g_argv[i][0] == '-' && g_argv[i][1] == '-' && strcmp(g_argv[i] + 2, name) == 0) return g_argv[i + 1];
  }
  return NULL;
}

const char *arg_str(const char *name, const char *def) {
  const char *v = arg_find(name, 1);
  return v ? v : def;
}

long arg_int(const char *name, long def) {
  const char *v = arg_find(name, 1);
  if (!v) return def;
  char *end;
  long n = strtol(v, &end, 10);
  if (*end) die("--%s %s: not an integer", name, v);
  return n;
}

double arg_num(const char *name, double def) {
  const char *v = arg_find(name, 1);
  if (!v) return def;
  char *end;
  double n = strtod(v, &end);
  if (*end) die("--%s %s: not a number", name, v);
  return n;
}

void emit(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vfprintf(stdout, fmt, ap);
  va_end(ap);
  fputc('\n', stdout);
  fflush(stdout);
}

void die(const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  for (char *p = msg; *p; p++)
    if (*p == '"' || *p == '\\' || (unsigned char)*p < 0x20) *p = ' ';
  emit("{\"event\":\"error\",\"message\":\"%s\"}", msg);
  fprintf(stderr, "mqload: %s\n", msg);
  exit(2);
}

/* ---- CPU: utime + stime (fields 14 and 15 of /proc/<pid>/stat) ---- */
double proc_cpu_seconds(int pid) {
  char path[64], buf[1024];
  if (pid > 0) snprintf(path, sizeof path, "/proc/%d/stat", pid);
  else snprintf(path, sizeof path, "/proc/self/stat");
  FILE *f = fopen(path, "r");
  if (!f) return 0; /* gone: counts nothing */
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = 0;
  char *p = strrchr(buf, ')'); /* the command name may contain spaces */
  if (!p) return 0;
  p += 2; /* field 3 (state) */
  unsigned long long utime = 0, stime = 0;
  /* fields 3..13 skipped, then utime (14) and stime (15) */
  if (sscanf(p, "%*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %llu %llu", &utime, &stime) != 2) return 0;
  return (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
}

#define MAX_GROUPS 8
#define MAX_PIDS 256
static struct {
  char name[32];
  int pids[MAX_PIDS];
  int npids;
  double start[MAX_PIDS];
  double used;
} groups[MAX_GROUPS];
static int ngroups = -1;
static int64_t window_start_ns, window_end_ns;
static double machine_start, machine_used;

/* Busy CPU time of the whole machine, all cores (the "cpu" line of /proc/stat). */
static double machine_busy_seconds(void) {
  FILE *f = fopen("/proc/stat", "r");
  if (!f) return 0;
  unsigned long long v[8] = {0};
  int n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
  fclose(f);
  if (n < 4) return 0;
  /* user nice system idle iowait irq softirq steal: everything but idle and iowait */
  return (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / (double)sysconf(_SC_CLK_TCK);
}

static void groups_init(void) {
  if (ngroups >= 0) return;
  ngroups = 0;
  strcpy(groups[ngroups].name, "generator");
  groups[ngroups].pids[0] = 0; /* self */
  groups[ngroups].npids = 1;
  ngroups++;
  for (int i = 1; i + 1 < g_argc; i++) {
    if (strcmp(g_argv[i], "--watch") != 0) continue;
    if (ngroups == MAX_GROUPS) die("too many --watch groups");
    const char *spec = g_argv[i + 1];
    const char *colon = strchr(spec, ':');
    if (!colon || colon == spec || colon - spec >= 32) die("--watch %s: expected name:pid,pid", spec);
    memcpy(groups[ngroups].name, spec, (size_t)(colon - spec));
    groups[ngroups].name[colon - spec] = 0;
    const char *p = colon + 1;
    while (*p && groups[ngroups].npids < MAX_PIDS) {
      groups[ngroups].pids[groups[ngroups].npids++] = atoi(p);
      p = strchr(p, ',');
      if (!p) break;
      p++;
    }
    ngroups++;
  }
}

void cpu_window_start(void) {
  groups_init();
  window_start_ns = now_ns();
  machine_start = machine_busy_seconds();
  for (int g = 0; g < ngroups; g++)
    for (int i = 0; i < groups[g].npids; i++) groups[g].start[i] = proc_cpu_seconds(groups[g].pids[i]);
}

void cpu_window_end(void) {
  groups_init();
  window_end_ns = now_ns();
  machine_used = machine_busy_seconds() - machine_start;
  for (int g = 0; g < ngroups; g++) {
    groups[g].used = 0;
    for (int i = 0; i < groups[g].npids; i++) {
      double s = proc_cpu_seconds(groups[g].pids[i]) - groups[g].start[i];
      if (s > 0) groups[g].used += s;
    }
  }
}

int cpu_json(char *buf, size_t cap) {
  groups_init();
  int n = snprintf(buf, cap, "\"cpu\":{");
  for (int g = 0; g < ngroups; g++)
    n += snprintf(buf + n, cap - (size_t)n, "%s\"%s\":%.3f", g ? "," : "", groups[g].name, groups[g].used);
  n += snprintf(buf + n, cap - (size_t)n, ",\"machine\":%.3f},\"cpuWindowSeconds\":%.3f", machine_used,
                (double)(window_end_ns - window_start_ns) / 1e9);
  return n;
}

/* ---- histogram: values below 2048 µs exact, above that 1024 sub-buckets per power of two ---- */
#define H_EXACT 2048
#define H_SUB 1024
#define H_OCTAVES 32
#define H_BUCKETS (H_EXACT + H_OCTAVES * H_SUB)

void hist_init(hist_t *h) {
  h->buckets = calloc(H_BUCKETS, sizeof(uint64_t));
  if (!h->buckets) die("out of memory");
  h->count = 0;
  h->sum = 0;
  h->max = 0;
}

static size_t bucket_of(uint64_t v) {
  if (v < H_EXACT) return (size_t)v;
  int e = 63 - __builtin_clzll(v) - 10; /* v >> e is in [1024, 2048) */
  if (e > H_OCTAVES) return H_BUCKETS - 1;
  return H_EXACT + (size_t)(e - 1) * H_SUB + (size_t)((v >> e) - H_SUB);
}

static double bucket_low(size_t b) {
  if (b < H_EXACT) return (double)b;
  size_t e = (b - H_EXACT) / H_SUB + 1;
  return (double)(((uint64_t)((b - H_EXACT) % H_SUB) + H_SUB) << e);
}

void hist_add(hist_t *h, double us) {
  if (us < 0) us = 0;
  h->buckets[bucket_of((uint64_t)us)]++;
  h->count++;
  h->sum += us;
  if (us > h->max) h->max = us;
}

double hist_pct(const hist_t *h, double p) {
  if (h->count == 0) return NAN;
  uint64_t rank = (uint64_t)ceil(p / 100.0 * (double)h->count);
  if (rank < 1) rank = 1;
  uint64_t seen = 0;
  for (size_t b = 0; b < H_BUCKETS; b++) {
    seen += h->buckets[b];
    if (seen >= rank) return bucket_low(b);
  }
  return h->max;
}

int hist_json(const hist_t *h, char *buf, size_t cap) {
  if (h->count == 0) return snprintf(buf, cap, "{\"count\":0}");
  return snprintf(buf, cap, "{\"count\":%llu,\"mean\":%.1f,\"p50\":%.0f,\"p99\":%.0f,\"max\":%.0f}",
                  (unsigned long long)h->count, h->sum / (double)h->count, hist_pct(h, 50), hist_pct(h, 99),
                  h->max);
}
