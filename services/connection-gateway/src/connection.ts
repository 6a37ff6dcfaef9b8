// One live MQTT connection: its socket and parser, the cached session (with its version), the
// keep-alive timer, subscriptions and inbound topic aliases. What it sends (the QoS 1/2 in-flight
// window, the queue, the outbound budget) is outbound.ts; packet handling itself lives in
// dispatcher.ts and packets/*.ts.
import type { Parser } from './parser';
import type { LimitRefusal } from './connection-limits';
import * as mqtt from 'mqtt-packet';
import { Socket } from 'node:net';
import {
  ALLOW_ALL,
  type ClientAuthorization,
  type Logger,
  type Settings,
  type SubscribeGrant,
} from '@mqfleet/core';
import type { Session__Output } from '@mqfleet/proto';
import { skipOffBus } from './bus-limits';
import type { EndInfo, GatewayContext } from './context';
import type { ClientStream } from './listeners';
import { ReasonCode } from './reason-codes';
import { keepAliveInForce, KeepAliveTimer } from './keep-alive';
import { sizeOf, type QoS, type RoutedMessage } from './message';
import { Outbound, READ_OPENING, READ_OUTPUT_FULL } from './outbound';
import {
  effectiveLimits,
  isBanned,
  settingsOf,
  shared,
  UNLIMITED_CLIENT,
  willOf,
  type ClientLimits,
  type Will,
} from './settings';
import { match, optionsOf, sameOptions, type SubscriptionOptions } from './subscriptions';
import type { Resumed, SavedDelivery } from './queue';
import { isShared, parseShared, READ_DENIED } from './shared';
import { storeSubscriptions } from './packets/store-subscriptions';
import { ConnectionStatsTracker, type OutboundNow } from './stats';
import { Confirmation, confirmWith } from './confirmation';

export type { InflightDelivery, PendingDelivery } from './outbound';

export type ConnectionState = 'new' | 'opening' | 'open' | 'closed';
export type ProtocolVersion = 4 | 5;

export type { SubscriptionOptions } from './subscriptions';

/**
 * What a connection hands to the gateway when it ends: its subscriptions and the QoS 1/2
 * deliveries not completed, so that a persistent session gets them back (queue.ts).
 */
export interface Handoff {
  subscriptions: Map<string, SubscriptionOptions>;
  saved: SavedDelivery[];
}

/**
 * The empty list every connection starts with instead of its own (pending, inbox, replies): an
 * idle connection keeps no array of its own. Never pushed to: a list is made at its first entry.
 */
export const NO_PACKETS: mqtt.Packet[] = [];
const NO_REPLIES: Reply[] = [];
/** Settled: the routing of a connection that subscribed nothing. */
const ROUTED: Promise<void> = Promise.resolve();

interface Reply {
  confirmation: Confirmation | undefined;
  send: (code: number) => void;
  /** QoS of the PUBLISH it answers (0: not a PUBLISH). */
  qos: number;
}

/** What mqtt-packet's parser keeps of a CONNECT (setProtocolVersion), one object per level. */
export const PARSER_V4: ParserSettings = Object.freeze({ protocolVersion: 4 });
export const PARSER_V5: ParserSettings = Object.freeze({ protocolVersion: 5 });

/** The settings mqtt-packet's parser reads after CONNECT. */
export interface ParserSettings {
  readonly protocolVersion: number;
}

/** The subscriptions of a connection that has none (never changed). */
const NO_SUBSCRIPTIONS: ReadonlyMap<string, SubscriptionOptions> = new Map();

/** The settings of a connection before its session is applied (one object for all). */
const NO_SETTINGS: Settings = settingsOf(null);

/** Connections opened by this process (their ids). */
let connectionCounter = 0;

/** end() waits at most this long for acknowledgements owed before it closes the connection. */
const CLOSE_AFTER_REPLIES_MS = 250;

/** While the session is opened, reading pauses once this many packets wait (or maxPacketSize bytes). */
const MAX_PENDING_PACKETS = 100;

/** A version in force at once (no new NATS interest to wait for). */
const IN_FORCE: Promise<void> = Promise.resolve();

