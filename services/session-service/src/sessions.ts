// Session state in Postgres. Every state change increments the row's version and, in the same
// transaction, writes its event to the outbox (outbox.ts publishes it to JetStream).
import { createHash, randomUUID } from 'node:crypto';
import {
  applyPatch,
  boundedBulkEntry,
  boundedExpiry,
  declaredSettings,
  MAX_SUBSCRIPTION_IDENTIFIER,
  WILL_FIELDS,
  clientDigest,
  DEFAULT_SETTINGS,
  evaluateHealth,
  SESSION_HEALTH_VALUES,
  sessionEventPayload,
  SESSION_EVENT_INLINE_BYTES,
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
  type FieldChange,
  type HealthReport,
  type SessionBulkEvent,
  type SessionEvent,
  type SessionEventType,
  type Settings,
  type Subjects,
} from '@mqfleet/core';
import {
  checkBound,
  checkFiltersFit,
  checkPatchFits,
  DEFAULT_STORE_LIMITS,
  type StoreLimits,
} from './bus-fit';
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
import pg from 'pg';
import { afterCommit, inTransaction, type Db, type Tx } from './db';
import { applyFilter, encodeCursor, LISTED_TIMESTAMPS, listQuery, Sql } from './listing';
import { closedLost, endedSessionsWillsDue, lockForClose } from './losses';

export const OUTBOX_CHANNEL = 'mqfleet_outbox';

export interface SessionRow {
  client_key: Buffer;
  client_name: string;
  version: string;
  session_type: string;
  session_status: string;
  settings: Partial<Settings>;
  pinned: string[];
  connection_status: string;
  gateway_id: string | null;
  connection_id: string | null;
  ip_address: string | null;
  port: number | null;
  mqtt_protocol: string | null;
  username: string | null;
  // Date, or already the ISO text in listing rows (listing.ts isoText).
  connected_at: Date | string | null;
  disconnected_at: Date | string | null;
  disconnection_reason: string | null;
  last_failed_at: Date | string | null;
  last_failed_reason: string | null;
  health: string;
  created_at: Date | string;
  updated_at: Date | string;
}

/** The row key of a client id: its SHA-256 (shared Buffer, never changed). */
export const clientKey = (clientName: string): Buffer => clientDigest(clientName);

/** A topic filter can be 65,535 bytes: the table is keyed by its SHA-256 digest. */
export const filterKey = (topicFilter: string): Buffer =>
  createHash('sha256').update(topicFilter, 'utf8').digest();

interface SubscriptionRow {
  client_key: Buffer;
  topic_filter: string;
  qos: number;
  no_local: boolean;
  retain_as_published: boolean;
  retain_handling: number;
  subscription_identifier: number;
}

const byFilter = (a: Subscription__Output, b: Subscription__Output): number =>
  a.topicFilter < b.topicFilter ? -1 : a.topicFilter > b.topicFilter ? 1 : 0;

/** The subscriptions of many sessions in one query, by client_key (hex), each list by filter. */
export async function loadSubscriptions(
  q: Db | Tx,
  keys: Buffer[],
): Promise<Map<string, Subscription__Output[]>> {
  const out = new Map<string, Subscription__Output[]>();
  if (keys.length === 0) return out;
  const { rows } = await q.query<SubscriptionRow>(
    `SELECT client_key, topic_filter, qos, no_local, retain_as_published, retain_handling, subscription_identifier
       FROM session_subscriptions WHERE client_key = ANY($1)`,
    [keys],
  );
  for (const r of rows) {
    const key = r.client_key.toString('hex');
    let list = out.get(key);
    if (!list) out.set(key, (list = []));
    list.push({
      topicFilter: r.topic_filter,
      qos: r.qos,
      noLocal: r.no_local,
      retainAsPublished: r.retain_as_published,
      retainHandling: r.retain_handling,
      subscriptionIdentifier: r.subscription_identifier,
    });
  }
  for (const list of out.values()) list.sort(byFilter);
  return out;
}

/** Rows → sessions with their subscriptions (one query for all rows). */
async function sessionsOf(q: Db | Tx, rows: SessionRow[]): Promise<Session__Output[]> {
  const subs = await loadSubscriptions(
    q,
    rows.map((r) => r.client_key),
  );
  return rows.map((r) => rowToSession(r, subs.get(r.client_key.toString('hex')) ?? []));
}

export async function sessionOf(q: Db | Tx, row: SessionRow): Promise<Session__Output> {
  return (await sessionsOf(q, [row]))[0]!;
}

/** What a subscription change stored: the session after it, and whether anything changed. */
export interface SubscriptionChange {
  session: Session__Output;
  changed: boolean;
}

