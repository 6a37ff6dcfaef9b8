// One live MQTT connection: its socket and parser, the cached session (with its version), the
// keep-alive timer, subscriptions, topic aliases and the outbound QoS 1/2 in-flight window.
// Packet handling itself lives in dispatcher.ts and packets/*.ts.
import { randomBytes } from 'node:crypto';
import * as mqtt from 'mqtt-packet';
import { ALLOW_ALL, type ClientAuthorization, type Logger, type Settings } from '@mqfleet/core';
import type { Session__Output } from '@mqfleet/proto';
import { skipOffBus } from './bus-limits';
import type { EndInfo, GatewayContext } from './context';
import type { ClientStream } from './listeners';
import { ReasonCode } from './reason-codes';
import { KeepAliveTimer } from './keep-alive';
import { pairsToUserProperties, remainingExpiry, type QoS, type RoutedMessage } from './message';
import {
  effectiveLimits,
  isBanned,
  settingsOf,
  UNLIMITED_CLIENT,
  willOf,
  type ClientLimits,
  type Will,
} from './settings';
import { match, optionsOf, sameOptions, type SubscriptionOptions } from './subscriptions';
import type { Resumed, SavedDelivery } from './queue';
import { isShared } from './shared';
import { ConnectionStatsTracker } from './stats';

export type ConnectionState = 'new' | 'opening' | 'open' | 'closed';
export type ProtocolVersion = 4 | 5;

export type { SubscriptionOptions } from './subscriptions';

/** A QoS 1/2 delivery waiting for a free slot in the in-flight window. */
export interface PendingDelivery {
  message: RoutedMessage;
  qos: 1 | 2;
  retain: boolean;
  subscriptionIds: number[];
}

/**
 * An outbound QoS 1/2 delivery holding a packet identifier until it is acknowledged:
 * "publish" = PUBLISH sent, waiting for PUBACK (QoS 1) or PUBREC (QoS 2); "pubrel" = QoS 2
 * PUBREL sent, waiting for PUBCOMP [MQTT-4.3.3]. Either counts against the client's Receive
 * Maximum until its exchange ends [MQTT-4.9.0-2].
 */
export interface InflightDelivery extends PendingDelivery {
  packetId: number;
  state: 'publish' | 'pubrel';
}

/**
 * What a connection hands to the gateway when it ends: its subscriptions and the QoS 1/2
 * deliveries not completed, so that a persistent session gets them back (queue.ts).
 */
export interface Handoff {
  subscriptions: Map<string, SubscriptionOptions>;
  saved: SavedDelivery[];
}

/** Message ids a connection remembers having sent (restore() skips them). */
const RECENT_IDS = 1024;

/** Deliveries queued behind a full in-flight window; beyond this the oldest are dropped. */
export const MAX_QUEUED_DELIVERIES = 10000;

export interface ConnectionCounters {
  droppedTooLarge: number;
  droppedExpired: number;
  droppedQueueFull: number;
}