export class Connection {
  /**
   * `<gateway run>.<counter>`: the session-service tells the connections of an earlier run apart.
   * A connection that resumes a session from the gateway's hold takes the id of the connection
   * that held it (resume-hold.ts), which the stored session still names.
   */
  id: string;
  state: ConnectionState = 'new';
  protocolVersion: ProtocolVersion = 4;
  clientName = '';
  username = '';
  /** What the client may publish and subscribe to; set at CONNECT (packets/connect.ts). */
  authorization: ClientAuthorization = ALLOW_ALL;
  /**
   * The session as last applied (what the gateway reads of it: retained()), and its version
   * (decimal string in the proto).
   */
  session: Session__Output | null = null;
  version = 0n;
  settings: Settings = NO_SETTINGS;
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
  /**
   * The subscriptions in force on this connection (read-only: changed by subscribe, unsubscribe
   * and syncSubscriptions). One shared empty map until the first: an empty Map was about 450
   * bytes of every idle connection (bench/mqtt-load.ts idle-memory).
   */
  get subscriptions(): ReadonlyMap<string, SubscriptionOptions> {
    return this.subscriptionMap ?? NO_SUBSCRIPTIONS;
  }
  private subscriptionMap: Map<string, SubscriptionOptions> | undefined;
  /**
   * The subscriptions (filters as in the table) whose messages are checked against the read rules
   * one by one, because the rules let the client read only some of their topics (authorization.ts,
   * "check"). Undefined while there is none: a connection without them pays one comparison per
   * message.
   */
  private readChecked: Set<string> | undefined;
  /** MQTT 5 inbound topic aliases [MQTT-3.3.2.3.4]. */
  get inboundAliases(): Map<number, string> {
    return (this.inboundAliasMap ??= new Map());
  }
  private inboundAliasMap: Map<number, string> | undefined;
  /** Packet ids of inbound QoS 2 messages awaiting PUBREL [MQTT-4.3.3]. */
  get awaitingRelease(): Set<number> {
    return (this.awaitingReleaseIds ??= new Set());
  }
  /** Created by first use, as the maps below (an idle connection keeps none). */
  private awaitingReleaseIds: Set<number> | undefined;
  /** Packets that arrived while OpenSession was running; dispatched after CONNACK. */
  pending: mqtt.Packet[] = NO_PACKETS;
  /** Live statistics (describeMqSessions includeStats, session health): O(1) per message. */
  readonly stats = new ConnectionStatsTracker();
  readonly keepAlive: KeepAliveTimer;
  /**
   * The parser holding the part of a packet read so far; none between packets (an idle
   * connection keeps none: dispatcher.ts lends one per chunk read).
   */
  parser: Parser | undefined = undefined;
  /** The parser settings of this connection's protocol level (setProtocolVersion). */
  parserSettings: ParserSettings = PARSER_V4;
  private connectionLog: Logger | undefined;

  /**
   * The connection's log lines carry its connection id. Not a pino child per connection (about
   * 600 bytes each, kept by every idle connection): the fields are added per line.
   */
  get log(): Logger {
    return (this.connectionLog ??= new ConnectionLog(this.ctx.logger, this.id));
  }

  /** What the connection sends, and the bounds of what it holds for the client (outbound.ts). */
  readonly out: Outbound;
  /**
   * Messages offered between the session being opened and its offline queue being replayed
   * (restore): they are delivered after the queue, without those the queue held. Bounded like
   * the queue; `bufferedBytes` is their sizeOf().
   */
  private buffered: RoutedMessage[] | undefined;
  private bufferedBytes = 0;
  /** READ_* reasons reading from the socket is paused for; 0 = reading. */
  private readHolds = 0;
  /** Bytes (remaining lengths) of the packets in `pending`. */
  private pendingBytes = 0;
  /** Settles once every NATS interest added for the subscription table is known to the server. */
  private routingDone: Promise<void> = ROUTED;
  /**
   * The client's subscription changes the session-service has not stored yet (writer.ts), by
   * filter: the options subscribed, or null when unsubscribed. A stored session state does not
   * undo them (syncSubscriptions); each entry goes once the write that carries it has landed.
   */
  private unsavedMap: Map<string, { options: SubscriptionOptions | null; seq: number }> | undefined;
  private unsavedSeq = 0;
  /**
   * Acknowledgements owed to the client, in the order of the packets they answer [MQTT-4.6.0-2]:
   * each is sent once its confirmation has settled and every earlier one is sent.
   */
  private replies: Reply[] = NO_REPLIES;
  /** Inbound QoS 1 / QoS 2 PUBLISH packets whose PUBACK / PUBREC waits in `replies`. */
  private qos1Waiting = 0;
  private qos2Waiting = 0;
  /**
   * Packets read while the inbound window is full of PUBLISH packets whose acknowledgements wait
   * for the bus: they are handled, in order, as the window frees (dispatcher.ts), and the socket
   * is not read meanwhile (back-pressure instead of DISCONNECT 0x93 for what is the gateway's
   * own delay).
   */
  inbox: mqtt.Packet[] = NO_PACKETS;
  /**
   * Over a connection limit when accepted (connection-limits.ts): its CONNECT is refused and
   * nothing else is done for it.
   */
  limitRefusal: LimitRefusal | undefined = undefined;
  /** The address it counts against in the connection limits, once admitted. */
  limitAddress: string | undefined = undefined;
  /** Until CONNECT arrives: the connection is cut off without one (dispatcher.ts). */
  connectTimer: NodeJS.Timeout | undefined = undefined;
  /** Set by the dispatcher: handles the inbox once acknowledgements went out. */
  onWindowFreed: (() => void) | undefined;
  private ended: EndInfo | undefined;
  private finalized = false;

