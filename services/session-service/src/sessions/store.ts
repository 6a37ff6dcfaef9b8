// The session store: every state change of a session increments its version and writes its
// event to the outbox in the same transaction (../outbox). Opens and closes of gateways,
// alterations (grouped: alterations.ts), listing, deletion, audit, subscriptions, expiry.
// (Longer than the other rooms: its operations share the store's state, one method each.)
import {
  accountKey,
  applyPatch,
  boundedExpiry,
  declaredSettings,
  DEFAULT_SETTINGS,
  evaluateHealth,
  SESSION_HEALTH_VALUES,
  invalidValue,
  MqfleetError,
  notFound,
  patchFields,
  settingsFromStored,
  statusName,
  topicFilterProblem,
  statusFromName,
  UINT32_MAX,
  validatePatch,
  type BulkAlteredSession,
  type ClientIdOwnership,
  type FieldChange,
  type HealthReport,
  type Settings,
  type Subjects,
} from '@mqfleet/core';
import {
  checkBound,
  checkFiltersFit,
  checkPatchFits,
  DEFAULT_STORE_LIMITS,
  type StoreLimits,
} from '../bus-fit';
import type {
  AlterSessionRequest__Output,
  AlterSessionsRequest__Output,
  AuditEntry__Output,
  CloseSessionRequest__Output,
  DeleteSessionRequest__Output,
  GetSessionAuditRequest__Output,
  ListSessionsRequest__Output,
  OpenSessionRequest__Output,
  Session__Output,
  ChangeSubscriptionsRequest__Output,
  Subscription__Output,
} from '@mqfleet/proto';
import { inTransaction, type Db, type Tx } from '../db';
import { applyFilter, encodeCursor, LISTED_TIMESTAMPS, listQuery, Sql } from '../listing';
import { closedDrained, closedLost, endedSessionsWillsDue, lockForClose } from '../losses';
import { EventPublisher, EventSink, enqueue, enqueueMany, eventFor, publishWritten } from '../outbox/writer';
import {
  SessionRow,
  clientKey,
  disconnectionReason,
  disowned,
  filterKey,
  isoTimestamp,
  lockRow,
  MQ_API_SESSION_TYPE,
  OPEN_REFUSAL_REASONS,
  openRefusal,
  ownerAfterOpen,
  removedAtClose,
  rowToSession,
  sessionOf,
  sessionsOf,
  settingsAtConnect,
  settingsOfRow,
  startsClean,
  truncate,
  type OpenRefusal,
} from './rows';
import {
  SubscriptionChange,
  loadSubscriptions,
  planSubscriptionChange,
  upsertSubscriptions,
  validSubscription,
} from './subscriptions';
import {
  ALTER_OPTIMISTIC_ATTEMPTS,
  AlterOutcome,
  BulkAltered,
  BulkRow,
  BulkWrite,
  bulkEvents,
  AlterationBatcher,
} from './alterations';

export async function audit(
  tx: Tx,
  session: Session__Output,
  actor: string,
  action: string,
  changes: Record<string, FieldChange>,
): Promise<void> {
  await tx.query(
    'INSERT INTO session_audit (client_key, client_name, version, actor, action, changes) VALUES ($1, $2, $3, $4, $5, $6)',
    [
      clientKey(session.clientName),
      session.clientName,
      session.version,
      actor,
      action,
      JSON.stringify(changes),
    ],
  );
}

export interface OpenResult {
  /** Set when the CONNECT may not have the session (rows.ts openRefusal). */
  refusal?: OpenRefusal;
  sessionPresent: boolean;
  session: Session__Output;
}

/** Pages of ListSessionNames. */
export const DEFAULT_NAMES_PAGE = 1000;

export const MAX_NAMES_PAGE = 10_000;