export class Connection {
  readonly id = randomBytes(9).toString('base64url');
  state: ConnectionState = 'new';
  protocolVersion: ProtocolVersion = 4;
  clientName = '';
  username = '';
  /** What the client may publish and subscribe to; set at CONNECT (packets/connect.ts). */
  authorization: ClientAuthorization = ALLOW_ALL;
  /** The session as last applied, and its version (decimal string in the proto). */
  session: Session__Output | null = null;
  version = 0n;
  settings: Settings = settingsOf(null);
  /** What the client declared in CONNECT. */
  declared: ClientLimits = UNLIMITED_CLIENT;
  /** min(session setting, declared) — what the gateway honours when sending. */
  limits: ClientLimits = UNLIMITED_CLIENT;
  /** CONNECT Session Expiry Interval was 0 (MQTT 5 forbids raising it at DISCONNECT). */
  connectExpiryZero = false;
  /** The CONNECT resumed a present session (it gets the session's saved deliveries). */
  sessionResumed = false;
  /** A taken-over connection's deliveries were announced while this one was connecting. */
  queueReadyPending = false;
  /** OpenSession succeeded: CloseSession is owed when the connection ends. */
  sessionOpened = false;
  readonly subscriptions = new Map<string, SubscriptionOptions>();
  /**
   * Filters of the client's SUBSCRIBE being handled: packets/subscribe.ts sends their retained
   * messages after the SUBACK, so a session state that brings them meanwhile does not.
   */
  readonly subscribing = new Set<string>();
  /** MQTT 5 inbound topic aliases [MQTT-3.3.2.3.4]. */
  readonly inboundAliases = new Map<number, string>();
  /** Packet ids of inbound QoS 2 messages awaiting PUBREL [MQTT-4.3.3]. */
  readonly awaitingRelease = new Set<number>();
  /** Packets that arrived while OpenSession was running; dispatched after CONNACK. */
  readonly pending: mqtt.Packet[] = [];
  readonly counters: ConnectionCounters = { droppedTooLarge: 0, droppedExpired: 0, droppedQueueFull: 0 };
  /** Live statistics (describeMqSessions includeStats, session health): O(1) per message. */
  readonly stats = new ConnectionStatsTracker();
  readonly keepAlive: KeepAliveTimer;
  readonly parser = mqtt.parser({ protocolVersion: 4 });
  readonly log: Logger;

  private readonly outboundAliases = new Map<string, number>();
  private readonly inflight = new Map<number, InflightDelivery>();
  private readonly queue: PendingDelivery[] = [];
  /**
   * Messages offered between the session being opened and its offline queue being replayed
   * (restore): they are delivered after the queue, without those the queue held.
   */
  private buffered: RoutedMessage[] | undefined;
  /** Ids of the last messages sent here: a queue taken late does not deliver them again. */
  private readonly recent = new Set<string>();
  private nextPacketId = 1;
  /** Settles once every NATS interest added for the subscription table is known to the server. */
  private routingDone: Promise<void> = Promise.resolve();
  private subscriptionChain: Promise<void> = Promise.resolve();
  /** Publish acknowledgements waiting for a retained message to be stored, in packet order. */
  private ackChain: Promise<void> = Promise.resolve();
  private acksWaiting = 0;
  private ended: EndInfo | undefined;
  private finalized = false;

  constructor(
    readonly socket: ClientStream,
    readonly ctx: GatewayContext,
  ) {
    this.log = ctx.logger.child({ connectionId: this.id });
    this.keepAlive = new KeepAliveTimer(() => this.onKeepAliveExpired());
  }

  get banned(): boolean {
    return isBanned(this.settings);
  }

  /**
   * The keep alive in force: the session's, capped by the broker's maximum (a maximum also
   * replaces 0, "no keep alive") — MQTT 5 clients learn it as Server Keep Alive.
   */
  get keepAliveSeconds(): number {
    const max = this.ctx.limits.maxKeepAlive;
    const ka = this.settings.keepAliveSeconds;
    return max > 0 && (ka === 0 || ka > max) ? max : ka;
  }

  get inflightCount(): number {
    return this.inflight.size;
  }

  /**
   * Inbound QoS 1/2 PUBLISH packets the gateway has not finished acknowledging: QoS 2 until PUBREL
   * (PUBCOMP follows at once), QoS 1/2 whose PUBACK/PUBREC waits for JetStream (retained).
   */
  get unacknowledgedInbound(): number {
    return this.awaitingRelease.size + this.acksWaiting;
  }

  get queuedCount(): number {
    return this.queue.length;
  }

  /** The parser must know the protocol version for every packet after CONNECT. */
  setProtocolVersion(version: ProtocolVersion): void {
    this.protocolVersion = version;
    (this.parser as unknown as { settings: { protocolVersion: number } }).settings.protocolVersion = version;
  }

  // -------------------------------------------------------------------------------------------
  // Sending

  /** Writes a control packet; false when the socket is gone or the packet cannot be encoded. */
  send(packet: mqtt.Packet): boolean {
    if (this.socket.destroyed || !this.socket.writable) return false;
    const bytes = this.encode(packet);
    if (!bytes) return false;
    this.write(bytes);
    return true;
  }

