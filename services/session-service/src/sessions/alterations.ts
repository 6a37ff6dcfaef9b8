// The writing of alterations in groups (SessionStore.alter): one statement per batch, the
// optimistic path that checks remembered rows by version and xmin, and bulk alterations' events.
import { randomUUID } from 'node:crypto';
import {
  applyPatch,
  boundedBulkEntry,
  sessionEventPayload,
  SESSION_EVENT_INLINE_BYTES,
  MqfleetError,
  notFound,
  patchFields,
  statusName,
  type BulkAlteredSession,
  type FieldChange,
  type SessionBulkEvent,
  type Settings,
} from '@mqfleet/core';
import type { AlterSessionRequest__Output, Session__Output, Subscription__Output } from '@mqfleet/proto';
import { inTransaction, type Db, type Tx } from '../db';
import { SessionRow, clientKey, settingsOfRow, rowToSession, truncate } from './rows';
import { byFilter } from './subscriptions';
import { RememberedRow, AlteredRows } from './altered-rows';
import { OutboxEvent, eventFor, CommittedEvent, EventSink, publishWritten } from '../outbox/writer';
import { SUBSCRIPTIONS_JSON } from './subscriptions';

/** The row an alteration makes of a session row: the next version with these settings. */
export function alteredRow(row: SessionRow, settings: Settings, pinned: Set<string>, now: Date): SessionRow {
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
export interface AlteredRow {
  hex: string;
  from: string;
  xmin: string;
  row: SessionRow;
}

/** One audit entry (action "alter") and the event of one alteration. */
export interface AlterationRecord {
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
export async function writeAlterations(
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
export interface BulkRow {
  client_key: Buffer;
  client_name: string;
  version: string;
  settings: Partial<Settings>;
  session_status: string;
  pinned: string[];
  connection_status: string;
  /** An MQ API session's account and the user name its client last connected with (rules.ts). */
  owner: string | null;
  username: string | null;
}

/** One session's row change in a bulk alteration: only the changed settings travel. */
export interface BulkWrite {
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
export function bulkEvents(
  entries: BulkAlteredSession[],
  actor: string,
  requestId?: string,
): SessionBulkEvent[] {
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
    ...(requestId ? { requestId } : {}),
    sessions,
  }));
}

export interface AlterOutcome {
  session: Session__Output;
  changedFields: string[];
}

export interface PendingAlter {
  req: AlterSessionRequest__Output;
  actor: string;
  /** The request id it came with (its event carries it: docs/operations.md). */
  requestId: string | undefined;
  /** Optimistic writes this alteration lost to a concurrent writer. */
  attempts: number;
  resolve(outcome: AlterOutcome): void;
  reject(err: unknown): void;
}

/** Most alterations one transaction writes (group commit, see SessionStore.alter). */
export const ALTER_BATCH_MAX = 256;

/** Batches written at once: one fills while another commits. */
export const ALTER_BATCHES_IN_FLIGHT = 2;

/** Optimistic attempts before an alteration waits for the row lock. */
export const ALTER_OPTIMISTIC_ATTEMPTS = 3;

/** An alteration whose session another writer changed between read and write: try again. */
export const RETRY = Symbol('retry');

/**
 * An alteration decided on a remembered row that no write confirmed (it changed nothing, or
 * failed): decide it again on a fresh read. Not a lost race, so it does not count as an attempt.
 */
export const REREAD = Symbol('reread');

export type AlterResult = AlterOutcome | Error | typeof RETRY | typeof REREAD;

/**
 * Group commit of alterations (SessionStore.alter): alterations that arrive while earlier ones
 * are being written wait for the next batch, and two statements write all of them (writeBatch:
 * one SELECT, one data-modifying WITH that updates the sessions and inserts the audit entries and
 * outbox rows). Each alteration still gets its own version, audit entry and event, in arrival
 * order, and its own outcome. Rows it wrote are remembered (altered-rows.ts): an alteration of a
 * remembered session is written optimistically, checked by version and xmin, and read again only
 * when the check fails.
 */
export class AlterationBatcher {
  private readonly alteredRows = new AlteredRows();

  constructor(
    private readonly db: Db,
    private readonly sink: EventSink,
    /** Optimistic attempts before an alteration waits for the row lock (0: always lock). */
    private readonly optimisticAttempts: number,
  ) {}

  /** Queues a validated alteration; resolves with its outcome once its batch is written. */
  submit(req: AlterSessionRequest__Output, actor: string, requestId?: string): Promise<AlterOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ req, actor, requestId, attempts: 0, resolve, reject });
      this.pumpAlters();
    });
  }

  private readonly queue: PendingAlter[] = [];
  private inFlight = 0;

  private pumpAlters(): void {
    while (this.inFlight < ALTER_BATCHES_IN_FLIGHT && this.queue.length > 0) {
      const batch = this.queue.splice(0, ALTER_BATCH_MAX);
      this.inFlight++;
      void this.runAlterBatch(batch).finally(() => {
        this.inFlight--;
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
    if (again.length > 0) this.queue.unshift(...again);
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
      const { actor, requestId } = batch[i]!;
      const event = eventFor(
        this.sink.subjects,
        'altered',
        step.outcome.session,
        actor,
        step.changes,
        requestId ? { requestId } : {},
      );
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
    await publishWritten(q, this.sink, locked, committed);
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
}
