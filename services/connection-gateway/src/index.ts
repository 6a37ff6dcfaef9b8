// The connection-gateway: terminates MQTT over TCP, opens and closes sessions through the
// session-service (gRPC), routes messages locally and through NATS, and applies session events
// from JetStream to its live connections. buildGateway returns an unstarted gateway; only
// main.ts reads the environment.
import { EventEmitter, once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { connect, Events, type NatsConnection } from 'nats';
import {
  createLogger,
  subjects,
  topicMatches,
  type Config,
  type GatewayHeartbeat,
  type Logger,
  type SessionApplied,
  type SessionEvent,
  type Subjects,
} from '@mqfleet/core';
import type { Session__Output } from '@mqfleet/proto';
import { Connection, type Handoff } from './connection';
import { TAKEN_OVER, type EndInfo, type GatewayContext } from './context';
import { attach } from './dispatcher';
import type { RoutedMessage } from './message';
import { ReasonCode } from './reason-codes';
import { NatsRouter } from './router';
import { RetainedStore } from './retained';
import { OfflineQueues, type Resumed, type SavedDelivery } from './queue';
import { match, type SubscriptionOptions } from './subscriptions';
import { isShared, parseShared, SHARE_PREFIX, type SharedFilter } from './shared';
import { HealthMonitor } from './health';
import { SessionClient } from './session-client';
import { SessionEventsConsumer } from './session-events';
import type { Will } from './settings';

export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';
export const HEARTBEAT_INTERVAL_MS = 2000;
/** Topic aliases accepted from each MQTT 5 client (CONNACK Topic Alias Maximum). */
export const INBOUND_TOPIC_ALIAS_MAXIMUM = 10;
/** DescribeSessions is asked about this many client ids at a time when reconciling. */
const RECONCILE_BATCH = 200;
/** CONNACK waits at most this long for a resumed session's offline queue (queue.ts). */
const RESUME_TIMEOUT_MS = 1500;
/** close() waits this long for clients to go before destroying their sockets. */
const CLOSE_GRACE_MS = 2000;

export { Connection } from './connection';
export type { RoutedMessage } from './message';

/** A subject-safe gateway id from the host name and port (config.gatewayId wins). */
export function deriveGatewayId(host: string, port: number): string {
  const safe = host.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 40);
  return `${safe}-${port}`;
}

interface PendingWill {
  timer: NodeJS.Timeout;
  will: Will;
  /** Session version when the connection ended: a later "connected" event cancels the will. */
  version: bigint;
}

export class Gateway extends EventEmitter implements GatewayContext {
  gatewayId = '';
  readonly logger: Logger;
  readonly sessions: SessionClient;
  readonly inboundTopicAliasMaximum = INBOUND_TOPIC_ALIAS_MAXIMUM;
  get maxPacketSize(): number {
    return this.config.maxPacketSize;
  }
  /** Every socket with a Connection, open or not. */
  readonly connections = new Set<Connection>();
  /** The connection holding each client id here. */
  readonly byClient = new Map<string, Connection>();

  private readonly s: Subjects;
  private readonly server: Server;
  private nc: NatsConnection | undefined;
  private router: NatsRouter | undefined;
  private retained: RetainedStore | undefined;
  /** Offline queues of persistent sessions (queue.ts); undefined until JetStream has the stream. */
  private queues: OfflineQueues | undefined;
  /** Local members of each shared subscription ("$share/group/filter"), and whose turn it is. */
  private readonly sharedMembers = new Map<string, Set<Connection>>();
  private readonly sharedTurn = new Map<string, number>();
  /** Shared-subscription messages NATS gave this gateway when none of its members could take them. */
  sharedDropped = 0;
  /** Sessions being parked: they collect their messages until their consumers exist. */
  private readonly parking = new Set<ParkingSession>();
  private events: SessionEventsConsumer | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  /** Session health and live statistics of the connections here (health.ts). */
  health: HealthMonitor | undefined;
  private readonly pendingWills = new Map<string, PendingWill>();
  private readonly closeCalls = new Set<Promise<unknown>>();
  private readonly messageIdPrefix = randomBytes(6).toString('base64url');
  private messageCounter = 0;
  private port = 0;
  private closing = false;