  /** True while writes are being gathered for one flush at the end of this tick. */
  private corked = false;

  /**
   * Writes a packet. Packets written in the same tick (a burst of deliveries, an acknowledgement
   * with the next PUBLISH) leave in one write: the stream is corked at the first and uncorked on
   * the next tick, so the kernel sees one syscall per burst instead of one per packet.
   */
  private write(bytes: Buffer): void {
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    this.socket.write(bytes);
  }

  /** mqtt-packet throws on a packet it cannot encode; that must never take the process down. */
  private encode(packet: mqtt.Packet): Buffer | undefined {
    try {
      return mqtt.generate(packet, { protocolVersion: this.protocolVersion });
    } catch (err) {
      this.log.error('cannot encode packet', { cmd: packet.cmd, err });
      return undefined;
    }
  }

  /** end() was called: nothing more is read from the client. */
  get ending(): boolean {
    return this.ended !== undefined || this.finalized;
  }

  // -------------------------------------------------------------------------------------------
  // The session

  /**
   * Applies a session state if it is newer than the cached one (events are idempotent and
   * ordered by version). Returns true when it was applied.
   */
  applySession(session: Session__Output, source: string, force = false): boolean {
    const version = BigInt(session.version || '0');
    if (!force && version <= this.version) return false;
    const before = this.settings;
    this.session = session;
    this.version = version;
    this.settings = settingsOf(session);
    this.limits = effectiveLimits(this.settings, this.declared);
    if (this.state === 'open' && before.keepAliveSeconds !== this.settings.keepAliveSeconds) {
      // A changed keep-alive restarts the idle timer from now (DESIGN.md).
      this.keepAlive.set(this.keepAliveSeconds);
    }
    // Aliases above a lowered Topic Alias Maximum are no longer used [MQTT-3.3.2-9].
    for (const [topic, alias] of this.outboundAliases) {
      if (alias > this.limits.topicAliasMaximum) this.outboundAliases.delete(topic);
    }
    this.drain();
    const routed = this.syncSubscriptions(session, source);
    // The version is in force once its subscriptions can receive messages from every gateway.
    if (routed) {
      void routed.then(() =>
        this.ctx.emit('sessionApplied', this.clientName, session.version, source, this.id),
      );
    } else {
      this.ctx.emit('sessionApplied', this.clientName, session.version, source, this.id);
    }
    return true;
  }

  /**
   * Runs SUBSCRIBE/UNSUBSCRIBE handling one at a time, in packet order, so their changes reach the
   * store (and their acknowledgements the client) in the order the client sent them.
   */
  inOrder(work: () => Promise<void>): Promise<void> {
    const next = this.subscriptionChain.then(work);
    this.subscriptionChain = next.catch(() => undefined);
    return next;
  }

  /** Resolves once the NATS interest of every subscription applied so far is in place. */
  get routing(): Promise<void> {
    return this.routingDone;
  }

  /**
   * Makes the subscription table equal to the session's stored subscriptions (the gateway's own
   * change echoed back changes nothing). Returns a promise when new NATS interest was added.
   */
  private syncSubscriptions(session: Session__Output, source: string): Promise<void> | undefined {
    if (this.state === 'closed' || this.finalized) return undefined;
    const stored = new Map((session.subscriptions ?? []).map((s) => [s.topicFilter, optionsOf(s)]));
    const added: Promise<void>[] = [];
    /**
     * Subscriptions added or changed on the live connection by someone else than its client (an
     * administrator's subscribeToMq) get their retained messages per their Retain Handling
     * [MQTT-3.3.1-9..11]. A resumed session's subscriptions do not (CONNACK restores them).
     */
    const retainedFor: { filter: string; options: SubscriptionOptions }[] = [];
    for (const [filter, options] of stored) {
      if (skipOffBus(this, filter)) continue; // never installed (bus-limits.ts)
      const current = this.subscriptions.get(filter);
      if (current && sameOptions(current, options)) continue;
      this.subscriptions.set(filter, options);
      if (!current) added.push(this.ctx.addFilter(filter, this));
      if (
        source !== 'open' &&
        !isShared(filter) && // no retained messages for shared subscriptions (MQTT 5 §4.8.2)
        !this.subscribing.has(filter) &&
        (options.retainHandling === 0 || (options.retainHandling === 1 && !current))
      ) {
        retainedFor.push({ filter, options });
      }
    }
    if (retainedFor.length > 0) {
      // After the NATS interest is in place, like a SUBACK.
      void Promise.all([this.routingDone, ...added]).then(async () => {
        for (const { filter, options } of retainedFor) await this.sendRetained(filter, options);
      });
    }
    for (const filter of [...this.subscriptions.keys()]) {
      if (stored.has(filter)) continue;
      // A deleted subscription gets no new deliveries [MQTT-3.10.4-2].
      this.subscriptions.delete(filter);
      this.ctx.removeFilter(filter, this);
    }
    if (added.length === 0) return undefined;
    const done = Promise.all([this.routingDone, ...added]).then(
      () => undefined,
      () => undefined,
    );
    this.routingDone = done;
    return done;
  }

