// Statistics and health of MQ API sessions (docs/json-api.md, "Statistics of MQ API sessions"
// and "Session health"). They have no connection, so no gateway keeps live statistics for them:
// the activity writer (sessions/mq-api.ts Activity) stores their counts in Postgres
// (0014_mq_api_stats.sql), every session-service instance reads the same numbers, and their health
// is evaluated here and stored in sessions.health, which describeMqSessions shows and
// listMqSessions healthFilter reads:
//
// - after each activity write, for the sessions written (they became connectedTemporarily);
// - by the sweep (every second), for every MQ API session whose stored health is not "offline":
//   the last-minute rates change with time alone, and the keep-alive window lapses ("offline");
// - by describeMqSessions includeStats, with the statistics it shows.
//
// A change is stored only if the stored health is still the one evaluated against (two instances
// sweeping at once store it once) and emits a `health` event, as a gateway's report does.
import {
  evaluateHealth,
  hasNoHealthThresholds,
  settingsFromStored,
  type ConnectionStats,
  type Logger,
  type SessionHealth,
  type Settings,
} from '@mqfleet/core';
import type { Session__Output } from '@mqfleet/proto';
import { inTransaction, type Db } from './db';
import { ACTIVE_RECENTLY, NO_THRESHOLDS } from './listing';
import { enqueueMany, eventFor, type EventSink } from './outbox/writer';
import { activeRecently, clientKey, MQ_API_SESSION_TYPE, sessionsOf, type SessionRow } from './sessions';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Minute rows older than this are removed by the sweep (the backlog's hourly growth needs > 1 h). */
export const KEEP_MINUTES_MS = 2 * HOUR;
/** How often the sweep removes old minute rows. */
const PRUNE_EVERY_MS = MINUTE;
/** Actor of the health events of MQ API sessions. */
export const MQ_API_HEALTH_ACTOR = 'session-service:mq-api-health';

/** One row of mq_api_stat_minutes, times in ms. */
export interface MinuteRow {
  minute: number;
  published: number;
  received: number;
  backlog: number | null;
  backlogAt: number;
}

/** What the statistics of one MQ API session are computed from. */
export interface MqApiStatsInput {
  createdAt: number;
  published: number;
  received: number;
  firstPublished: number;
  lastPublished: number;
  firstReceived: number;
  lastReceived: number;
  /** The last two hours' minute rows, any order. */
  minutes: MinuteRow[];
  subscribedTopicFiltersCount: number;
  /** Messages kept for the session and not read, now (undefined: not measured; counts as 0). */
  backlog: number | undefined;
}

const round = (n: number): number => Math.round(n * 1000) / 1000;
const iso = (t: number): string | null => (t ? new Date(t).toISOString() : null);

/**
 * Count of the last 60 s from per-minute buckets: the current minute's count plus the part of the
 * previous minute's that falls within the last 60 s (assuming it was spread evenly).
 */
function lastMinute(rows: MinuteRow[], field: 'published' | 'received', now: number): number {
  const current = now - (now % MINUTE);
  let sum = 0;
  for (const r of rows) {
    if (r.minute === current) sum += r[field];
    else if (r.minute === current - MINUTE) sum += r[field] * (1 - (now - current) / MINUTE);
  }
  return Math.round(sum);
}

/** Sum of the current minute and the `count - 1` before it. */
function lastMinutes(rows: MinuteRow[], field: 'published' | 'received', now: number, count: number): number {
  const from = now - (now % MINUTE) - (count - 1) * MINUTE;
  let sum = 0;
  for (const r of rows) if (r.minute >= from) sum += r[field];
  return sum;
}

/**
 * The backlog to measure growth against over `windowMs`: the latest measurement at least
 * `windowMs` old; else, when the session is younger than the window, 0 at its creation (a new
 * session keeps nothing); else the oldest measurement there is (a shorter window); else none.
 */
export function backlogReference(
  input: Pick<MqApiStatsInput, 'createdAt' | 'minutes'>,
  windowMs: number,
  now: number,
): { backlog: number; at: number } | undefined {
  let before: MinuteRow | undefined;
  let oldest: MinuteRow | undefined;
  for (const r of input.minutes) {
    if (r.backlog === null) continue;
    if (r.backlogAt <= now - windowMs) {
      if (!before || r.backlogAt > before.backlogAt) before = r;
    } else if (!oldest || r.backlogAt < oldest.backlogAt) oldest = r;
  }
  if (before) return { backlog: before.backlog!, at: before.backlogAt };
  if (input.createdAt >= now - windowMs) return { backlog: 0, at: input.createdAt };
  if (oldest) return { backlog: oldest.backlog!, at: oldest.backlogAt };
  return undefined;
}

/**
 * Growth of the backlog per `unitMs` since the reference for `windowMs`: (now − then) scaled to
 * the time between them (at least one unit), never below 0.
 */
function backlogGrowth(input: MqApiStatsInput, windowMs: number, unitMs: number, now: number): number {
  const backlog = input.backlog ?? 0;
  const ref = backlogReference(input, windowMs, now);
  if (!ref) return 0;
  const units = Math.max(1, (now - ref.at) / unitMs);
  return round(Math.max(0, backlog - ref.backlog) / units);
}

/**
 * ConnectionStats of an MQ API session (the shape of an MQTT connection's; docs/json-api.md
 * "Statistics of MQ API sessions"). What needs a socket (outbound bytes, queues, drops) is 0.
 */
export function mqApiStats(input: MqApiStatsInput, now = Date.now()): ConnectionStats {
  const minutes = Math.max(1, (now - input.createdAt) / MINUTE);
  const tenMinutes = Math.min(10, minutes);
  const rows = input.minutes;
  const backlog = input.backlog ?? 0;
  return {
    totalMessagesPublished: input.published,
    publishRatePerMinute: lastMinute(rows, 'published', now),
    publishRatePerMinuteLast10Minutes: round(lastMinutes(rows, 'published', now, 10) / tenMinutes),
    publishRatePerMinuteInSession: round(input.published / minutes),
    publishRatePerHour: lastMinutes(rows, 'published', now, 60),
    totalMessagesReceived: input.received,
    receiveMessagesPerMinute: lastMinute(rows, 'received', now),
    receiveMessagesPerMinuteLast10Minutes: round(lastMinutes(rows, 'received', now, 10) / tenMinutes),
    receiveMessagesPerMinuteSinceInSession: round(input.received / minutes),
    receiveMessagesPerHour: lastMinutes(rows, 'received', now, 60),
    currentDeliveryBacklogged: backlog,
    deliveryBacklogRatePerMinute: backlogGrowth(input, MINUTE, MINUTE, now),
    deliveryBacklogRatePerMinuteLast10Minutes: backlogGrowth(input, 10 * MINUTE, MINUTE, now),
    deliveryBacklogRatePerMinuteInSession: round(Math.max(0, backlog) / minutes),
    deliveryBacklogRatePerHour: backlogGrowth(input, HOUR, HOUR, now),
    // Measurements are kept two hours: a session older than a day grows against the oldest.
    deliveryBacklogRatePerDay: backlogGrowth(input, DAY, DAY, now),
    subscribedTopicFiltersCount: input.subscribedTopicFiltersCount,
    totalMessagesDropped: 0,
    messagesDropped: { outboundBudget: 0, queueFull: 0, packetTooLarge: 0, expired: 0 },
    slowConsumerDropsPerMinute: 0,
    currentOutboundBytes: 0,
    currentQueuedMessages: 0,
    currentQueuedBytes: 0,
    firstMessagePublishedOn: iso(input.firstPublished),
    lastMessagePublishedOn: iso(input.lastPublished),
    firstMessageReceivedOn: iso(input.firstReceived),
    lastMessageReceivedOn: iso(input.lastReceived),
    connectedSince: new Date(input.createdAt).toISOString(),
  };
}

/** The health of an MQ API session: offline unless connectedTemporarily, else its thresholds. */
export function mqApiHealth(settings: Settings, active: boolean, stats: ConnectionStats): SessionHealth {
  return evaluateHealth(settings, {
    connected: active,
    publishRatePerMinute: stats.publishRatePerMinute,
    deliveryBacklogRatePerMinute: stats.deliveryBacklogRatePerMinute,
    subscribedTopicFiltersCount: stats.subscribedTopicFiltersCount,
  });
}

/** A session row with its totals and subscription count (one query for many sessions). */
interface StatsRow extends Pick<
  SessionRow,
  | 'client_key'
  | 'client_name'
  | 'session_type'
  | 'settings'
  | 'last_active_at'
  | 'created_at'
  | 'health'
  | 'connection_status'
> {
  published: string | null;
  received: string | null;
  first_published_at: Date | null;
  last_published_at: Date | null;
  first_received_at: Date | null;
  last_received_at: Date | null;
  filters: number;
}

const ms = (d: Date | string | null | undefined): number => (d ? new Date(d).getTime() : 0);

export class MqApiHealth {
  private lastPrune = 0;
  private sweeping: Promise<void> | undefined;

  constructor(
    private readonly db: Db,
    private readonly sink: EventSink,
    /** Messages kept for the session and not read (JetStream; mq-api-messages.ts backlog). */
    private readonly measureBacklog: (clientName: string) => Promise<number>,
    private readonly log: Logger,
  ) {}

  /**
   * Statistics of these MQ API sessions (not connected over MQTT), by client name, with the
   * health they give; changed health is stored.
   */
  async describe(sessions: Session__Output[]): Promise<Map<string, ConnectionStats>> {
    const names = sessions
      .filter(
        (s) =>
          s.sessionType === MQ_API_SESSION_TYPE && s.connection?.status !== 'CONNECTION_STATUS_CONNECTED',
      )
      .map((s) => s.clientName);
    const out = new Map<string, ConnectionStats>();
    if (names.length === 0) return out;
    const evaluated = await this.evaluateRows(await this.rows(names), true);
    for (const e of evaluated) out.set(e.row.client_name, e.stats!);
    for (const s of sessions) {
      const e = evaluated.find((x) => x.row.client_name === s.clientName);
      if (e) s.health = e.health;
    }
    return out;
  }

  /** Evaluates these sessions (after an activity write) and stores what changed. */
  async evaluate(clientNames: string[]): Promise<void> {
    if (clientNames.length === 0) return;
    await this.evaluateRows(await this.rows(clientNames), false);
  }

  /**
   * Every MQ API session whose stored health is not "offline": offline once its keep-alive window
   * lapsed, re-evaluated otherwise. Also removes old minute rows. One sweep at a time.
   */
  sweep(now = Date.now()): Promise<void> {
    this.sweeping ??= (async () => {
      try {
        // Those whose health can change with time: the window lapsed, or thresholds (rates) apply.
        // A healthy session without thresholds stays so while its window lasts (keep alive 0:
        // for good), and is not read every second.
        const { rows } = await this.db.query<{ client_name: string }>(
          `SELECT client_name FROM sessions WHERE session_type = $1 AND health <> 'offline'
              AND connection_status = 'disconnected'
              AND (NOT ${ACTIVE_RECENTLY} OR NOT ${NO_THRESHOLDS} OR health = 'unhealthy')`,
          [MQ_API_SESSION_TYPE],
        );
        for (let i = 0; i < rows.length; i += 1000) {
          await this.evaluateRows(await this.rows(rows.slice(i, i + 1000).map((r) => r.client_name)), false);
        }
        if (now - this.lastPrune >= PRUNE_EVERY_MS) {
          this.lastPrune = now;
          await this.db.query('DELETE FROM mq_api_stat_minutes WHERE minute < $1', [
            new Date(now - KEEP_MINUTES_MS),
          ]);
        }
      } finally {
        this.sweeping = undefined;
      }
    })();
    return this.sweeping;
  }

  private async rows(clientNames: string[]): Promise<StatsRow[]> {
    const { rows } = await this.db.query<StatsRow>(
      `SELECT s.client_key, s.client_name, s.session_type, s.settings, s.last_active_at, s.created_at, s.health,
              s.connection_status, t.published, t.received, t.first_published_at, t.last_published_at,
              t.first_received_at, t.last_received_at,
              (SELECT count(*)::int FROM session_subscriptions ss WHERE ss.client_key = s.client_key) AS filters
         FROM sessions s LEFT JOIN mq_api_stats t ON t.client_key = s.client_key
        WHERE s.client_key = ANY($1) AND s.session_type = $2 AND s.connection_status = 'disconnected'`,
      [clientNames.map(clientKey), MQ_API_SESSION_TYPE],
    );
    return rows;
  }

  private async minutes(rows: StatsRow[], now: number): Promise<Map<string, MinuteRow[]>> {
    const out = new Map<string, MinuteRow[]>();
    if (rows.length === 0) return out;
    const { rows: minutes } = await this.db.query<{
      client_key: Buffer;
      minute: Date;
      published: number;
      received: number;
      backlog: string | null;
      backlog_at: Date | null;
    }>(
      `SELECT client_key, minute, published, received, backlog, backlog_at FROM mq_api_stat_minutes
        WHERE client_key = ANY($1) AND minute >= $2`,
      [rows.map((r) => r.client_key), new Date(now - KEEP_MINUTES_MS)],
    );
    for (const m of minutes) {
      const key = m.client_key.toString('hex');
      let list = out.get(key);
      if (!list) out.set(key, (list = []));
      list.push({
        minute: ms(m.minute),
        published: m.published,
        received: m.received,
        backlog: m.backlog === null ? null : Number(m.backlog),
        backlogAt: ms(m.backlog_at),
      });
    }
    return out;
  }

  /**
   * Health (and, with `withStats`, statistics) of these rows; stores the changes. The backlog is
   * measured for every row with `withStats`, else only where a backlog threshold needs it.
   */
  private async evaluateRows(
    rows: StatsRow[],
    withStats: boolean,
  ): Promise<{ row: StatsRow; health: SessionHealth; stats: ConnectionStats | undefined }[]> {
    const now = Date.now();
    const settingsOf = new Map(rows.map((r) => [r.client_name, settingsFromStored(r.settings)]));
    const needed = rows.filter((r) => {
      const settings = settingsOf.get(r.client_name)!;
      const active = activeRecently(r, settings.keepAliveSeconds, now);
      return withStats || (active && !hasNoHealthThresholds(settings));
    });
    const minutes = await this.minutes(needed, now);
    const measured: [Buffer, number][] = [];
    const results = await Promise.all(
      rows.map(async (row) => {
        const settings = settingsOf.get(row.client_name)!;
        const active = activeRecently(row, settings.keepAliveSeconds, now);
        if (!needed.includes(row)) {
          return { row, health: (active ? 'healthy' : 'offline') as SessionHealth, stats: undefined };
        }
        let backlog: number | undefined;
        if (withStats || settings.maxHealthyBacklogRatePerMinute > 0) {
          try {
            backlog = await this.measureBacklog(row.client_name);
            measured.push([row.client_key, backlog]);
          } catch (err) {
            this.log.warn('backlog of an MQ API session not measured', { clientName: row.client_name, err });
          }
        }
        const stats = mqApiStats(
          {
            createdAt: ms(row.created_at),
            published: Number(row.published ?? 0),
            received: Number(row.received ?? 0),
            firstPublished: ms(row.first_published_at),
            lastPublished: ms(row.last_published_at),
            firstReceived: ms(row.first_received_at),
            lastReceived: ms(row.last_received_at),
            minutes: minutes.get(row.client_key.toString('hex')) ?? [],
            subscribedTopicFiltersCount: row.filters,
            backlog,
          },
          now,
        );
        return { row, health: mqApiHealth(settings, active, stats), stats };
      }),
    );
    await this.recordBacklogs(measured, now);
    await this.store(results.filter((r) => r.health !== r.row.health));
    return results;
  }

  /** Keeps measured backlogs in their minute rows: the growth of the backlog is measured against them. */
  private async recordBacklogs(measured: [Buffer, number][], now: number): Promise<void> {
    if (measured.length === 0) return;
    try {
      await this.db.query(
        `INSERT INTO mq_api_stat_minutes AS x (client_key, minute, backlog, backlog_at)
         SELECT u.k, $2, u.b, $3 FROM unnest($1::bytea[], $4::bigint[]) AS u(k, b)
          WHERE EXISTS (SELECT 1 FROM sessions s WHERE s.client_key = u.k)
         ON CONFLICT (client_key, minute) DO UPDATE SET backlog = excluded.backlog, backlog_at = excluded.backlog_at
          WHERE x.backlog_at IS NULL OR x.backlog_at <= excluded.backlog_at`,
        [measured.map(([k]) => k), new Date(now - (now % MINUTE)), new Date(now), measured.map(([, b]) => b)],
      );
    } catch (err) {
      // (A session deleted meanwhile: its rows went with it.)
      if ((err as { code?: string }).code !== '23503') throw err;
    }
  }

  /** Stores changed health (if still as evaluated) with a health event each. */
  private async store(
    changes: { row: StatsRow; health: SessionHealth; stats: ConnectionStats | undefined }[],
  ): Promise<void> {
    if (changes.length === 0) return;
    const byKey = new Map(changes.map((c) => [c.row.client_key.toString('hex'), c]));
    await inTransaction(this.db, async (tx) => {
      const { rows } = await tx.query<SessionRow>(
        `UPDATE sessions s SET health = u.after
           FROM unnest($1::bytea[], $2::text[], $3::text[]) AS u(key, before, after)
          WHERE s.client_key = u.key AND s.health = u.before AND s.session_type = $4
            AND s.connection_status = 'disconnected'
          RETURNING s.*`,
        [
          changes.map((c) => c.row.client_key),
          changes.map((c) => c.row.health),
          changes.map((c) => c.health),
          MQ_API_SESSION_TYPE,
        ],
      );
      const sessions = await sessionsOf(tx, rows);
      await enqueueMany(
        tx,
        this.sink,
        sessions.map((session, i) => {
          const c = byKey.get(rows[i]!.client_key.toString('hex'))!;
          return eventFor(
            this.sink.subjects,
            'health',
            session,
            MQ_API_HEALTH_ACTOR,
            { health: { before: c.row.health, after: c.health } },
            c.stats ? { stats: c.stats } : {},
          );
        }),
      );
    });
  }
}
