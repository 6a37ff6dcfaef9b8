// Opening and closing sessions in groups (group commit): CONNECTs (CloseSessions) that arrive
// while earlier ones are being written wait for the next batch, and one transaction of a few
// statements writes all of them. For opens: lock the existing rows, read their subscriptions,
// record refused (banned) attempts, clear the subscriptions of clean starts, insert the new
// sessions, update the existing ones, write the events. One opening cost seven round trips and a
// commit (an fsync) before; a batch of a hundred costs eight and one. Each CONNECT still gets its
// own version, event and result, by the rules of SessionStore.open and SessionStore.close
// (sessions.ts), which also write what a batch leaves undecided (a session another writer created
// between this batch's read and its insert) and every write of a batch that failed as a whole.
import {
  accountKey,
  boundedExpiry,
  type Logger,
  declaredSettings,
  evaluateHealth,
  newSessionSettings,
  MqfleetError,
  settingsFromStored,
  statusFromName,
  type Settings,
} from '@mqfleet/core';
import type {
  CloseSessionRequest__Output,
  OpenSessionRequest__Output,
  Session__Output,
} from '@mqfleet/proto';
import { inTransaction, type Db, type Tx } from './db';
import {
  clientKey,
  disconnectionReason,
  disowned,
  ownerAfterOpen,
  type OpenPolicy,
  removedAtClose,
  loadSubscriptions,
  OPEN_REFUSAL_REASONS,
  openRefusal,
  rowToSession,
  settingsAtConnect,
  startsClean,
  type OpenResult,
  type SessionRow,
} from './sessions';
import { enqueueMany, eventFor, type EventSink, type OutboxEvent } from './outbox/writer';

/** Writes of one transaction at most. */
const BATCH_MAX = 256;
/** Batches being written at once (while one commits, the next is read and written). */
const BATCHES_IN_FLIGHT = 2;

/** A write the batch could not decide (its session appeared meanwhile): written on its own. */
export const ONE_BY_ONE = Symbol('one by one');

interface Pending<Req, Res> {
  req: Req;
  key: string;
  resolve(result: Res): void;
  reject(err: unknown): void;
  /** True once the caller gave up (its gRPC call was cancelled or passed its deadline). */
  abandoned?: () => boolean;
}

/** A queued write whose caller gave up before its batch started: it is not written. */
export class AbandonedError extends Error {
  constructor() {
    super('the call was cancelled or passed its deadline before its write started');
    this.name = 'AbandonedError';
  }
}

/**
 * Group commit of writes keyed by client id: the writes waiting when a batch starts go into one
 * transaction (writeMany), at most one per client id and in arrival order (a second write of the
 * same client id waits for the batch of the first). A batch that fails as a whole, and every write
 * it leaves undecided, is written on its own (writeOne), so one bad request fails alone.
 */
export class KeyedBatcher<Req, Res> {
  private queue: Pending<Req, Res>[] = [];
  /** Client keys of the batches being written. */
  private readonly inFlight = new Set<string>();
  private running = 0;
  /**
   * Batches that failed as a whole, whose writes then went one by one: the results are the same,
   * but a batch path that keeps failing (a bug) would otherwise only show as slowness.
   */
  wholeFailures = 0;
  /** Where a batch that failed as a whole is reported (index.ts sets it). */
  log: Logger | undefined;

  constructor(
    private readonly db: Db,
    private readonly keyOf: (req: Req) => string,
    private readonly writeMany: (tx: Tx, reqs: Req[]) => Promise<(Res | typeof ONE_BY_ONE)[]>,
    private readonly writeOne: (req: Req) => Promise<Res>,
    /** Batches of this kind written at once. */
    private readonly concurrency = BATCHES_IN_FLIGHT,
  ) {}

  /**
   * Queues a write. `abandoned` says when its caller gave up: a write not started by then is
   * dropped (rejected with AbandonedError). In a reconnect storm, gateways retry the closes whose
   * deadline passed while they queued here; writing the abandoned copies too doubled the queue.
   */
  submit(req: Req, abandoned?: () => boolean): Promise<Res> {
    return new Promise((resolve, reject) => {
      this.queue.push({ req, key: this.keyOf(req), resolve, reject, ...(abandoned ? { abandoned } : {}) });
      this.kick();
    });
  }

