// The outbox relay: publishes committed outbox rows to JetStream, then deletes them. Session
// changes are published at once after their commit by the fast path (publishNow); the relay then
// only deletes their rows, many per statement, once JetStream acknowledged them. Everything else
// (a fast publish that failed or never happened, label events) the relay publishes itself: it
// wakes on NOTIFY, on a failed fast publish, when NATS comes back, and polls every second, so a
// lost notification or a NATS outage only delays events. Each event's msg_id is its JetStream
// Nats-Msg-Id, so a row published twice (crash between publish and delete) is stored once within
// the stream's duplicate window.
import pg from 'pg';
import {
  Events,
  createInbox,
  headers,
  type JetStreamClient,
  type Msg,
  type NatsConnection,
  type Subscription,
} from 'nats';
import {
  SESSION_EVENT_ACTOR_HEADER,
  boundedBulkEntry,
  referenceEvent,
  type Logger,
  type SessionBulkEvent,
  type SessionEvent,
} from '@mqfleet/core';
import { inTransaction, type Db } from '../db';
import { OUTBOX_CHANNEL, type CommittedEvent } from './writer';

const BATCH = 256;
/** Room for the headers of an outbox publish (Nats-Msg-Id, Mqfleet-Outbox-Id). */
const HEADER_ROOM = 256;
/** A row that keeps failing is logged at its first failure and then every this many. */
const FAILURE_LOG_EVERY = 60;
const POLL_MS = 1000;
/** A fast publish not acknowledged within this long is left to the relay (nats.js's default). */
const ACK_TIMEOUT_MS = 5000;

interface OutboxRow {
  id: string;
  subject: string;
  msg_id: string;
  payload: string;
}

export class OutboxRelay {
  private listener: pg.Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  /**
   * False while the NATS connection is down. A JetStream publish made then is never acknowledged
   * (nats.js does not replay it after reconnecting): the pass would wait out the publish timeout
   * and hold back every event committed after the outage. So no pass runs until NATS is back.
   */
  /** NATS is connected (also read by /metrics, mqfleet_nats_connected). */
  natsUp = true;
  private readonly js: JetStreamClient;
  /**
   * Outbox ids the fast path is publishing, with when: the relay leaves those rows alone until
   * JetStream acknowledges them or ACK_TIMEOUT_MS passes.
   */
  private readonly inflight = new Map<string, number>();
  /**
   * The fast path's acknowledgements come back on <ackPrefix>.<outbox id>, one subscription for
   * all: a js.publish() per event made a request each (an Error with a stack, a timer, a mux
   * entry and promises), a good part of the session-service's CPU per alteration.
   */
  private readonly ackPrefix = createInbox();
  private ackSub: Subscription | undefined;
  /** Outbox ids the fast path published (acknowledged): rows to delete on the next pass. */
  private acked: string[] = [];
  /** Rows that failed in the current pass (not read again until it ends), with their attempts. */
  private readonly failing = new Map<string, number>();
  /** Failed attempts per row, for the log. */
  private readonly attempts = new Map<string, number>();
  /** Rows published as references because NATS could not carry them whole. */
  shrunk = 0;
  /** Rows dropped because NATS could not carry them even as references (logged as errors). */
  dropped = 0;

  constructor(
    private readonly db: Db,
    private readonly databaseUrl: string,
    private readonly nc: NatsConnection,
    private readonly log: Logger,
  ) {
    this.js = nc.jetstream();
  }