export class SessionStore implements EventSink {
  /** The fast path for events (see enqueueMany); the outbox relay provides it. */
  publishNow: EventPublisher | undefined;
  /** Bound of the expiry a client asks for (CONNECT, DISCONNECT); 0 = none (config.maxSessionExpiry). */
  maxSessionExpiry = 0;
  /** Whether a CONNECT may take an MQ API session's client id (config.mqttMayUseMqApiNames). */
  mqttMayUseMqApiNames = false;
  /** What a CONNECT gets when the session is another user's (config.clientIdOwnership). */
  clientIdOwnership: ClientIdOwnership = 'refuse';
  /** What the bus can carry and the bound on subscriptions (bus-fit.ts); set from the config. */
  limits: StoreLimits = DEFAULT_STORE_LIMITS;
  /** Alterations, written in groups (alterations.ts). */
  private readonly alterations: AlterationBatcher;

  constructor(
    private readonly db: Db,
    readonly subjects: Subjects,
    /** Optimistic attempts before an alteration waits for the row lock (0: always lock). */
    optimisticAttempts = ALTER_OPTIMISTIC_ATTEMPTS,
  ) {
    this.alterations = new AlterationBatcher(db, this, optimisticAttempts);
  }

  /** A gateway accepted a CONNECT: acquire (or create) the session for this connection. */
  async open(req: OpenSessionRequest__Output): Promise<OpenResult> {
    const declaration = req.declared;
    if (!declaration) throw new MqfleetError('MISSING_PROPERTY', '"declared" is required', 'declared');
    const actor = `gateway:${req.gatewayId}`;
    return inTransaction(this.db, async (tx) => {
      const existing = await lockRow(tx, req.clientName);
      const refusal = openRefusal(existing, this, req.username);
      if (existing && refusal) {
        // A refused attempt is recorded, but it is not a state change: no version, no event.
        const { rows } = await tx.query<SessionRow>(
          `UPDATE sessions SET last_failed_at = now(), last_failed_reason = $2
            WHERE client_key = $1 RETURNING *`,
          [existing.client_key, OPEN_REFUSAL_REASONS[refusal]],
        );
        return { refusal, sessionPresent: false, session: rowToSession(rows[0]!) };
      }
      const declared = declaredSettings(declaration, this.maxSessionExpiry);
      const connection = [
        req.gatewayId,
        req.connectionId,
        req.ipAddress,
        req.port,
        declaration.mqttProtocol,
        req.username || null,
      ];
      const taken = existing !== undefined && disowned(existing, req.username, this);
      let row: SessionRow;
      let sessionPresent = false;
      if (!existing) {
        const settings: Settings = { ...DEFAULT_SETTINGS, ...declared };
        // A drained connection's will outlives its removed session (losses.ts closedDrained): a
        // new session of the client id cancels it [MQTT-3.1.3-9], in the same statement.
        const { rows } = await tx.query<SessionRow>(
          `WITH w AS (DELETE FROM pending_wills WHERE client_key = $1)
           INSERT INTO sessions (client_key, client_name, settings, connection_status, gateway_id, connection_id,
                                 ip_address, port, mqtt_protocol, username, connected_at, mqtt_owner)
           VALUES ($1, $2, $3, 'connected', $4, $5, $6, $7, $8, $9, now(), $10) RETURNING *`,
          [
            clientKey(req.clientName),
            req.clientName,
            JSON.stringify(settings),
            ...connection,
            accountKey(req.username),
          ],
        );
        row = rows[0]!;
      } else {
        // Another user's session opened anew (rows.ts disowned): the settings this CONNECT declares.
        const settings = taken ? { ...DEFAULT_SETTINGS, ...declared } : settingsAtConnect(existing, declared);
        // An inactive session becomes normal again when its client connects (docs/live-effects.md).
        const status = existing.session_status === 'inactive' ? 'normal' : existing.session_status;
        settings.sessionStatus = statusFromName(status) ?? 'SESSION_STATUS_NORMAL';
        const clean = startsClean(req) || taken;
        sessionPresent = !clean;
        // Clean Start discards the existing session state, subscriptions included [MQTT-3.1.2-4].
        if (clean) {
          await tx.query('DELETE FROM session_subscriptions WHERE client_key = $1', [existing.client_key]);
        }
        // A new connection cancels a lost connection's pending will [MQTT-3.1.3-9] and its loss
        // (losses.ts): same statement, no extra round trip.
        const { rows } = await tx.query<SessionRow>(
          `WITH w AS (DELETE FROM pending_wills WHERE client_key = $1),
                l AS (DELETE FROM session_losses WHERE client_key = $1)
           UPDATE sessions SET version = version + 1, settings = $2, session_status = $3,
                  connection_status = 'connected', gateway_id = $4, connection_id = $5, ip_address = $6,
                  port = $7, mqtt_protocol = $8, username = $9, connected_at = now(),
                  disconnection_reason = NULL, updated_at = now(), mqtt_owner = $10,
                  pinned = CASE WHEN $11 THEN '{}' ELSE pinned END
            WHERE client_key = $1 RETURNING *`,
          [
            existing.client_key,
            JSON.stringify(settings),
            status,
            ...connection,
            ownerAfterOpen(existing, req.username, taken),
            taken,
          ],
        );
        row = rows[0]!;
      }
      // Clean Start 0 resumes the stored subscriptions [MQTT-3.1.2-5]; the gateway restores them.
      const session = existing ? await sessionOf(tx, row) : rowToSession(row);
      // Until the gateway reports, health is what the thresholds say of a connection that has
      // published nothing yet and holds the session's stored subscriptions.
      const health = evaluateHealth(session.settings!, {
        connected: true,
        publishRatePerMinute: 0,
        deliveryBacklogRatePerMinute: 0,
        subscribedTopicFiltersCount: session.subscriptions.length,
      });
      // The connected event carries it (session.health): no separate health event.
      if (health !== row.health) {
        await tx.query('UPDATE sessions SET health = $2 WHERE client_key = $1', [row.client_key, health]);
      }
      session.health = health;
      await enqueue(tx, this, 'connected', session, actor);
      return { sessionPresent, session };
    });
  }