  private kick(): void {
    while (this.running < this.concurrency && this.queue.length > 0) {
      const batch = this.take();
      if (batch.length === 0) return;
      this.running++;
      void this.run(batch).finally(() => {
        for (const p of batch) this.inFlight.delete(p.key);
        this.running--;
        this.kick();
      });
    }
  }

  /** The oldest writes whose client id is not being written already (one pass over the queue). */
  private take(): Pending<Req, Res>[] {
    const batch: Pending<Req, Res>[] = [];
    const rest: Pending<Req, Res>[] = [];
    const keys = new Set<string>();
    for (const p of this.queue) {
      if (p.abandoned?.()) {
        p.reject(new AbandonedError());
        continue;
      }
      if (batch.length < BATCH_MAX && !this.inFlight.has(p.key) && !keys.has(p.key)) {
        keys.add(p.key);
        batch.push(p);
      } else {
        // Later writes of a client id left behind stay behind it.
        keys.add(p.key);
        rest.push(p);
      }
    }
    this.queue = rest;
    for (const p of batch) this.inFlight.add(p.key);
    return batch;
  }

  private async run(batch: Pending<Req, Res>[]): Promise<void> {
    let results: (Res | typeof ONE_BY_ONE)[];
    try {
      results = await inTransaction(this.db, (tx) =>
        this.writeMany(
          tx,
          batch.map((p) => p.req),
        ),
      );
    } catch (err) {
      this.wholeFailures++;
      this.log?.warn('a batch failed as a whole; its writes go one by one', { size: batch.length, err });
      results = batch.map(() => ONE_BY_ONE);
    }
    await Promise.all(
      batch.map(async (p, i) => {
        const result = results[i]!;
        try {
          p.resolve(result === ONE_BY_ONE ? await this.writeOne(p.req) : result);
        } catch (err) {
          p.reject(err);
        }
      }),
    );
  }
}

/** What the batches need of the store: where events go, and the bound of session expiry. */
export type ConnectSink = EventSink & OpenPolicy & { maxSessionExpiry: number };

/** Opens sessions in groups (openMany below). */
export function openBatcher(
  db: Db,
  sink: ConnectSink,
  openOne: (req: OpenSessionRequest__Output) => Promise<OpenResult>,
): KeyedBatcher<OpenSessionRequest__Output, OpenResult> {
  return new KeyedBatcher(
    db,
    (req) => {
      if (!req.declared) throw new MqfleetError('MISSING_PROPERTY', '"declared" is required', 'declared');
      return clientKey(req.clientName).toString('hex');
    },
    (tx, reqs) => openMany(tx, sink, reqs),
    openOne,
  );
}

interface Connecting {
  req: OpenSessionRequest__Output;
  key: Buffer;
  hex: string;
  existing: SessionRow | undefined;
  /** Another user's session, opened anew (MQFLEET_CLIENT_ID_OWNERSHIP=clean-start; rows.ts disowned). */
  disowned: boolean;
}

/** Whether an open discards the stored session state: Clean Start, or another user's session. */
const clean = (c: Connecting): boolean => startsClean(c.req) || c.disowned;

/** The columns of a session row a CONNECT sets, as JSON for json_to_recordset. */
function connectionColumns(req: OpenSessionRequest__Output): Record<string, unknown> {
  return {
    g: req.gatewayId,
    c: req.connectionId,
    ip: req.ipAddress,
    p: req.port,
    m: req.declared!.mqttProtocol,
    u: req.username || null,
  };
}

/** Health of a session that just connected: nothing published yet, its subscriptions held. */
function healthAtConnect(settings: Settings, subscriptions: number): string {
  return evaluateHealth(settings, {
    connected: true,
    publishRatePerMinute: 0,
    deliveryBacklogRatePerMinute: 0,
    subscribedTopicFiltersCount: subscriptions,
  });
}

