// The session-service's /metrics (docs/operations.md): stored sessions by type and status, the
// outbox's backlog and age, the Postgres pool, NATS, live gateways, every gRPC call's latency (a
// server interceptor) and alterations with the time until their gateway confirmed them in force.
import * as grpc from '@grpc/grpc-js';
import { LATENCY_BUCKETS, type ServiceMetrics } from '@mqfleet/core';
import type { Db } from './db';
import type { GatewayRegistry } from './gateways';

/** What the metrics read when Prometheus scrapes (undefined before start and after close). */
export interface SessionServiceProbes {
  db(): Db | undefined;
  /** NATS is connected now. */
  natsUp(): boolean;
  gateways(): GatewayRegistry | undefined;
}

/** Buckets (seconds) of an alteration's way to the live connection (MQFLEET_APPLY_TIMEOUT_MS, 1 s by default). */
const ALTERATION_BUCKETS = [0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface AlterationMetrics {
  /**
   * An alteration answered: `changed` whether it changed anything, `liveApplied` its answer,
   * `seconds` from its arrival to that answer (for a live one: the gateway's confirmation).
   */
  altered(changed: boolean, liveApplied: boolean, seconds: number): void;
}

export interface SessionServiceMetrics {
  /** Times every gRPC call by method and status code. */
  interceptor: grpc.ServerInterceptor;
  alterations: AlterationMetrics;
}

export function registerSessionServiceMetrics(
  metrics: ServiceMetrics,
  probes: SessionServiceProbes,
): SessionServiceMetrics {
  metrics.gauge(
    'mqfleet_sessions',
    'Stored sessions by type (mqtt, mqApi), status (normal, hidden, banned, inactive) and connection (connected, disconnected)',
    ['type', 'status', 'connection'],
    async (put) => {
      const db = probes.db();
      if (!db) return;
      const { rows } = await db.query<{ type: string; status: string; connection: string; n: string }>(
        `SELECT session_type AS type, session_status AS status, connection_status AS connection,
                count(*) AS n
           FROM sessions GROUP BY 1, 2, 3`,
      );
      for (const r of rows) put({ type: r.type, status: r.status, connection: r.connection }, Number(r.n));
    },
  );
  const outboxRows = metrics.gauge(
    'mqfleet_outbox_rows',
    'Events committed and not yet published to JetStream (outbox rows)',
    [],
    () => undefined,
  );
  metrics.gauge(
    'mqfleet_outbox_lag_seconds',
    'Age of the oldest outbox row: how far event publishing lags behind the commits (0 when empty)',
    [],
    async (put) => {
      const db = probes.db();
      if (!db) return;
      const { rows } = await db.query<{ n: string; age: string | null }>(
        `SELECT count(*) AS n, extract(epoch FROM now() - min(created_at)) AS age FROM outbox`,
      );
      const row = rows[0];
      put({}, Math.max(0, Number(row?.age ?? 0)));
      outboxRows.set(Number(row?.n ?? 0));
    },
  );
  metrics.gauge(
    'mqfleet_pg_pool_clients',
    'Postgres pool clients: total (open), idle, and waiting (queries waiting for a client)',
    ['state'],
    (put) => {
      const db = probes.db();
      if (!db) return;
      put({ state: 'total' }, db.totalCount);
      put({ state: 'idle' }, db.idleCount);
      put({ state: 'waiting' }, db.waitingCount);
    },
  );
  metrics.gauge('mqfleet_nats_connected', "1 while the service's NATS connection is up", [], (put) =>
    put({}, probes.natsUp() ? 1 : 0),
  );
  metrics.gauge(
    'mqfleet_gateways_alive',
    'Connection-gateways whose heartbeat the session-service heard within MQFLEET_GATEWAY_TIMEOUT_MS',
    [],
    (put) => put({}, probes.gateways()?.alive().length ?? 0),
  );

  const grpcLatency = metrics.histogram(
    'mqfleet_grpc_server_duration_seconds',
    'gRPC calls served, by method and status code (a stream: from its start to its end)',
    ['method', 'code'],
    LATENCY_BUCKETS,
  );
  const interceptor: grpc.ServerInterceptor = (method, call) => {
    const started = performance.now();
    const name = method.path.slice(method.path.lastIndexOf('.') + 1);
    return new grpc.ServerInterceptingCall(call, {
      sendStatus(status, next) {
        grpcLatency.observe(
          { method: name, code: grpc.status[status.code] ?? String(status.code) },
          (performance.now() - started) / 1000,
        );
        next(status);
      },
    });
  };

  const alterations = metrics.counter(
    'mqfleet_alterations_total',
    'Alterations of single sessions (AlterSession and its stream) that changed something, by whether they were confirmed in force on a live connection',
    ['live_applied'],
  );
  // Scraped from the start, at 0 (a series that appears only with its first event hides it from rate()).
  for (const live of ['true', 'false']) alterations.inc({ live_applied: live }, 0);
  const propagation = metrics.histogram(
    'mqfleet_alteration_propagation_seconds',
    'From an alteration arriving to its gateway confirming it in force on the live connection (liveApplied)',
    [],
    ALTERATION_BUCKETS,
  );
  return {
    interceptor,
    alterations: {
      altered(changed, liveApplied, seconds) {
        if (!changed) return;
        alterations.inc({ live_applied: String(liveApplied) });
        if (liveApplied) propagation.observe(seconds);
      },
    },
  };
}
