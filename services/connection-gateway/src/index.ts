// The connection-gateway: terminates MQTT over TCP, TLS and WebSocket (listeners.ts), opens and closes sessions through the
// session-service (gRPC), routes messages locally and through NATS, and applies session events
// from JetStream to its live connections. buildGateway returns an unstarted gateway; only
// main.ts reads the environment.
import { EventEmitter, once } from 'node:events';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Events, type NatsConnection, type Subscription } from 'nats';
import {
  authorizationFor,
  clientToken,
  connectNats,
  createLogger,
  GATEWAY_LOST_REASON,
  jetStreamLimits,
  logNatsErrors,
  subjects,
  type ClientAuthorization,
  type Config,
  type GatewayHeartbeat,
  type ListenerKind,
  type Logger,
  type Settings,
  type Subjects,
} from '@mqfleet/core';
import { BusLimits } from './bus-limits';
import { Connection, type Handoff } from './connection';
import type { EndInfo, GatewayContext } from './context';
import { attach } from './dispatcher';
import type { RoutedMessage } from './message';
import { ReasonCode } from './reason-codes';
import { NatsRouter } from './router';
import { RetainedStore } from './retained';
import { MqApiSessions } from './mq-api-sessions';
import { StoredTopics } from './stored-topics';
import { OfflineSessions } from './offline';
import type { Resumed } from './queue';
import { isShared, parseShared, SharedMembers } from './shared';
import { FilterIndex } from './filter-index';
import { HealthMonitor } from './health';
import { closeListeners, openListeners, type ClientStream, type Listener } from './listeners';
import { ConnectionLimits } from './connection-limits';
import { SessionClient } from './session-client';
import { SessionWriter } from './writer';
import { KnownSessions } from './known-sessions';
import { ResumeHold, sameSettings, type HeldSession } from './resume-hold';
import { AlterationPropagation } from './propagation';
import { GatewayTraffic, Ring } from './stats';
import { PublishFlusher, StoreConfirmer } from './bus-confirm';
import type { Confirmation } from './confirmation';
import { SessionEventsConsumer } from './session-events';
import { ClusterWorkConsumer } from './lost-work';
import type { Will } from './settings';
import { TAKEN_OVER } from './context';
import type { GatewayEvents } from './events';
import { Wills } from './wills';
import { TopicCounts, TopicReporter } from './topic-counts';
import { AppliedConfirmations } from './applied';
import { SessionSync } from './session-sync';
import { serveApiPublish } from './api-publish';
import type { Session__Output } from '@mqfleet/proto';

/** close() waits this long for clients to go before destroying their sockets. */
const CLOSE_GRACE_MS = 2000;
/** The drain ends a batch of connections this often at most (MQFLEET_DRAIN_WINDOW_MS). */
const DRAIN_TICK_MS = 100;
/** close() retries writes owed to the session-service this long before giving up on them. */
const OWED_WRITES_GRACE_MS = 5000;
/**
 * Opens of CONNECTs answered first that may be owed at once; beyond it, CONNECTs wait for their
 * OpenSession again. It bounds what a session-service outage lets pile up (a request, its
 * promises and, on landing, a decoded session each).
 */
const MAX_ANSWERED_OWED = 1000;
/** How long MQFLEET_ANSWER_FIRST=load stays on after the rate fell below its threshold. */
const LOAD_LINGER_MS = 10_000;
/**
 * Opens and closes of this gateway the session-service has not answered yet from which
 * MQFLEET_ANSWER_FIRST=load counts as loaded, whatever the rate: a burst of connects waits on
 * the store before the rate of a second shows it (in the persistent connect benchmark the first
 * 2.5 s of 200 clients reconnecting went at a few hundred CONNECTs a second, every open and close
 * written, until the rate reached the threshold).
 */
const LOAD_BACKLOG = 100;
/**
 * Connections over a limit that may wait at once for their CONNECT, to be refused with a reason
 * code; beyond it such a connection is closed unread. Each waits at most CONNECT_TIMEOUT_MS.
 */
const MAX_REFUSED_WAITING = 1000;

export { Connection } from './connection';
export type { RoutedMessage } from './message';

/** A subject-safe gateway id from the host name and port (config.gatewayId wins). */
export function deriveGatewayId(host: string, port: number): string {
  const safe = host.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 40);
  return `${safe}-${port}`;
}