  constructor(
    private readonly config: Config,
    logger?: Logger,
  ) {
    super();
    this.logger = logger ?? createLogger('connection-gateway', config.logLevel);
    this.s = subjects(config.natsPrefix);
    this.sessions = new SessionClient(config);
    this.server = createServer((socket) => this.accept(socket));
  }

  async start(): Promise<{ port: number; gatewayId: string }> {
    const nc = await connect({
      servers: this.config.natsUrl ?? DEFAULT_NATS_URL,
      maxReconnectAttempts: -1,
      waitOnFirstConnect: true,
      name: 'mqfleet-connection-gateway',
    });
    this.nc = nc;
    void this.watchNats(nc);

    this.server.listen(this.config.mqttPort + this.config.gatewayIndex, this.config.host);
    await Promise.race([
      once(this.server, 'listening'),
      once(this.server, 'error').then(([err]) => Promise.reject(err as Error)),
    ]);
    this.port = (this.server.address() as { port: number }).port;
    this.gatewayId = this.config.gatewayId ?? deriveGatewayId(hostname(), this.port);
    this.sessions.gatewayId = this.gatewayId;
    this.router = new NatsRouter(
      nc,
      this.s,
      this.gatewayId,
      this.logger,
      (m) => this.deliverLocal(m),
      (shared, m) => this.deliverShared(shared, m),
    );
    this.retained = new RetainedStore(nc, this.s, this.gatewayId, this.logger);
    const queues = new OfflineQueues(nc, this.s, this.gatewayId, this.logger, this.config.maxQueuedMessages);
    try {
      await queues.ensureStream();
      this.queues = queues;
      nc.subscribe(this.s.queueReadyAll, {
        callback: (err, msg) => {
          if (err) return;
          try {
            const { clientName } = msg.json<{ clientName: unknown }>();
            if (typeof clientName === 'string') this.onQueueReady(clientName);
          } catch {
            this.logger.warn('queue-ready notice is not JSON', { subject: msg.subject });
          }
        },
      });
    } catch (err) {
      this.logger.error('offline queue stream unavailable: persistent sessions get no offline messages', {
        stream: this.s.queueStream,
        err,
      });
    }

    this.events = new SessionEventsConsumer(
      nc,
      this.s,
      this.logger,
      (event) => this.onSessionEvent(event),
      () => {
        this.emit('eventsAttached');
        void this.reconcile('events attached');
      },
    );
    await this.events.start();

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
    this.health = health;

    // Confirms every applied session version, so alterMqSession can report liveApplied; a new
    // version may change thresholds or subscriptions, so its health is evaluated again.
    this.on(
      'sessionApplied',
      (clientName: string, version: string, _source: string, connectionId: string) => {
        this.confirmApplied(clientName, version, connectionId);
        const conn = this.byClient.get(clientName);
        if (conn?.id === connectionId) health.check(conn);
      },
    );

    this.publishHeartbeat();
    this.heartbeat = setInterval(() => this.publishHeartbeat(), HEARTBEAT_INTERVAL_MS);
    this.heartbeat.unref();
    return { port: this.port, gatewayId: this.gatewayId };
  }