  /** The will as the session holds it right now. */
  currentWill(): Will | undefined {
    return willOf(this.settings);
  }

  // -------------------------------------------------------------------------------------------
  // Delivery (outbound PUBLISH)

  /**
   * Sends a publish acknowledgement once `stored` (a retained message reaching JetStream) settles,
   * and never before an earlier PUBLISH's acknowledgement [MQTT-4.6.0-2].
   */
  acknowledgeAfter(stored: Promise<boolean> | undefined, send: (ok: boolean) => void): void {
    if (!stored && this.acksWaiting === 0) {
      send(true);
      return;
    }
    this.acksWaiting++;
    this.ackChain = this.ackChain.then(async () => {
      const ok = stored ? await stored : true;
      this.acksWaiting--;
      if (this.state === 'open' && !this.ending) send(ok);
    });
  }

  /**
   * Sends the retained messages matching a subscription's filter with RETAIN 1 [MQTT-3.3.1-9],
   * at the lower of the message's and the subscription's QoS. Returns how many were sent.
   */
  async sendRetained(filter: string, options: SubscriptionOptions): Promise<number> {
    const messages = await this.ctx.readRetained(filter);
    let sent = 0;
    for (const message of messages) {
      if (this.state !== 'open' || this.banned || !this.subscriptions.has(filter)) break;
      const ids = options.identifier !== undefined ? [options.identifier] : [];
      this.deliver(message, Math.min(options.qos, message.qos) as QoS, true, ids);
      sent++;
    }
    this.ctx.emit('retainedDelivered', this.clientName, filter, sent);
    return sent;
  }

  /** Offers a routed message; delivers one copy if any subscription matches [MQTT-3.3.4-2]. */
  offer(message: RoutedMessage): void {
    if (this.buffered && this.state !== 'closed') {
      if (this.buffered.length < MAX_QUEUED_DELIVERIES) this.buffered.push(message);
      else this.counters.droppedQueueFull++;
      return;
    }
    if (this.state !== 'open' || this.banned) return;
    const m = match(
      this.subscriptions,
      message.topic,
      message.qos,
      message.retain,
      message.originConnectionId === this.id,
    );
    if (m) this.deliver(message, m.qos, m.retain, m.subscriptionIds);
  }

  /**
   * A message for one of this connection's shared subscriptions [MQTT-4.8.2], chosen by the
   * gateway among the group's members: delivered at min(subscription QoS, message QoS), with
   * RETAIN per Retain As Published. False when this connection cannot take it now.
   */
  offerShared(topicFilter: string, message: RoutedMessage): boolean {
    if (this.state !== 'open' || this.banned || this.buffered) return false;
    const sub = this.subscriptions.get(topicFilter);
    if (!sub) return false;
    const ids = sub.identifier !== undefined ? [sub.identifier] : [];
    const qos = Math.min(sub.qos, message.qos) as QoS;
    this.deliver(message, qos, sub.retainAsPublished && message.retain, ids);
    return true;
  }