  /**
   * A gateway's connection ended. Only the connection that holds the session can close it. The
   * connection of a lost gateway (losses.ts) is closed the same way, by the gateway that parked its
   * session (or by the session-service: `actor`); its will is then scheduled here.
   */
  async close(
    req: CloseSessionRequest__Output,
    gatewayId: string,
    actor = `gateway:${gatewayId}`,
  ): Promise<{ closed: boolean; removed: boolean }> {
    return inTransaction(this.db, async (tx) => {
      const existing = await lockForClose(tx, req.clientName);
      if (
        !existing ||
        existing.connection_id !== req.connectionId ||
        existing.connection_status !== 'connected'
      ) {
        return { closed: false, removed: false };
      }
      const lostAt = existing.lost_noticed_at;
      // Ended by its gateway's drain: the will waits here for the client to come back elsewhere.
      const drainGrace = req.drainWillGraceMs ?? undefined;
      const drained = drainGrace !== undefined;
      const settings = settingsFromStored(existing.settings);
      if (req.sessionExpiryInterval !== undefined && req.sessionExpiryInterval !== null) {
        settings.sessionExpiryInterval = boundedExpiry(req.sessionExpiryInterval, this.maxSessionExpiry);
      }
      if (removedAtClose(existing, settings)) {
        await tx.query('DELETE FROM sessions WHERE client_key = $1', [existing.client_key]);
        const session = rowToSession({ ...existing, version: String(BigInt(existing.version) + 1n) });
        await enqueue(tx, this, 'deleted', session, actor);
        if (lostAt) await closedLost(tx, this, existing, settings, lostAt, true);
        else if (drained) await closedDrained(tx, this, existing, settings, drainGrace, true);
        return { closed: true, removed: true };
      }
      // A lost session's gateway becomes the one that parked it (it follows the session's
      // subscription changes while it is offline: offline.ts refilter).
      const { rows } = await tx.query<SessionRow>(
        `UPDATE sessions SET version = version + 1, settings = $2, connection_status = 'disconnected',
                disconnected_at = now(), disconnection_reason = $3, health = 'offline', updated_at = now(),
                gateway_id = coalesce($4, gateway_id)
          WHERE client_key = $1 RETURNING *`,
        [
          existing.client_key,
          JSON.stringify(settings),
          disconnectionReason(req),
          lostAt && actor.startsWith('gateway:') ? gatewayId : null,
        ],
      );
      // Health becomes "offline"; the disconnected event carries it (no separate health event).
      await enqueue(tx, this, 'disconnected', await sessionOf(tx, rows[0]!), actor);
      if (lostAt) await closedLost(tx, this, existing, settings, lostAt, false);
      else if (drained) await closedDrained(tx, this, existing, settings, drainGrace, false);
      return { closed: true, removed: false };
    });
  }