export class Gateway extends EventEmitter<GatewayEvents> implements GatewayContext {
  gatewayId = '';
  /** This run (random at each start): the prefix of its connection ids, named in its heartbeats. */
  readonly instance = randomBytes(6).toString('base64url');
  readonly logger: Logger;
  readonly sessions: SessionClient;
  readonly writer: SessionWriter;
  /** Client ids with a stored session, as far as this gateway knows (known-sessions.ts). */
  readonly known: KnownSessions;
  /** Persistent sessions whose close is held for a reconnect here (resume-hold.ts). */
  readonly resumeHold: ResumeHold;
  get inboundTopicAliasMaximum(): number {
    return this.config.topicAliasMaximum;
  }
  get maxPacketSize(): number {
    return this.bus.maxPacketSize;
  }
  /** What the message bus can carry: limits checked at the MQTT boundary (bus-limits.ts). */
  readonly bus: BusLimits;
  /** Messages, bytes and drops of the connections here, read by /metrics (metrics.ts). */
  readonly traffic = new GatewayTraffic();
  /** Administrators' alterations, from their event to in force here, sent in the heartbeat. */
  readonly propagation = new AlterationPropagation(this, (clientName) => this.byClient.has(clientName));
  /** The NATS connection is up (false before start, while disconnected, after close). */
  natsConnected = false;
  get limits(): GatewayContext['limits'] {
    return this.config;
  }
  /** Every socket with a Connection, open or not. */
  readonly connections = new Set<Connection>();
  /** The connection holding each client id here. */
  readonly byClient = new Map<string, Connection>();

  private readonly s: Subjects;
  private servers: Listener[] = [];
  private nc: NatsConnection | undefined;
  /** The no-echo connection messages are published and (ordinary subscriptions) received on. */
  private messagesNc: NatsConnection | undefined;
  private router: NatsRouter | undefined;
  /** JetStream publishes a client's acknowledgement waits for (offline queues). */
  private storeConfirmer: StoreConfirmer | undefined;
  private retained: RetainedStore | undefined;
  /** Offline queues of persistent sessions (offline.ts, queue.ts). */
  private offlineSessions: OfflineSessions | undefined;
  /** Messages kept for MQ API sessions (mq-api-sessions.ts). */
  private mqApi: MqApiSessions | undefined;
  /** The history of stored topics (stored-topics.ts). */
  private storedTopics: StoredTopics | undefined;
  /** Offline queues of persistent sessions (offline.ts); undefined without JetStream queues. */
  get offline(): OfflineSessions | undefined {
    return this.offlineSessions;
  }
  /** Local members of shared subscriptions (shared.ts). */
  readonly shared = new SharedMembers();
  /** Shared subscriptions' messages handed on to another gateway, and dropped (router.ts). */
  get sharedRedirected(): number {
    return this.router?.sharedRedirected ?? 0;
  }
  get sharedDropped(): number {
    return this.router?.sharedDropped ?? 0;
  }
  /** Which connections here subscribe which (non-shared) filters: local routing. */
  private readonly subscribers = new FilterIndex<Connection>();
  /** Connections buffering every local message until their offline queue is restored. */
  private readonly holding = new Set<Connection>();
  private events: SessionEventsConsumer | undefined;
  /** Lost sessions and due wills the cluster hands to gateways (lost-work.ts). */
  private work: ClusterWorkConsumer | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  /** Session health and live statistics of the connections here (health.ts). */
  health: HealthMonitor | undefined;
  /** Wills waiting for their delay, and publishing them (wills.ts). */
  readonly wills: Wills = new Wills(this);
  /** The subscription that serves API publishes (api-publish.ts). */
  private apiPublish: Subscription | undefined;
  /**
   * Messages received per topic, reported to the session-service (topic-counts.ts); undefined
   * until started, and with MQFLEET_MAX_TOPICS 0.
   */
  private topicCounts: TopicCounts | undefined;
  private topicReporter: TopicReporter | undefined;
  /** Session events and reconciliation applied to the live connections (session-sync.ts). */
  private readonly sync: SessionSync = new SessionSync(this);
  private readonly closeCalls = new Set<Promise<unknown>>();
  private readonly messageIdPrefix = randomBytes(6).toString('base64url');
  private messageCounter = 0;
  private port = 0;
  private closingNow = false;
  /** Connection limits and their refusal counts (connection-limits.ts). */
  readonly connectionLimits: ConnectionLimits;
  /** Connections over a limit still waiting for their CONNECT to be refused. */
  private refusedWaiting = 0;
  /** close() began. */
  get closing(): boolean {
    return this.closingNow;
  }

  constructor(
    private readonly config: Config,
    logger?: Logger,
  ) {
    super();
    this.logger = logger ?? createLogger('connection-gateway', config.logLevel);
    this.s = subjects(config.natsPrefix);
    this.sessions = new SessionClient(config);
    this.writer = new SessionWriter(this.sessions, this.logger);
    this.applied = new AppliedConfirmations((applied) => {
      this.nc?.publish(this.s.sessionApplied(applied.clientName), JSON.stringify(applied));
    }, this.logger);
    this.known = new KnownSessions((after) => this.sessions.listSessionNames(after), this.logger);
    this.resumeHold = new ResumeHold(config.resumeHoldMs, (clientName, watching) =>
      this.watchClient(clientName, watching),
    );
    this.bus = new BusLimits(config, () => this.nc?.info?.max_payload);
    this.connectionLimits = new ConnectionLimits(config);
    this.on('publishRefused', (_client, _topic, reason) => this.traffic.publishRefused(reason));
  }