  constructor(
    readonly socket: ClientStream,
    readonly ctx: GatewayContext,
  ) {
    // Unique within the run (a counter: random bytes were 2 % of the CPU of a connect storm).
    this.id = `${ctx.instance}.${(++connectionCounter).toString(36)}`;
    this.keepAlive = new KeepAliveTimer(this);
    this.out = new Outbound(this);
  }

  get banned(): boolean {
    return isBanned(this.settings);
  }

  /**
   * The keep alive in force: the session's, capped by the broker's maximum (a maximum also
   * replaces 0, "no keep alive") — MQTT 5 clients learn it as Server Keep Alive.
   */
  get keepAliveSeconds(): number {
    return keepAliveInForce(this.settings.keepAliveSeconds, this.ctx.limits.maxKeepAlive);
  }

  get inflightCount(): number {
    return this.out.inflightCount;
  }

  /**
   * Inbound QoS 1/2 PUBLISH packets the gateway has not finished acknowledging: QoS 2 until PUBREL
   * (PUBCOMP follows at once), QoS 1/2 whose PUBACK/PUBREC waits for JetStream (retained).
   */
  get unacknowledgedInbound(): number {
    return (this.awaitingReleaseIds?.size ?? 0) + this.qos1Waiting;
  }

  /** Inbound QoS 1/2 PUBLISH packets whose acknowledgement waits for the bus to confirm them. */
  get waitingForBus(): number {
    return this.qos1Waiting + this.qos2Waiting;
  }

  get queuedCount(): number {
    return this.out.queuedCount;
  }

  /** What the connection holds for its client now (describeMqSessions stats). */
  outboundNow(): OutboundNow {
    return this.out.now();
  }

  /** The parser must know the protocol version for every packet after CONNECT. */
  setProtocolVersion(version: ProtocolVersion): void {
    this.protocolVersion = version;
    // mqtt-packet's parser keeps the whole CONNECT packet as its settings (user name, password,
    // will, properties) for the life of the connection, and reads only protocolVersion of it
    // after that (bridgeMode too, for protocol levels this gateway refuses): it keeps that alone.
    this.parserSettings = version === 5 ? PARSER_V5 : PARSER_V4;
    if (this.parser) (this.parser as unknown as { settings: ParserSettings }).settings = this.parserSettings;
  }

  // -------------------------------------------------------------------------------------------
  // Sending

  /** Writes a control packet (outbound.ts); false when the socket is gone or it cannot be encoded. */
  send(packet: mqtt.Packet): boolean {
    return this.out.send(packet);
  }

  /** Stops reading from the client for `reason` (READ_* of outbound.ts) until releaseReading. */
  holdReading(reason: number): void {
    if (this.readHolds & reason) return;
    if (this.readHolds === 0) this.socket.pause();
    this.readHolds |= reason;
  }

  releaseReading(reason: number): void {
    if (!(this.readHolds & reason)) return;
    this.readHolds &= ~reason;
    if (this.readHolds === 0 && !this.socket.destroyed) this.socket.resume();
    // Nothing was read meanwhile: the idle time starts again now.
    if (reason === READ_OUTPUT_FULL && this.state === 'open' && !this.ending) this.keepAlive.touch();
  }

