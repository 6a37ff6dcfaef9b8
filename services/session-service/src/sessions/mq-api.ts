// MQ API sessions (docs/json-api.md, createMqApiSession): sessions of programs and browsers that
// use the JSON API instead of MQTT. They live in the sessions table beside MQTT sessions (one
// client-name space), with session_type 'mqApi' and the creating account as owner. A CONNECT with
// such a name is refused unless MQFLEET_MQTT_MAY_USE_MQ_API_NAMES says otherwise (store.ts open,
// connect-batch.ts).
import { randomUUID } from 'node:crypto';
import {
  applyPatch,
  DEFAULT_SETTINGS,
  MqfleetError,
  parseClientName,
  patchFields,
  statusName,
  validatePatch,
} from '@mqfleet/core';
import type { SessionPatch__Output, Session__Output } from '@mqfleet/proto';
import { checkPatchFits, type StoreLimits } from '../bus-fit';
import { inTransaction, type Db } from '../db';
import { enqueue, type EventSink } from '../outbox/writer';
import { clientKey, MQ_API_SESSION_TYPE, rowToSession, type SessionRow } from './rows';
import { audit } from './store';

/** Prefix of the names generated for an MQ API session created without one. */
export const GENERATED_NAME_PREFIX = 'mqapi-';

/**
 * Creates an MQ API session: permanent by default (keep alive 0, never expires, as FairCom
 * describes it), the patch on top (its label already resolved to an id: labels.ts
 * resolveSessionLabel). The settings it sets are pinned, as an administrator's alteration pins
 * them. A name that any session holds is refused with ALREADY_EXISTS (12020); "" gets a generated
 * one. A temporary session starts its expiry clock at creation (disconnected_at = now).
 */
export async function createMqApiSession(
  db: Db,
  sink: EventSink,
  limits: StoreLimits,
  request: { clientName: string; patch: SessionPatch__Output | null },
  owner: string,
): Promise<Session__Output> {
  const patch = request.patch ?? {};
  validatePatch(patch);
  checkPatchFits(patch, limits);
  const clientName =
    request.clientName === '' ? `${GENERATED_NAME_PREFIX}${randomUUID()}` : request.clientName;
  parseClientName(clientName);
  // The defaults are a permanent session's: temporarySession false, keep alive 0, never expires.
  const { settings, changes } = applyPatch(DEFAULT_SETTINGS, patch);
  const pinned = patchFields(patch).filter((f) => f !== 'sessionStatus');
  return inTransaction(db, async (tx) => {
    const { rows } = await tx.query<SessionRow>(
      `INSERT INTO sessions (client_key, client_name, session_type, owner, session_status, settings, pinned,
                             disconnected_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, now())
       ON CONFLICT (client_key) DO NOTHING RETURNING *`,
      [
        clientKey(clientName),
        clientName,
        MQ_API_SESSION_TYPE,
        owner,
        statusName(settings.sessionStatus),
        JSON.stringify(settings),
        pinned,
      ],
    );
    if (rows.length === 0) {
      throw new MqfleetError(
        'ALREADY_EXISTS',
        `a session named "${clientName.slice(0, 200)}" exists (MQTT and MQ API sessions share one name space)`,
        'clientName',
      );
    }
    const session = rowToSession(rows[0]!);
    await audit(tx, session, owner, 'create', changes);
    await enqueue(tx, sink, 'created', session, owner);
    return session;
  });
}

/** What one action of an MQ API session adds to its statistics (0014_mq_api_stats.sql). */
export interface ActivityCounts {
  /** Messages it published (publishMessagesToMq as itself). */
  published?: number;
  /** Messages a read returned to it (GetMessages, Receive). */
  received?: number;
  /** Its own messages still kept after a whole read (the backlog, measured for free). */
  backlog?: number;
}

/** What is waiting to be written for one session. */
interface PendingActivity {
  /** Per minute (ms of the minute's start): [published, received]. */
  minutes: Map<number, [number, number]>;
  firstPublished: number;
  lastPublished: number;
  firstReceived: number;
  lastReceived: number;
  backlog: number | undefined;
  backlogAt: number;
}

/**
 * MQ API sessions acting as themselves (they published or read): each is "connectedTemporarily"
 * for 1.5 × its keep alive from its last action (rows.ts activeRecently), and a temporary one
 * expires its sessionExpiryInterval after that window (disconnected_at marks the window's end;
 * keep alive 0 has no end, so it does not expire while it keeps that setting). No version, no
 * event: as for health, activity is not a change of the session.
 *
 * The same writer keeps the session's statistics (0014_mq_api_stats.sql): counts are added up in
 * memory and written in batches, one statement for every session due. A session that had no write
 * in the last ACTIVITY_WRITE_MS is written at once (the action's reply then finds it
 * connectedTemporarily); later actions wait for the next flush (every ACTIVITY_WRITE_MS while
 * anything is pending). A write per published message made Postgres the bottleneck of
 * bench/mq-api-publish.ts. Counts not written when the process dies are lost (at most half a
 * second of them).
 */
