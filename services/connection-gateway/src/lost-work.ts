// The gateway's share of the cluster's work (docs/mqtt.md, "A gateway that dies"): items of the
// work stream (subjects().workStream, work-queue retention) that the session-service puts there
// through its outbox. Every gateway reads them through ONE durable pull consumer, so each item goes
// to one gateway; it is acknowledged once done, and an item whose gateway died before that is
// delivered again after ACK_WAIT_MS to another one. A failure asks for it again after a delay.
//
// - "lost": a connection of a lost gateway whose session outlives it. The session is parked (its
//   offline queue: offline.ts parkLost) and then closed with CloseSession naming the lost
//   connection, which the session-service refuses if the session moved on meanwhile. A session
//   the session-service had to close itself (no gateway in time) is parked late.
// - "will": a lost connection's will whose delay has passed [MQTT-3.1.3-9]: published (routed,
//   queued, retained) and only then acknowledged.
import { AckPolicy, nanos, type ConsumerMessages, type JsMsg, type NatsConnection } from 'nats';
import {
  DEFAULT_SETTINGS,
  GATEWAY_LOST_REASON,
  type ClusterWork,
  type Logger,
  type Settings,
  type Subjects,
} from '@mqfleet/core';
import type { CloseSessionResponse__Output, Session__Output } from '@mqfleet/proto';
import { willOf, type Will } from './settings';
import type { EmitGatewayEvent } from './events';

/** The durable consumer every gateway shares. */
export const WORKERS = 'gateways';
/** An item not acknowledged within this long (its gateway died) goes to another gateway. */
const ACK_WAIT_MS = 30_000;
/** Items handled at once by one gateway. */
const CONCURRENCY = 8;
/** A failed item is delivered again after this long times its delivery count (at most 30 s). */
const RETRY_MS = 1000;
const ATTACH_RETRY_MS = 1000;

export interface WorkHost {
  readonly logger: Logger;
  /** The session as stored, or undefined when it does not exist. */
  describe(clientName: string): Promise<Session__Output | undefined>;
  /** CloseSession of a lost connection (GATEWAY_LOST_REASON). */
  closeLost(clientName: string, connectionId: string): Promise<CloseSessionResponse__Output>;
  /** Parks a lost session's offline queue, then closes it with `close` (offline.ts parkLost). */
  parkLost(session: Session__Output, close?: () => Promise<CloseSessionResponse__Output>): Promise<boolean>;
  /** Publishes a will; resolves once NATS (and JetStream, for a retained will) has it. */
  publishWill(clientName: string, will: Will): Promise<void>;
  emit: EmitGatewayEvent;
}

export class ClusterWorkConsumer {
  private messages: ConsumerMessages | undefined;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly nc: NatsConnection,
    private readonly s: Subjects,
    private readonly host: WorkHost,
  ) {}

  /** Attaches now or, when the stream is not there yet, keeps trying in the background. */
  async start(): Promise<void> {
    if (!(await this.attach())) this.scheduleAttach();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    const messages = this.messages;
    this.messages = undefined;
    await messages?.close().catch(() => undefined);
    await Promise.allSettled([...this.running]);
  }

  private scheduleAttach(): void {
    if (this.stopped) return;
    this.retry = setTimeout(() => {
      void this.attach().then((ok) => ok || this.scheduleAttach());
    }, ATTACH_RETRY_MS);
    this.retry.unref();
  }

  private async attach(): Promise<boolean> {
    try {
      const jsm = await this.nc.jetstreamManager();
      try {
        await jsm.consumers.info(this.s.workStream, WORKERS);
      } catch {
        await jsm.consumers
          .add(this.s.workStream, {
            durable_name: WORKERS,
            ack_policy: AckPolicy.Explicit,
            ack_wait: nanos(ACK_WAIT_MS),
            max_deliver: -1,
          })
          .catch(async (err: unknown) => {
            // Another gateway created it a moment ago.
            await jsm.consumers.info(this.s.workStream, WORKERS).catch(() => {
              throw err;
            });
          });
      }
      if (this.stopped) return true;
      const consumer = await this.nc.jetstream().consumers.get(this.s.workStream, WORKERS);
      const messages = await consumer.consume({ max_messages: CONCURRENCY });
      if (this.stopped) {
        await messages.close().catch(() => undefined);
        return true;
      }
      this.messages = messages;
      this.host.logger.info('taking cluster work', { stream: this.s.workStream });
      void this.read(messages);
      return true;
    } catch (err) {
      this.host.logger.debug('cluster work stream not available yet', { stream: this.s.workStream, err });
      return false;
    }
  }

  private async read(messages: ConsumerMessages): Promise<void> {
    try {
      for await (const m of messages) {
        if (this.stopped) {
          m.nak(); // another gateway takes it now rather than after ACK_WAIT_MS
          continue;
        }
        while (this.running.size >= CONCURRENCY) await Promise.race(this.running);
        const work = this.handle(m).finally(() => this.running.delete(work));
        this.running.add(work);
      }
    } catch (err) {
      this.host.logger.warn('cluster work consumer ended', { err });
    }
    if (!this.stopped && this.messages === messages) {
      this.messages = undefined;
      this.scheduleAttach();
    }
  }

  private async handle(m: JsMsg): Promise<void> {
    let item: ClusterWork;
    try {
      item = m.json<ClusterWork>();
    } catch {
      this.host.logger.warn('cluster work item is not JSON: dropped', { subject: m.subject });
      m.term();
      return;
    }
    try {
      if (item.type === 'lost') await this.lost(item.clientName, item.connectionId);
      else if (item.type === 'will') await this.will(item.clientName, item.will);
      else this.host.logger.warn('unknown cluster work item: dropped', { subject: m.subject });
      await m.ackAck().catch(() => m.ack());
    } catch (err) {
      const delay = Math.min(30_000, RETRY_MS * m.info.redeliveryCount);
      this.host.logger.warn('cluster work failed; it is done again later', {
        type: item.type,
        clientName: item.clientName,
        delayMs: delay,
        err,
      });
      m.nak(delay);
    }
  }

  /** A lost connection's session: parked, then closed; or nothing when the session moved on. */
  private async lost(clientName: string, connectionId: string): Promise<void> {
    const session = await this.host.describe(clientName);
    const holder = session?.connection;
    if (!session || holder?.connectionId !== connectionId) {
      this.host.emit('lostSessionSkipped', clientName, 'moved on');
      return; // removed, or the client connected again
    }
    if (holder.status === 'CONNECTION_STATUS_CONNECTED') {
      const parked = await this.host.parkLost(session, () => this.host.closeLost(clientName, connectionId));
      this.host.logger.info('lost session taken care of', { clientName, connectionId, parked });
      this.host.emit('lostSessionClosed', clientName, parked);
    } else if (holder.disconnectionReason === GATEWAY_LOST_REASON) {
      // The session-service closed it itself before any gateway came: queue from now on.
      const parked = await this.host.parkLost(session);
      this.host.logger.info('lost session parked late', { clientName, connectionId, parked });
      this.host.emit('lostSessionClosed', clientName, parked);
    }
  }

  private async will(clientName: string, fields: Record<string, unknown>): Promise<void> {
    const will = willOf({ ...DEFAULT_SETTINGS, ...fields } as Settings);
    if (!will) return;
    await this.host.publishWill(clientName, will);
  }
}