/** Checks one subscription of a ChangeSubscriptions request; returns it normalised. */
function validSubscription(sub: Subscription__Output, property: string): Subscription__Output {
  const problem = topicFilterProblem(sub.topicFilter ?? '');
  if (problem) throw invalidValue(`${property}.topicFilter`, `a valid topic filter (${problem})`);
  if (!Number.isInteger(sub.qos) || sub.qos < 0 || sub.qos > 2)
    throw invalidValue(`${property}.qos`, '0, 1 or 2', sub.qos);
  if (!Number.isInteger(sub.retainHandling) || sub.retainHandling < 0 || sub.retainHandling > 2)
    throw invalidValue(`${property}.retainHandling`, '0, 1 or 2', sub.retainHandling);
  const id = sub.subscriptionIdentifier;
  if (!Number.isInteger(id) || id < 0 || id > MAX_SUBSCRIPTION_IDENTIFIER)
    throw invalidValue(
      `${property}.subscriptionIdentifier`,
      `0 (none) or an integer from 1 to ${MAX_SUBSCRIPTION_IDENTIFIER}`,
      id,
    );
  return {
    topicFilter: sub.topicFilter,
    qos: sub.qos,
    noLocal: sub.noLocal === true,
    retainAsPublished: sub.retainAsPublished === true,
    retainHandling: sub.retainHandling,
    subscriptionIdentifier: id,
  };
}

const sameSubscription = (a: Subscription__Output, b: Subscription__Output): boolean =>
  a.topicFilter === b.topicFilter &&
  a.qos === b.qos &&
  a.noLocal === b.noLocal &&
  a.retainAsPublished === b.retainAsPublished &&
  a.retainHandling === b.retainHandling &&
  a.subscriptionIdentifier === b.subscriptionIdentifier;

/** What a subscription change does to a session's stored list. */
export interface SubscriptionPlan {
  after: Subscription__Output[];
  /** Added or replaced subscriptions. */
  upserts: Subscription__Output[];
  /** Topic filters removed. */
  deletes: string[];
  changed: boolean;
}

/**
 * Plans a subscription change on a locked session row and its stored subscriptions (`before`):
 * add first, then remove. Refused (NOT_FOUND) when the session is gone or, for a gateway's call,
 * no longer held by the connection it names.
 */
export function planSubscriptionChange(
  req: ChangeSubscriptionsRequest__Output,
  add: Subscription__Output[],
  existing: SessionRow | undefined,
  before: Subscription__Output[],
): SubscriptionPlan {
  if (!existing) throw notFound(`session "${truncate(req.clientName)}"`);
  if (
    req.connectionId &&
    (existing.connection_id !== req.connectionId || existing.connection_status !== 'connected')
  ) {
    throw notFound(`connection "${req.connectionId}" of session "${truncate(req.clientName)}"`);
  }
  const next = new Map(before.map((sub) => [sub.topicFilter, sub]));
  for (const sub of add) next.set(sub.topicFilter, sub);
  for (const filter of req.remove) next.delete(filter);
  const after = [...next.values()].sort(byFilter);
  const oldByFilter = new Map(before.map((sub) => [sub.topicFilter, sub]));
  const upserts = after.filter((sub) => {
    const old = oldByFilter.get(sub.topicFilter);
    return !old || !sameSubscription(old, sub);
  });
  const deletes = before.filter((sub) => !next.has(sub.topicFilter)).map((sub) => sub.topicFilter);
  return { after, upserts, deletes, changed: upserts.length > 0 || deletes.length > 0 };
}

/** Inserts or replaces subscriptions (`keys[i]`: the session of `subs[i]`). */
export async function upsertSubscriptions(
  tx: Tx,
  keys: Buffer[],
  subs: Subscription__Output[],
): Promise<void> {
  if (subs.length === 0) return;
  await tx.query(
    `INSERT INTO session_subscriptions (client_key, filter_key, topic_filter, qos, no_local,
                                        retain_as_published, retain_handling, subscription_identifier)
     SELECT * FROM unnest($1::bytea[], $2::bytea[], $3::text[], $4::smallint[], $5::bool[], $6::bool[],
                          $7::smallint[], $8::integer[])
     ON CONFLICT (client_key, filter_key) DO UPDATE SET
       qos = EXCLUDED.qos, no_local = EXCLUDED.no_local,
       retain_as_published = EXCLUDED.retain_as_published,
       retain_handling = EXCLUDED.retain_handling,
       subscription_identifier = EXCLUDED.subscription_identifier`,
    [
      keys,
      subs.map((sub) => filterKey(sub.topicFilter)),
      subs.map((sub) => sub.topicFilter),
      subs.map((sub) => sub.qos),
      subs.map((sub) => sub.noLocal),
      subs.map((sub) => sub.retainAsPublished),
      subs.map((sub) => sub.retainHandling),
      subs.map((sub) => sub.subscriptionIdentifier),
    ],
  );
}

const iso = (d: Date | string | null): string =>
  d === null ? '' : typeof d === 'string' ? d : d.toISOString();

const TIMESTAMPTZ_OID = 1184;
/** Postgres's text of a UTC timestamptz (DateStyle ISO): 2026-11-26 10:00:00.123456+00. */
const UTC_TIMESTAMP = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?\+00$/;

/**
 * A timestamptz's text as the ISO text a session carries (what Date#toISOString gives:
 * milliseconds, truncated as pg's own parser does). Listing has Postgres format the timestamps
 * (listing.ts isoText); this converts the few it leaves as text (years outside 1-9999, infinity).
 * Text in any other form (another TimeZone, infinity) goes through pg's parser.
 */
function isoTimestamp(text: string): string {
  const m = UTC_TIMESTAMP.exec(text);
  if (m) return `${m[1]}T${m[2]}.${(m[3] ?? '').padEnd(3, '0').slice(0, 3)}Z`;
  const parsed: unknown = pg.types.getTypeParser(TIMESTAMPTZ_OID, 'text')(text);
  return parsed instanceof Date && !Number.isNaN(parsed.getTime()) ? parsed.toISOString() : '';
}