  /** Stops listening, tells MQTT 5 clients 0x8B, closes sockets, drains NATS, closes gRPC. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    clearInterval(this.heartbeat);
    this.health?.stop();
    const listening = this.server.listening ? once(this.server, 'close') : Promise.resolve();
    this.server.close();
    const sockets = [...this.connections].map((conn) => {
      const closed = conn.socket.destroyed ? Promise.resolve() : once(conn.socket, 'close');
      conn.end(
        { reason: 'server shutting down', clean: false, publishWill: false },
        ReasonCode.SERVER_SHUTTING_DOWN,
      );
      return closed;
    });
    const grace = setTimeout(() => {
      for (const conn of this.connections) conn.socket.destroy();
    }, CLOSE_GRACE_MS);
    await Promise.all(sockets);
    clearTimeout(grace);
    await listening;
    // Delayed wills would be lost with this process: they are published now.
    for (const [clientName, pending] of this.pendingWills) {
      clearTimeout(pending.timer);
      this.publishWill(clientName, pending.will);
    }
    this.pendingWills.clear();
    await Promise.allSettled([...this.closeCalls]);
    await this.events?.stop();
    if (this.nc && !this.nc.isClosed()) await this.nc.drain().catch(() => undefined);
    this.sessions.close();
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
      existing.end({ reason: TAKEN_OVER, clean: false, publishWill: false }, ReasonCode.SESSION_TAKEN_OVER);
    }
    this.byClient.set(conn.clientName, conn);
    return true;
  }

  route(message: RoutedMessage): void {
    this.deliverLocal(message);
    this.router?.publish(message);
    // QoS 1/2 messages are also offered to the offline sessions' queues [MQTT-3.1.2-5].
    this.queues?.publish(message);
  }

  storeRetained(message: RoutedMessage): Promise<boolean> {
    return this.retained ? this.retained.store(message) : Promise.resolve(false);
  }

  readRetained(filter: string): Promise<RoutedMessage[]> {
    return this.retained ? this.retained.read(filter) : Promise.resolve([]);
  }

  addFilter(filter: string, conn: Connection): Promise<void> {
    const shared = parseShared(filter);
    if (!shared) return this.router ? this.router.add(filter) : Promise.resolve();
    let members = this.sharedMembers.get(filter);
    if (!members) this.sharedMembers.set(filter, (members = new Set()));
    members.add(conn);
    return this.router ? this.router.addShared(shared) : Promise.resolve();
  }

  removeFilter(filter: string, conn: Connection): void {
    const shared = parseShared(filter);
    if (!shared) {
      this.router?.remove(filter);
      return;
    }
    const members = this.sharedMembers.get(filter);
    members?.delete(conn);
    if (members?.size === 0) {
      this.sharedMembers.delete(filter);
      this.sharedTurn.delete(filter);
    }
    this.router?.removeShared(shared);
  }

  /**
   * NATS chose this gateway for a message of a shared subscription: one of its members here
   * gets it, in turn [MQTT-4.8.2]. A member that cannot take it (still connecting, closing) is
   * passed over; with none left the message is dropped and counted.
   */
  private deliverShared(shared: SharedFilter, message: RoutedMessage): void {
    // NATS subjects over-match "$" topics for leading wildcards [MQTT-4.7.2-1].
    if (!topicMatches(shared.filter, message.topic)) return;
    const topicFilter = `${SHARE_PREFIX}${shared.group}/${shared.filter}`;
    const members = [...(this.sharedMembers.get(topicFilter) ?? [])];
    const turn = this.sharedTurn.get(topicFilter) ?? 0;
    for (let i = 0; i < members.length; i++) {
      if (members[(turn + i) % members.length]!.offerShared(topicFilter, message)) {
        this.sharedTurn.set(topicFilter, (turn + i + 1) % members.length);
        return;
      }
    }
    this.sharedDropped++;
  }

  connectionEnded(conn: Connection, info: EndInfo, will: Will | undefined, handoff: Handoff): void {
    if (this.byClient.get(conn.clientName) === conn) this.byClient.delete(conn.clientName);
    this.health?.forget(conn);
    if (will) {
      // The will waits for min(Will Delay, Session Expiry) [MQTT-3.1.3-9, MQTT-3.1.2.5].
      const expiry = info.sessionExpiryInterval ?? conn.settings.sessionExpiryInterval;
      const delay = Math.min(will.delaySeconds, expiry);
      if (delay > 0 && !this.closing) this.scheduleWill(conn.clientName, will, delay, conn.version);
      else this.publishWill(conn.clientName, will);
    }
    const request = {
      clientName: conn.clientName,
      connectionId: conn.id,
      clean: info.clean,
      reason: info.reason,
      ...(info.sessionExpiryInterval !== undefined
        ? { sessionExpiryInterval: info.sessionExpiryInterval }
        : {}),
    };
    const call = this.endSession(conn, info, handoff, request)
      .catch((err: unknown) => this.logger.warn('CloseSession failed', { clientName: conn.clientName, err }))
      .finally(() => this.closeCalls.delete(call));
    this.closeCalls.add(call);
    this.emit('connectionClosed', conn.clientName, conn.id, info.reason);
  }