  /**
   * A gateway's health report (changes only). A report is accepted only while its connection
   * still holds the session (same gateway and connection id, connected); stale ones are ignored.
   * A change is stored without a new version (health is observed state, not configuration) and
   * emits a health event with changes.health {before, after} and the reported stats. Returns
   * how many sessions changed.
   */
  async reportHealth(gatewayId: string, reports: HealthReport[]): Promise<number> {
    const valid = new Map<string, HealthReport>();
    for (const r of reports) {
      if (
        r &&
        typeof r.clientName === 'string' &&
        typeof r.connectionId === 'string' &&
        r.connectionId !== '' &&
        (SESSION_HEALTH_VALUES as readonly string[]).includes(r.health)
      ) {
        valid.set(clientKey(r.clientName).toString('hex'), r);
      }
    }
    if (valid.size === 0) return 0;
    const actor = `gateway:${gatewayId}`;
    return inTransaction(this.db, async (tx) => {
      const { rows } = await tx.query<SessionRow>(
        'SELECT * FROM sessions WHERE client_key = ANY($1) ORDER BY client_key FOR UPDATE',
        [[...valid.keys()].map((k) => Buffer.from(k, 'hex'))],
      );
      const changed = rows.filter((row) => {
        const r = valid.get(row.client_key.toString('hex'))!;
        return (
          row.connection_status === 'connected' &&
          row.connection_id === r.connectionId &&
          row.gateway_id === gatewayId &&
          row.health !== r.health
        );
      });
      if (changed.length === 0) return 0;
      const after = changed.map((row) => valid.get(row.client_key.toString('hex'))!.health);
      await tx.query(
        `UPDATE sessions s SET health = u.health
           FROM unnest($1::bytea[], $2::text[]) AS u(key, health) WHERE s.client_key = u.key`,
        [changed.map((row) => row.client_key), after],
      );
      const sessions = await sessionsOf(
        tx,
        changed.map((row, i) => ({ ...row, health: after[i]! })),
      );
      await enqueueMany(
        tx,
        this,
        sessions.map((session, i) => {
          const r = valid.get(changed[i]!.client_key.toString('hex'))!;
          return eventFor(
            this.subjects,
            'health',
            session,
            actor,
            { health: { before: changed[i]!.health, after: r.health } },
            { stats: r.stats },
          );
        }),
      );
      return changed.length;
    });
  }

  /**
   * Changes settings; a connected client keeps its connection and receives the change as an event.
   *
   * Group commit: alterations that arrive while earlier ones are being written wait for the next
   * batch, and two statements write all of them (see alterBatch: one SELECT, one data-modifying
   * WITH that updates the sessions and inserts the audit entries and outbox rows). Each
   * alteration still gets its own version, audit entry and event, in arrival order, and its own
   * outcome: one alteration's error (not found, stale expectedVersion) touches none of the others.
   * Under light load a batch holds one alteration, and two round trips replace the seven of a
   * classic transaction; under heavy load Postgres runs two statements per batch.
   */
  async alter(req: AlterSessionRequest__Output, actor: string, requestId?: string): Promise<AlterOutcome> {
    validatePatch(req.patch ?? {});
    checkPatchFits(req.patch ?? {}, this.limits);
    return this.alterations.submit(req, actor, requestId);
  }