/** A row's complete settings; its status comes from the session_status column. */
function settingsOfRow(row: Pick<SessionRow, 'settings' | 'session_status'>): Settings {
  const settings = settingsFromStored(row.settings);
  settings.sessionStatus = statusFromName(row.session_status) ?? 'SESSION_STATUS_NORMAL';
  return settings;
}

export function rowToSession(row: SessionRow, subscriptions: Subscription__Output[] = []): Session__Output {
  const settings = settingsOfRow(row);
  return {
    clientName: row.client_name,
    version: String(row.version),
    sessionType: row.session_type,
    settings,
    connection: {
      status:
        row.connection_status === 'connected'
          ? 'CONNECTION_STATUS_CONNECTED'
          : 'CONNECTION_STATUS_DISCONNECTED',
      gatewayId: row.gateway_id ?? '',
      connectionId: row.connection_id ?? '',
      ipAddress: row.ip_address ?? '',
      port: row.port ?? 0,
      mqttProtocol: row.mqtt_protocol ?? '',
      username: row.username ?? '',
      connectedAt: iso(row.connected_at),
      disconnectedAt: iso(row.disconnected_at),
      disconnectionReason: row.disconnection_reason ?? '',
      lastFailedConnectionAt: iso(row.last_failed_at),
      lastFailedConnectionReason: row.last_failed_reason ?? '',
    },
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    subscriptions,
    health: row.health ?? 'offline',
    statsJson: '',
    publishedTopicsJson: '',
  };
}

/** Settings fields that describe the will; an administrator's will replaces the client's as a whole. */
/**
 * A stored session's settings after its client connects again: settings an administrator pinned
 * survive (a pinned will field keeps the whole will); the rest follow the CONNECT.
 */
export function settingsAtConnect(existing: SessionRow, declared: Partial<Settings>): Settings {
  const pinned = new Set(existing.pinned);
  const willPinned = WILL_FIELDS.some((f) => pinned.has(f));
  const settings = settingsFromStored(existing.settings);
  for (const [field, value] of Object.entries(declared) as [keyof Settings, unknown][]) {
    if (pinned.has(field) || (willPinned && WILL_FIELDS.includes(field))) continue;
    (settings as unknown as Record<string, unknown>)[field] = value;
  }
  return settings;
}

/** An outbox row to write: its subject and payload (the payload's eventId is its Nats-Msg-Id). */
export interface OutboxEvent<E extends { eventId: string } = SessionEvent> {
  subject: string;
  event: E;
}

export function eventFor(
  subjects: Subjects,
  type: SessionEventType,
  session: Session__Output,
  actor: string,
  changes?: Record<string, FieldChange>,
  extra: Partial<SessionEvent> = {},
): OutboxEvent {
  const event: SessionEvent = {
    ...extra,
    eventId: randomUUID(),
    type,
    clientName: session.clientName,
    version: session.version,
    at: new Date().toISOString(),
    actor,
    ...(changes ? { changes } : {}),
    ...(type === 'deleted' ? {} : { session }),
  };
  return { subject: subjects.sessionEvent(type, session.clientName), event };
}

/** An outbox row the fast path publishes right after its commit. */
export interface CommittedEvent {
  /** The outbox row's id: the relay deletes the row once the fast path's publish is acknowledged. */
  outboxId: string;
  subject: string;
  msgId: string;
  payload: string;
  /**
   * Who made the change (a session event's actor), carried in the Mqfleet-Actor header: a gateway
   * decides from the subject and this header whether it needs to read the event at all.
   */
  actor?: string;
}

/** Publishes committed events at once (fire and forget); the relay stays their guarantee. */
export type EventPublisher = (events: CommittedEvent[]) => void;

/** Where a store's events go: the subject names, and the optional fast path. */
export interface EventSink {
  subjects: Subjects;
  publishNow?: EventPublisher | undefined;
}

/**
 * Writes events to the outbox in the caller's transaction. Fast path: right after the commit the
 * events are published directly, and the relay deletes their rows once JetStream acknowledged
 * them; a row whose publish failed (or never started: NATS down, a crash) is published by the
 * relay's next pass with the same Nats-Msg-Id, which JetStream stores only once. So the outbox
 * still guarantees every event while an event costs one publish, not two. Without a fast path
 * (a store with no relay attached) NOTIFY wakes the relay at commit.
 */
export async function enqueueMany(
  tx: Tx,
  sink: EventSink,
  events: OutboxEvent<{ eventId: string }>[],
): Promise<void> {
  if (events.length === 0) return;
  // A session event too large for the bus goes out as a reference (event-size.ts); the other
  // rows (work items, losses.ts) are small by construction.
  const sessionSubjects = sink.subjects.sessionEventsAll.slice(0, -1);
  const payloads = events.map((e) =>
    e.subject.startsWith(sessionSubjects)
      ? sessionEventPayload(e.event as unknown as SessionEvent)
      : JSON.stringify(e.event),
  );
  const { rows } = await tx.query<{ id: string; msg_id: string }>(
    `INSERT INTO outbox (subject, msg_id, payload)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) RETURNING id, msg_id`,
    [events.map((e) => e.subject), events.map((e) => e.event.eventId), payloads],
  );
  const ids = new Map(rows.map((r) => [r.msg_id, String(r.id)]));
  const committed = events.map((e, i): CommittedEvent => {
    const actor = (e.event as { actor?: unknown }).actor;
    return {
      outboxId: ids.get(e.event.eventId)!,
      subject: e.subject,
      msgId: e.event.eventId,
      payload: payloads[i]!,
      ...(typeof actor === 'string' ? { actor } : {}),
    };
  });
  await publishWritten(tx, sink, true, committed);
}