export class Activity {
  private readonly written = new Map<string, number>();
  private readonly pending = new Map<string, PendingActivity>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  /** Called with the client names of each write once it is stored (health evaluation). */
  onWritten: ((clientNames: string[]) => Promise<void>) | undefined;
  onError: ((err: unknown) => void) | undefined;

  constructor(private readonly db: Db) {}

  async note(clientName: string, counts: ActivityCounts = {}, now = Date.now()): Promise<void> {
    this.add(clientName, counts, now);
    if (now - (this.written.get(clientName) ?? 0) < ACTIVITY_WRITE_MS) {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        void this.flush().catch((err: unknown) => this.onError?.(err));
      }, ACTIVITY_WRITE_MS);
      this.timer.unref?.();
      return;
    }
    await this.flush([clientName], now);
  }

  /**
   * Writes what is pending (of `clientNames` only, when given) in one statement; resolves once it
   * is stored. Flushes run one after another.
   */
  flush(clientNames?: string[], now = Date.now()): Promise<void> {
    const batch: [string, PendingActivity][] = [];
    for (const name of clientNames ?? [...this.pending.keys()]) {
      const p = this.pending.get(name);
      if (!p) continue;
      this.pending.delete(name);
      batch.push([name, p]);
      if (this.written.size >= MAX_REMEMBERED) this.written.clear();
      this.written.set(name, now);
    }
    if (batch.length === 0) return this.flushing;
    const run = this.flushing.then(
      () => this.write(batch),
      () => this.write(batch),
    );
    this.flushing = run.catch(() => undefined);
    return run;
  }

  /** Writes everything pending (shutdown). */
  async close(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  private add(clientName: string, counts: ActivityCounts, now: number): void {
    let p = this.pending.get(clientName);
    if (!p) {
      p = {
        minutes: new Map(),
        firstPublished: 0,
        lastPublished: 0,
        firstReceived: 0,
        lastReceived: 0,
        backlog: undefined,
        backlogAt: 0,
      };
      this.pending.set(clientName, p);
    }
    const published = counts.published ?? 0;
    const received = counts.received ?? 0;
    if (published > 0 || received > 0) {
      const minute = now - (now % 60_000);
      const bucket = p.minutes.get(minute) ?? [0, 0];
      bucket[0] += published;
      bucket[1] += received;
      p.minutes.set(minute, bucket);
    }
    if (published > 0) {
      p.firstPublished ||= now;
      p.lastPublished = now;
    }
    if (received > 0) {
      p.firstReceived ||= now;
      p.lastReceived = now;
    }
    if (counts.backlog !== undefined) {
      p.backlog = counts.backlog;
      p.backlogAt = now;
    }
  }

  private async write(batch: [string, PendingActivity][]): Promise<void> {
    const keys = batch.map(([name]) => clientKey(name));
    const ts = (ms: number): Date | null => (ms ? new Date(ms) : null);
    // One row per session and minute: its counts, and the backlog measured in it (if any).
    const m = {
      key: [] as Buffer[],
      minute: [] as Date[],
      pub: [] as number[],
      recv: [] as number[],
      backlog: [] as (number | null)[],
      at: [] as (Date | null)[],
    };
    const t = {
      key: [] as Buffer[],
      pub: [] as number[],
      recv: [] as number[],
      fp: [] as (Date | null)[],
      lp: [] as (Date | null)[],
      fr: [] as (Date | null)[],
      lr: [] as (Date | null)[],
    };
    batch.forEach(([, p], i) => {
      const key = keys[i]!;
      let pub = 0;
      let recv = 0;
      const backlogMinute = p.backlog === undefined ? -1 : p.backlogAt - (p.backlogAt % 60_000);
      if (backlogMinute >= 0 && !p.minutes.has(backlogMinute)) p.minutes.set(backlogMinute, [0, 0]);
      for (const [minute, [mp, mr]] of p.minutes) {
        m.key.push(key);
        m.minute.push(new Date(minute));
        m.pub.push(mp);
        m.recv.push(mr);
        m.backlog.push(minute === backlogMinute ? p.backlog! : null);
        m.at.push(minute === backlogMinute ? new Date(p.backlogAt) : null);
        pub += mp;
        recv += mr;
      }
      if (pub > 0 || recv > 0) {
        t.key.push(key);
        t.pub.push(pub);
        t.recv.push(recv);
        t.fp.push(ts(p.firstPublished));
        t.lp.push(ts(p.lastPublished));
        t.fr.push(ts(p.firstReceived));
        t.lr.push(ts(p.lastReceived));
      }
    });
    // One statement: the activity, then the counts of the sessions it found (a session deleted
    // meanwhile is not found, and its counts go with it).
    await this.db.query(
      `WITH active AS (
         UPDATE sessions SET last_active_at = now(),
                disconnected_at = CASE WHEN coalesce((settings ->> 'keepAliveSeconds')::int, 0) = 0 THEN NULL
                                       ELSE now() + make_interval(secs => 1.5 * (settings ->> 'keepAliveSeconds')::int) END
          WHERE client_key = ANY($1) AND session_type = $2
          RETURNING client_key),
       counted AS (
         INSERT INTO mq_api_stat_minutes AS x (client_key, minute, published, received, backlog, backlog_at)
         SELECT u.k, u.m, u.p, u.r, u.b, u.a
           FROM unnest($3::bytea[], $4::timestamptz[], $5::int[], $6::int[], $7::bigint[], $8::timestamptz[])
                AS u(k, m, p, r, b, a)
          WHERE u.k IN (SELECT client_key FROM active)
         ON CONFLICT (client_key, minute) DO UPDATE
           SET published = x.published + excluded.published, received = x.received + excluded.received,
               backlog = coalesce(excluded.backlog, x.backlog), backlog_at = coalesce(excluded.backlog_at, x.backlog_at)
         RETURNING 1)
       INSERT INTO mq_api_stats AS s (client_key, published, received, first_published_at, last_published_at,
                                      first_received_at, last_received_at)
       SELECT u.k, u.p, u.r, u.fp, u.lp, u.fr, u.lr
         FROM unnest($9::bytea[], $10::bigint[], $11::bigint[], $12::timestamptz[], $13::timestamptz[],
                     $14::timestamptz[], $15::timestamptz[]) AS u(k, p, r, fp, lp, fr, lr)
        WHERE u.k IN (SELECT client_key FROM active)
       ON CONFLICT (client_key) DO UPDATE
         SET published = s.published + excluded.published, received = s.received + excluded.received,
             first_published_at = coalesce(s.first_published_at, excluded.first_published_at),
             last_published_at = greatest(s.last_published_at, excluded.last_published_at),
             first_received_at = coalesce(s.first_received_at, excluded.first_received_at),
             last_received_at = greatest(s.last_received_at, excluded.last_received_at)`,
      [keys, MQ_API_SESSION_TYPE, ...Object.values(m), ...Object.values(t)],
    );
    await this.onWritten?.(batch.map(([name]) => name));
  }
}

