// Session health on the session-service side: gateways report health changes of their
// connections on core NATS `<prefix>.health.<gatewayId>` (a JSON array of HealthReport), stored
// by SessionStore.reportHealth; describeMqSessions includeStats asks the gateway holding each
// connected session for its live statistics (request/reply `<prefix>.gateway.stats.<gatewayId>`).
import type { NatsConnection, Subscription } from 'nats';
import type { GatewayStatsReply, HealthReport, Logger, Subjects } from '@mqfleet/core';
import type { Session__Output } from '@mqfleet/proto';
import type { SessionStore } from './sessions';

export class HealthReports {
  private sub: Subscription | undefined;
  /** Reports of one gateway are stored in the order they arrived. */
  private readonly chains = new Map<string, Promise<void>>();

  constructor(
    private readonly nc: NatsConnection,
    private readonly subjects: Subjects,
    private readonly store: SessionStore,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.sub = this.nc.subscribe(this.subjects.healthReportAll, {
      callback: (err, msg) => {
        if (err) return;
        const gatewayId = msg.subject.slice(msg.subject.lastIndexOf('.') + 1);
        let reports: HealthReport[];
        try {
          reports = msg.json<HealthReport[]>();
          if (!Array.isArray(reports)) return;
        } catch {
          return; // A malformed report is ignored.
        }
        const previous = this.chains.get(gatewayId) ?? Promise.resolve();
        const next = previous
          .then(() => this.store.reportHealth(gatewayId, reports))
          .then(
            () => undefined,
            (e: unknown) => this.log.warn('health report not stored', { gatewayId, err: e }),
          );
        this.chains.set(gatewayId, next);
        void next.then(() => {
          if (this.chains.get(gatewayId) === next) this.chains.delete(gatewayId);
        });
      },
    });
  }

  /** Resolves once every report received so far is stored (tests, shutdown). */
  async settled(): Promise<void> {
    await Promise.all([...this.chains.values()]);
  }

  close(): void {
    this.sub?.unsubscribe();
  }
}

/** What DescribeSessions asks the gateways for. */
export interface LiveWanted {
  stats: boolean;
  publishedTopics: boolean;
}

/**
 * Fills stats_json (and/or published_topics_json) of every connected session from the gateway holding it (one request per
 * gateway, in parallel, each bounded by timeoutMs). Returns the client names left without stats
 * (gateway silent, or it no longer holds that connection).
 */
export async function fetchLiveStats(
  nc: NatsConnection,
  subjects: Subjects,
  sessions: Session__Output[],
  timeoutMs: number,
  wanted: LiveWanted = { stats: true, publishedTopics: false },
): Promise<string[]> {
  const byGateway = new Map<string, Session__Output[]>();
  for (const s of sessions) {
    const c = s.connection;
    if (c?.status !== 'CONNECTION_STATUS_CONNECTED' || !c.gatewayId) continue;
    let list = byGateway.get(c.gatewayId);
    if (!list) byGateway.set(c.gatewayId, (list = []));
    list.push(s);
  }
  const unavailable: string[] = [];
  await Promise.all(
    [...byGateway].map(async ([gatewayId, list]) => {
      try {
        const reply = await nc.request(
          subjects.gatewayStats(gatewayId),
          JSON.stringify({
            clientNames: list.map((s) => s.clientName),
            ...(wanted.publishedTopics ? { includePublishedTopics: true } : {}),
          }),
          { timeout: timeoutMs },
        );
        const answered = new Map(reply.json<GatewayStatsReply>().connections.map((c) => [c.clientName, c]));
        for (const s of list) {
          const live = answered.get(s.clientName);
          if (live && live.connectionId === s.connection?.connectionId) {
            if (wanted.stats) {
              s.statsJson = JSON.stringify(live.stats);
              // The live evaluation is newer than the stored health (reported within seconds).
              s.health = live.health;
            }
            if (wanted.publishedTopics) s.publishedTopicsJson = JSON.stringify(live.publishedTopics ?? []);
          } else unavailable.push(s.clientName);
        }
      } catch {
        for (const s of list) unavailable.push(s.clientName);
      }
    }),
  );
  return unavailable;
}
