// The sessions of a lost gateway, in Postgres (docs/mqtt.md, "A gateway that dies"). The watch
// (gateway-watch.ts) decides which gateways, or runs of a gateway, are lost; this module records
// their connections (session_losses, migration 0010) and takes care of them:
//
// - a session that outlives its connection and has QoS 1/2 subscriptions needs its offline queue,
//   which lives in JetStream and is the gateways' business: a "lost" work item (subjects().work)
//   asks one surviving gateway to park it and then to close it (CloseSession with the lost
//   connection id), so messages published once the session says "disconnected" are queued;
// - every other session is closed here at once (a temporary session with expiry 0 is removed);
// - a loss nobody took care of within the timeout (no gateway alive) is closed here too.
//
// Closing a lost connection (SessionStore.close, through closedLost) schedules its will for
// min(Will Delay, Session Expiry) after the loss was noticed [MQTT-3.1.3-9] in pending_wills; a
// new connection of the session deletes it (SessionStore.open), and when it is due
// releaseDueWills() deletes it and puts a "will" work item in the outbox in the same transaction:
// each will is handed to the gateways once. All of it is conditional on the row (connection id,
// connection status), so two session-services doing the same work do it once.
import { randomUUID } from 'node:crypto';
import {
  GATEWAY_LOST_REASON,
  GATEWAY_WATCH_ACTOR,
  settingsFromStored,
  type ClusterWork,
  type Logger,
  type Settings,
  type WillWork,
} from '@mqfleet/core';
import { inTransaction, type Db, type Tx } from './db';
import { clientKey, type SessionRow, type SessionStore } from './sessions';
import { enqueueMany, type EventSink, type OutboxEvent } from './outbox/writer';

/** Losses recorded, and due wills released, per statement. */
const BATCH = 500;
/** Lost sessions the session-service closes at once. */
const CLOSE_CONCURRENCY = 8;

/** A session row locked for CloseSession, with when its connection was found lost (if it was). */
export type LockedForClose = SessionRow & { lost_noticed_at: Date | null };

/** Locks a session row and reads whether its current connection is a lost one (one statement). */
export async function lockForClose(tx: Tx, clientName: string): Promise<LockedForClose | undefined> {
  const { rows } = await tx.query<LockedForClose>(
    `SELECT s.*, l.noticed_at AS lost_noticed_at
       FROM sessions s
       LEFT JOIN session_losses l ON l.client_key = s.client_key AND l.connection_id = s.connection_id
      WHERE s.client_key = $1
        FOR UPDATE OF s`,
    [clientKey(clientName)],
  );
  return rows[0];
}

/** The will* fields of settings, or undefined when the session has no will. */
function willFields(settings: Settings): Record<string, unknown> | undefined {
  if (!settings.willTopic) return undefined;
  return Object.fromEntries(Object.entries(settings).filter(([key]) => key.startsWith('will')));
}

function willWork(
  sink: EventSink,
  clientName: string,
  connectionId: string,
  will: Record<string, unknown>,
  dueAt: Date,
): OutboxEvent<WillWork & { eventId: string }> {
  return {
    subject: sink.subjects.work('will', clientName),
    event: {
      eventId: randomUUID(),
      type: 'will',
      clientName,
      connectionId,
      will,
      dueAt: dueAt.toISOString(),
    },
  };
}

/**
 * A lost connection was closed (in the caller's transaction): its loss is done and its will, if
 * any, is due min(Will Delay, Session Expiry) after the loss was noticed — at once when the session
 * was removed [MQTT-3.1.3-9].
 */
export async function closedLost(
  tx: Tx,
  sink: EventSink,
  row: SessionRow,
  settings: Settings,
  noticedAt: Date,
  removed: boolean,
): Promise<void> {
  if (!removed) await tx.query('DELETE FROM session_losses WHERE client_key = $1', [row.client_key]);
  const delay = removed ? 0 : Math.min(settings.willDelaySeconds, settings.sessionExpiryInterval);
  await scheduleWill(tx, sink, row, settings, new Date(noticedAt.getTime() + delay * 1000));
}

