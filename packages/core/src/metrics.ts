// Prometheus metrics of a service (docs/operations.md lists them): one prom-client registry per
// process with the Node.js defaults (event-loop lag, memory, CPU, handles) and the service's own
// metrics, served as text on GET /metrics of a small HTTP server of its own.
//
// What a service already counts is read when Prometheus scrapes (`collect` callbacks), not
// counted a second time: a prom-client Counter.inc() per MQTT message (a label lookup in a map)
// would cost the message path of the connection-gateway more than its own plain counters do.
import { createServer, type Server } from 'node:http';
import type * as PromClient from 'prom-client';
import type { Counter, Gauge, Histogram, LabelValues, Registry } from 'prom-client';
import type { Logger } from './log';
import { listening } from './net';

let promClient: typeof PromClient | undefined;
/**
 * prom-client, loaded by the first ServiceMetrics rather than with @mqfleet/core: requiring it
 * took about half a second on a loaded machine, which every user of the package (MqfleetClient,
 * a service refusing its configuration) paid for nothing.
 */
function prom(): typeof PromClient {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (promClient ??= require('prom-client') as typeof PromClient);
}

/** Every metric of mqfleet's own starts with this. */
export const METRIC_PREFIX = 'mqfleet_';

/** Which service a metrics port belongs to: its offset from MQFLEET_METRICS_PORT. */
export type MetricsRole = 'session-service' | 'api-gateway' | { gatewayIndex: number };

/**
 * The port of a service's /metrics: the session-service on MQFLEET_METRICS_PORT, the api-gateway
 * on + 1, connection-gateway i on + 2 + i. 0 stays 0: every service takes a free port, which its
 * "ready" log line names (metricsPort).
 */
export function metricsPortOf(basePort: number, role: MetricsRole): number {
  if (basePort === 0) return 0;
  if (role === 'session-service') return basePort;
  if (role === 'api-gateway') return basePort + 1;
  return basePort + 2 + role.gatewayIndex;
}

/** Sets one labelled value of a metric being collected. */
export type Put<L extends string> = (labels: Partial<Record<L, string | number>>, value: number) => void;

/**
 * The options of a metric whose values `collect` puts afresh at every scrape: the metric is
 * emptied first (a label set no longer put is gone), then each value is written with `write`
 * (a gauge sets it, a counter from a total adds it to zero).
 */
function collectedAtScrape<L extends string, M extends { reset(): void }>(
  name: string,
  help: string,
  labelNames: readonly L[],
  collect: (put: Put<L>) => void | Promise<void>,
  write: (metric: M, labels: LabelValues<L>, value: number) => void,
) {
  return {
    name,
    help,
    labelNames,
    async collect(this: M) {
      this.reset();
      await collect((labels, value) => write(this, labels as LabelValues<L>, value));
    },
  };
}

export class ServiceMetrics {
  readonly registry: Registry = new (prom().Registry)();
  private server: Server | undefined;

  constructor(
    readonly service: string,
    private readonly log?: Logger,
  ) {
    this.registry.setDefaultLabels({ service });
    prom().collectDefaultMetrics({ register: this.registry });
  }

  /** A gauge whose values `collect` reads when Prometheus scrapes. */
  gauge<L extends string = never>(
    name: string,
    help: string,
    labelNames: readonly L[],
    collect: (put: Put<L>) => void | Promise<void>,
  ): Gauge<L> {
    const options = collectedAtScrape<L, Gauge<L>>(name, help, labelNames, collect, (g, l, v) => g.set(l, v));
    return new (prom().Gauge<L>)({ ...options, registers: [this.registry] });
  }

  /**
   * A counter whose totals `collect` reads when Prometheus scrapes (totals the service keeps
   * anyway, which only grow).
   */
  counterFrom<L extends string = never>(
    name: string,
    help: string,
    labelNames: readonly L[],
    collect: (put: Put<L>) => void | Promise<void>,
  ): Counter<L> {
    const options = collectedAtScrape<L, Counter<L>>(name, help, labelNames, collect, (c, l, v) =>
      c.inc(l, v),
    );
    return new (prom().Counter<L>)({ ...options, registers: [this.registry] });
  }

  /** A counter incremented where the event happens (not on a per-message path). */
  counter<L extends string = never>(name: string, help: string, labelNames: readonly L[]): Counter<L> {
    return new (prom().Counter<L>)({ name, help, labelNames, registers: [this.registry] });
  }

  histogram<L extends string = never>(
    name: string,
    help: string,
    labelNames: readonly L[],
    buckets: number[],
  ): Histogram<L> {
    return new (prom().Histogram<L>)({ name, help, labelNames, buckets, registers: [this.registry] });
  }

  /** The scrape: every metric in Prometheus's text format. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  /**
   * Serves GET /metrics on host:port (0: a free port); resolves with the port. A port in use
   * rejects with a message that names the setting.
   */
  async serve(host: string, port: number): Promise<number> {
    const server = createServer((req, res) => {
      const path = (req.url ?? '').split('?')[0];
      if (req.method !== 'GET' || path !== '/metrics') {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`${this.service}: the metrics are at GET /metrics\n`);
        return;
      }
      this.registry.metrics().then(
        (body) => {
          res.writeHead(200, { 'content-type': this.registry.contentType });
          res.end(body);
        },
        (err: unknown) => {
          this.log?.warn('metrics scrape failed', { err });
          res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
          res.end('metrics could not be collected; the service log has the details\n');
        },
      );
    });
    server.listen(port, host);
    try {
      await listening(server);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new Error(
        code === 'EADDRINUSE'
          ? `the metrics port ${host}:${port} of ${this.service} is in use: choose another MQFLEET_METRICS_PORT (the session-service takes it, the api-gateway + 1, connection-gateway i + 2 + i), or 0 for free ports`
          : `cannot serve metrics on ${host}:${port}: ${(err as Error).message}`,
        { cause: err },
      );
    }
    // Once listening, a failed accept (EMFILE when the process is out of file descriptors) comes
    // as an 'error' event; with nobody listening it would end the service. Logged instead.
    server.on('error', (err: NodeJS.ErrnoException) =>
      this.log?.warn('metrics listener could not accept a connection', { code: err.code, err: err.message }),
    );
    server.unref();
    this.server = server;
    const address = server.address();
    return typeof address === 'object' && address ? address.port : port;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** Seconds since a performance.now() / Date.now() reading in milliseconds. */
export const secondsSince = (startMs: number, nowMs: number): number => (nowMs - startMs) / 1000;

/** Buckets (seconds) of request latencies: gRPC calls and HTTP requests. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