  /**
   * From the moment the session is opened until restore(), offered messages are held back, so
   * that the offline queue goes first and nothing published meanwhile is lost.
   */
  holdDeliveries(): void {
    this.buffered ??= [];
    this.ctx.holdingDeliveries(this, true);
  }

  /**
   * After CONNACK: resends what was in flight when the session's previous connection ended, with
   * DUP 1 and the same packet identifiers (PUBREL for QoS 2 past PUBREC) [MQTT-4.4.0-1], then the
   * messages queued while it was offline [MQTT-3.1.2-5] (expired ones are dropped, the others carry
   * the remaining expiry [MQTT-3.3.2-5, MQTT-3.3.2-6]), then what arrived meanwhile.
   */
  restore(resumed: Resumed | undefined): void {
    const held = this.buffered ?? [];
    this.buffered = undefined;
    this.ctx.holdingDeliveries(this, false);
    if (this.state !== 'open') return;
    const delivered = new Set<string>();
    if (resumed && !this.banned) {
      for (const saved of resumed.saved) {
        delivered.add(saved.message.id);
        const id = saved.packetId;
        if (id !== undefined && !this.inflight.has(id) && this.inflight.size < this.limits.receiveMaximum) {
          const entry: InflightDelivery = { ...saved, packetId: id, state: saved.state ?? 'publish' };
          this.inflight.set(id, entry);
          if (entry.state === 'pubrel') this.send({ cmd: 'pubrel', messageId: id });
          else if (!this.sendPublish(saved.message, saved.qos, id, saved.retain, saved.subscriptionIds, true))
            this.inflight.delete(id);
        } else {
          // Not sent before, or beyond the window the client now allows: an ordinary delivery.
          this.deliver(saved.message, saved.qos, saved.retain, saved.subscriptionIds);
        }
      }
      for (const message of resumed.queued) {
        if (delivered.has(message.id) || this.recent.has(message.id)) continue;
        delivered.add(message.id);
        this.offer(message);
      }
      this.ctx.emit('queueRestored', this.clientName, resumed.saved.length, resumed.queued.length);
    }
    for (const message of held) if (!delivered.has(message.id)) this.offer(message);
    this.stats.backlogIs(this.queue.length + this.inflight.size);
  }

  private deliver(
    message: RoutedMessage,
    deliveryQos: QoS,
    retain: boolean,
    subscriptionIds: number[],
  ): void {
    if (deliveryQos === 0) {
      this.sendPublish(message, 0, undefined, retain, subscriptionIds);
      return;
    }
    const delivery: PendingDelivery = { message, qos: deliveryQos, retain, subscriptionIds };
    if (this.inflight.size < this.limits.receiveMaximum && this.queue.length === 0) {
      this.sendInflight(delivery);
    } else {
      if (this.queue.length >= MAX_QUEUED_DELIVERIES) {
        this.queue.shift();
        this.counters.droppedQueueFull++;
      }
      this.queue.push(delivery);
    }
    this.stats.backlogIs(this.queue.length + this.inflight.size);
  }

  /**
   * PUBACK from the client ends a QoS 1 delivery and frees its slot of the in-flight window
   * [MQTT-4.3.2, MQTT-4.9]. False when no QoS 1 delivery had that packet identifier.
   */
  acknowledge(packetId: number): boolean {
    const entry = this.inflight.get(packetId);
    if (!entry || entry.qos !== 1) return false;
    this.inflight.delete(packetId);
    this.drain();
    return true;
  }