/**
 * A connection its gateway ended in a drain was closed (in the caller's transaction; docs/mqtt.md
 * "Graceful drain"): its client is expected back on another gateway, so its will waits in
 * pending_wills for max(the drain's grace, min(Will Delay, Session Expiry)) from now. A new
 * connection of the client id deletes it (SessionStore.open, connect-batch.ts), also one that
 * makes a new session after this one was removed; otherwise releaseDueWills hands it to a gateway.
 */
export async function closedDrained(
  tx: Tx,
  sink: EventSink,
  row: SessionRow,
  settings: Settings,
  graceMs: number,
  removed: boolean,
): Promise<void> {
  const delaySeconds = removed ? 0 : Math.min(settings.willDelaySeconds, settings.sessionExpiryInterval);
  await scheduleWill(tx, sink, row, settings, new Date(Date.now() + Math.max(graceMs, delaySeconds * 1000)));
}

/** The session's will, if it has one, is handed to the gateways at `dueAt` (at once if past). */
async function scheduleWill(
  tx: Tx,
  sink: EventSink,
  row: SessionRow,
  settings: Settings,
  dueAt: Date,
): Promise<void> {
  const will = willFields(settings);
  if (!will) return;
  if (dueAt.getTime() <= Date.now()) {
    await enqueueMany(tx, sink, [willWork(sink, row.client_name, row.connection_id ?? '', will, dueAt)]);
    return;
  }
  await tx.query(
    `INSERT INTO pending_wills (client_key, client_name, connection_id, due_at, will)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (client_key) DO UPDATE SET client_name = EXCLUDED.client_name,
       connection_id = EXCLUDED.connection_id, due_at = EXCLUDED.due_at, will = EXCLUDED.will,
       created_at = now()`,
    [row.client_key, row.client_name, row.connection_id ?? '', dueAt, JSON.stringify(will)],
  );
}

/**
 * Delayed wills a stopping gateway held (KeepWills; docs/mqtt.md "Graceful drain"), one
 * transaction each: kept in pending_wills for `dueInMs` while the connection that ended with it is
 * still the session's last one and disconnected. Returns, per will, false when the session is
 * gone (its end made the will due: the gateway publishes it now) and true otherwise (kept, or
 * cancelled by a newer connection of the client).
 */
export async function keepWills(
  db: Db,
  sink: EventSink,
  wills: { clientName: string; connectionId: string; dueInMs: number }[],
): Promise<boolean[]> {
  const kept: boolean[] = [];
  for (const w of wills) {
    kept.push(
      await inTransaction(db, async (tx) => {
        const { rows } = await tx.query<SessionRow>(
          'SELECT * FROM sessions WHERE client_key = $1 FOR UPDATE',
          [clientKey(w.clientName)],
        );
        const row = rows[0];
        if (!row) return false;
        if (row.connection_status !== 'disconnected' || row.connection_id !== w.connectionId) return true;
        const dueAt = new Date(Date.now() + Math.max(0, w.dueInMs));
        await scheduleWill(tx, sink, row, settingsFromStored(row.settings), dueAt);
        return true;
      }),
    );
  }
  return kept;
}

/** These sessions ended (expired, deleted): their pending wills are due now [MQTT-3.1.3-9]. */
export async function endedSessionsWillsDue(tx: Tx, keys: Buffer[]): Promise<void> {
  if (keys.length === 0) return;
  await tx.query('UPDATE pending_wills SET due_at = now() WHERE client_key = ANY($1) AND due_at > now()', [
    keys,
  ]);
}

export interface Noticed {
  /** Sessions handed to a gateway to park and close ("lost" work items). */
  parking: number;
  /** Sessions closed here. */
  closed: number;
  /** Connections of no live run that are younger than the timeout: judged again later. */
  young: number;
}

export class GatewayLosses {
  constructor(
    private readonly db: Db,
    private readonly store: SessionStore,
    private readonly log: Logger,
    /** Offline queues are kept (MQFLEET_MAX_QUEUED_MESSAGES > 0): persistent sessions are parked. */
    private readonly queueing: boolean,
  ) {}