/** Opens the sessions of a batch (distinct client ids) in the caller's transaction. */
async function openMany(
  tx: Tx,
  sink: ConnectSink,
  reqs: OpenSessionRequest__Output[],
): Promise<(OpenResult | typeof ONE_BY_ONE)[]> {
  const all: Connecting[] = reqs.map((req) => {
    const key = clientKey(req.clientName);
    return { req, key, hex: key.toString('hex'), existing: undefined, disowned: false };
  });
  // Locked in key order: two batches never wait for each other in a cycle.
  const { rows: locked } = await tx.query<SessionRow>(
    'SELECT * FROM sessions WHERE client_key = ANY($1) ORDER BY client_key FOR UPDATE',
    [all.map((c) => c.key)],
  );
  const byHex = new Map(locked.map((r) => [r.client_key.toString('hex'), r]));
  for (const c of all) {
    c.existing = byHex.get(c.hex);
    c.disowned = c.existing !== undefined && disowned(c.existing, c.req.username, sink);
  }

  const results = new Map<string, OpenResult | typeof ONE_BY_ONE>();
  // Refused (banned, an MQ API session's name, another user's: rows.ts openRefusal): the attempt
  // is recorded, but it is not a state change: no version, no event.
  const refusals = new Map(all.map((c) => [c.hex, openRefusal(c.existing, sink, c.req.username)]));
  for (const refusal of ['banned', 'mqApiSession', 'notOwner'] as const) {
    const refused = all.filter((c) => refusals.get(c.hex) === refusal);
    if (refused.length === 0) continue;
    const { rows } = await tx.query<SessionRow>(
      `UPDATE sessions SET last_failed_at = now(), last_failed_reason = $2
        WHERE client_key = ANY($1) RETURNING *`,
      [refused.map((c) => c.key), OPEN_REFUSAL_REASONS[refusal]],
    );
    for (const row of rows) {
      results.set(row.client_key.toString('hex'), {
        refusal,
        sessionPresent: false,
        session: rowToSession(row),
      });
    }
  }
  const resuming = all.filter((c) => c.existing && !refusals.get(c.hex));
  const fresh = all.filter((c) => !c.existing);

  // Clean Start 0 resumes the stored subscriptions [MQTT-3.1.2-5]; Clean Start 1 discards them
  // with the rest of the session state [MQTT-3.1.2-4].
  const resumed = resuming.filter((c) => !clean(c));
  const cleared = resuming.filter((c) => clean(c));
  const subscriptions = await loadSubscriptions(
    tx,
    resumed.map((c) => c.key),
  );
  if (cleared.length > 0) {
    await tx.query('DELETE FROM session_subscriptions WHERE client_key = ANY($1)', [
      cleared.map((c) => c.key),
    ]);
  }

  const opened: { c: Connecting; row: SessionRow; sessionPresent: boolean }[] = [];
  if (fresh.length > 0) {
    const values = fresh.map((c) => {
      const settings = newSessionSettings(c.req.declared!, sink.maxSessionExpiry);
      return {
        k: c.hex,
        o: accountKey(c.req.username),
        n: c.req.clientName,
        s: settings,
        h: healthAtConnect(settings, 0),
        ...connectionColumns(c.req),
      };
    });
    // A drained connection's will outlives its removed session (losses.ts closedDrained): a new
    // session of the client id cancels it [MQTT-3.1.3-9], in the same statement.
    const { rows } = await tx.query<SessionRow>(
      `WITH w AS (DELETE FROM pending_wills WHERE client_key = ANY($2))
       INSERT INTO sessions (client_key, client_name, settings, health, connection_status, gateway_id,
                             connection_id, ip_address, port, mqtt_protocol, username, connected_at, mqtt_owner)
       SELECT decode(x.k, 'hex'), x.n, x.s, x.h, 'connected', x.g, x.c, x.ip, x.p, x.m, x.u, now(), x.o
         FROM json_to_recordset($1::json)
           AS x(k text, n text, s jsonb, h text, g text, c text, ip text, p integer, m text, u text, o text)
       ON CONFLICT (client_key) DO NOTHING RETURNING *`,
      [JSON.stringify(values), fresh.map((c) => c.key)],
    );
    const inserted = new Map(rows.map((r) => [r.client_key.toString('hex'), r]));
    for (const c of fresh) {
      const row = inserted.get(c.hex);
      // Created by another writer since the read: decided on its own, after this batch.
      if (row) opened.push({ c, row, sessionPresent: false });
      else results.set(c.hex, ONE_BY_ONE);
    }
  }

  if (resuming.length > 0) {
    const values = resuming.map((c) => {
      const existing = c.existing!;
      const settings = c.disowned
        ? newSessionSettings(c.req.declared!, sink.maxSessionExpiry)
        : settingsAtConnect(existing, declaredSettings(c.req.declared!, sink.maxSessionExpiry));
      // An inactive session becomes normal again when its client connects (docs/live-effects.md).
      const status = existing.session_status === 'inactive' ? 'normal' : existing.session_status;
      settings.sessionStatus = statusFromName(status) ?? 'SESSION_STATUS_NORMAL';
      const held = clean(c) ? 0 : (subscriptions.get(c.hex)?.length ?? 0);
      return {
        k: c.hex,
        s: settings,
        o: ownerAfterOpen(existing, c.req.username, c.disowned),
        d: c.disowned,
        st: status,
        h: healthAtConnect(settings, held),
        ...connectionColumns(c.req),
      };
    });
    // A new connection cancels a lost connection's pending will [MQTT-3.1.3-9] and its loss
    // (losses.ts), in the same statement.
    const { rows } = await tx.query<SessionRow>(
      `WITH w AS (DELETE FROM pending_wills WHERE client_key = ANY($2)),
            l AS (DELETE FROM session_losses WHERE client_key = ANY($2))
       UPDATE sessions s SET version = s.version + 1, settings = x.s, session_status = x.st, health = x.h,
              connection_status = 'connected', gateway_id = x.g, connection_id = x.c, ip_address = x.ip,
              port = x.p, mqtt_protocol = x.m, username = x.u, connected_at = now(),
              disconnection_reason = NULL, updated_at = now(), mqtt_owner = x.o,
              pinned = CASE WHEN x.d THEN '{}' ELSE s.pinned END
         FROM json_to_recordset($1::json)
           AS x(k text, s jsonb, st text, h text, g text, c text, ip text, p integer, m text, u text,
                o text, d boolean)
        WHERE s.client_key = decode(x.k, 'hex') RETURNING s.*`,
      [JSON.stringify(values), resuming.map((c) => c.key)],
    );
    const updated = new Map(rows.map((r) => [r.client_key.toString('hex'), r]));
    for (const c of resuming) {
      opened.push({ c, row: updated.get(c.hex)!, sessionPresent: !clean(c) });
    }
  }

  const sessions: Session__Output[] = opened.map(({ c, row }) =>
    rowToSession(row, clean(c) ? [] : (subscriptions.get(c.hex) ?? [])),
  );
  // The connected event carries the session with its health (no separate health event).
  await enqueueMany(
    tx,
    sink,
    sessions.map((session, i) =>
      eventFor(sink.subjects, 'connected', session, `gateway:${opened[i]!.c.req.gatewayId}`),
    ),
  );
  opened.forEach(({ c, sessionPresent }, i) => {
    results.set(c.hex, { sessionPresent, session: sessions[i]! });
  });
  return all.map((c) => results.get(c.hex)!);
}