  /** One page of sessions matching the filter, in the requested order. */
  async list(req: ListSessionsRequest__Output): Promise<{ sessions: Session__Output[]; nextCursor: string }> {
    const q = listQuery(req);
    const { rows } = await this.db.query<SessionRow & { sort_key: string; subscribed: boolean }>(
      q.text,
      q.params,
    );
    const page = rows.slice(0, q.limit);
    for (const r of page) {
      for (const column of LISTED_TIMESTAMPS) {
        const text = r[column] as string | null;
        if (text !== null && !text.endsWith('Z')) r[column] = isoTimestamp(text);
      }
    }
    const last = page[page.length - 1];
    const nextCursor =
      rows.length > q.limit && last
        ? encodeCursor({ s: q.sort, d: q.descending, v: last.sort_key, k: last.client_key.toString('hex') })
        : '';
    // Subscriptions only of the rows that have some (listQuery's `subscribed`).
    const subscribed = page.filter((r) => r.subscribed);
    if (subscribed.length === 0) return { sessions: page.map((r) => rowToSession(r)), nextCursor };
    const subs = await loadSubscriptions(
      this.db,
      subscribed.map((r) => r.client_key),
    );
    const sessions = page.map((r) =>
      rowToSession(r, r.subscribed ? (subs.get(r.client_key.toString('hex')) ?? []) : []),
    );
    return { sessions, nextCursor };
  }

  /**
   * Deactivates (status inactive, data kept) or permanently deletes a session. The event
   * (deactivated / deleted) makes the gateway holding the client disconnect it.
   */
  async delete(
    req: DeleteSessionRequest__Output,
    actor: string,
  ): Promise<{ deleted: boolean; wasConnected: boolean; version: string; sessionType: string }> {
    return inTransaction(this.db, async (tx) => {
      const existing = await lockRow(tx, req.clientName);
      if (!existing) throw notFound(`session "${truncate(req.clientName)}"`);
      const wasConnected = existing.connection_status === 'connected';
      const before = statusName(statusFromName(existing.session_status));
      if (req.permanently) {
        await tx.query('DELETE FROM sessions WHERE client_key = $1', [existing.client_key]);
        const session = rowToSession({ ...existing, version: String(BigInt(existing.version) + 1n) });
        await audit(tx, session, actor, 'delete', {});
        await enqueue(tx, this, 'deleted', session, actor);
        await endedSessionsWillsDue(tx, [existing.client_key]);
        return { deleted: true, wasConnected, version: session.version, sessionType: existing.session_type };
      }
      const settings = settingsFromStored(existing.settings);
      settings.sessionStatus = 'SESSION_STATUS_INACTIVE';
      const { rows } = await tx.query<SessionRow>(
        `UPDATE sessions SET version = version + 1, settings = $2, session_status = 'inactive', updated_at = now()
          WHERE client_key = $1 RETURNING *`,
        [existing.client_key, JSON.stringify(settings)],
      );
      const session = await sessionOf(tx, rows[0]!);
      const changes: Record<string, FieldChange> =
        before === 'inactive'
          ? {}
          : { sessionStatus: { before: statusFromName(before), after: 'SESSION_STATUS_INACTIVE' } };
      await audit(tx, session, actor, 'deactivate', changes);
      await enqueue(tx, this, 'deactivated', session, actor, changes);
      return { deleted: false, wasConnected, version: session.version, sessionType: existing.session_type };
    });
  }