  /**
   * Connects to NATS, opens the listeners; `port` is the MQTT TCP port (or the first listener's
   * when TCP is off), `ports` every listener's.
   */
  async start(): Promise<{ port: number; gatewayId: string; ports: Partial<Record<ListenerKind, number>> }> {
    const nc = await connectNats(this.config, {
      maxReconnectAttempts: -1,
      waitOnFirstConnect: true,
      name: 'mqfleet-connection-gateway',
    });
    this.nc = nc;
    this.natsConnected = true;
    void this.watchNats(nc);
    void logNatsErrors(nc, this.logger, 'events');
    // Messages travel on a second connection that NATS never echoes to (router.ts).
    let messages: NatsConnection;
    try {
      messages = await connectNats(this.config, {
        maxReconnectAttempts: -1,
        waitOnFirstConnect: true,
        noEcho: true,
        name: 'mqfleet-connection-gateway-messages',
      });
    } catch (err) {
      await nc.close();
      throw err;
    }
    this.messagesNc = messages;
    void logNatsErrors(messages, this.logger, 'messages');

    try {
      this.servers = await openListeners(this.config, this.logger, (stream) => this.accept(stream));
    } catch (err) {
      await Promise.all([nc.close(), messages.close()]);
      throw err;
    }
    const ports = Object.fromEntries(this.servers.map((l) => [l.kind, l.port]));
    this.port = ports.mqtt ?? this.servers[0]!.port;
    this.gatewayId = this.config.gatewayId ?? deriveGatewayId(hostname(), this.port);
    this.sessions.gatewayId = this.gatewayId;
    this.router = new NatsRouter(
      nc,
      messages,
      new PublishFlusher(messages, this.logger, this.config.publishTimeoutMs),
      this.s,
      this.gatewayId,
      this.logger,
      (m) => this.deliverLocal(m),
      (shared, m) => this.shared.deliver(shared, m),
    );
    this.retained = new RetainedStore(nc, this.s, this.gatewayId, this.logger);
    this.storeConfirmer = new StoreConfirmer(nc, this.logger, this.config.publishTimeoutMs);
    this.storeConfirmer.start();
    this.offlineSessions = new OfflineSessions(
      nc,
      this.s,
      this,
      this.config.maxQueuedMessages,
      this.storeConfirmer,
      jetStreamLimits(this.config.streams.queue, this.config.streamReplicas, 'new'),
      messages,
    );
    await this.offlineSessions.start();
    this.storedTopics = new StoredTopics(
      nc,
      this.s,
      this.gatewayId,
      this.config.storedTopics,
      this.storeConfirmer,
      this.logger,
    );
    this.mqApi = new MqApiSessions(
      nc,
      this.s,
      {
        gatewayId: this.gatewayId,
        logger: this.logger,
        readRetained: (filter) => this.readRetained(filter),
        listMqApiSessions: (after) => this.sessions.listMqApiSessions(after),
        authorizationFor: (clientName, username) => this.authorizationFor(clientName, username),
      },
      this.storeConfirmer,
    );

    this.events = new SessionEventsConsumer(
      nc,
      this.s,
      this.logger,
      (event) => {
        if (event.type !== 'bulkAltered') this.mqApi?.onEvent(event);
        this.sync.onEvent(event);
      },
      () => {
        this.known.reload();
        // Events may have been missed: held sessions are closed rather than resumed blind.
        this.resumeHold.releaseAll();
        this.emit('eventsAttached');
        void this.reconcile('events attached');
      },
      (eventId) => this.emit('sessionEventDuplicate', eventId),
      (subject, actor) => this.eventNeeded(subject, actor),
    );
    await this.events.start();
    // After the events: a change made while the list is read comes as an event or a sync.
    await this.mqApi.start();

    this.work = new ClusterWorkConsumer(nc, this.s, {
      logger: this.logger,
      describe: async (clientName) => (await this.sessions.describeSessions([clientName])).sessions[0],
      closeLost: (clientName, connectionId) =>
        this.sessions.closeSession({ clientName, connectionId, clean: false, reason: GATEWAY_LOST_REASON }),
      parkLost: (session, close) =>
        this.offline
          ? this.offline.parkLost(session, close)
          : close
            ? close().then(() => false)
            : Promise.resolve(false),
      publishWill: (clientName, will) => this.wills.publishHandedOver(clientName, will),
      emit: (event, ...args) => this.emit(event, ...args),
    });
    await this.work.start();

    const health = new HealthMonitor(
      nc,
      this.s,
      this.gatewayId,
      this.logger,
      () => this.byClient.values(),
      (clientName) => this.byClient.get(clientName),
      this.config.healthIntervalMs,
    );
    health.start();
    // Messages published through the API: one gateway of the group routes each request.
    this.apiPublish = serveApiPublish(nc, this.s.apiPublish, this, this.logger);
    this.health = health;
    if (this.config.maxTopics > 0) {
      this.topicCounts = new TopicCounts(this.config.maxTopics);
      this.topicReporter = new TopicReporter(this.topicCounts, nc, this.s, this.gatewayId, this.logger);
      this.topicReporter.start();
    }

    this.publishHeartbeat();
    this.heartbeat = setInterval(() => this.publishHeartbeat(), this.config.gatewayHeartbeatMs);
    this.heartbeat.unref();
    return { port: this.port, gatewayId: this.gatewayId, ports };
  }