  /**
   * A session that outlives its connection (Session Expiry > 0, not banned, not taken over by a
   * newer connection) is parked before it is closed: its QoS 1/2 messages are queued in JetStream
   * from then on, and what the connection had not completed is saved [MQTT-3.1.2-5, MQTT-4.4.0-1].
   * Until the consumers exist the subscriptions keep their NATS interest and the gateway collects
   * their messages, so nothing published meanwhile is missed. Then CloseSession; if the session
   * was not closed by it (taken over meanwhile, or removed), the queue is discarded again.
   */
  private async endSession(
    conn: Connection,
    info: EndInfo,
    handoff: Handoff,
    request: Parameters<SessionClient['closeSession']>[0],
  ): Promise<void> {
    const expiry = info.sessionExpiryInterval ?? conn.settings.sessionExpiryInterval;
    const queues = this.queues;
    // Shared subscriptions are not queued: the group's other members take their messages.
    const filters = [...handoff.subscriptions].filter(([f, o]) => o.qos > 0 && !isShared(f)).map(([f]) => f);
    let parked = false;
    const keep = queues && expiry > 0 && !conn.banned;
    if (keep && info.reason === TAKEN_OVER) {
      // The session lives on in a newer connection: it gets what this one had not completed.
      if (handoff.saved.length > 0) {
        try {
          await queues.park(conn.clientName, [], handoff.saved, () => []);
          this.nc?.publish(
            this.s.queueReady(conn.clientName),
            JSON.stringify({ clientName: conn.clientName }),
          );
          this.emit('sessionParked', conn.clientName, handoff.saved.length);
        } catch (err) {
          this.logger.warn('deliveries of a taken-over connection not handed over', {
            clientName: conn.clientName,
            err,
          });
        }
      }
    } else if (keep && (filters.length > 0 || handoff.saved.length > 0)) {
      const parking = new ParkingSession(handoff.subscriptions);
      this.parking.add(parking);
      try {
        await queues.park(conn.clientName, filters, handoff.saved, () => {
          this.parking.delete(parking);
          return parking.collected;
        });
        parked = true;
        this.emit('sessionParked', conn.clientName, handoff.saved.length);
      } catch (err) {
        this.logger.warn('session not parked: its offline messages are lost', {
          clientName: conn.clientName,
          err,
        });
      } finally {
        this.parking.delete(parking);
      }
    }
    for (const filter of handoff.subscriptions.keys()) this.removeFilter(filter, conn);
    const result = await this.sessions.closeSession(request);
    if (parked && (!result.closed || result.sessionRemoved)) await queues!.discard(conn.clientName);
  }

  /**
   * Subscriptions changed on a session that is offline (subscribeToMq): the gateway that parked it
   * (the last one to hold it) brings its queue's consumers in line, so messages matching an added
   * filter are queued from then on.
   */
  private refilterParked(session: Session__Output): void {
    const holder = session.connection;
    if (
      !this.queues ||
      holder?.status === 'CONNECTION_STATUS_CONNECTED' ||
      holder?.gatewayId !== this.gatewayId
    )
      return;
    const filters = (session.subscriptions ?? [])
      .filter((s) => s.qos > 0 && !isShared(s.topicFilter))
      .map((s) => s.topicFilter);
    this.queues
      .refilter(session.clientName, filters)
      .then((parked) => parked && this.emit('parkedRefiltered', session.clientName, filters))
      .catch((err: unknown) =>
        this.logger.warn('offline queue not refiltered', { clientName: session.clientName, err }),
      );
  }

  /**
   * A taken-over connection parked its deliveries: the connection holding the session here gets
   * them if it resumed the session; after a clean start they are discarded [MQTT-3.1.2-4].
   */
  private onQueueReady(clientName: string): void {
    const conn = this.byClient.get(clientName);
    const queues = this.queues;
    if (!conn || !queues) return;
    if (conn.state !== 'open') {
      // Still connecting: resumeQueue looks again once its own read is done.
      conn.queueReadyPending = true;
      return;
    }
    const work = conn.sessionResumed
      ? queues.take(clientName).then((resumed) => {
          if (resumed) conn.restore(resumed);
        })
      : queues.discard(clientName);
    work.catch((err: unknown) => this.logger.warn('handed-over deliveries not read', { clientName, err }));
  }