/** How often one session's activity is written at most (a keep alive of 1 s still shows it). */
const ACTIVITY_WRITE_MS = 500;
/** Sessions whose last write is remembered; beyond it the memory starts again. */
const MAX_REMEMBERED = 10_000;

/** What publishing as a session needs to know of it (one small query, no subscriptions). */
export interface Publisher {
  type: string;
  status: string;
  owner: string | null;
  username: string | null;
  userProperties: [string, string][];
  /** The MQTT connection holding the session, if connected (its gateway counts what it publishes). */
  connection: { gatewayId: string; connectionId: string } | undefined;
}

export async function publisherOf(db: Db, clientName: string): Promise<Publisher | undefined> {
  const { rows } = await db.query<{
    session_type: string;
    session_status: string;
    owner: string | null;
    username: string | null;
    user_properties: { key: string; value: string }[] | null;
    connection_status: string;
    gateway_id: string | null;
    connection_id: string | null;
  }>(
    `SELECT session_type, session_status, owner, username, settings -> 'userProperties' AS user_properties,
            connection_status, gateway_id, connection_id
       FROM sessions WHERE client_key = $1`,
    [clientKey(clientName)],
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    type: row.session_type,
    status: row.session_status,
    owner: row.owner,
    username: row.username,
    userProperties: (row.user_properties ?? []).map((p) => [p.key, p.value]),
    connection:
      row.connection_status === 'connected' && row.gateway_id && row.connection_id
        ? { gatewayId: row.gateway_id, connectionId: row.connection_id }
        : undefined,
  };
}

/** The shared subscriptions ($share/<group>/<filter>) of a session: its reads take their copies too. */
export async function sharedFiltersOf(db: Db, clientName: string): Promise<string[]> {
  const { rows } = await db.query<{ topic_filter: string }>(
    `SELECT topic_filter FROM session_subscriptions
      WHERE client_key = $1 AND starts_with(topic_filter, '$share/') ORDER BY topic_filter`,
    [clientKey(clientName)],
  );
  return rows.map((r) => r.topic_filter);
}