  /** The gateway ids holding connected sessions: a loose scan of index sessions_gateway (one probe per id). */
  async connectedGateways(): Promise<string[]> {
    const { rows } = await this.db.query<{ gateway_id: string }>(
      `WITH RECURSIVE g AS (
         (SELECT gateway_id FROM sessions WHERE connection_status = 'connected' AND gateway_id IS NOT NULL
           ORDER BY gateway_id LIMIT 1)
         UNION ALL
         SELECT (SELECT s.gateway_id FROM sessions s
                  WHERE s.connection_status = 'connected' AND s.gateway_id > g.gateway_id
                  ORDER BY s.gateway_id LIMIT 1)
           FROM g WHERE g.gateway_id IS NOT NULL
       )
       SELECT gateway_id FROM g WHERE gateway_id IS NOT NULL`,
    );
    return rows.map((r) => r.gateway_id);
  }

  /**
   * The connected sessions of `gatewayId` whose connection belongs to none of the `live` runs of it
   * (all of them when none is live) and is older than `minAgeMs` are lost: recorded, then parked by
   * a gateway or closed here. Idempotent: a loss already recorded is not recorded again.
   */
  async notice(gatewayId: string, live: string[], minAgeMs: number): Promise<Noticed> {
    const result: Noticed = { parking: 0, closed: 0, young: 0 };
    const toClose: { clientName: string; connectionId: string }[] = [];
    // One cutoff, on Postgres's clock (connected_at is written with it), for the recording and for
    // the count of young connections: each connection of a run that is not live is then either
    // lost or young (and the watch judges its gateway again at the next check). With now() of
    // each statement, a connection that came of age between them was neither, and a gateway that
    // still had a live run (restarted with the same id) was judged again only at the next full
    // pass, ten timeouts later.
    const { rows: clock } = await this.db.query<{ cutoff: Date }>(
      'SELECT now() - make_interval(secs => $1::double precision) AS cutoff',
      [minAgeMs / 1000],
    );
    const cutoff = clock[0]!.cutoff;
    for (;;) {
      const { rows } = await inTransaction(this.db, async (tx) => {
        const found = await tx.query<{
          client_name: string;
          connection_id: string;
          noticed_at: Date;
          park: boolean;
        }>(
          `WITH lost AS (
             INSERT INTO session_losses (client_key, client_name, connection_id, gateway_id)
             SELECT s.client_key, s.client_name, s.connection_id, s.gateway_id FROM sessions s
              WHERE s.gateway_id = $1 AND s.connection_status = 'connected'
                AND NOT (split_part(s.connection_id, '.', 1) = ANY($2::text[]))
                AND s.connected_at <= $3::timestamptz
                AND NOT EXISTS (SELECT 1 FROM session_losses l
                                 WHERE l.client_key = s.client_key AND l.connection_id = s.connection_id)
              LIMIT ${BATCH}
             ON CONFLICT (client_key) DO UPDATE SET connection_id = EXCLUDED.connection_id,
               gateway_id = EXCLUDED.gateway_id, noticed_at = now()
               WHERE session_losses.connection_id <> EXCLUDED.connection_id
             RETURNING client_key, client_name, connection_id, noticed_at
           )
           SELECT lost.client_name, lost.connection_id, lost.noticed_at,
                  $4::boolean AND s.session_status <> 'banned'
                  AND (s.settings ->> 'sessionExpiryInterval')::bigint > 0
                  AND EXISTS (SELECT 1 FROM session_subscriptions ss
                               WHERE ss.client_key = lost.client_key AND ss.qos > 0
                                 AND ss.topic_filter NOT LIKE '$share/%') AS park
             FROM lost JOIN sessions s ON s.client_key = lost.client_key`,
          [gatewayId, live, cutoff, this.queueing],
        );
        const work: OutboxEvent<ClusterWork & { eventId: string }>[] = found.rows
          .filter((r) => r.park)
          .map((r) => ({
            subject: this.store.subjects.work('lost', r.client_name),
            event: {
              eventId: randomUUID(),
              type: 'lost',
              clientName: r.client_name,
              connectionId: r.connection_id,
              gatewayId,
              noticedAt: r.noticed_at.toISOString(),
            },
          }));
        await enqueueMany(tx, this.store, work);
        return found;
      });
      for (const r of rows) {
        if (r.park) result.parking++;
        else toClose.push({ clientName: r.client_name, connectionId: r.connection_id });
      }
      if (rows.length < BATCH) break;
    }
    result.closed = await this.closeAll(toClose, gatewayId);
    const { rows: young } = await this.db.query<{ n: string }>(
      `SELECT count(*) AS n FROM sessions
        WHERE gateway_id = $1 AND connection_status = 'connected'
          AND NOT (split_part(connection_id, '.', 1) = ANY($2::text[]))
          AND connected_at > $3::timestamptz`,
      [gatewayId, live, cutoff],
    );
    result.young = Number(young[0]?.n ?? 0);
    return result;
  }