  /**
   * Applies one patch to every session matching the filter, atomically: one transaction locks the
   * matching rows (in key order, so two bulk changes cannot deadlock each other) and one statement
   * writes the sessions (only their changed settings, merged into the stored ones), their audit
   * entries and the bulk alteration's events. A bulk alteration is published as bulkAltered
   * events of at most BULK_EVENT_BYTES each (docs/events.md), each naming its sessions with their
   * new version and changes: no whole-session snapshot per session, which made 10,000 sessions
   * cost ~25 MB of JSON to write and publish.
   */
  async alterMany(
    req: AlterSessionsRequest__Output,
    actor: string,
    willAllowed?: (clientName: string, user: string) => boolean,
    /** Carried on its bulkAltered events (docs/operations.md, "Request ids"). */
    requestId?: string,
  ): Promise<{ matched: number; changed: BulkAltered[] }> {
    const patch = req.patch ?? {};
    validatePatch(patch);
    checkPatchFits(patch, this.limits);
    const pinnedFields = patchFields(patch).filter((f) => f !== 'sessionStatus');
    return inTransaction(this.db, async (tx) => {
      const sql = new Sql();
      applyFilter(sql, req.filter);
      const { rows } = await tx.query<BulkRow>(
        `SELECT s.client_key, s.client_name, s.version, s.settings, s.session_status, s.pinned,
                s.connection_status, s.owner, s.username
           FROM sessions s
          WHERE ${sql.where.join(' AND ')} ORDER BY s.client_key FOR UPDATE OF s`,
        sql.params,
      );
      // A will topic is judged per session, against its own user's rules (rules.ts): one session
      // whose user may not publish there refuses the whole alteration, as alterMqSession would.
      const willTopic = patch.willTopic;
      if (willAllowed && typeof willTopic === 'string' && willTopic !== '') {
        const refused = rows.filter((r) => !willAllowed(r.client_name, r.owner || r.username || ''));
        if (refused.length > 0) {
          throw new MqfleetError(
            'RULES_REFUSE',
            `the authorization rules do not let ${refused.length} of the ${rows.length} matching sessions publish their will to "${willTopic.slice(0, 200)}" (the first: "${refused[0]!.client_name.slice(0, 200)}")`,
            'willTopic',
          );
        }
      }
      const writes: BulkWrite[] = [];
      const entries: BulkAlteredSession[] = [];
      const changed: BulkAltered[] = [];
      for (const row of rows) {
        const { changes } = applyPatch(settingsOfRow(row), patch);
        const fields = Object.keys(changes);
        if (fields.length === 0) continue;
        const set: Record<string, unknown> = {};
        for (const f of fields) set[f] = changes[f]!.after;
        const version = String(BigInt(row.version) + 1n);
        writes.push({
          key: row.client_key.toString('hex'),
          name: row.client_name,
          version,
          set,
          status: changes.sessionStatus
            ? statusName(changes.sessionStatus.after as Settings['sessionStatus'])
            : null,
          pinned: [...new Set([...row.pinned, ...pinnedFields])],
          changes,
        });
        entries.push({ clientName: row.client_name, version, changes });
        changed.push({
          clientName: row.client_name,
          version,
          connected: row.connection_status === 'connected',
        });
      }
      if (writes.length === 0) return { matched: rows.length, changed: [] };
      const events = bulkEvents(entries, actor, requestId);
      const subjects = events.map((e) => this.subjects.sessionBulkEvent(e.eventId));
      const payloads = events.map((e) => JSON.stringify(e));
      const { rows: outbox } = await tx.query<{ id: string; msg_id: string }>({
        name: 'bulk-alter-write',
        text: `WITH x AS (
           SELECT decode(x.key, 'hex') AS key, x.name, x.version, x.set, x.status, x.pinned, x.changes
             FROM json_to_recordset($1::json)
                  AS x(key text, name text, version bigint, set jsonb, status text, pinned text[], changes jsonb)
         ), upd AS (
           UPDATE sessions s SET version = x.version, settings = s.settings || x.set,
                  session_status = coalesce(x.status, s.session_status), pinned = x.pinned,
                  updated_at = $2::timestamptz
             FROM x WHERE s.client_key = x.key
         ), aud AS (
           INSERT INTO session_audit (client_key, client_name, version, actor, action, changes)
           SELECT x.key, x.name, x.version, $3, 'bulk-alter', x.changes FROM x
         )
         INSERT INTO outbox (subject, msg_id, payload)
         SELECT o.subject, o.msg_id, o.payload
           FROM unnest($4::text[], $5::text[], $6::text[]) WITH ORDINALITY AS o(subject, msg_id, payload, n)
          ORDER BY n
         RETURNING id, msg_id`,
        values: [JSON.stringify(writes), new Date(), actor, subjects, events.map((e) => e.eventId), payloads],
      });
      const ids = new Map(outbox.map((r) => [r.msg_id, String(r.id)]));
      await publishWritten(
        tx,
        this,
        true,
        events.map((e, i) => ({
          outboxId: ids.get(e.eventId)!,
          subject: subjects[i]!,
          msgId: e.eventId,
          payload: payloads[i]!,
        })),
      );
      return { matched: rows.length, changed };
    });
  }

