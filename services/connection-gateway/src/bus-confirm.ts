// Publishing on NATS with a confirmation (confirmation.ts; guarantees in docs/mqtt.md).
//
// Core NATS has no acknowledgement, but a connection's traffic is ordered: once the server
// answers the PING of a flush, it has read every PUB written before it. So a turn of the event
// loop's confirmed publishes share one flush (PublishFlusher). JetStream answers each publish
// with a PubAck on its reply subject; the acknowledgements of every publish come back on one
// subscription (StoreConfirmer), which costs no request (timer, promise, mux entry) per message.
//
// While NATS is unreachable nothing is confirmed: nats.js rejects a flush pending when the
// connection drops and forgets what it had not written, so those messages are published again
// (receivers drop a copy they saw already by its Mqfleet-Id) until the configured timeout; after
// it the part fails (0x80 Unspecified error).
import { createInbox, type MsgHdrs, type NatsConnection, type Subscription } from 'nats';
import type { Logger } from '@mqfleet/core';
import type { Confirmation } from './confirmation';
import { ReasonCode } from './reason-codes';

/** A confirmed publish: what to send again, whom to tell, until when. */
interface Entry {
  subject: string;
  data: Uint8Array;
  headers: MsgHdrs;
  confirmation: Confirmation;
  deadline: number;
}

/** Core NATS publishes confirmed by one flush per turn of the event loop. */
export class PublishFlusher {
  private batch: Entry[] | undefined;
  /** Publishes NATS refused outright (too large, connection closed). */
  failures = 0;

  constructor(
    private readonly nc: NatsConnection,
    private readonly logger: Logger,
    private readonly timeoutMs: number,
  ) {}

  /**
   * Publishes; with a confirmation, it gets one part that is done when the server has read the
   * message. Returns false when NATS refused the message (then the part failed already).
   */
  publish(subject: string, data: Uint8Array, headers: MsgHdrs, confirmation?: Confirmation): boolean {
    try {
      this.nc.publish(subject, data, { headers });
    } catch (err) {
      this.failures++;
      this.logger.warn('NATS publish failed', { subject: subject.slice(0, 200), err });
      if (confirmation) {
        confirmation.expect();
        confirmation.done(ReasonCode.UNSPECIFIED_ERROR);
      }
      return false;
    }
    if (confirmation) {
      confirmation.expect();
      this.add({ subject, data, headers, confirmation, deadline: Date.now() + this.timeoutMs });
    }
    return true;
  }

  private add(entry: Entry): void {
    if (!this.batch) {
      const batch: Entry[] = [];
      this.batch = batch;
      setImmediate(() => {
        if (this.batch === batch) this.batch = undefined;
        this.flush(batch);
      });
    }
    this.batch.push(entry);
  }

  private flush(batch: Entry[]): void {
    this.nc.flush().then(
      () => {
        for (const entry of batch) entry.confirmation.done();
      },
      () => this.retry(batch),
    );
  }

  /** The flush failed (the connection dropped): publish again what is still in time. */
  private retry(batch: Entry[]): void {
    const now = Date.now();
    for (const entry of batch) {
      if (now > entry.deadline || this.nc.isClosed()) {
        entry.confirmation.done(ReasonCode.UNSPECIFIED_ERROR);
        continue;
      }
      try {
        this.nc.publish(entry.subject, entry.data, { headers: entry.headers });
        this.add(entry);
      } catch {
        entry.confirmation.done(ReasonCode.UNSPECIFIED_ERROR);
      }
    }
  }
}

/** JetStream's answer to a publish that the stream refused because a limit is reached. */
const LIMIT_REACHED =
  /maximum (messages|bytes|messages per subject) exceeded|resource limits exceeded|insufficient resources/i;

/** How long a JetStream publish waits for its PubAck before it is sent again. */
const RESEND_AFTER_MS = 2000;
const SWEEP_MS = 500;

/** JetStream publishes confirmed by their PubAck, all acknowledged on one subscription. */
export class StoreConfirmer {
  private readonly inbox = createInbox();
  private readonly pending = new Map<number, Entry & { sentAt: number }>();
  private nextId = 0;
  private sub: Subscription | undefined;
  private sweeper: NodeJS.Timeout | undefined;
  /** Stores JetStream refused, by reason: a stream limit reached, or any other error. */
  readonly refused = { limit: 0, other: 0 };

  constructor(
    private readonly nc: NatsConnection,
    private readonly logger: Logger,
    private readonly timeoutMs: number,
  ) {}

  start(): void {
    this.sub = this.nc.subscribe(`${this.inbox}.*`, {
      callback: (err, msg) => {
        if (err) return;
        this.onAck(Number(msg.subject.slice(this.inbox.length + 1)), msg.data, msg.headers);
      },
    });
    this.sweeper = setInterval(() => this.sweep(), SWEEP_MS);
    this.sweeper.unref();
  }

  stop(): void {
    clearInterval(this.sweeper);
    this.sub?.unsubscribe();
    for (const entry of this.pending.values()) entry.confirmation.done(ReasonCode.UNSPECIFIED_ERROR);
    this.pending.clear();
  }

  /** Publishes to a stream; the confirmation's part is done with its PubAck. */
  publish(subject: string, data: Uint8Array, headers: MsgHdrs, confirmation: Confirmation): void {
    confirmation.expect();
    const now = Date.now();
    const entry = { subject, data, headers, confirmation, deadline: now + this.timeoutMs, sentAt: now };
    const id = this.nextId++;
    this.pending.set(id, entry);
    this.send(id, entry);
  }

  private send(id: number, entry: Entry): void {
    try {
      this.nc.publish(entry.subject, entry.data, { headers: entry.headers, reply: `${this.inbox}.${id}` });
    } catch (err) {
      this.pending.delete(id);
      this.refused.other++;
      this.logger.warn('JetStream publish failed', { subject: entry.subject.slice(0, 200), err });
      entry.confirmation.done(ReasonCode.UNSPECIFIED_ERROR);
    }
  }

  private onAck(id: number, data: Uint8Array, headers: MsgHdrs | undefined): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.pending.delete(id);
    // A PubAck is {"stream":...,"seq":...}; an error {"error":{...}}; no stream: a 503 status.
    let code = 0;
    if (headers?.hasError || data.length === 0) code = ReasonCode.UNSPECIFIED_ERROR;
    else if (data[2] !== 0x73 /* {"s */) {
      const text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString();
      if (LIMIT_REACHED.test(text)) {
        this.refused.limit++;
        code = ReasonCode.QUOTA_EXCEEDED;
      } else if (text.includes('"error"')) {
        this.refused.other++;
        code = ReasonCode.UNSPECIFIED_ERROR;
      }
      if (code !== 0)
        this.logger.warn('JetStream refused a message', {
          subject: entry.subject.slice(0, 200),
          answer: text,
        });
    }
    entry.confirmation.done(code);
  }

  /** Sends again what was not acknowledged in time (a lost connection); fails what is too late. */
  private sweep(): void {
    const now = Date.now();
    for (const [id, entry] of this.pending) {
      if (now > entry.deadline) {
        this.pending.delete(id);
        entry.confirmation.done(ReasonCode.UNSPECIFIED_ERROR);
      } else if (now - entry.sentAt > RESEND_AFTER_MS && !this.nc.isClosed()) {
        entry.sentAt = now;
        this.send(id, entry);
      }
    }
  }
}