function enqueue(
  tx: Tx,
  sink: EventSink,
  type: SessionEventType,
  session: Session__Output,
  actor: string,
  changes?: Record<string, FieldChange>,
): Promise<void> {
  return enqueueMany(tx, sink, [eventFor(sink.subjects, type, session, actor, changes)]);
}

async function audit(
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

async function lockRow(tx: Tx, clientName: string): Promise<SessionRow | undefined> {
  const { rows } = await tx.query<SessionRow>('SELECT * FROM sessions WHERE client_key = $1 FOR UPDATE', [
    clientKey(clientName),
  ]);
  return rows[0];
}

/**
 * A temporary session whose expiry is 0 ends with its connection. A status an administrator set
 * (banned, hidden, inactive) keeps the row: the decision and, for inactive sessions, the history
 * stay associated with the client.
 */
export function removedAtClose(existing: SessionRow, settings: Settings): boolean {
  return (
    settings.temporarySession && settings.sessionExpiryInterval === 0 && existing.session_status === 'normal'
  );
}

/** The disconnection reason a closed session records. */
export function disconnectionReason(req: CloseSessionRequest__Output): string {
  return req.reason || (req.clean ? 'client disconnected' : 'connection lost');
}

export interface OpenResult {
  banned: boolean;
  sessionPresent: boolean;
  session: Session__Output;
}

/** The row an alteration makes of a session row: the next version with these settings. */
function alteredRow(row: SessionRow, settings: Settings, pinned: Set<string>, now: Date): SessionRow {
  return {
    ...row,
    version: String(BigInt(row.version) + 1n),
    settings,
    session_status: statusName(settings.sessionStatus),
    pinned: [...pinned],
    updated_at: now,
  };
}

/** A session row as an alteration left it, and the version and tuple id (xmin) it had when read. */
interface AlteredRow {
  hex: string;
  from: string;
  xmin: string;
  row: SessionRow;
}

/** One audit entry (action "alter") and the event of one alteration. */
interface AlterationRecord {
  hex: string;
  actor: string;
  changes: Record<string, FieldChange>;
  event: OutboxEvent;
  payload: string;
}

/**
 * Writes altered sessions, their audit entries and their outbox rows in ONE statement (a
 * data-modifying WITH, atomic by itself): a session is updated only if its version and xmin are
 * still the ones read, and audit entries and outbox rows are inserted for exactly the sessions
 * updated. Returns the sessions updated (hex keys, with the xmin the update wrote) and their
 * events with outbox ids, in the order given.
 * Parameters travel as JSON documents (json_to_recordset) rather than arrays: pg escapes array
 * elements character by character in JavaScript, while JSON.stringify and Postgres's json parser
 * are native code.
 */
async function writeAlterations(
  q: Db | Tx,
  changed: AlteredRow[],
  records: AlterationRecord[],
  now: Date,
): Promise<{ updated: Map<string, string>; committed: CommittedEvent[] }> {
  // Named: each pooled connection parses and plans this statement once, not per batch.
  const { rows: written } = await q.query<{ key: string | null; id: string | null; msg_id: string | null }>({
    name: 'alter-write',
    text: `WITH u AS (
       SELECT decode(x.key, 'hex') AS key, x.from_version, x.from_xmin::xid AS from_xmin, x.version,
              x.settings, x.status, x.pinned
         FROM json_to_recordset($1::json)
              AS x(key text, from_version bigint, from_xmin text, version bigint, settings jsonb, status text,
                   pinned text[])
     ), upd AS (
       UPDATE sessions s SET version = u.version, settings = u.settings, session_status = u.status,
              pinned = u.pinned, updated_at = $3::timestamptz
         FROM u WHERE s.client_key = u.key AND s.version = u.from_version AND s.xmin = u.from_xmin
       RETURNING s.client_key, s.xmin
     ), a AS (
       SELECT decode(x.key, 'hex') AS key, x.name, x.version, x.actor, x.changes,
              x.subject, x.msg_id, x.payload
         FROM json_to_recordset($2::json)
              AS x(key text, name text, version bigint, actor text, changes jsonb,
                   subject text, msg_id text, payload text)
     ), aud AS (
       INSERT INTO session_audit (client_key, client_name, version, actor, action, changes)
       SELECT a.key, a.name, a.version, a.actor, 'alter', a.changes FROM a
        WHERE a.key IN (SELECT client_key FROM upd)
     ), ob AS (
       INSERT INTO outbox (subject, msg_id, payload)
       SELECT a.subject, a.msg_id, a.payload FROM a
        WHERE a.key IN (SELECT client_key FROM upd)
       RETURNING id, msg_id
     )
     SELECT encode(client_key, 'hex') AS key, xmin::text AS id, NULL AS msg_id FROM upd
     UNION ALL
     SELECT NULL, id::text, msg_id FROM ob`,
    values: [
      JSON.stringify(
        changed.map((c) => ({
          key: c.hex,
          from_version: c.from,
          from_xmin: c.xmin,
          version: c.row.version,
          settings: c.row.settings,
          status: c.row.session_status,
          pinned: c.row.pinned,
        })),
      ),
      JSON.stringify(
        records.map((r) => ({
          key: r.hex,
          name: r.event.event.clientName,
          version: r.event.event.version,
          actor: r.actor,
          changes: r.changes,
          subject: r.event.subject,
          msg_id: r.event.event.eventId,
          payload: r.payload,
        })),
      ),
      now,
    ],
  });
  // Sessions updated, with the xmin of the tuple the update wrote.
  const updated = new Map<string, string>();
  const outboxIds = new Map<string, string>();
  for (const r of written) {
    if (r.key !== null) updated.set(r.key, r.id!);
    else outboxIds.set(r.msg_id!, r.id!);
  }
  const committed: CommittedEvent[] = [];
  for (const r of records) {
    const outboxId = outboxIds.get(r.event.event.eventId);
    if (outboxId) {
      committed.push({
        outboxId,
        subject: r.event.subject,
        msgId: r.event.event.eventId,
        payload: r.payload,
      });
    }
  }
  return { updated, committed };
}

/** What alterMany reads of a matching session. */
interface BulkRow {
  client_key: Buffer;
  client_name: string;
  version: string;
  settings: Partial<Settings>;
  session_status: string;
  pinned: string[];
  connection_status: string;
}

/** One session's row change in a bulk alteration: only the changed settings travel. */
interface BulkWrite {
  key: string;
  name: string;
  version: string;
  set: Record<string, unknown>;
  status: string | null;
  pinned: string[];
  changes: Record<string, FieldChange>;
}

/** A session a bulk alteration changed: its new version, and whether a connection holds it. */
export interface BulkAltered {
  clientName: string;
  version: string;
  connected: boolean;
}

/**
 * Bound on one bulkAltered event's JSON (the sessions it lists). NATS refuses messages above the
 * server's max_payload (1 MiB by default); one session's changes are at most ~0.4 MiB (two wills
 * of 65,500-byte payload and correlation data, base64, before and after), so a part that closes
 * before passing 256 KiB stays below 1 MiB with any session appended to it.
 */
export const BULK_EVENT_BYTES = 256 * 1024;

/** Splits a bulk alteration's sessions into bulkAltered events of at most BULK_EVENT_BYTES. */
function bulkEvents(entries: BulkAlteredSession[], actor: string): SessionBulkEvent[] {
  const groups: BulkAlteredSession[][] = [];
  let group: BulkAlteredSession[] = [];
  let bytes = 0;
  for (const whole of entries) {
    let size = Buffer.byteLength(JSON.stringify(whole)) + 1;
    // An entry too large for the bus leaves its changes out (core event-size.ts).
    const entry = size > SESSION_EVENT_INLINE_BYTES ? boundedBulkEntry(whole, 0) : whole;
    if (entry !== whole) size = Buffer.byteLength(JSON.stringify(entry)) + 1;
    if (group.length > 0 && bytes + size > BULK_EVENT_BYTES) {
      groups.push(group);
      group = [];
      bytes = 0;
    }
    group.push(entry);
    bytes += size;
  }
  if (group.length > 0) groups.push(group);
  const bulkId = randomUUID();
  const at = new Date().toISOString();
  return groups.map((sessions, i) => ({
    eventId: randomUUID(),
    type: 'bulkAltered',
    bulkId,
    part: i + 1,
    parts: groups.length,
    at,
    actor,
    sessions,
  }));
}

/**
 * Hands committed outbox rows to the fast path (after the commit when written in a transaction, at
 * once otherwise); without a fast path, NOTIFY wakes the relay instead.
 */
async function publishWritten(
  q: Db | Tx,
  sink: EventSink,
  inTx: boolean,
  committed: CommittedEvent[],
): Promise<void> {
  if (committed.length === 0) return;
  const publish = sink.publishNow;
  if (!publish) await q.query(`NOTIFY ${OUTBOX_CHANNEL}`);
  else if (inTx) afterCommit(q as Tx, () => publish(committed));
  else publish(committed);
}

export interface AlterOutcome {
  session: Session__Output;
  changedFields: string[];
}

interface PendingAlter {
  req: AlterSessionRequest__Output;
  actor: string;
  /** Optimistic writes this alteration lost to a concurrent writer. */
  attempts: number;
  resolve(outcome: AlterOutcome): void;
  reject(err: unknown): void;
}

/** Most alterations one transaction writes (group commit, see SessionStore.alter). */
const ALTER_BATCH_MAX = 256;
/** Batches written at once: one fills while another commits. */
const ALTER_BATCHES_IN_FLIGHT = 2;
/** Optimistic attempts before an alteration waits for the row lock. */
const ALTER_OPTIMISTIC_ATTEMPTS = 3;
/** An alteration whose session another writer changed between read and write: try again. */
const RETRY = Symbol('retry');
/**
 * An alteration decided on a remembered row that no write confirmed (it changed nothing, or
 * failed): decide it again on a fresh read. Not a lost race, so it does not count as an attempt.
 */
const REREAD = Symbol('reread');
type AlterResult = AlterOutcome | Error | typeof RETRY | typeof REREAD;

/** Sessions whose row an alteration remembers (the least recently altered go first)... */
const ALTERED_ROWS_MAX = 4096;
/** ...within this many bytes of settings and subscriptions (estimated)... */
const ALTERED_ROWS_BYTES = 16 * 1024 * 1024;
/** ...and none larger than this (two 65,500-byte wills make a row of ~175 KB). */
const ALTERED_ROW_MAX_BYTES = 64 * 1024;

/** A session row as this process last wrote it, with its subscriptions and tuple id (xmin). */
export interface RememberedRow {
  row: SessionRow;
  subs: Subscription__Output[];
  xmin: string;
}

/**
 * The rows of recently altered sessions, so that altering one again needs no read: the
 * alteration's write only lands where the row is still the remembered one (same version AND same
 * xmin, the id of the transaction that wrote the row's current tuple, which every UPDATE changes:
 * a health report or a failed connection attempt, which leave the version alone, change it too).
 * A write that finds the row changed comes back as RETRY and is decided again on a fresh read,
 * so a stale entry costs one wasted write, never a wrong result, across any number of
 * session-service instances. Bounded, least recently used out first.
 */
export class AlteredRows {
  private readonly rows = new Map<string, RememberedRow & { bytes: number }>();
  /** Estimated size of what is remembered (settings JSON and subscriptions). */
  private bytes = 0;

  get(hex: string): RememberedRow | undefined {
    const found = this.rows.get(hex);
    if (found) {
      this.rows.delete(hex);
      this.rows.set(hex, found);
    }
    return found;
  }

  set(hex: string, remembered: RememberedRow): void {
    this.delete(hex);
    let bytes = JSON.stringify(remembered.row.settings).length;
    for (const sub of remembered.subs) bytes += sub.topicFilter.length + 64;
    // A session with large wills or many subscriptions is read each time instead.
    if (bytes > ALTERED_ROW_MAX_BYTES) return;
    this.rows.set(hex, { ...remembered, bytes });
    this.bytes += bytes;
    while (this.rows.size > ALTERED_ROWS_MAX || this.bytes > ALTERED_ROWS_BYTES) {
      this.delete(this.rows.keys().next().value!);
    }
  }

  delete(hex: string): void {
    const found = this.rows.get(hex);
    if (!found) return;
    this.rows.delete(hex);
    this.bytes -= found.bytes;
  }

  get size(): { rows: number; bytes: number } {
    return { rows: this.rows.size, bytes: this.bytes };
  }
}

/** A session's subscriptions as a JSON array (Subscription fields), in a SELECT of sessions s. */
const SUBSCRIPTIONS_JSON = `(SELECT json_agg(json_build_object('topicFilter', ss.topic_filter, 'qos', ss.qos,
    'noLocal', ss.no_local, 'retainAsPublished', ss.retain_as_published,
    'retainHandling', ss.retain_handling, 'subscriptionIdentifier', ss.subscription_identifier))
    FROM session_subscriptions ss WHERE ss.client_key = s.client_key)`;

/** Pages of ListSessionNames. */
const DEFAULT_NAMES_PAGE = 1000;
const MAX_NAMES_PAGE = 10_000;

/**
 * Whether an open discards the stored subscriptions: Clean Start 1 [MQTT-3.1.2-4], or a CONNECT
 * the gateway already answered with Session Present 0 (OpenSessionRequest.answered).
 */
export function startsClean(req: OpenSessionRequest__Output): boolean {
  return req.declared!.cleanStart || req.answered;
}

export class SessionStore implements EventSink {
  /** The fast path for events (see enqueueMany); the outbox relay provides it. */
  publishNow: EventPublisher | undefined;
  /** Bound of the expiry a client asks for (CONNECT, DISCONNECT); 0 = none (config.maxSessionExpiry). */
  maxSessionExpiry = 0;
  /** What the bus can carry and the bound on subscriptions (bus-fit.ts); set from the config. */
  limits: StoreLimits = DEFAULT_STORE_LIMITS;
  private readonly alteredRows = new AlteredRows();

  constructor(
    private readonly db: Db,
    readonly subjects: Subjects,
    /** Optimistic attempts before an alteration waits for the row lock (0: always lock). */
    private readonly optimisticAttempts = ALTER_OPTIMISTIC_ATTEMPTS,
  ) {}

  /** A gateway accepted a CONNECT: acquire (or create) the session for this connection. */
  async open(req: OpenSessionRequest__Output): Promise<OpenResult> {
    const declaration = req.declared;
    if (!declaration) throw new MqfleetError('MISSING_PROPERTY', '"declared" is required', 'declared');
    const actor = `gateway:${req.gatewayId}`;
    return inTransaction(this.db, async (tx) => {
      const existing = await lockRow(tx, req.clientName);
      if (existing?.session_status === 'banned') {
        // A refused attempt is recorded, but it is not a state change: no version, no event.
        const { rows } = await tx.query<SessionRow>(
          `UPDATE sessions SET last_failed_at = now(), last_failed_reason = 'banned'
            WHERE client_key = $1 RETURNING *`,
          [existing.client_key],
        );
        return { banned: true, sessionPresent: false, session: rowToSession(rows[0]!) };
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
      let row: SessionRow;
      let sessionPresent = false;
      if (!existing) {
        const settings: Settings = { ...DEFAULT_SETTINGS, ...declared };
        const { rows } = await tx.query<SessionRow>(
          `INSERT INTO sessions (client_key, client_name, settings, connection_status, gateway_id, connection_id,
                                 ip_address, port, mqtt_protocol, username, connected_at)
           VALUES ($1, $2, $3, 'connected', $4, $5, $6, $7, $8, $9, now()) RETURNING *`,
          [clientKey(req.clientName), req.clientName, JSON.stringify(settings), ...connection],
        );
        row = rows[0]!;
      } else {
        const settings = settingsAtConnect(existing, declared);
        // An inactive session becomes normal again when its client connects (docs/live-effects.md).
        const status = existing.session_status === 'inactive' ? 'normal' : existing.session_status;
        settings.sessionStatus = statusFromName(status) ?? 'SESSION_STATUS_NORMAL';
        const clean = startsClean(req);
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
                  disconnection_reason = NULL, updated_at = now()
            WHERE client_key = $1 RETURNING *`,
          [existing.client_key, JSON.stringify(settings), status, ...connection],
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
      return { banned: false, sessionPresent, session };
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
      const settings = settingsFromStored(existing.settings);
      if (req.sessionExpiryInterval !== undefined && req.sessionExpiryInterval !== null) {
        settings.sessionExpiryInterval = boundedExpiry(req.sessionExpiryInterval, this.maxSessionExpiry);
      }
      if (removedAtClose(existing, settings)) {
        await tx.query('DELETE FROM sessions WHERE client_key = $1', [existing.client_key]);
        const session = rowToSession({ ...existing, version: String(BigInt(existing.version) + 1n) });
        await enqueue(tx, this, 'deleted', session, actor);
        if (lostAt) await closedLost(tx, this, existing, settings, lostAt, true);
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
  async alter(req: AlterSessionRequest__Output, actor: string): Promise<AlterOutcome> {
    validatePatch(req.patch ?? {});
    checkPatchFits(req.patch ?? {}, this.limits);
    return new Promise<AlterOutcome>((resolve, reject) => {
      this.alterQueue.push({ req, actor, attempts: 0, resolve, reject });
      this.pumpAlters();
    });
  }

  private readonly alterQueue: PendingAlter[] = [];
  private altersInFlight = 0;

  private pumpAlters(): void {
    while (this.altersInFlight < ALTER_BATCHES_IN_FLIGHT && this.alterQueue.length > 0) {
      const batch = this.alterQueue.splice(0, ALTER_BATCH_MAX);
      this.altersInFlight++;
      void this.runAlterBatch(batch).finally(() => {
        this.altersInFlight--;
        this.pumpAlters();
      });
    }
  }

  private async runAlterBatch(batch: PendingAlter[]): Promise<void> {
    // After a few optimistic attempts lost to concurrent writers, an alteration waits for the row
    // lock instead, so a hot session cannot starve it.
    const locked = batch.some((item) => item.attempts >= this.optimisticAttempts);
    let outcomes: AlterResult[];
    try {
      outcomes = locked
        ? await inTransaction(this.db, (tx) => this.alterBatch(tx, batch, true))
        : await this.alterBatch(this.db, batch, false);
    } catch (err) {
      if (batch.length === 1) {
        batch[0]!.reject(err);
        return;
      }
      // The batch failed as a whole (a lost connection, say): each alteration gets its own
      // statement, so a cause fails only what it concerns.
      await Promise.all(batch.map((item) => this.runAlterBatch([item])));
      return;
    }
    const again: PendingAlter[] = [];
    batch.forEach((item, i) => {
      const outcome = outcomes[i]!;
      if (outcome === RETRY) {
        item.attempts++;
        again.push(item);
      } else if (outcome === REREAD) {
        again.push(item);
      } else if (outcome instanceof Error) item.reject(outcome);
      else item.resolve(outcome);
    });
    // Ahead of everything that arrived since, in their original order.
    if (again.length > 0) this.alterQueue.unshift(...again);
  }

  /**
   * Writes one batch of alterations. Optimistic (locked = false, q = the pool): one SELECT reads
   * the sessions and their subscriptions, each alteration is applied in memory in arrival order
   * to what its predecessors left, and ONE statement (a data-modifying WITH) updates every
   * session whose version is still the one read, and inserts the audit entries and outbox rows of
   * exactly those sessions; a session another writer changed meanwhile is left alone and its
   * alterations come back as RETRY. Locked (q = a transaction): the SELECT takes the row locks
   * (in key order) first, so nothing can come back as RETRY.
   */
  private async alterBatch(q: Db | Tx, batch: PendingAlter[], locked: boolean): Promise<AlterResult[]> {
    const keyOf = batch.map((b) => clientKey(b.req.clientName).toString('hex'));
    const hexes = [...new Set(keyOf)];
    // Sessions this process altered last need no read (AlteredRows); the locked path reads.
    const remembered = new Map<string, RememberedRow>();
    if (!locked) {
      for (const hex of hexes) {
        const found = this.alteredRows.get(hex);
        if (found) remembered.set(hex, found);
      }
    }
    const toRead = hexes.filter((hex) => !remembered.has(hex));
    // Named: each pooled connection parses and plans the statement once.
    const { rows } =
      toRead.length === 0
        ? { rows: [] }
        : await q.query<SessionRow & { subs: Subscription__Output[] | null; xmin: string }>({
            name: locked ? 'alter-read-locked' : 'alter-read',
            text: `SELECT s.*, s.xmin::text AS xmin, ${SUBSCRIPTIONS_JSON} AS subs
                     FROM sessions s WHERE s.client_key = ANY($1::bytea[])
                    ORDER BY s.client_key${locked ? ' FOR UPDATE OF s' : ''}`,
            values: [toRead.map((h) => Buffer.from(h, 'hex'))],
          });
    const state = new Map<
      string,
      {
        row: SessionRow;
        settings: Settings;
        pinned: Set<string>;
        from: string;
        xmin: string;
        subs: Subscription__Output[];
      }
    >();
    const found: [string, RememberedRow][] = [
      ...rows.map(({ subs, xmin, ...row }): [string, RememberedRow] => [
        row.client_key.toString('hex'),
        { row, xmin, subs: (subs ?? []).sort(byFilter) },
      ]),
      ...remembered,
    ];
    for (const [hex, { row, subs, xmin }] of found) {
      state.set(hex, {
        row,
        settings: settingsOfRow(row),
        pinned: new Set(row.pinned),
        from: String(row.version),
        xmin,
        subs,
      });
    }

    const now = new Date();
    interface Step {
      hex: string;
      outcome: AlterOutcome;
      changes: Record<string, FieldChange>;
    }
    const steps: (Step | Error)[] = batch.map(({ req }, i) => {
      const hex = keyOf[i]!;
      const current = state.get(hex);
      if (!current) return notFound(`session "${truncate(req.clientName)}"`);
      const expected = req.expectedVersion;
      if (expected !== undefined && expected !== null && expected !== current.row.version) {
        return new MqfleetError(
          'VERSION_CONFLICT',
          `session "${truncate(req.clientName)}" is at version ${current.row.version}, not ${expected}; read it again and retry`,
          'expectedVersion',
        );
      }
      const patch = req.patch ?? {};
      let applied: ReturnType<typeof applyPatch>;
      try {
        applied = applyPatch(current.settings, patch);
      } catch (err) {
        return err instanceof Error ? err : new Error(String(err));
      }
      const changedFields = Object.keys(applied.changes);
      if (changedFields.length > 0) {
        for (const f of patchFields(patch)) if (f !== 'sessionStatus') current.pinned.add(f);
        current.settings = applied.settings;
        current.row = alteredRow(current.row, applied.settings, current.pinned, now);
      }
      const session = rowToSession(current.row, current.subs);
      return { hex, outcome: { session, changedFields }, changes: applied.changes };
    });

    const changed = [...state.entries()].filter(([, s]) => s.row.version !== s.from);
    // What was decided on a remembered row without a write to confirm that row (no change, or
    // an error) is decided again on a fresh read.
    const unconfirmed = new Set(
      [...remembered.keys()].filter((hex) => {
        const st = state.get(hex)!;
        return st.row.version === st.from;
      }),
    );
    for (const hex of unconfirmed) this.alteredRows.delete(hex);
    const decided = (s: Step | Error, i: number): AlterResult =>
      unconfirmed.has(keyOf[i]!) ? REREAD : s instanceof Error ? s : s.outcome;
    if (changed.length === 0) return steps.map(decided);
    const audited: { step: Step; actor: string; event: OutboxEvent; payload: string }[] = [];
    steps.forEach((step, i) => {
      if (step instanceof Error || step.outcome.changedFields.length === 0) return;
      const actor = batch[i]!.actor;
      const event = eventFor(this.subjects, 'altered', step.outcome.session, actor, step.changes);
      audited.push({ step, actor, event, payload: sessionEventPayload(event.event) });
    });
    const { updated, committed } = await writeAlterations(
      q,
      changed.map(([hex, st]) => ({ hex, from: st.from, xmin: st.xmin, row: st.row })),
      audited.map((x) => ({
        hex: x.step.hex,
        actor: x.actor,
        changes: x.step.changes,
        event: x.event,
        payload: x.payload,
      })),
      now,
    );
    await publishWritten(q, this, locked, committed);
    const lost = new Set(changed.map(([hex]) => hex).filter((hex) => !updated.has(hex)));
    for (const [hex, st] of changed) {
      const xmin = updated.get(hex);
      if (xmin === undefined) this.alteredRows.delete(hex);
      // Remembered only once committed: the locked path's transaction commits after this returns.
      else if (!locked) this.alteredRows.set(hex, { row: st.row, subs: st.subs, xmin });
    }
    // Everything decided about a lost session was decided on a stale read, errors included.
    return steps.map((s, i) => (lost.has(keyOf[i]!) ? RETRY : decided(s, i)));
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
  ): Promise<{ deleted: boolean; wasConnected: boolean; version: string }> {
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
        return { deleted: true, wasConnected, version: session.version };
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
      return { deleted: false, wasConnected, version: session.version };
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
                s.connection_status
           FROM sessions s
          WHERE ${sql.where.join(' AND ')} ORDER BY s.client_key FOR UPDATE OF s`,
        sql.params,
      );
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
      const events = bulkEvents(entries, actor);
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
    if (!plan.changed) return { session: rowToSession(existing!, before), changed: false };
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
    return { session, changed: true };
  }

  /** Removes temporary sessions whose expiry interval has run out since they disconnected. */
  async expire(): Promise<number> {
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
      return rows.length;
    });
  }
}

function truncate(name: string): string {
  return name.length > 64 ? `${name.slice(0, 61)}...` : name;
}