  /**
   * A packet that arrived while OpenSession runs waits in `pending`; reading pauses once
   * MAX_PENDING_PACKETS or maxPacketSize bytes wait (the dispatcher resumes it after CONNACK).
   */
  holdPending(packet: mqtt.Packet): void {
    if (this.pending === NO_PACKETS) this.pending = [];
    this.pending.push(packet);
    this.pendingBytes += (packet as { length?: number }).length ?? 0;
    if (this.pending.length >= MAX_PENDING_PACKETS || this.pendingBytes >= this.ctx.maxPacketSize)
      this.holdReading(READ_OPENING);
  }

  /** The packets that waited for the session were handled: reading goes on. */
  pendingHandled(): void {
    this.pending = NO_PACKETS;
    this.pendingBytes = 0;
    this.releaseReading(READ_OPENING);
  }

  /** end() was called: nothing more is read from the client. */
  get ending(): boolean {
    return this.ended !== undefined || this.finalized;
  }

  // -------------------------------------------------------------------------------------------
  // The session

  /**
   * Applies a session state if it is newer than the cached one (events are idempotent and
   * ordered by version). Returns undefined when it was not newer, otherwise a promise that
   * resolves when the version is in force: its subscriptions can receive messages from every
   * gateway. Callers go through SessionSync.apply (session-sync.ts), which confirms it.
   */
  applySession(session: Session__Output, source: string, force = false): Promise<void> | undefined {
    const version = BigInt(session.version || '0');
    if (!force && version <= this.version) return undefined;
    const before = this.settings;
    this.settings = settingsOf(session);
    this.session = retained(session, this.settings);
    this.version = version;
    this.limits = effectiveLimits(this.settings, this.declared);
    if (this.state === 'open' && before.keepAliveSeconds !== this.settings.keepAliveSeconds) {
      // A changed keep-alive restarts the idle timer from now (docs/live-effects.md).
      this.keepAlive.set(this.keepAliveSeconds);
    }
    // Aliases above a lowered Topic Alias Maximum are no longer used [MQTT-3.3.2-9].
    this.out.pruneAliases(this.limits.topicAliasMaximum);
    this.out.drain();
    return this.syncSubscriptions(session, source) ?? IN_FORCE;
  }

  /**
   * The settings of a session that is not stored yet (a CONNECT answered before its OpenSession
   * landed, packets/connect.ts): version 0 until the stored session is applied.
   */
  useSettings(settings: Settings): void {
    settings = shared(settings);
    this.settings = settings;
    this.limits = effectiveLimits(settings, this.declared);
  }

  /** Resolves once the NATS interest of every subscription applied so far is in place. */
  get routing(): Promise<void> {
    return this.routingDone;
  }

  /**
   * The client subscribes a filter (packets/subscribe.ts): in force at once for every message the
   * gateway routes from now on (the filter index), and for messages of other gateways once
   * `confirmation` settles (the NATS server knows the interest). The session-service stores it
   * behind (unsaved until then). Returns the sequence number of the change.
   */
  subscribe(
    filter: string,
    options: SubscriptionOptions,
    confirmation: Confirmation,
    grant?: SubscribeGrant,
  ): number {
    const current = this.subscriptions.get(filter);
    (this.subscriptionMap ??= new Map()).set(filter, options);
    if (!current) {
      this.checkReads(filter, grant);
      const routed = this.ctx.addFilter(filter, this);
      this.routingDone = Promise.all([this.routingDone, routed]).then(
        () => undefined,
        () => undefined,
      );
      confirmWith(confirmation, routed, () => ReasonCode.UNSPECIFIED_ERROR);
    }
    return this.markUnsaved(filter, options);
  }

  /** The client unsubscribes a filter: no new deliveries from now on [MQTT-3.10.4-2]. */
  unsubscribe(filter: string): number {
    if (this.subscriptionMap?.delete(filter)) {
      this.ctx.removeFilter(filter, this);
      this.stopCheckingReads(filter);
    }
    return this.markUnsaved(filter, null);
  }

  /**
   * A new subscription's messages are checked one by one unless the rules let the client read
   * every topic of its filter. `grant`: the SUBSCRIBE's answer; otherwise (a stored subscription,
   * or one an administrator added) asked here, and one the rules refuse is checked too, which
   * delivers it nothing.
   */
  private checkReads(filter: string, grant?: SubscribeGrant): void {
    if (this.authorization === ALLOW_ALL) return;
    grant ??= this.authorization.subscription(parseShared(filter)?.filter ?? filter);
    if (grant === 'allow') this.stopCheckingReads(filter);
    else (this.readChecked ??= new Set()).add(filter);
  }

