// The outbox's writing side: a session change's event is inserted in the same transaction as
// the change (enqueue, enqueueMany) and published right after the commit by the fast path;
// relay.ts publishes any row the fast path did not. Used by the session store, the batches and
// labels.
import { randomUUID } from 'node:crypto';
import {
  sessionEventPayload,
  type FieldChange,
  type SessionEvent,
  type SessionEventType,
  type Subjects,
} from '@mqfleet/core';
import type { Session__Output } from '@mqfleet/proto';
import { afterCommit, type Db, type Tx } from '../db';

export const OUTBOX_CHANNEL = 'mqfleet_outbox';

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

export function enqueue(
  tx: Tx,
  sink: EventSink,
  type: SessionEventType,
  session: Session__Output,
  actor: string,
  changes?: Record<string, FieldChange>,
): Promise<void> {
  return enqueueMany(tx, sink, [eventFor(sink.subjects, type, session, actor, changes)]);
}

/**
 * Hands committed outbox rows to the fast path (after the commit when written in a transaction, at
 * once otherwise); without a fast path, NOTIFY wakes the relay instead.
 */
export async function publishWritten(
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
