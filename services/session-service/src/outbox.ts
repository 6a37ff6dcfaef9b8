// The outbox relay: publishes committed outbox rows to JetStream, then deletes them. Session
// changes are published at once after their commit by the fast path (publishNow); the relay then
// only deletes their rows, many per statement, once JetStream acknowledged them. Everything else
// (a fast publish that failed or never happened, label events) the relay publishes itself: it
// wakes on NOTIFY, on a failed fast publish, when NATS comes back, and polls every second, so a
// lost notification or a NATS outage only delays events. Each event's msg_id is its JetStream
// Nats-Msg-Id, so a row published twice (crash between publish and delete) is stored once within
// the stream's duplicate window.
import pg from 'pg';
import { Events, headers, type JetStreamClient, type NatsConnection } from 'nats';
import type { Logger } from '@mqfleet/core';
import { inTransaction, type Db } from './db';
import { OUTBOX_CHANNEL, type CommittedEvent } from './sessions';

const BATCH = 256;
const POLL_MS = 1000;

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
  private natsUp = true;
  private readonly js: JetStreamClient;
  /** Outbox ids the fast path is publishing: the relay leaves those rows alone. */
  private readonly inflight = new Set<string>();
  /** Outbox ids the fast path published (acknowledged): rows to delete on the next pass. */
  private acked: string[] = [];

  constructor(
    private readonly db: Db,
    private readonly databaseUrl: string,
    private readonly nc: NatsConnection,
    private readonly log: Logger,
  ) {
    this.js = nc.jetstream();
  }

  async start(): Promise<void> {
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
   * publishes it with the same Nats-Msg-Id, so JetStream stores the event once.
   */
  readonly publishNow = (events: CommittedEvent[]): void => {
    if (!this.natsUp || this.stopped) return;
    for (const e of events) {
      this.inflight.add(e.outboxId);
      this.js.publish(e.subject, e.payload, { msgID: e.msgId }).then(
        () => {
          this.inflight.delete(e.outboxId);
          this.acked.push(e.outboxId);
          if (this.acked.length >= BATCH) this.wake();
        },
        () => {
          this.inflight.delete(e.outboxId);
          this.wake();
        },
      );
    }
  };

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
    const done = this.acked;
    this.acked = [];
    if (done.length > 0) await this.db.query('DELETE FROM outbox WHERE id = ANY($1::bigint[])', [done]);
    for (;;) {
      const published = await inTransaction(this.db, async (tx) => {
        const { rows } = await tx.query<OutboxRow>(
          `SELECT id, subject, msg_id, payload FROM outbox WHERE NOT (id = ANY($2::bigint[]))
            ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
          [BATCH, [...this.inflight, ...this.acked]],
        );
        if (rows.length === 0) return 0;
        // Publishes go out on one connection in order; acks are awaited together.
        await Promise.all(
          rows.map((row) => {
            const h = headers();
            h.set('Mqfleet-Outbox-Id', row.id);
            return this.js.publish(row.subject, row.payload, {
              msgID: row.msg_id,
              headers: h,
            });
          }),
        );
        await tx.query('DELETE FROM outbox WHERE id = ANY($1)', [rows.map((r) => r.id)]);
        return rows.length;
      });
      if (published < BATCH) return;
    }
  }

  async close(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
    await this.listener?.end().catch(() => undefined);
  }
}