  private stopCheckingReads(filter: string): void {
    if (this.readChecked?.delete(filter) && this.readChecked.size === 0) this.readChecked = undefined;
  }

  /**
   * May a message on `topic`, matched by `filter` (any filter of the table when undefined), be
   * delivered? False, counted, when the read rules deny it (authorization.ts).
   */
  private mayRead(topic: string, filter?: string): boolean {
    const checked = this.readChecked;
    if (checked === undefined || (filter !== undefined && !checked.has(filter))) return true;
    if (this.authorization.mayRead(topic)) return true;
    this.ctx.readDenied(this, topic);
    return false;
  }

  private markUnsaved(filter: string, options: SubscriptionOptions | null): number {
    const seq = ++this.unsavedSeq;
    (this.unsavedMap ??= new Map()).set(filter, { options, seq });
    return seq;
  }

  /** The session-service stored these changes (filter, sequence number): they are no longer overlaid. */
  saved(changes: [string, number][]): void {
    for (const [filter, seq] of changes) {
      if (this.unsavedMap?.get(filter)?.seq === seq) this.unsavedMap.delete(filter);
    }
  }

  /**
   * Makes the subscription table equal to the session's stored subscriptions with the client's
   * own changes not stored yet on top (the gateway's own change echoed back changes nothing).
   * Returns a promise when new NATS interest was added.
   */
  private syncSubscriptions(session: Session__Output, source: string): Promise<void> | undefined {
    if (this.state === 'closed' || this.finalized) return undefined;
    const stored = new Map((session.subscriptions ?? []).map((s) => [s.topicFilter, optionsOf(s)]));
    for (const [filter, { options }] of this.unsavedMap ?? []) {
      if (options) stored.set(filter, options);
      else stored.delete(filter);
    }
    const refused = this.checkStoredSubscriptions(stored);
    const added: Promise<void>[] = [];
    /**
     * Subscriptions added or changed on the live connection by someone else than its client (an
     * administrator's subscribeToMq) get their retained messages per their Retain Handling
     * [MQTT-3.3.1-9..11]. A resumed session's subscriptions do not (CONNACK restores them), also
     * when it is resumed from the gateway's hold (source 'hold', resume-hold.ts).
     */
    const retainedFor: { filter: string; options: SubscriptionOptions }[] = [];
    for (const [filter, options] of stored) {
      if (skipOffBus(this, filter)) continue; // never installed (bus-limits.ts)
      const current = this.subscriptions.get(filter);
      if (current && sameOptions(current, options)) continue;
      (this.subscriptionMap ??= new Map()).set(filter, options);
      if (!current) {
        this.checkReads(filter);
        added.push(this.ctx.addFilter(filter, this));
      }
      if (
        source !== 'open' &&
        source !== 'hold' &&
        !isShared(filter) && // no retained messages for shared subscriptions (MQTT 5 §4.8.2)
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
      this.subscriptionMap?.delete(filter);
      this.ctx.removeFilter(filter, this);
      this.stopCheckingReads(filter);
    }
    if (refused.length > 0) this.dropRefused(refused, source);
    if (added.length === 0) return undefined;
    const done = Promise.all([this.routingDone, ...added]).then(
      () => undefined,
      () => undefined,
    );
    this.routingDone = done;
    return done;
  }

  /**
   * Subscriptions of the stored session checked as a SUBSCRIBE is (packets/subscribe.ts), against
   * the rules in force now rather than those of the day they were made (docs/configuration.md,
   * "Authorization rules"): a filter the client's rules refuse is taken out of `stored` (never
   * installed, removed if it was) and returned; a QoS above the server's maximum is lowered to it.
   */
  private checkStoredSubscriptions(stored: Map<string, SubscriptionOptions>): string[] {
    const refused: string[] = [];
    const { maximumQos } = this.ctx.limits;
    for (const [filter, options] of stored) {
      if (!this.authorization.maySubscribe(parseShared(filter)?.filter ?? filter)) {
        refused.push(filter);
        stored.delete(filter);
      } else if (options.qos > maximumQos) {
        stored.set(filter, { ...options, qos: maximumQos as QoS });
      }
    }
    return refused;
  }

  /**
   * Stored subscriptions the rules no longer allow are dropped: logged, announced
   * (`subscriptionsDropped`) and removed from the stored session like an UNSUBSCRIBE, so that the
   * session says what is in force.
   */
  private dropRefused(refused: string[], source: string): void {
    this.log.warn('stored subscriptions refused by the authorization rules: dropped', {
      clientName: this.clientName,
      filters: refused.slice(0, 20),
      count: refused.length,
      source,
    });
    this.ctx.emit('subscriptionsDropped', this.clientName, refused);
    const changes = refused.map((filter): [string, number] => [filter, this.markUnsaved(filter, null)]);
    storeSubscriptions(this, { remove: refused }, changes);
  }

  /** The will as the session holds it right now. */
  currentWill(): Will | undefined {
    return willOf(this.settings);
  }

  // -------------------------------------------------------------------------------------------
  // Delivery (outbound PUBLISH)

  /** A confirmation whose settling sends the acknowledgements that wait for it (reply()). */
  confirmation(): Confirmation {
    return new Confirmation((this.replier ??= () => this.sendReplies()));
  }

  /**
   * Sends an acknowledgement once `confirmation` (if any) has settled, with its reason code (0:
   * every part succeeded), and never before the acknowledgements of earlier packets
   * [MQTT-4.6.0-2]. `qos`: the QoS of the PUBLISH it answers (counted in the inbound window).
   */
  reply(confirmation: Confirmation | undefined, send: (code: number) => void, qos = 0): void {
    if ((!confirmation || confirmation.settled) && this.replies.length === 0) {
      send(confirmation?.code ?? 0);
      return;
    }
    if (qos === 1) this.qos1Waiting++;
    else if (qos === 2) this.qos2Waiting++;
    if (this.replies === NO_REPLIES) this.replies = [];
    this.replies.push({ confirmation, send, qos });
  }

  /** sendReplies for confirmations, made at the first (an idle connection keeps no closure). */
  private replier: (() => void) | undefined;

  private sendReplies(): void {
    let freed = false;
    while (this.replies.length > 0) {
      const head = this.replies[0]!;
      if (head.confirmation && !head.confirmation.settled) break;
      this.replies.shift();
      if (head.qos === 1) this.qos1Waiting--;
      else if (head.qos === 2) this.qos2Waiting--;
      freed ||= head.qos > 0;
      if (this.state === 'open' && !this.finalized) head.send(head.confirmation?.code ?? 0);
    }
    if (this.replies.length === 0) this.closing?.();
    if (freed && this.inbox.length > 0) this.onWindowFreed?.();
  }

  /** Set by end(): closes the connection once the acknowledgements owed have been sent. */
  private closing: (() => void) | undefined;

  /**
   * Sends the retained messages matching a subscription's filter with RETAIN 1 [MQTT-3.3.1-9],
   * at the lower of the message's and the subscription's QoS. Returns how many were sent.
   */
  async sendRetained(filter: string, options: SubscriptionOptions): Promise<number> {
    const messages = await this.ctx.readRetained(filter);
    let sent = 0;
    for (const message of messages) {
      // At the pace the client reads: QoS 0 retained messages are not dropped for the budget.
      if (!this.out.hasRoom) await this.out.room();
      if (this.state !== 'open' || this.banned || !this.subscriptions.has(filter)) break;
      if (!this.mayRead(message.topic, filter)) continue;
      const ids = options.identifier !== undefined ? [options.identifier] : [];
      this.deliver(message, Math.min(options.qos, message.qos) as QoS, true, ids);
      sent++;
    }
    this.ctx.emit('retainedDelivered', this.clientName, filter, sent);
    return sent;
  }

  /** Offers a routed message; delivers one copy if any subscription matches [MQTT-3.3.4-2]. */
  offer(message: RoutedMessage): void {
    const buffering = this.buffered !== undefined && this.state !== 'closed';
    if (!buffering && (this.state !== 'open' || this.banned)) return;
    const m = match(
      this.subscriptions,
      message.topic,
      message.qos,
      message.retain,
      message.originConnectionId === this.id,
    );
    if (!m) return;
    // Held back messages are offered again by restore(), and checked then.
    if (buffering) this.buffer(message);
    else if (this.mayRead(message.topic)) this.deliver(message, m.qos, m.retain, m.subscriptionIds);
  }

  /**
   * Holds a message until restore() (restore offers it again, matched against the subscriptions
   * then). At most MQFLEET_MAX_QUEUED_MESSAGES / MQFLEET_MAX_QUEUED_BYTES; beyond, what goes is
   * MQFLEET_QUEUE_FULL_POLICY's choice as for the connection's queue: the oldest held ones
   * (drop-oldest), else this one (drop-newest, and disconnect: no DISCONNECT before CONNACK
   * [MQTT-3.14.0-1]). Every drop is counted.
   */
  private buffer(message: RoutedMessage): void {
    const buffered = this.buffered!;
    const size = sizeOf(message);
    const full = (): boolean =>
      buffered.length >= this.out.maxQueued ||
      (this.bufferedBytes > 0 && this.bufferedBytes + size > this.out.maxQueuedBytes);
    if (full() && this.ctx.limits.queueFullPolicy === 'drop-oldest') {
      let dropped = 0;
      while (buffered.length > 0 && full()) {
        this.bufferedBytes -= sizeOf(buffered.shift()!);
        dropped++;
      }
      if (dropped > 0) this.stats.droppedSlow('queueFull', dropped);
    }
    if (full()) {
      this.stats.droppedSlow('queueFull');
      return;
    }
    buffered.push(message);
    this.bufferedBytes += size;
  }

  /**
   * A message for one of this connection's shared subscriptions [MQTT-4.8.2], chosen by the
   * gateway among the group's members: delivered at min(subscription QoS, message QoS), with
   * RETAIN per Retain As Published. False when this connection cannot take it now; READ_DENIED
   * when its read rules deny the topic (shared.ts passes it over).
   */
  offerShared(
    topicFilter: string,
    message: RoutedMessage,
    evenWithoutRoom = true,
  ): boolean | typeof READ_DENIED {
    if (this.state !== 'open' || this.banned || this.buffered) return false;
    const sub = this.subscriptions.get(topicFilter);
    if (!sub) return false;
    if (!this.mayRead(message.topic, topicFilter)) return READ_DENIED;
    const qos = Math.min(sub.qos, message.qos) as QoS;
    // shared.ts first looks for a member that can send it now (budget, window, empty queue).
    if (!evenWithoutRoom && !this.out.canSendNow(qos)) return false;
    const ids = sub.identifier !== undefined ? [sub.identifier] : [];
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
    this.bufferedBytes = 0;
    this.ctx.holdingDeliveries(this, false);
    if (this.state !== 'open') return;
    const delivered = new Set<string>();
    if (resumed && !this.banned) {
      for (const saved of resumed.saved) {
        delivered.add(saved.message.id);
        // Sent before the rules may have changed (a gateway restart reads them again): a PUBLISH
        // resent is read-checked like any other delivery; a PUBREL carries no message.
        if (saved.state !== 'pubrel' && !this.authorization.mayRead(saved.message.topic)) {
          this.ctx.readDenied(this, saved.message.topic);
          continue;
        }
        this.out.resume(saved);
      }
      for (const message of resumed.queued) {
        if (delivered.has(message.id) || this.out.sentRecently(message.id)) continue;
        delivered.add(message.id);
        this.offer(message);
      }
      this.ctx.emit('queueRestored', this.clientName, resumed.saved.length, resumed.queued.length);
    }
    for (const message of held) if (!delivered.has(message.id)) this.offer(message);
    this.stats.backlogIs(this.out.backlog);
  }

  private deliver(message: RoutedMessage, qos: QoS, retain: boolean, subscriptionIds: number[]): void {
    this.out.deliver(message, qos, retain, subscriptionIds);
  }

  /** PUBACK for a QoS 1 delivery (outbound.ts); false for an unknown packet identifier. */
  acknowledge(packetId: number): boolean {
    return this.out.acknowledge(packetId);
  }

  /** PUBREC for a QoS 2 delivery (outbound.ts); false for an unknown packet identifier. */
  received(packetId: number, reasonCode: number | undefined): boolean {
    return this.out.received(packetId, reasonCode);
  }

  /** PUBCOMP for a QoS 2 delivery (outbound.ts); false when no PUBREL was waiting for it. */
  completed(packetId: number): boolean {
    return this.out.completed(packetId);
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
    this.closing = () => {
      this.closing = undefined;
      if (disconnectReasonCode !== undefined && this.protocolVersion === 5 && this.state === 'open') {
        const packet: mqtt.IDisconnectPacket = { cmd: 'disconnect', reasonCode: disconnectReasonCode };
        if (reasonString) packet.properties = { reasonString };
        this.send(packet);
      }
      const plainTcp = (this.socket as object).constructor === Socket;
      if (info.clean && this.socket.writableLength === 0 && plainTcp) {
        // The client ended with DISCONNECT and every byte owed to it is with the kernel: close
        // now. Its side is finished, so nothing unread can turn the close into a reset, and the
        // kernel still delivers what was written. (Half-closing instead left the socket open
        // until the client's own close, often a reset read back as an ECONNRESET error, plus a
        // timer per connection: 4 % of the gateway's CPU at 4,000 connects/s.) TLS and
        // WebSocket streams end through their own closing handshake below.
        this.socket.destroy();
        return;
      }
      this.socket.end();
      // A client that does not close its side promptly is cut off.
      setTimeout(() => this.socket.destroy(), 1000).unref();
    };
    // Acknowledgements owed for packets read before the end go out first, in order (they wait at
    // most for their confirmations' timeout; a stuck one does not keep the connection for long).
    if (this.replies.length === 0) this.closing();
    else setTimeout(() => this.closing?.(), CLOSE_AFTER_REPLIES_MS).unref();
  }

  /** The socket closed: releases everything and reports the end once. */
  finalize(): void {
    if (this.finalized) return;
    this.finalized = true;
    const info = this.ended ?? { reason: 'connection lost', clean: false, publishWill: true };
    const wasOpen = this.state === 'open';
    this.state = 'closed';
    this.keepAlive.stop();
    // Deliveries not completed, in the order they were sent, for the session's next connection.
    const saved = this.out.handoff();
    // Messages held back while the CONNECT waited for the offline queue (their publishers may
    // have been acknowledged): parked with the session like the deliveries not completed.
    for (const message of this.buffered ?? []) {
      const m = match(this.subscriptions, message.topic, message.qos, message.retain, false);
      if (m && m.qos > 0) {
        saved.push({ message, qos: m.qos as 1 | 2, retain: m.retain, subscriptionIds: m.subscriptionIds });
      }
    }
    this.buffered = undefined;
    this.bufferedBytes = 0;
    this.ctx.holdingDeliveries(this, false);
    const subscriptions = new Map(this.subscriptions);
    this.subscriptionMap = undefined;
    this.readChecked = undefined;
    if (this.sessionOpened) {
      const will = wasOpen && info.publishWill && !this.banned ? this.currentWill() : undefined;
      // The gateway releases the NATS interest of the subscriptions (after parking the session).
      this.ctx.connectionEnded(this, info, will, { subscriptions, saved });
    } else {
      for (const filter of subscriptions.keys()) this.ctx.removeFilter(filter, this);
    }
  }

  /** The client sent nothing for 1.5 × its keep alive (keep-alive.ts). */
  onKeepAliveExpired(): void {
    // Not reading (its answers cannot leave): the client is not idle; onDrain() restarts the timer.
    if (this.readHolds & READ_OUTPUT_FULL) return;
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

/** A logger that adds a connection id to each line (Connection.log). */
class ConnectionLog implements Logger {
  constructor(
    private readonly logger: Logger,
    private readonly connectionId: string,
  ) {}

  private fields(fields: Record<string, unknown> | undefined): Record<string, unknown> {
    return fields ? { connectionId: this.connectionId, ...fields } : { connectionId: this.connectionId };
  }

  debug(msg: string, fields?: Record<string, unknown>): void {
    this.logger.debug(msg, this.fields(fields));
  }
  info(msg: string, fields?: Record<string, unknown>): void {
    this.logger.info(msg, this.fields(fields));
  }
  warn(msg: string, fields?: Record<string, unknown>): void {
    this.logger.warn(msg, this.fields(fields));
  }
  error(msg: string, fields?: Record<string, unknown>): void {
    this.logger.error(msg, this.fields(fields));
  }
  child(fields: Record<string, unknown>): Logger {
    return this.logger.child(this.fields(fields));
  }
}

/**
 * What a connection keeps of its session: the fields the gateway reads again (settings and
 * subscriptions to apply a change-only event on top, health). The connection record, statistics
 * and timestamps are the session-service's; kept by every idle connection they cost about 1 KiB.
 */
function retained(session: Session__Output, settings: Settings): Session__Output {
  return {
    clientName: session.clientName,
    version: session.version,
    sessionType: session.sessionType,
    // The connection's settings (settingsOf: defaults filled in, shared by connections with
    // equal settings), not a second object.
    settings,
    subscriptions: session.subscriptions,
    health: session.health,
  } as Session__Output;
}