  resumeQueue(clientName: string, sessionPresent: boolean): Promise<Resumed | undefined> {
    const queues = this.queues;
    if (!queues) return Promise.resolve(undefined);
    const conn = this.byClient.get(clientName);
    if (conn) conn.sessionResumed = sessionPresent;
    const work = sessionPresent ? queues.take(clientName) : queues.discard(clientName).then(() => undefined);
    // A taken-over connection's deliveries announced while this one was connecting: taken once
    // this connection is open (after CONNACK, which follows in the same tick).
    const lookAgain = (): void => {
      if (conn?.queueReadyPending) {
        conn.queueReadyPending = false;
        setImmediate(() => this.onQueueReady(clientName));
      }
    };
    work.then(lookAgain, lookAgain);
    // CONNACK waits at most RESUME_TIMEOUT_MS: a queue JetStream cannot hand over in time stays
    // there (it is taken at the session's next resumption) rather than hold the client back.
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => {
        this.logger.warn('offline queue not read in time', { clientName });
        resolve(undefined);
        // Taken late: delivered to the connection after all, if it is still there.
        void read.then((late) => {
          const conn = this.byClient.get(clientName);
          if (late && conn) conn.restore(late);
        });
      }, RESUME_TIMEOUT_MS);
    });
    const read = work.catch((err: unknown) => {
      this.logger.warn('offline queue not read', { clientName, err });
      return undefined;
    });
    return Promise.race([read, timeout]).finally(() => clearTimeout(timer));
  }

  cancelWill(clientName: string): void {
    const pending = this.pendingWills.get(clientName);
    if (!pending) return;
    clearTimeout(pending.timer);
    this.pendingWills.delete(clientName);
    this.emit('willCancelled', clientName);
  }

  nextMessageId(): string {
    return `${this.messageIdPrefix}.${(this.messageCounter++).toString(36)}`;
  }

  // -------------------------------------------------------------------------------------------
  // Connections

  private accept(socket: Socket): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    const conn = new Connection(socket, this);
    this.connections.add(conn);
    socket.once('close', () => this.connections.delete(conn));
    attach(conn);
  }

  private deliverLocal(message: RoutedMessage): void {
    for (const conn of this.connections) conn.offer(message);
    for (const parking of this.parking) parking.offer(message);
  }

  private scheduleWill(clientName: string, will: Will, delaySeconds: number, version: bigint): void {
    this.cancelWill(clientName);
    const timer = setTimeout(() => {
      this.pendingWills.delete(clientName);
      this.publishWill(clientName, will);
    }, delaySeconds * 1000);
    timer.unref();
    this.pendingWills.set(clientName, { timer, will, version });
  }

  private publishWill(clientName: string, will: Will): void {
    this.logger.info('publishing will', { clientName, topic: will.topic });
    const message: RoutedMessage = {
      id: this.nextMessageId(),
      topic: will.topic,
      payload: will.payload,
      qos: will.qos,
      retain: will.retain,
      properties: { ...will.properties, userProperties: [...will.properties.userProperties] },
      receivedAt: Date.now(),
    };
    // A will with Will Retain 1 is published as a retained message [MQTT-3.1.2-17].
    if (message.retain) {
      void this.storeRetained(message).then((stored) => {
        if (stored) this.emit('retainedStored', message.topic);
      });
    }
    this.route(message);
    this.emit('willPublished', clientName, will.topic);
  }

  // -------------------------------------------------------------------------------------------
  // Session events and reconciliation

  private onSessionEvent(event: SessionEvent): void {
    this.emit('sessionEvent', event);
    const pending = this.pendingWills.get(event.clientName);
    if (pending && event.type === 'connected' && BigInt(event.version) > pending.version) {
      // The client reconnected on another gateway within the will delay [MQTT-3.1.3-9].
      this.cancelWill(event.clientName);
    }
    if (event.type === 'deleted' && this.queues && !event.actor.startsWith('gateway:')) {
      // An expired or deleted session's offline queue goes with it (every gateway tries; idempotent).
      // A session removed by its own disconnection (expiry 0) was never parked: no lookup.
      this.queues
        .discard(event.clientName)
        .catch((err: unknown) =>
          this.logger.warn('offline queue not discarded', { clientName: event.clientName, err }),
        );
    }
    if (event.type === 'altered' && event.changes?.subscriptions && event.session)
      this.refilterParked(event.session);
    const conn = this.byClient.get(event.clientName);
    if (!conn) return;
    if ((event.type === 'deleted' || event.type === 'deactivated') && BigInt(event.version) > conn.version) {
      this.disconnectByAdmin(conn, event.type);
      return;
    }
    if (!event.session) return;
    this.applyRemote(conn, event.session, `event:${event.type}`);
  }

  /**
   * deleteMqSession: the client is disconnected (MQTT 5 DISCONNECT 0x98, administrative action).
   * The server ends the connection, not the client, so its will is published [MQTT-3.1.2-8].
   */
  private disconnectByAdmin(conn: Connection, why: string): void {
    this.logger.info('session ended by an administrator', { clientName: conn.clientName, why });
    conn.end(
      { reason: `session ${why} by an administrator`, clean: false, publishWill: true },
      ReasonCode.ADMINISTRATIVE_ACTION,
    );
  }

  /** Applies a newer session state, or closes the connection if another connection holds it now. */
  private applyRemote(conn: Connection, session: Session__Output, source: string): void {
    if (BigInt(session.version || '0') <= conn.version) return;
    const holder = session.connection;
    if (
      holder?.status === 'CONNECTION_STATUS_CONNECTED' &&
      holder.connectionId &&
      holder.connectionId !== conn.id
    ) {
      // Cluster-wide takeover: the client connected elsewhere [MQTT-3.1.4-3].
      this.logger.info('session taken over', { clientName: conn.clientName, by: holder.gatewayId, source });
      this.emit('takeover', conn.clientName, conn.id, 'cluster');
      conn.end({ reason: TAKEN_OVER, clean: false, publishWill: false }, ReasonCode.SESSION_TAKEN_OVER);
      return;
    }
    conn.applySession(session, source);
  }

  private confirmApplied(clientName: string, version: string, connectionId: string): void {
    const applied: SessionApplied = { clientName, version, gatewayId: this.gatewayId, connectionId };
    try {
      this.nc?.publish(this.s.sessionApplied(clientName), JSON.stringify(applied));
    } catch (err) {
      this.logger.debug('confirmation not published', { clientName, err });
    }
  }

  /** Asks the session-service for every client connected here and applies newer versions. */
  async reconcile(why: string): Promise<void> {
    const names = [...this.byClient.keys()];
    if (names.length === 0 || this.closing) return;
    this.logger.info('reconciling sessions', { why, count: names.length });
    for (let i = 0; i < names.length; i += RECONCILE_BATCH) {
      try {
        const batch = names.slice(i, i + RECONCILE_BATCH);
        const { sessions } = await this.sessions.describeSessions(batch);
        const found = new Set(sessions.map((s) => s.clientName));
        for (const session of sessions) {
          const conn = this.byClient.get(session.clientName);
          if (conn) this.applyRemote(conn, session, 'reconcile');
        }
        // A session deleted while this gateway missed events is gone from the store.
        for (const name of batch) {
          const conn = this.byClient.get(name);
          if (conn && !found.has(name)) this.disconnectByAdmin(conn, 'deleted');
        }
      } catch (err) {
        this.logger.warn('reconcile failed', { why, err });
      }
    }
    this.emit('reconciled', why);
  }

  private async watchNats(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (status.type === Events.Reconnect) {
        this.logger.info('NATS reconnected', { server: status.data });
        void this.reconcile('nats reconnect');
        this.health?.resendAll();
      } else if (status.type === Events.Disconnect) {
        this.logger.warn('NATS disconnected', { server: status.data });
      }
    }
  }

  private publishHeartbeat(): void {
    if (!this.nc || this.nc.isClosed()) return;
    const beat: GatewayHeartbeat = {
      gatewayId: this.gatewayId,
      host: this.config.host,
      mqttPort: this.port,
      connections: this.byClient.size,
    };
    try {
      this.nc.publish(this.s.gatewayHeartbeat(this.gatewayId), JSON.stringify(beat));
    } catch (err) {
      this.logger.warn('heartbeat failed', { err });
    }
  }
}

/** Collects a session's QoS 1/2 messages while it is being parked (Gateway.endSession). */
class ParkingSession {
  readonly collected: SavedDelivery[] = [];

  constructor(private readonly subscriptions: Map<string, SubscriptionOptions>) {}

  offer(message: RoutedMessage): void {
    const m = match(this.subscriptions, message.topic, message.qos, message.retain, false);
    if (!m || m.qos === 0) return;
    this.collected.push({ message, qos: m.qos, retain: m.retain, subscriptionIds: m.subscriptionIds });
  }
}

export function buildGateway(config: Config, logger?: Logger): Gateway {
  return new Gateway(config, logger);
}
