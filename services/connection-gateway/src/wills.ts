// Wills [MQTT-3.1.2-8..17, MQTT-3.1.3-9]: published when a connection ends without a clean
// DISCONNECT, at once or after the Will Delay Interval; a delayed will is cancelled when its
// client connects again (here, or on any gateway: its `connected` event); the wills of a lost
// gateway's connections are handed to this gateway by the cluster (lost-work.ts) and published
// here. A stopping gateway hands its delayed wills to the session-service (handOver), which keeps
// them until due (docs/mqtt.md, "Graceful drain"). Which connection ends with which will is the gateway's decision (index.ts
// connectionEnded); this module only keeps and publishes them.
import type { Logger } from '@mqfleet/core';
import type { BusLimits } from './bus-limits';
import type { EmitGatewayEvent } from './events';
import type { RoutedMessage } from './message';
import { ReasonCode } from './reason-codes';
import type { Will } from './settings';

/** A will the cluster handed over must have left for NATS within this long (publishNow). */
const WILL_FLUSH_TIMEOUT_MS = 5000;

interface PendingWill {
  timer: NodeJS.Timeout;
  will: Will;
  /** Session version when the connection ended: a later "connected" event cancels the will. */
  version: bigint;
  /** The connection that ended with it (KeepWills). */
  connectionId: string;
  /** When it is due (ms since the epoch). */
  dueAt: number;
}

/** What the wills need of their gateway. */
export interface WillHost {
  readonly logger: Logger;
  readonly bus: BusLimits;
  nextMessageId(): string;
  storeRetained(message: RoutedMessage): Promise<number>;
  route(message: RoutedMessage): void;
  emit: EmitGatewayEvent;
  /** A client's session events are read while its will waits (a connect cancels it). */
  watchClient(clientName: string, watching: boolean): void;
  /** Resolves once what was published has left for the NATS server (both connections). */
  flush(): Promise<unknown>;
}

export class Wills {
  private readonly pending = new Map<string, PendingWill>();

  constructor(private readonly host: WillHost) {}

  /** A delayed will of this client waits here. */
  has(clientName: string): boolean {
    return this.pending.has(clientName);
  }

  /** Publishes the will after `delaySeconds` unless the client connects again first. */
  schedule(
    clientName: string,
    will: Will,
    delaySeconds: number,
    version: bigint,
    connectionId: string,
  ): void {
    this.cancel(clientName);
    const timer = setTimeout(() => {
      this.pending.delete(clientName);
      this.host.watchClient(clientName, false);
      this.publish(clientName, will);
    }, delaySeconds * 1000);
    timer.unref();
    this.pending.set(clientName, {
      timer,
      will,
      version,
      connectionId,
      dueAt: Date.now() + delaySeconds * 1000,
    });
    // A connected event of the client (on any gateway) cancels it [MQTT-3.1.3-9].
    this.host.watchClient(clientName, true);
  }

  cancel(clientName: string): void {
    const pending = this.pending.get(clientName);
    if (!pending) return;
    clearTimeout(pending.timer);
    this.pending.delete(clientName);
    this.host.watchClient(clientName, false);
    this.host.emit('willCancelled', clientName);
  }

  /** A `connected` event newer than the ended connection cancels its delayed will. */
  connectedElsewhere(clientName: string, version: bigint): void {
    const pending = this.pending.get(clientName);
    // The client reconnected on another gateway within the will delay [MQTT-3.1.3-9].
    if (pending && version > pending.version) this.cancel(clientName);
  }

  /**
   * The gateway stops: its delayed wills are handed to the session-service (`keep`: KeepWills),
   * which keeps them until due (docs/mqtt.md, "Graceful drain"). A will whose session is gone is
   * published now; if the hand-over fails, every will goes now rather than being lost.
   */
  async handOver(
    keep: (wills: { clientName: string; connectionId: string; dueInMs: number }[]) => Promise<boolean[]>,
  ): Promise<void> {
    const entries = [...this.pending];
    if (entries.length === 0) return;
    for (const [, pending] of entries) clearTimeout(pending.timer);
    const now = Date.now();
    let kept: boolean[];
    try {
      kept = await keep(
        entries.map(([clientName, p]) => ({
          clientName,
          connectionId: p.connectionId,
          dueInMs: Math.max(0, p.dueAt - now),
        })),
      );
    } catch (err) {
      this.host.logger.warn('delayed wills not handed over: published now', { count: entries.length, err });
      kept = [];
    }
    entries.forEach(([clientName, pending], i) => {
      // Cancelled meanwhile (the client came back while the hand-over was on its way)?
      if (this.pending.get(clientName) !== pending) return;
      this.pending.delete(clientName);
      if (kept[i] === true) this.host.emit('willHandedOver', clientName);
      else this.publish(clientName, pending.will);
    });
  }

  /**
   * A will the cluster handed to this gateway (a lost connection's, lost-work.ts): published like
   * any will, and done once NATS has it (and JetStream, if it is retained).
   */
  async publishHandedOver(clientName: string, will: Will): Promise<void> {
    const stored = this.publish(clientName, will);
    // Routed already: a retained copy JetStream refused (logged by retained.ts) is not worth a
    // second delivery to every subscriber, so the item is done all the same.
    if (stored && !(await stored))
      this.host.logger.warn('retained will not stored', { clientName, topic: will.topic });
    // Flushed (the will left this process) before the work item is acknowledged; NATS gone
    // meanwhile: the item is done again rather than waiting here for its reconnection.
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('NATS flush timed out')), WILL_FLUSH_TIMEOUT_MS);
    });
    try {
      await Promise.race([this.host.flush(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Publishes a will now; with Will Retain, resolves with whether its retained copy was stored. */
  publish(clientName: string, will: Will): Promise<boolean> | undefined {
    const { host } = this;
    host.logger.info('publishing will', { clientName, topic: will.topic });
    const message: RoutedMessage = {
      id: host.nextMessageId(),
      topic: will.topic,
      payload: will.payload,
      qos: will.qos,
      retain: will.retain,
      properties: { ...will.properties, userProperties: [...will.properties.userProperties] },
      receivedAt: Date.now(),
    };
    // A will the bus cannot carry (set before the limits, or its properties too large) is not sent.
    const refusal = host.bus.messageRefusal(message);
    if (refusal) {
      host.logger.warn('will not published: the message bus cannot carry it', { clientName, ...refusal });
      host.emit('willRefused', clientName, will.topic, refusal.reason);
      return;
    }
    // A will with Will Retain 1 is published as a retained message [MQTT-3.1.2-17].
    let stored: Promise<boolean> | undefined;
    if (message.retain) {
      stored = host.storeRetained(message).then((code) => {
        if (code === ReasonCode.SUCCESS) host.emit('retainedStored', message.topic);
        return code === ReasonCode.SUCCESS;
      });
    }
    host.route(message);
    host.emit('willPublished', clientName, will.topic);
    return stored;
  }
}