  /**
   * Losses no gateway took care of within `graceMs` (none is alive, or it failed): the
   * session-service closes those sessions itself. Losses whose session moved on are dropped.
   */
  async closeOverdue(graceMs: number): Promise<number> {
    const secs = graceMs / 1000;
    await this.db.query(
      `DELETE FROM session_losses l
        WHERE l.noticed_at < now() - make_interval(secs => $1::double precision)
          AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.client_key = l.client_key
                             AND s.connection_id = l.connection_id AND s.connection_status = 'connected')`,
      [secs],
    );
    const { rows } = await this.db.query<{ client_name: string; connection_id: string; gateway_id: string }>(
      `SELECT client_name, connection_id, gateway_id FROM session_losses
        WHERE noticed_at < now() - make_interval(secs => $1::double precision)
        ORDER BY noticed_at LIMIT ${BATCH}`,
      [secs],
    );
    if (rows.length === 0) return 0;
    this.log.warn('lost sessions not taken care of by any gateway in time: closed by the session-service', {
      count: rows.length,
    });
    let closed = 0;
    const byGateway = new Map<string, { clientName: string; connectionId: string }[]>();
    for (const r of rows) {
      const list = byGateway.get(r.gateway_id) ?? [];
      list.push({ clientName: r.client_name, connectionId: r.connection_id });
      byGateway.set(r.gateway_id, list);
    }
    for (const [gatewayId, list] of byGateway) closed += await this.closeAll(list, gatewayId);
    return closed;
  }

  /** Hands the wills that are due to the gateways (work items), each once. Returns how many. */
  async releaseDueWills(): Promise<number> {
    let released = 0;
    for (;;) {
      const n = await inTransaction(this.db, async (tx) => {
        const { rows } = await tx.query<{
          client_name: string;
          connection_id: string;
          will: Record<string, unknown>;
          due_at: Date;
        }>(
          `DELETE FROM pending_wills WHERE client_key IN (
             SELECT client_key FROM pending_wills WHERE due_at <= now()
              ORDER BY due_at LIMIT ${BATCH} FOR UPDATE SKIP LOCKED)
           RETURNING client_name, connection_id, will, due_at`,
        );
        await enqueueMany(
          tx,
          this.store,
          rows.map((r) => willWork(this.store, r.client_name, r.connection_id, r.will, r.due_at)),
        );
        return rows.length;
      });
      released += n;
      if (n < BATCH) return released;
    }
  }

  /** Closes lost connections (SessionStore.close: conditional on the connection id), a few at a time. */
  private async closeAll(
    list: { clientName: string; connectionId: string }[],
    gatewayId: string,
  ): Promise<number> {
    let closed = 0;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < list.length) {
        const { clientName, connectionId } = list[next++]!;
        try {
          const result = await this.store.close(
            { clientName, connectionId, clean: false, reason: GATEWAY_LOST_REASON },
            gatewayId,
            GATEWAY_WATCH_ACTOR,
          );
          if (result.closed) closed++;
        } catch (err) {
          // The loss stays recorded: closeOverdue tries again.
          this.log.warn('lost session not closed', { clientName, err });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(CLOSE_CONCURRENCY, list.length) }, worker));
    return closed;
  }
}
