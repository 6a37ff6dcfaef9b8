// Session health of this gateway's live connections (docs/json-api.md, sessionHealth). Every
// HEALTH_INTERVAL_MS, and whenever a connection applies a new session version (thresholds or
// subscriptions changed), each open connection is evaluated with core evaluateHealth; only
// CHANGES are published, as one JSON array of HealthReport on core NATS subject
// `<prefix>.health.<gatewayId>`. The session-service stores them. Live statistics are answered
// on request/reply subject `<prefix>.gateway.stats.<gatewayId>` (describeMqSessions includeStats).
import {
  evaluateHealth,
  type ApiPublishedNote,
  type ConnectionStats,
  type GatewayStatsReply,
  type GatewayStatsRequest,
  type HealthReport,
  type Logger,
  type SessionHealth,
  type Subjects,
} from '@mqfleet/core';
import type { NatsConnection, Subscription } from 'nats';
import type { Connection } from './connection';

export const HEALTH_INTERVAL_MS = 2000;
/** At most this many reports per NATS message. */
const REPORT_BATCH = 500;

export interface Measured {
  health: SessionHealth;
  stats: ConnectionStats;
}

/** Health and statistics of one connection, now. */
export function measure(conn: Connection, now = Date.now()): Measured {
  const stats = conn.stats.snapshot(conn.subscriptions.size, now, conn.outboundNow());
  const health = evaluateHealth(conn.settings, {
    connected: conn.state === 'open',
    publishRatePerMinute: stats.publishRatePerMinute,
    deliveryBacklogRatePerMinute: stats.deliveryBacklogRatePerMinute,
    subscribedTopicFiltersCount: stats.subscribedTopicFiltersCount,
    slowConsumerDropsPerMinute: stats.slowConsumerDropsPerMinute,
  });
  return { health, stats };
}

export class HealthMonitor {
  /** What was last reported (or stored, from the session) per connection. */
  private readonly reported = new Map<Connection, SessionHealth>();
  private timer: NodeJS.Timeout | undefined;
  private statsSub: Subscription | undefined;
  private apiPublishedSub: Subscription | undefined;
  /** Report every connection at the next tick, changed or not (a report may have been lost). */
  private resend = false;

  constructor(
    private readonly nc: NatsConnection,
    private readonly s: Subjects,
    private readonly gatewayId: string,
    private readonly logger: Logger,
    private readonly connections: () => Iterable<Connection>,
    private readonly byClient: (clientName: string) => Connection | undefined,
    private readonly intervalMs = HEALTH_INTERVAL_MS,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
    this.statsSub = this.nc.subscribe(this.s.gatewayStats(this.gatewayId), {
      callback: (err, msg) => {
        if (err) return;
        try {
          const req = msg.json<GatewayStatsRequest>();
          const names = Array.isArray(req.clientNames) ? req.clientNames : [];
          const reply: GatewayStatsReply = { gatewayId: this.gatewayId, connections: [] };
          const now = Date.now();
          for (const name of names) {
            const conn = typeof name === 'string' ? this.byClient(name) : undefined;
            if (!conn || conn.state !== 'open') continue;
            reply.connections.push({
              clientName: name,
              connectionId: conn.id,
              ...measure(conn, now),
              ...(req.includePublishedTopics === true
                ? { publishedTopics: conn.stats.publishedTopics.list() }
                : {}),
            });
          }
          msg.respond(JSON.stringify(reply));
        } catch (e) {
          this.logger.warn('stats request failed', { err: e });
        }
      },
    });
    // What a connected session published through the API (publishMessagesToMq) counts as its
    // PUBLISH packets: whichever gateway routed them, this one holds the connection's statistics.
    this.apiPublishedSub = this.nc.subscribe(this.s.gatewayApiPublished(this.gatewayId), {
      callback: (err, msg) => {
        if (err) return;
        let note: ApiPublishedNote;
        try {
          note = msg.json<ApiPublishedNote>();
        } catch {
          return; // A malformed note is ignored.
        }
        if (typeof note.clientName !== 'string' || typeof note.topic !== 'string') return;
        const conn = this.byClient(note.clientName);
        if (!conn || conn.state !== 'open' || conn.id !== note.connectionId) return;
        const count = Math.min(Math.max(0, Math.floor(Number(note.count) || 0)), 10_000);
        const now = Date.now();
        for (let i = 0; i < count; i++) conn.stats.publishedTo(note.topic, now);
      },
    });
  }

  stop(): void {
    clearInterval(this.timer);
    this.statsSub?.unsubscribe();
    this.apiPublishedSub?.unsubscribe();
    this.reported.clear();
  }

  /** The connection ended: the session-service sets "offline" itself on CloseSession. */
  forget(conn: Connection): void {
    this.reported.delete(conn);
  }

  /** After a NATS reconnect: the next evaluation reports every connection again. */
  resendAll(): void {
    this.resend = true;
  }

  /** Evaluates one connection now; publishes its health if it changed. */
  check(conn: Connection): void {
    const change = this.evaluate(conn, Date.now());
    if (change) this.publish([change]);
  }

  /** Evaluates every open connection; publishes the changes. */
  tick(): void {
    const now = Date.now();
    const changes: HealthReport[] = [];
    const resending = this.resend;
    for (const conn of this.connections()) {
      const change = this.evaluate(conn, now);
      if (change) changes.push(change);
    }
    if (resending) this.resend = false;
    for (let i = 0; i < changes.length; i += REPORT_BATCH) this.publish(changes.slice(i, i + REPORT_BATCH));
  }

  private evaluate(conn: Connection, now: number): HealthReport | undefined {
    if (conn.state !== 'open' || !conn.sessionOpened) return undefined;
    const { health, stats } = measure(conn, now);
    // Until the first report, the health the session-service stored when the session opened.
    const before = this.reported.get(conn) ?? (conn.session?.health as SessionHealth | undefined);
    this.reported.set(conn, health);
    if (before === health && !this.resend) return undefined;
    return { clientName: conn.clientName, connectionId: conn.id, health, stats };
  }

  private publish(reports: HealthReport[]): void {
    if (this.nc.isClosed()) return;
    try {
      this.nc.publish(this.s.healthReport(this.gatewayId), JSON.stringify(reports));
    } catch (err) {
      this.logger.warn('health report not published', { err });
      // Everything is reported again at the next evaluation.
      this.resend = true;
    }
  }
}