  async audit(req: GetSessionAuditRequest__Output): Promise<AuditEntry__Output[]> {
    const max = req.maxRecords || 100;
    if (max > 1000) throw invalidValue('maxRecords', 'an integer from 1 to 1000', max);
    const { rows } = await this.db.query<{
      version: string;
      actor: string;
      action: string;
      changes: unknown;
      at: Date;
    }>(
      `SELECT version, actor, action, changes, at FROM session_audit
        WHERE client_key = $1 AND version > $2 ORDER BY version, id LIMIT $3`,
      [clientKey(req.clientName), req.afterVersion || '0', max],
    );
    if (rows.length === 0 && (await this.describe([req.clientName])).length === 0) {
      throw notFound(`session "${truncate(req.clientName)}"`);
    }
    return rows.map((r) => ({
      version: String(r.version),
      actor: r.actor,
      action: r.action,
      changesJson: JSON.stringify(r.changes),
      at: r.at.toISOString(),
    }));
  }

  /**
   * The client names of stored sessions after the cursor `after` (a client key in hex), in key
   * order, and the cursor of the next page ('' after the last).
   */
  async names(after: string, limit: number): Promise<{ clientNames: string[]; next: string }> {
    const pageSize = limit > 0 ? Math.min(limit, MAX_NAMES_PAGE) : DEFAULT_NAMES_PAGE;
    const { rows } = await this.db.query<{ client_key: Buffer; client_name: string }>(
      `SELECT client_key, client_name FROM sessions WHERE client_key > decode($1, 'hex')
        ORDER BY client_key LIMIT $2`,
      [/^[0-9a-f]*$/.test(after) && after.length % 2 === 0 ? after : '', pageSize],
    );
    return {
      clientNames: rows.map((r) => r.client_name),
      next: rows.length === pageSize ? rows[rows.length - 1]!.client_key.toString('hex') : '',
    };
  }

  /** A page of the MQ API sessions with their subscriptions, in key order (ListMqApiSessions). */
  async mqApiSessions(after: string, limit: number): Promise<{ sessions: Session__Output[]; next: string }> {
    const pageSize = limit > 0 ? Math.min(limit, MAX_NAMES_PAGE) : DEFAULT_NAMES_PAGE;
    const { rows } = await this.db.query<SessionRow>(
      `SELECT * FROM sessions WHERE session_type = $3 AND client_key > decode($1, 'hex')
        ORDER BY client_key LIMIT $2`,
      [/^[0-9a-f]*$/.test(after) && after.length % 2 === 0 ? after : '', pageSize, MQ_API_SESSION_TYPE],
    );
    return {
      sessions: await sessionsOf(this.db, rows),
      next: rows.length === pageSize ? rows[rows.length - 1]!.client_key.toString('hex') : '',
    };
  }

  async describe(clientNames: string[]): Promise<Session__Output[]> {
    if (clientNames.length === 0) return [];
    const { rows } = await this.db.query<SessionRow>('SELECT * FROM sessions WHERE client_key = ANY($1)', [
      clientNames.map(clientKey),
    ]);
    const sessions = await sessionsOf(this.db, rows);
    const byName = new Map(sessions.map((s) => [s.clientName, s]));
    return clientNames.flatMap((name) => {
      const session = byName.get(name);
      return session ? [session] : [];
    });
  }

  /**
   * Adds (or replaces: an identical filter replaces the subscription [MQTT-3.8.4-3]) and removes
   * subscriptions, add first, then remove. A change bumps the version, emits an altered event with
   * changes.subscriptions {before, after} and (administrators only) writes the audit trail. A
   * gateway's call names its connection and is refused once that connection lost the session.
   */
  async changeSubscriptions(
    req: ChangeSubscriptionsRequest__Output,
    actor: string,
    audited: boolean,
  ): Promise<SubscriptionChange> {
    const add = this.subscriptionsAdded(req, audited);
    return inTransaction(this.db, async (tx) =>
      this.changeSubscriptionsIn(tx, req, add, actor, audited, await lockRow(tx, req.clientName)),
    );
  }