  /** QoS 1/2 messages this gateway published to the offline queue stream, and left out of it. */
  get queueCounts(): { published: number; skipped: number } {
    return this.offline?.counts ?? { published: 0, skipped: 0 };
  }

  /** How many of this gateway's own messages NATS gave back to it (the no-echo connection keeps it 0). */
  get ownMessagesReturned(): number {
    return this.router?.ownReturned ?? 0;
  }

  /**
   * Drains and stops the gateway (docs/mqtt.md, "Graceful drain"): stops listening, ends the
   * connections in evenly spread batches over MQFLEET_DRAIN_WINDOW_MS (MQTT 5 clients are told
   * 0x8B; wills are left to the session-service, in-flight deliveries parked in the sessions'
   * offline queues), keeps announcing itself meanwhile, writes what is owed to the
   * session-service, drains NATS, closes gRPC. `hurry()` ends the rest at once.
   */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closingNow = true;
    const hold = this.resumeHold;
    this.logger.info('closing', {
      connections: this.byClient.size,
      drainWindowMs: this.config.drainWindowMs,
      heldSessions: hold.size,
      resumedFromHold: hold.taken,
      holdsReleased: hold.released,
      opensWithdrawn: this.writer.withdrawn,
    });
    // Still announced, as draining, until its closes are written: a gateway silent for the
    // gateway timeout is taken for lost, and the cluster would publish its clients' wills.
    this.publishHeartbeat();
    // Held closes are sent now; the writes they become are awaited with the others below.
    hold.stop();
    this.known.stop();
    this.health?.stop();
    this.apiPublish?.unsubscribe();
    this.mqApi?.stop();
    const listening = closeListeners(this.servers);
    await this.drainConnections();
    const grace = setTimeout(() => {
      for (const conn of this.connections) conn.socket.destroy();
    }, CLOSE_GRACE_MS);
    await Promise.all(
      [...this.connections].map((conn) => (conn.socket.closed ? undefined : once(conn.socket, 'close'))),
    );
    clearTimeout(grace);
    await listening;
    // What is owed to the session-service is written, for a bounded time (writer.ts).
    const owed = setTimeout(() => this.writer.stop(), OWED_WRITES_GRACE_MS);
    // Connections whose socket closed a moment ago end on a later tick: theirs are awaited too.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.closeCalls.size > 0) await Promise.allSettled([...this.closeCalls]);
    clearTimeout(owed);
    // Delayed wills would be lost with this process: the session-service keeps them until due
    // (after the closes: a will is kept only for a session its connection's close has written).
    await this.wills.handOver((wills) => this.sessions.keepWills(wills));
    this.offline?.stop();
    // Its closes are written: the last heartbeat says it left.
    clearInterval(this.heartbeat);
    this.publishHeartbeat(true);
    // Whatever is still owed now (a subscription change retried while the session-service is
    // away) ends with its next attempt: the gRPC client closes below.
    this.writer.stop();
    this.storeConfirmer?.stop();
    // The counts of the last messages (wills included) before NATS drains.
    this.topicReporter?.stop();
    await this.work?.stop();
    await this.events?.stop();
    if (this.messagesNc && !this.messagesNc.isClosed()) await this.messagesNc.drain().catch(() => undefined);
    if (this.nc && !this.nc.isClosed()) await this.nc.drain().catch(() => undefined);
    this.sessions.close();
  }

  /** Set while drainConnections paces: ends the rest of the connections at once. */
  private hurryDrain: (() => void) | undefined;

  /** A second stop signal: the connections not ended yet are ended now, not over the window. */
  hurry(): void {
    this.hurryDrain?.();
  }

  /**
   * Ends every connection (MQTT 5: DISCONNECT 0x8B) in batches evenly spread over the drain
   * window, so that its clients do not all reconnect to the other gateways in the same moment;
   * resolves when the last batch was ended. A batch goes every DRAIN_TICK_MS at most (fewer, larger
   * batches for a short window). A connection that ended by itself before its turn is skipped.
   */
  private async drainConnections(): Promise<void> {
    const all = [...this.connections];
    const windowMs = this.config.drainWindowMs;
    const batches = Math.max(1, Math.min(all.length, Math.floor(windowMs / DRAIN_TICK_MS)));
    const size = Math.ceil(all.length / batches);
    const endOne = (conn: Connection): void =>
      conn.end(
        { reason: 'server shutting down', clean: false, publishWill: false, drained: true },
        ReasonCode.SERVER_SHUTTING_DOWN,
      );
    let hurried = false;
    const hurry = new Promise<void>((resolve) => {
      this.hurryDrain = () => {
        hurried = true;
        resolve();
      };
    });
    const started = Date.now();
    for (let b = 0; b < batches; b++) {
      // Batch b goes at b/batches of the window: the first at once, the last one step before its end.
      const due = started + (b * windowMs) / batches;
      const wait = due - Date.now();
      if (!hurried && wait > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([hurry, new Promise((resolve) => (timer = setTimeout(resolve, wait)))]);
        clearTimeout(timer);
      }
      const batch = hurried ? all.slice(b * size) : all.slice(b * size, (b + 1) * size);
      for (const conn of batch) endOne(conn);
      this.emit('drainBatch', batch.length, b);
      if (hurried) break;
    }
    this.hurryDrain = undefined;
    // Sockets accepted before the listeners closed and not in the list: ended with the last batch.
    for (const conn of this.connections) endOne(conn);
  }

  // -------------------------------------------------------------------------------------------
  // GatewayContext

  register(conn: Connection): boolean {
    const existing = this.byClient.get(conn.clientName);
    if (existing && existing !== conn) {
      if (existing.version > conn.version) return false;
      // Local takeover [MQTT-3.1.4-3]: the old connection gets 0x8E and is closed.
      this.logger.info('session taken over locally', {
        clientName: conn.clientName,
        old: existing.id,
        new: conn.id,
      });
      this.emit('takeover', conn.clientName, existing.id, 'local');
      existing.end(
        { reason: 'session taken over', clean: false, publishWill: false },
        ReasonCode.SESSION_TAKEN_OVER,
      );
    }
    if (!existing) this.watchClient(conn.clientName, true);
    this.byClient.set(conn.clientName, conn);
    return true;
  }

  /** Client tokens whose session events this gateway reads, with how many reasons each has. */
  private readonly watched = new Map<string, number>();

  watchClient(clientName: string, watching: boolean): void {
    const token = clientToken(clientName);
    const n = (this.watched.get(token) ?? 0) + (watching ? 1 : -1);
    if (n > 0) this.watched.set(token, n);
    else this.watched.delete(token);
  }

  /**
   * Whether a session event must be read, from its subject and actor header alone: a connect
   * storm sends every gateway a connected and a disconnected or deleted event per connection, and
   * parsing them was a good part of its CPU. Events of clients this gateway holds, waits with a
   * will for or parked a moment ago are read; so are alterations (offline queues follow their
   * subscriptions) and deletions by anyone but a gateway (offline queues are discarded). A
   * created MQ API session only teaches the known names.
   */
  private eventNeeded(subject: string, actor: string | undefined): boolean {
    const rest = subject.slice(this.s.sessionEventsAll.length - 1);
    const dot = rest.indexOf('.');
    const type = rest.slice(0, dot);
    const token = rest.slice(dot + 1);
    // (The sessions held here are known by their connections; a close tells whether they stay.)
    if (type === 'deleted' || (type !== 'bulkAltered' && !this.watched.has(token)))
      this.known.noteEvent(type, token);
    if (
      type !== 'connected' &&
      type !== 'disconnected' &&
      type !== 'health' &&
      type !== 'deleted' &&
      type !== 'created'
    )
      return true;
    if (this.watched.has(token)) return true;
    return type === 'deleted' && !actor?.startsWith('gateway:');
  }

  mayAnswerFirst(clientName: string, plain: boolean): boolean {
    const mode = this.config.answerFirst;
    const now = Date.now();
    this.connectRate.add(now, 1);
    const loaded = this.underLoad(now);
    if (mode === 'never' || !plain || this.closing) return false;
    if (mode === 'load' && !loaded) return false;
    return (
      this.known.anonymousAllowed &&
      !this.known.mayExist(clientName) &&
      !this.byClient.has(clientName) &&
      !this.writer.owes(clientName) &&
      !this.wills.has(clientName) &&
      this.writer.answeredOwed < MAX_ANSWERED_OWED
    );
  }

  /** CONNECTs of the last second, in quarter seconds (mayAnswerFirst). */
  private readonly connectRate = new Ring(4, 250);
  /** Ends of connections that held a session, over the last second (mayHoldClose). */
  private readonly endRate = new Ring(4, 250);
  /** Until when MQFLEET_ANSWER_FIRST=load counts as loaded (underLoad). */
  private loadedUntil = 0;

  /**
   * MQFLEET_ANSWER_FIRST=load: from answerFirstRate CONNECTs or connection ends over the last
   * second or LOAD_BACKLOG opens and closes waiting on the session-service, and for LOAD_LINGER_MS
   * after. Without the linger a rate near the threshold switched
   * answering and holding on and off every second (in the persistent connect benchmark, at about
   * 800 CONNECTs a second, 2,461 of 4,305 closes were held).
   */
  private underLoad(now: number): boolean {
    const rate = this.config.answerFirstRate;
    if (
      this.connectRate.sum(now) >= rate ||
      this.endRate.sum(now) >= rate ||
      this.sessions.unanswered >= LOAD_BACKLOG
    )
      this.loadedUntil = now + LOAD_LINGER_MS;
    return now < this.loadedUntil;
  }

  /**
   * Whether the close of this ended connection's session is held for a reconnect here
   * (resume-hold.ts; docs/mqtt.md, "Resumed from the gateway's hold"): MQFLEET_ANSWER_FIRST allows
   * it now (`load`: from answerFirstRate CONNECTs or ends a second), and the session is one a
   * reconnect could resume from what this gateway holds: stored (its open landed) and outliving
   * the connection with the expiry it was stored with, status normal or hidden, no will, no user
   * name, and nothing for an offline queue (no QoS 1/2 subscription outside shared groups, no
   * delivery to save: a publisher's acknowledgement waits until such a queue is stored, so it
   * cannot wait for a hold).
   */
  private mayHoldClose(
    conn: Connection,
    info: EndInfo,
    will: Will | undefined,
    handoff: Handoff,
    /** The connection's subscription change still being stored, when that is all that is owed. */
    write: unknown,
  ): boolean {
    const now = Date.now();
    this.endRate.add(now, 1);
    const mode = this.config.answerFirst;
    if (mode === 'never' || this.config.resumeHoldMs === 0 || this.closing) return false;
    if (mode === 'load' && !this.underLoad(now)) return false;
    const settings = conn.settings;
    const status = settings.sessionStatus;
    if (
      !conn.sessionOpened ||
      conn.version === 0n ||
      !conn.session ||
      info.reason === TAKEN_OVER ||
      will !== undefined ||
      settings.willTopic !== '' ||
      conn.username !== '' ||
      (status !== 'SESSION_STATUS_NORMAL' && status !== 'SESSION_STATUS_HIDDEN') ||
      settings.sessionExpiryInterval === 0 ||
      (info.sessionExpiryInterval !== undefined &&
        info.sessionExpiryInterval !== settings.sessionExpiryInterval) ||
      handoff.saved.length > 0 ||
      (this.writer.owes(conn.clientName) && !write) ||
      this.wills.has(conn.clientName)
    )
      return false;
    for (const [filter, options] of handoff.subscriptions) {
      if (options.qos > 0 && !isShared(filter)) return false;
    }
    return true;
  }

  /**
   * The session held for this client id, taken for a CONNECT that resumes it as it is: Clean
   * Start 0, no user name, password or will, the protocol level of the connection that ended, and
   * a declaration that changes no setting (what the session-service would store for this CONNECT
   * is what it stores already). Any other CONNECT sends the held close first, and is opened as
   * usual. Only anonymous connections' sessions are held (mayHoldClose) and only anonymous
   * CONNECTs take them: the session-service opened them for an anonymous client, so they belong to
   * anonymous clients and the hold never hands a named user's session to anyone (docs/mqtt.md,
   * "Client ids belong to someone").
   */
  takeHeld(
    clientName: string,
    protocolVersion: number,
    resumable: boolean,
    declared: () => Partial<Settings>,
  ): HeldSession | undefined | Promise<HeldSession | undefined> {
    const taken = this.resumeHold.take(
      clientName,
      (held) =>
        resumable &&
        !this.closing &&
        !this.byClient.has(clientName) &&
        held.protocolVersion === protocolVersion &&
        sameSettings(held.session.settings as unknown as Settings, declared()),
    );
    return taken instanceof Promise ? taken.then((entry) => this.tookHeld(entry)) : this.tookHeld(taken);
  }

  private tookHeld(entry: HeldSession | undefined): HeldSession | undefined {
    if (!entry) return undefined;
    // (Every other CONNECT is counted by mayAnswerFirst.)
    this.connectRate.add(Date.now(), 1);
    this.emit('resumedFromHold', entry.clientName, entry.connectionId);
    return entry;
  }

  sessionStored(clientName: string, stored: boolean): void {
    this.known.noteStored(clientName, stored);
  }

  route(message: RoutedMessage, confirmation?: Confirmation): void {
    this.topicCounts?.add(message.topic, message.receivedAt);
    this.deliverLocal(message, confirmation);
    this.router?.publish(message, confirmation);
    this.offline?.publish(message, confirmation);
    this.mqApi?.publish(message, confirmation);
    this.storedTopics?.publish(message, confirmation);
  }

  storeRetained(message: RoutedMessage): Promise<number> {
    return this.retained ? this.retained.store(message) : Promise.resolve(ReasonCode.UNSPECIFIED_ERROR);
  }

  readRetained(filter: string): Promise<RoutedMessage[]> {
    if (this.bus.filterProblem(filter)) return Promise.resolve([]); // never on NATS (bus-limits.ts)
    return this.retained ? this.retained.read(filter) : Promise.resolve([]);
  }

  addFilter(filter: string, conn: Connection): Promise<void> {
    if (this.bus.filterProblem(filter)) return Promise.resolve(); // never on NATS (bus-limits.ts)
    const shared = parseShared(filter);
    if (shared) this.shared.add(filter, conn);
    else this.subscribers.add(filter, conn);
    if (!this.router) return Promise.resolve();
    return shared ? this.router.addShared(shared) : this.router.add(filter);
  }

  removeFilter(filter: string, conn: Connection): void {
    const shared = parseShared(filter);
    if (shared) this.shared.remove(filter, conn);
    else this.subscribers.remove(filter, conn);
    if (shared) this.router?.removeShared(shared);
    else this.router?.remove(filter);
  }

  connectionEnded(conn: Connection, info: EndInfo, will: Will | undefined, handoff: Handoff): void {
    if (this.byClient.get(conn.clientName) === conn) {
      this.byClient.delete(conn.clientName);
      this.watchClient(conn.clientName, false);
    }
    this.health?.forget(conn);
    if (will) {
      // The will waits for min(Will Delay, Session Expiry) [MQTT-3.1.3-9, MQTT-3.1.2.5].
      // (A DISCONNECT's Session Expiry is bounded as the session-service bounds it.)
      const max = this.config.maxSessionExpiry;
      const asked = info.sessionExpiryInterval ?? conn.settings.sessionExpiryInterval;
      const expiry = max > 0 && info.sessionExpiryInterval !== undefined ? Math.min(asked, max) : asked;
      const delay = Math.min(will.delaySeconds, expiry);
      // (While the gateway closes too: close() hands delayed wills to the session-service.)
      if (delay > 0) this.wills.schedule(conn.clientName, will, delay, conn.version, conn.id);
      else this.wills.publish(conn.clientName, will);
    }
    const request = {
      clientName: conn.clientName,
      connectionId: conn.id,
      clean: info.clean,
      reason: info.reason,
      // Its will waits in the session-service for the client to come back elsewhere.
      ...(info.drained ? { drainWillGraceMs: this.config.drainWillGraceMs } : {}),
      ...(info.sessionExpiryInterval !== undefined
        ? { sessionExpiryInterval: info.sessionExpiryInterval }
        : {}),
    };
    // The offline queue parks the session (if it outlives the connection), releases the
    // subscriptions' NATS interest, then CloseSession.
    // Retried until it lands (writer.ts): no row stays "connected" after a session-service outage.
    const endsHere = (info.sessionExpiryInterval ?? conn.settings.sessionExpiryInterval) === 0;
    const send = (): ReturnType<SessionWriter['closeSession']> =>
      this.writer.closeSession(request).then((response) => {
        if (response?.closed) this.known.noteStored(conn.clientName, !response.sessionRemoved);
        return response;
      });
    // Decided now, before the offline queue's work: what the connection held is still as it ended.
    // A subscription change still being stored (a client that subscribed and left at once): the
    // session is held at what that write stores, once it lands (taken now: the connection, closed,
    // no longer applies its answer).
    const lastWrite = this.writer.lastSubscriptionWrite(conn.clientName);
    const hold = this.mayHoldClose(conn, info, will, handoff, lastWrite);
    // A held session keeps the NATS interest of its (non-shared) subscriptions until it is taken
    // back or its close is sent: a reconnect within the hold subscribes nothing anew.
    const unkeep = hold ? this.keepInterest(handoff) : undefined;
    const write = hold ? lastWrite : undefined;
    const close = (): ReturnType<SessionWriter['closeSession']> => {
      // A session that ends with its connection, answered before its open was written, and whose
      // open has not been sent yet: nothing would remain of it, so neither is written.
      if (conn.version === 0n && endsHere && this.writer.withdrawOpen(conn.clientName)) {
        this.emit('openWithdrawn', conn.clientName, conn.id);
        return Promise.resolve(undefined);
      }
      // A persistent session under load: held for a reconnect here (resume-hold.ts).
      if (hold && !this.closing && !this.byClient.has(conn.clientName)) {
        this.emit('closeHeld', conn.clientName, conn.id);
        this.logger.debug('close held for a reconnect', {
          clientName: conn.clientName,
          connectionId: conn.id,
        });
        return this.resumeHold.hold(
          {
            clientName: conn.clientName,
            connectionId: conn.id,
            version: conn.version,
            protocolVersion: conn.protocolVersion,
            session: conn.session!,
            send,
            unkeep: unkeep!,
          },
          write?.then((response) => response?.session ?? undefined),
        );
      }
      unkeep?.();
      return send();
    };
    const ending = this.offline
      ? this.offline.end(conn, info, handoff, close)
      : close().finally(() => {
          for (const filter of handoff.subscriptions.keys()) this.removeFilter(filter, conn);
        });
    const call = ending
      .catch((err: unknown) => this.logger.warn('CloseSession failed', { clientName: conn.clientName, err }))
      .finally(() => this.closeCalls.delete(call));
    this.closeCalls.add(call);
    conn.log.info('disconnected', { clientName: conn.clientName, reason: info.reason, clean: info.clean });
    this.emit('connectionClosed', conn.clientName, conn.id, info.reason);
  }

  /**
   * One more reference to the NATS interest of each of a held session's non-shared filters;
   * returns what lets them go (once).
   */
  private keepInterest(handoff: Handoff): () => void {
    const router = this.router;
    const kept = router
      ? [...handoff.subscriptions.keys()].filter((f) => !isShared(f) && router.keep(f))
      : [];
    return () => {
      for (const filter of kept.splice(0)) router?.remove(filter);
    };
  }

  /** Which of these client ids have a session (offline.ts sweeps the queues of the others). */
  async existingSessions(clientNames: string[]): Promise<Set<string>> {
    const { sessions } = await this.sessions.describeSessions(clientNames);
    return new Set(sessions.map((s) => s.clientName));
  }

  /** Removes offline queues no session will take (also done every 10 minutes). */
  sweepQueues(): Promise<string[]> {
    return this.offline ? this.offline.sweep() : Promise.resolve([]);
  }

  resumeQueue(clientName: string, sessionPresent: boolean): Promise<Resumed | undefined> {
    return this.offline ? this.offline.resume(clientName, sessionPresent) : Promise.resolve(undefined);
  }

  cancelWill(clientName: string): void {
    this.wills.cancel(clientName);
  }

  authorizationFor(clientName: string, username: string): ClientAuthorization {
    return authorizationFor(this.config.authorization, clientName, username);
  }

  /**
   * Messages not delivered because the subscriber's read rules deny their topic (live, retained,
   * queued or shared); not drops of its queue.
   */
  readDeniedCount = 0;

  readDenied(conn: Connection, topic: string): void {
    this.readDeniedCount++;
    this.emit('readDenied', conn.clientName, topic);
  }

  nextMessageId(): string {
    return `${this.messageIdPrefix}.${(this.messageCounter++).toString(36)}`;
  }

  // -------------------------------------------------------------------------------------------
  // Connections

  private accept(socket: ClientStream): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    // Connection limits (connection-limits.ts): the address is read here, before any session work.
    const address = this.connectionLimits.perAddress ? (socket.remoteAddress ?? '') : '';
    const refusal = this.connectionLimits.admit(address);
    if (refusal && this.refusedWaiting >= MAX_REFUSED_WAITING) {
      // Too many refused connections already wait for their CONNECT: this one is not read at all.
      socket.destroy();
      return;
    }
    const conn = new Connection(socket, this);
    if (refusal) {
      // Its CONNECT is answered with the refusal (packets/connect.ts), then it closes.
      conn.limitRefusal = refusal;
      this.refusedWaiting += 1;
      this.logger.debug('connection over a limit', { address, limit: refusal });
    } else {
      conn.limitAddress = address;
    }
    this.connections.add(conn);
    attach(conn);
  }

  socketClosed(conn: Connection): void {
    if (this.connections.delete(conn)) this.traffic.connectionEnded(conn.stats);
    if (conn.limitAddress !== undefined) this.connectionLimits.release(conn.limitAddress);
    else if (conn.limitRefusal) this.refusedWaiting -= 1;
  }

  holdingDeliveries(conn: Connection, holding: boolean): void {
    if (holding) this.holding.add(conn);
    else this.holding.delete(conn);
  }

  /**
   * Offers a message to the connections whose filters match its topic (the filter index: a
   * lookup by topic levels, not a pass over every connection) and to those buffering everything.
   */
  private deliverLocal(message: RoutedMessage, confirmation?: Confirmation): void {
    const targets = this.subscribers.match(message.topic, new Set());
    for (const conn of this.holding) targets.add(conn);
    for (const conn of targets) conn.offer(message);
    this.offline?.offer(message, confirmation);
  }

  /** Both NATS connections have written what was published (a will handed over, wills.ts). */
  flush(): Promise<unknown> {
    return Promise.all([this.nc?.flush(), this.messagesNc?.flush()]);
  }

  // -------------------------------------------------------------------------------------------
  // Session events and reconciliation (session-sync.ts)

  /** Confirmations of applied session versions (applied.ts). */
  readonly applied: AppliedConfirmations;

  applySession(conn: Connection, session: Session__Output, source: string, force = false): boolean {
    return this.sync.apply(conn, session, source, force);
  }

  /** Asks the session-service for every client connected here and applies newer versions. */
  reconcile(why: string, names = [...this.byClient.keys()]): Promise<void> {
    return this.sync.reconcile(why, names);
  }

  private async watchNats(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (status.type === Events.Reconnect) {
        this.natsConnected = true;
        this.logger.info('NATS reconnected', { server: status.data });
        // Session events may have been missed meanwhile.
        this.known.reload();
        this.mqApi?.reload();
        void this.reconcile('nats reconnect');
        this.health?.resendAll();
      } else if (status.type === Events.Disconnect) {
        this.natsConnected = false;
        this.logger.warn('NATS disconnected', { server: status.data });
        this.known.invalidate();
        // Session events cannot reach held sessions now: their closes are sent.
        this.resumeHold.releaseAll();
      }
    }
  }

  private publishHeartbeat(left = false): void {
    if (!this.nc || this.nc.isClosed()) return;
    const propagation = this.propagation.take();
    const beat: GatewayHeartbeat = {
      gatewayId: this.gatewayId,
      instance: this.instance,
      host: this.config.host,
      mqttPort: this.port,
      connections: this.byClient.size,
      refusedConnections: this.connectionLimits.refusedTotal,
      ...(this.closing ? { draining: true } : {}),
      ...(left ? { left: true } : {}),
      ...(propagation ? { propagation } : {}),
    };
    try {
      this.nc.publish(this.s.gatewayHeartbeat(this.gatewayId), JSON.stringify(beat));
    } catch (err) {
      this.logger.warn('heartbeat failed', { err });
    }
  }
}

export function buildGateway(config: Config, logger?: Logger): Gateway {
  return new Gateway(config, logger);
}