  /**
   * PUBREC for a QoS 2 delivery [MQTT-4.3.3]: the message is now owned by the client; the
   * gateway answers PUBREL with the same packet identifier [MQTT-4.3.3-4] and keeps the slot
   * until PUBCOMP. A PUBREC reason code of 0x80 or more ends the exchange: no PUBREL, the
   * identifier and the slot are free [MQTT-4.3.3-4, MQTT-4.9.0-2]. Returns false for an unknown
   * packet identifier (MQTT 5: PUBREL 0x92 Packet Identifier not found).
   */
  received(packetId: number, reasonCode: number | undefined): boolean {
    const entry = this.inflight.get(packetId);
    if (!entry || entry.qos !== 2) {
      if (this.protocolVersion === 5 && (reasonCode ?? 0) < 0x80) {
        this.send({ cmd: 'pubrel', messageId: packetId, reasonCode: ReasonCode.PACKET_IDENTIFIER_NOT_FOUND });
      }
      return false;
    }
    if ((reasonCode ?? 0) >= 0x80) {
      this.inflight.delete(packetId);
      this.drain();
      return true;
    }
    // A repeated PUBREC (after PUBREL) is answered with PUBREL again.
    entry.state = 'pubrel';
    this.send({ cmd: 'pubrel', messageId: packetId });
    return true;
  }

  /** PUBCOMP ends a QoS 2 delivery [MQTT-4.3.3]; false when no PUBREL was waiting for it. */
  completed(packetId: number): boolean {
    const entry = this.inflight.get(packetId);
    if (!entry || entry.qos !== 2 || entry.state !== 'pubrel') return false;
    this.inflight.delete(packetId);
    this.drain();
    return true;
  }

  private drain(): void {
    while (
      this.state === 'open' &&
      this.queue.length > 0 &&
      this.inflight.size < this.limits.receiveMaximum
    ) {
      this.sendInflight(this.queue.shift()!);
    }
    this.stats.backlogIs(this.queue.length + this.inflight.size);
  }

  /**
   * Sends a QoS 1/2 PUBLISH with a free packet identifier [MQTT-2.2.1-3] and keeps it in flight
   * until it is acknowledged.
   */
  private sendInflight(delivery: PendingDelivery): void {
    const packetId = this.allocatePacketId();
    if (packetId === undefined) {
      this.queue.unshift(delivery);
      return;
    }
    const { message, qos, retain, subscriptionIds } = delivery;
    this.inflight.set(packetId, { ...delivery, packetId, state: 'publish' });
    // A packet that cannot be sent counts as sent [MQTT-3.1.2-25]: free its slot.
    if (!this.sendPublish(message, qos, packetId, retain, subscriptionIds)) this.inflight.delete(packetId);
  }

  private allocatePacketId(): number | undefined {
    for (let i = 0; i < 65535; i++) {
      const id = this.nextPacketId;
      this.nextPacketId = id === 65535 ? 1 : id + 1;
      if (!this.inflight.has(id)) return id;
    }
    return undefined;
  }

  /** Builds and writes one PUBLISH; false when it was dropped (expired, too large, socket gone). */
  private sendPublish(
    message: RoutedMessage,
    qos: QoS,
    packetId: number | undefined,
    retain: boolean,
    subscriptionIds: number[],
    dup = false,
  ): boolean {
    const remaining = remainingExpiry(message);
    if (remaining !== undefined && remaining <= 0) {
      // Expired messages are not delivered [MQTT-3.3.2-5].
      this.counters.droppedExpired++;
      return false;
    }
    const packet: mqtt.IPublishPacket = {
      cmd: 'publish',
      topic: message.topic,
      payload: message.payload,
      qos,
      dup, // 1 only when resending [MQTT-3.3.1-1, MQTT-3.3.1-3]
      retain,
    };
    if (packetId !== undefined) packet.messageId = packetId;
    let newAlias: number | undefined;
    if (this.protocolVersion === 5) {
      const p = message.properties;
      const properties: NonNullable<mqtt.IPublishPacket['properties']> = {};
      const userProperties = pairsToUserProperties(p.userProperties);
      if (userProperties) properties.userProperties = userProperties;
      if (p.contentType !== undefined) properties.contentType = p.contentType;
      if (p.correlationData !== undefined) properties.correlationData = p.correlationData;
      if (p.responseTopic !== undefined) properties.responseTopic = p.responseTopic;
      if (p.payloadFormatIndicator !== undefined)
        properties.payloadFormatIndicator = p.payloadFormatIndicator;
      if (remaining !== undefined) properties.messageExpiryInterval = remaining;
      if (subscriptionIds.length > 0) {
        properties.subscriptionIdentifier =
          subscriptionIds.length === 1 ? subscriptionIds[0]! : subscriptionIds;
      }
      if (this.limits.topicAliasMaximum > 0) {
        const alias = this.outboundAliases.get(message.topic);
        if (alias !== undefined) {
          properties.topicAlias = alias;
          packet.topic = '';
        } else if (this.outboundAliases.size < this.limits.topicAliasMaximum) {
          newAlias = this.freeAlias();
          if (newAlias !== undefined) properties.topicAlias = newAlias;
        }
      }
      if (Object.keys(properties).length > 0) packet.properties = properties;
    }
    const bytes = this.encode(packet);
    if (!bytes) return false;
    if (bytes.length > this.limits.maximumPacketSize) {
      // Never larger than the client (or its session) allows [MQTT-3.1.2-24]; discard it.
      this.counters.droppedTooLarge++;
      this.ctx.emit('packetDropped', this.clientName, 'too large', bytes.length);
      return false;
    }
    if (this.socket.destroyed || !this.socket.writable) return false;
    if (newAlias !== undefined) this.outboundAliases.set(message.topic, newAlias);
    this.write(bytes);
    this.recent.add(message.id);
    if (this.recent.size > RECENT_IDS) this.recent.delete(this.recent.values().next().value!);
    this.stats.received.add(Date.now());
    return true;
  }