/** A CloseSession with the gateway that asked (the actor of its event). */
export interface CloseRequest {
  req: CloseSessionRequest__Output;
  gatewayId: string;
}

export interface CloseResult {
  closed: boolean;
  removed: boolean;
}

/** Closes sessions in groups (closeMany below). */
export function closeBatcher(
  db: Db,
  sink: ConnectSink,
  closeOne: (close: CloseRequest) => Promise<CloseResult>,
): KeyedBatcher<CloseRequest, CloseResult> {
  return new KeyedBatcher(
    db,
    ({ req }) => clientKey(req.clientName).toString('hex'),
    (tx, reqs) => closeMany(tx, sink, reqs),
    closeOne,
    // One at a time: a client waits for its CONNACK behind opens, nobody waits for a close (the
    // gateway retries it), so in a reconnect storm the opens get most of the pool.
    1,
  );
}

/**
 * Closes the sessions of a batch (distinct client ids) in the caller's transaction, by the rules
 * of SessionStore.close (sessions.ts): only the connection that holds a session closes it; a
 * temporary session with expiry 0 and status normal is removed, every other one is marked
 * disconnected (health offline) with a new version.
 */
async function closeMany(
  tx: Tx,
  sink: ConnectSink,
  closes: CloseRequest[],
): Promise<(CloseResult | typeof ONE_BY_ONE)[]> {
  const keys = closes.map(({ req }) => clientKey(req.clientName));
  const { rows: locked } = await tx.query<SessionRow & { lost_noticed_at: Date | null }>(
    `SELECT s.*, l.noticed_at AS lost_noticed_at
       FROM sessions s
       LEFT JOIN session_losses l ON l.client_key = s.client_key AND l.connection_id = s.connection_id
      WHERE s.client_key = ANY($1) ORDER BY s.client_key FOR UPDATE OF s`,
    [keys],
  );
  const byHex = new Map(locked.map((r) => [r.client_key.toString('hex'), r]));
  const results: (CloseResult | typeof ONE_BY_ONE)[] = closes.map(() => ({ closed: false, removed: false }));
  const removed: { i: number; row: SessionRow }[] = [];
  const disconnected: { i: number; values: Record<string, unknown> }[] = [];
  closes.forEach(({ req }, i) => {
    const existing = byHex.get(keys[i]!.toString('hex'));
    if (
      !existing ||
      existing.connection_id !== req.connectionId ||
      existing.connection_status !== 'connected'
    )
      return;
    const settings = settingsFromStored(existing.settings);
    // The close of a lost gateway's connection, or of a drained one with a will, schedules that
    // will (losses.ts): the single path.
    const drained = req.drainWillGraceMs !== undefined && req.drainWillGraceMs !== null;
    if (existing.lost_noticed_at || (drained && settings.willTopic !== '')) {
      results[i] = ONE_BY_ONE;
      return;
    }
    if (req.sessionExpiryInterval !== undefined && req.sessionExpiryInterval !== null) {
      settings.sessionExpiryInterval = boundedExpiry(req.sessionExpiryInterval, sink.maxSessionExpiry);
    }
    if (removedAtClose(existing, settings)) {
      removed.push({ i, row: existing });
      results[i] = { closed: true, removed: true };
      return;
    }
    results[i] = { closed: true, removed: false };
    disconnected.push({
      i,
      values: {
        k: keys[i]!.toString('hex'),
        s: settings,
        r: disconnectionReason(req),
      },
    });
  });
  const events: OutboxEvent[] = [];
  if (removed.length > 0) {
    await tx.query('DELETE FROM sessions WHERE client_key = ANY($1)', [
      removed.map(({ row }) => row.client_key),
    ]);
    for (const { i, row } of removed) {
      const session = rowToSession({ ...row, version: String(BigInt(row.version) + 1n) });
      events.push(eventFor(sink.subjects, 'deleted', session, `gateway:${closes[i]!.gatewayId}`));
    }
  }
  if (disconnected.length > 0) {
    const { rows } = await tx.query<SessionRow>(
      `UPDATE sessions s SET version = s.version + 1, settings = x.s, connection_status = 'disconnected',
              disconnected_at = now(), disconnection_reason = x.r, health = 'offline', updated_at = now()
         FROM json_to_recordset($1::json) AS x(k text, s jsonb, r text)
        WHERE s.client_key = decode(x.k, 'hex') RETURNING s.*`,
      [JSON.stringify(disconnected.map((d) => d.values))],
    );
    const subscriptions = await loadSubscriptions(
      tx,
      rows.map((r) => r.client_key),
    );
    const updated = new Map(rows.map((r) => [r.client_key.toString('hex'), r]));
    for (const { i, values } of disconnected) {
      const row = updated.get(values.k as string)!;
      const session = rowToSession(row, subscriptions.get(values.k as string) ?? []);
      // Health becomes "offline"; the disconnected event carries it (no separate health event).
      events.push(eventFor(sink.subjects, 'disconnected', session, `gateway:${closes[i]!.gatewayId}`));
    }
  }
  await enqueueMany(tx, sink, events);
  return results;
}