  async start(): Promise<void> {
    this.ackSub = this.nc.subscribe(`${this.ackPrefix}.*`, { callback: (_err, msg) => this.onAck(msg) });
    void this.watchNats();
    await this.listen();
    this.timer = setInterval(() => this.wake(), POLL_MS);
    this.wake();
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.databaseUrl });
    client.on('notification', () => this.wake());
    client.on('error', (err) => {
      if (this.stopped) return;
      this.log.warn('outbox listener lost its connection; polling until it is back', { err });
      this.listener = undefined;
      setTimeout(() => void this.relisten(), POLL_MS);
    });
    await client.connect();
    await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
    this.listener = client;
  }

  private async relisten(): Promise<void> {
    if (this.stopped || this.listener) return;
    try {
      await this.listen();
    } catch {
      setTimeout(() => void this.relisten(), POLL_MS);
    }
  }

  private async watchNats(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (status.type === Events.Disconnect) this.natsUp = false;
      else if (status.type === Events.Reconnect) {
        this.natsUp = true;
        this.wake();
      }
    }
  }

  /**
   * Publishes committed events at once, fire and forget, while NATS is up: the fast path right
   * after a commit. A failure does not matter: the row stays in the outbox and the relay
   * publishes it with the same Nats-Msg-Id, so JetStream stores the event once. Each is a plain
   * publish with the Nats-Msg-Id header and a reply subject, which JetStream answers with its
   * acknowledgement (what js.publish does, without a request per event).
   */
  readonly publishNow = (events: CommittedEvent[]): void => {
    if (!this.natsUp || this.stopped) return;
    const now = Date.now();
    for (const e of events) {
      const h = headers();
      h.set('Nats-Msg-Id', e.msgId);
      if (e.actor !== undefined && /^[\x20-\x7e]{1,200}$/.test(e.actor))
        h.set(SESSION_EVENT_ACTOR_HEADER, e.actor);
      try {
        this.nc.publish(e.subject, e.payload, { headers: h, reply: `${this.ackPrefix}.${e.outboxId}` });
      } catch {
        this.wake(); // the relay publishes it
        continue;
      }
      this.inflight.set(e.outboxId, now);
    }
  };

  /**
   * JetStream's answer to a fast publish: a PubAck (the event is stored, its row can go), or an
   * error or a no-responders status (the relay publishes the row again).
   */
  private onAck(msg: Msg): void {
    const outboxId = msg.subject.slice(this.ackPrefix.length + 1);
    if (!this.inflight.delete(outboxId)) return; // timed out already: the relay has it
    let stored = false;
    if (!msg.headers?.hasError && msg.data.length > 0) {
      try {
        const ack = msg.json<{ stream?: unknown; error?: unknown }>();
        stored = typeof ack.stream === 'string' && ack.stream !== '' && ack.error === undefined;
      } catch {
        // not a PubAck
      }
    }
    if (!stored) {
      this.wake();
      return;
    }
    this.acked.push(outboxId);
    if (this.acked.length >= BATCH) this.wake();
  }

  /** Fast publishes never acknowledged (a lost connection, a lost reply) go back to the relay. */
  private expireInflight(): void {
    const before = Date.now() - ACK_TIMEOUT_MS;
    for (const [id, at] of this.inflight) {
      if (at > before) break; // in publish order
      this.inflight.delete(id);
    }
  }

  /** Schedules a drain; concurrent wake-ups collapse into one more pass. */
  wake(): void {
    if (this.stopped || !this.natsUp) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain()
      .catch((err: unknown) => this.log.warn('outbox relay pass failed; will retry', { err }))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  private async drain(): Promise<void> {
    this.expireInflight();
    const done = this.acked;
    this.acked = [];
    if (done.length > 0) await this.db.query('DELETE FROM outbox WHERE id = ANY($1::bigint[])', [done]);
    for (;;) {
      const { seen, failed } = await inTransaction(this.db, async (tx) => {
        const { rows } = await tx.query<OutboxRow>(
          `SELECT id, subject, msg_id, payload FROM outbox WHERE NOT (id = ANY($2::bigint[]))
            ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
          [BATCH, [...this.inflight.keys(), ...this.acked, ...this.failing.keys()]],
        );
        if (rows.length === 0) return { seen: 0, failed: 0 };
        // Publishes go out on one connection in order; acks are awaited together. Each row stands
        // alone: one that JetStream does not take never holds back the others.
        const results = await Promise.allSettled(rows.map((row) => this.publishRow(row)));
        const gone: string[] = [];
        results.forEach((result, i) => {
          const row = rows[i]!;
          if (result.status === 'fulfilled') {
            gone.push(row.id);
            this.failing.delete(row.id);
          } else {
            this.failed(row, result.reason);
          }
        });
        if (gone.length > 0) await tx.query('DELETE FROM outbox WHERE id = ANY($1)', [gone]);
        return { seen: rows.length, failed: rows.length - gone.length };
      });
      if (seen < BATCH) {
        // Rows that failed in this pass are tried again on the next one.
        if (failed > 0 || this.failing.size > 0) this.failing.clear();
        return;
      }
    }
  }

  /**
   * Publishes one row. A row the bus cannot carry (above the server's max_payload) is a session
   * event from before events were bounded, or one whose bound the server's setting undercuts: it
   * goes out as its reference (core event-size.ts); a row that cannot be shrunk is logged and
   * dropped, never retried forever.
   */
  private async publishRow(row: OutboxRow): Promise<void> {
    const maxPayload = this.nc.info?.max_payload ?? Number.MAX_SAFE_INTEGER;
    let payload = row.payload;
    if (Buffer.byteLength(payload) + HEADER_ROOM > maxPayload) {
      const reference = shrinkEvent(payload);
      if (reference === undefined || Buffer.byteLength(reference) + HEADER_ROOM > maxPayload) {
        this.log.error('outbox event too large for NATS and cannot be shrunk; dropped', {
          outboxId: row.id,
          subject: row.subject,
          msgId: row.msg_id,
          bytes: Buffer.byteLength(payload),
          maxPayload,
        });
        this.dropped++;
        return;
      }
      this.log.warn('outbox event too large for NATS; published as a reference', {
        outboxId: row.id,
        subject: row.subject,
        bytes: Buffer.byteLength(payload),
        maxPayload,
      });
      this.shrunk++;
      payload = reference;
    }
    const h = headers();
    h.set('Mqfleet-Outbox-Id', row.id);
    await this.js.publish(row.subject, payload, { msgID: row.msg_id, headers: h });
  }

  /** A row JetStream did not take: logged (first time, then every FAILURE_LOG_EVERY passes). */
  private failed(row: OutboxRow, err: unknown): void {
    const attempts = (this.attempts.get(row.id) ?? 0) + 1;
    this.attempts.set(row.id, attempts);
    if (this.attempts.size > 10 * BATCH) this.attempts.delete(this.attempts.keys().next().value!);
    this.failing.set(row.id, attempts);
    if (attempts === 1 || attempts % FAILURE_LOG_EVERY === 0) {
      this.log.warn('outbox event not published; retried on the next pass', {
        outboxId: row.id,
        subject: row.subject,
        attempts,
        err,
      });
    }
  }

  async close(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.ackSub?.unsubscribe();
    await this.running;
    await this.listener?.end().catch(() => undefined);
  }
}

/**
 * The reference form of an outbox row's event (core event-size.ts): a session event without its
 * session and changes, a bulk part without its entries' changes; undefined for other events.
 */
export function shrinkEvent(payload: string): string | undefined {
  let event: SessionEvent | SessionBulkEvent;
  try {
    event = JSON.parse(payload) as SessionEvent | SessionBulkEvent;
  } catch {
    return undefined;
  }
  if (event.type === 'bulkAltered' && Array.isArray(event.sessions)) {
    return JSON.stringify({ ...event, sessions: event.sessions.map((e) => boundedBulkEntry(e, 0)) });
  }
  if (typeof (event as SessionEvent).clientName === 'string' && (event.type as string) !== 'bulkAltered') {
    return JSON.stringify(referenceEvent(event as SessionEvent));
  }
  return undefined;
}