  private freeAlias(): number | undefined {
    const used = new Set(this.outboundAliases.values());
    for (let alias = 1; alias <= this.limits.topicAliasMaximum; alias++) if (!used.has(alias)) return alias;
    return undefined;
  }

  // -------------------------------------------------------------------------------------------
  // Ending

  /**
   * Ends the connection: an MQTT 5 client first gets DISCONNECT with the reason code (only
   * after a successful CONNACK [MQTT-3.14.0-1]). The first call decides how it ended.
   */
  end(info: EndInfo, disconnectReasonCode?: number, reasonString?: string): void {
    if (this.ended || this.finalized) return;
    this.ended = info;
    this.keepAlive.stop();
    if (disconnectReasonCode !== undefined && this.protocolVersion === 5 && this.state === 'open') {
      const packet: mqtt.IDisconnectPacket = { cmd: 'disconnect', reasonCode: disconnectReasonCode };
      if (reasonString) packet.properties = { reasonString };
      this.send(packet);
    }
    this.socket.end();
    // A client that does not close its side promptly is cut off.
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  /** The socket closed: releases everything and reports the end once. */
  finalize(): void {
    if (this.finalized) return;
    this.finalized = true;
    const info = this.ended ?? { reason: 'connection lost', clean: false, publishWill: true };
    const wasOpen = this.state === 'open';
    this.state = 'closed';
    this.keepAlive.stop();
    this.buffered = undefined;
    this.ctx.holdingDeliveries(this, false);
    // Deliveries not completed, in the order they were sent, for the session's next connection.
    const saved: SavedDelivery[] = [
      ...[...this.inflight.values()].map((d) => ({ ...d })),
      ...this.queue.map((d) => ({ ...d })),
    ];
    const subscriptions = new Map(this.subscriptions);
    this.subscriptions.clear();
    this.queue.length = 0;
    this.inflight.clear();
    if (this.sessionOpened) {
      const will = wasOpen && info.publishWill && !this.banned ? this.currentWill() : undefined;
      // The gateway releases the NATS interest of the subscriptions (after parking the session).
      this.ctx.connectionEnded(this, info, will, { subscriptions, saved });
    } else {
      for (const filter of subscriptions.keys()) this.ctx.removeFilter(filter, this);
    }
  }

  private onKeepAliveExpired(): void {
    this.log.info('keep-alive timeout', {
      clientName: this.clientName,
      keepAlive: this.keepAlive.keepAliveSeconds,
    });
    this.end(
      { reason: 'keep-alive timeout', clean: false, publishWill: true },
      ReasonCode.KEEP_ALIVE_TIMEOUT,
      'keep alive timeout',
    );
  }
}