  /** The valid subscriptions a change adds (it throws for an invalid one or removed filter). */
  subscriptionsAdded(req: ChangeSubscriptionsRequest__Output, audited: boolean): Subscription__Output[] {
    const add = req.add.map((sub, i) => validSubscription(sub, `add[${i}]`));
    // An administrator's subscriptions must fit the bus and the session's bound (bus-fit.ts); a
    // gateway checked its client's SUBSCRIBE itself.
    if (audited) checkFiltersFit(add, this.limits);
    req.remove.forEach((filter, i) => {
      const problem = topicFilterProblem(filter);
      if (problem) throw invalidValue(`remove[${i}]`, `a valid topic filter (${problem})`);
    });
    return add;
  }

  /** One subscription change on its locked row (changeSubscriptions). */
  private async changeSubscriptionsIn(
    tx: Tx,
    req: ChangeSubscriptionsRequest__Output,
    add: Subscription__Output[],
    actor: string,
    audited: boolean,
    existing: SessionRow | undefined,
  ): Promise<SubscriptionChange> {
    const before = existing
      ? ((await loadSubscriptions(tx, [existing.client_key])).get(existing.client_key.toString('hex')) ?? [])
      : [];
    const plan = planSubscriptionChange(req, add, existing, before);
    if (audited) checkBound(before, plan.after, this.limits);
    // Retained messages are due for these [MQTT-3.3.1-9, MQTT-3.3.1-10, MQTT-3.3.1-11].
    const had = new Set(before.map((s) => s.topicFilter));
    const retainedFor = add.filter(
      (s) => s.retainHandling === 0 || (s.retainHandling === 1 && !had.has(s.topicFilter)),
    );
    if (!plan.changed) return { session: rowToSession(existing!, before), changed: false, retainedFor };
    const key = existing!.client_key;
    if (plan.deletes.length > 0) {
      await tx.query('DELETE FROM session_subscriptions WHERE client_key = $1 AND filter_key = ANY($2)', [
        key,
        plan.deletes.map(filterKey),
      ]);
    }
    await upsertSubscriptions(
      tx,
      plan.upserts.map(() => key),
      plan.upserts,
    );
    const { rows } = await tx.query<SessionRow>(
      'UPDATE sessions SET version = version + 1, updated_at = now() WHERE client_key = $1 RETURNING *',
      [key],
    );
    const session = rowToSession(rows[0]!, plan.after);
    const changes: Record<string, FieldChange> = { subscriptions: { before, after: plan.after } };
    if (audited) await audit(tx, session, actor, 'subscriptions', changes);
    await enqueue(tx, this, 'altered', session, actor, changes);
    return { session, changed: true, retainedFor };
  }

  /**
   * Removes temporary sessions whose expiry interval has run out since they disconnected; how
   * many, and the names of the MQ API sessions among them (their kept messages go too).
   */
  async expire(): Promise<number> {
    return (await this.expireSessions()).count;
  }

  async expireSessions(): Promise<{ count: number; mqApi: string[] }> {
    return inTransaction(this.db, async (tx) => {
      const { rows } = await tx.query<SessionRow>(
        `DELETE FROM sessions
          WHERE connection_status = 'disconnected' AND session_status = 'normal'
            AND (settings->>'temporarySession')::boolean
            AND (settings->>'sessionExpiryInterval')::bigint < ${UINT32_MAX}
            AND disconnected_at + make_interval(secs => (settings->>'sessionExpiryInterval')::bigint) <= now()
          RETURNING *`,
      );
      for (const row of rows) {
        const session = rowToSession({ ...row, version: String(BigInt(row.version) + 1n) });
        await enqueue(tx, this, 'deleted', session, 'session-service:expiry');
      }
      // The sessions ended: a will still waiting for its delay is due now [MQTT-3.1.3-9].
      await endedSessionsWillsDue(
        tx,
        rows.map((r) => r.client_key),
      );
      return {
        count: rows.length,
        mqApi: rows.filter((r) => r.session_type === MQ_API_SESSION_TYPE).map((r) => r.client_name),
      };
    });
  }
}
