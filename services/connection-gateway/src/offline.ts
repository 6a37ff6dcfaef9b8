// The gateway's side of persistent sessions' offline queues (the JetStream layout is queue.ts):
// parking a session when its connection ends, handing the queue to the connection that resumes
// it, handing a taken-over connection's deliveries to the new one, and following session events
// (expiry/deletion, subscriptions an administrator changes while the session is offline). The
// Gateway calls these hooks; nothing here knows about sockets or listeners.
import {
  GATEWAY_WATCH_ACTOR,
  type JetStreamLimitFields,
  type Logger,
  type SessionEvent,
  type Subjects,
} from '@mqfleet/core';
import type { CloseSessionResponse__Output, Session__Output } from '@mqfleet/proto';
import type { NatsConnection } from 'nats';
import type { BusLimits } from './bus-limits';
import type { Connection, Handoff } from './connection';
import { TAKEN_OVER, type EndInfo } from './context';
import type { RoutedMessage } from './message';
import type { StoreConfirmer } from './bus-confirm';
import type { Confirmation } from './confirmation';
import { ReasonCode } from './reason-codes';
import { ParkedInterest } from './parked-interest';
import { OfflineQueues, type QueueHook, type Resumed, type SavedDelivery } from './queue';
import { isShared } from './shared';
import { match, optionsOf, type SubscriptionOptions } from './subscriptions';
import type { EmitGatewayEvent } from './events';

/** CONNACK waits at most this long for a resumed session's offline queue. */
export const RESUME_TIMEOUT_MS = 1500;
/** How long a parked session's filters are kept to compare with its disconnected event. */
const PARKED_EVENT_WAIT_MS = 60_000;
/** Sessions remembered as ended here without a queue; beyond it the list starts again. */
const UNPARKED_MAX = 100_000;
/** How often a gateway removes queues no session will take (first sweep: one interval after start). */
export const SWEEP_INTERVAL_MS = 10 * 60_000;

/** What the offline queues need from the gateway. */
export interface OfflineHost {
  readonly gatewayId: string;
  readonly logger: Logger;
  /** The connection holding each client id on this gateway. */
  readonly byClient: Map<string, Connection>;
  removeFilter(filter: string, conn: Connection): void;
  /** The client ids among these that have a session. */
  existingSessions(clientNames: string[]): Promise<Set<string>>;
  /** What the bus can carry: a stored filter that does not fit gets no queue consumer. */
  readonly bus: BusLimits;
  /**
   * Session events of this client id are read from now on (watching) or no more: a gateway leaves
   * unread the high-volume events of sessions it has nothing to do with (index.ts eventNeeded).
   */
  watchClient(clientName: string, watching: boolean): void;
  /** Fetches sessions (an event too large for the bus came as a reference without its session). */
  readonly sessions: { describeSessions(names: string[]): Promise<{ sessions: Session__Output[] }> };
  emit: EmitGatewayEvent;
  /**
   * MQFLEET_MAX_QUEUED_BYTES also bounds what a resumed session gets from its offline queue; a
   * gateway silent for gatewayTimeoutMs does not answer parked-subject announcements any more.
   */
  readonly limits: { readonly maxQueuedBytes: number; readonly gatewayTimeoutMs: number };
}

/**
 * The filters whose messages a parked session's queue keeps: QoS 1/2, not shared, and (a stored
 * filter from before the bus limits) fitting the bus: its consumer's subject must fit NATS.
 */
function queueFilters(session: Session__Output, bus: BusLimits): string[] {
  return (session.subscriptions ?? [])
    .filter((s) => s.qos > 0 && !isShared(s.topicFilter) && !bus.filterProblem(s.topicFilter))
    .map((s) => s.topicFilter);
}

/**
 * Collects a session's QoS 1/2 messages while it is being parked. A publisher's acknowledgement
 * of a collected message waits until the parking has stored it (confirmation.ts).
 */
class ParkingSession {
  private readonly collected: SavedDelivery[] = [];
  private readonly confirmations: Confirmation[] = [];

  constructor(private readonly subscriptions: Map<string, SubscriptionOptions>) {}

  offer(message: RoutedMessage, confirmation: Confirmation | undefined): void {
    const m = match(this.subscriptions, message.topic, message.qos, message.retain, false);
    if (!m || m.qos === 0) return;
    this.collected.push({ message, qos: m.qos, retain: m.retain, subscriptionIds: m.subscriptionIds });
    if (confirmation) {
      confirmation.expect();
      this.confirmations.push(confirmation);
    }
  }

  /**
   * What was collected since the last call. The parking keeps collecting until it ends: if its
   * consumers are removed under it, it starts again and takes what arrived since (queue.ts park).
   */
  drain(): SavedDelivery[] {
    return this.collected.splice(0);
  }

  /** The parking stored what it collected (code 0) or failed. */
  settle(code: number): void {
    for (const confirmation of this.confirmations) confirmation.done(code);
    this.confirmations.length = 0;
  }
}

export class OfflineSessions {
  /** Undefined when JetStream could not provide the stream: sessions then get no offline messages. */
  private queues: OfflineQueues | undefined;
  /** Sessions being parked: they collect their messages until their consumers exist. */
  private readonly parking = new Set<ParkingSession>();
  /** Per client id, the last parking on this gateway: parkings of one session run one at a time. */
  private readonly chains = new Map<string, Promise<unknown>>();
  private sweeper: NodeJS.Timeout | undefined;
  private interest: ParkedInterest | undefined;
  /** Sessions parked here whose disconnected event has not arrived yet, with the parked filters. */
  private readonly parkedFilters = new Map<string, string[]>();
  /** Sessions ended here without a queue, with their version then (rememberUnparked). */
  private readonly unparked = new Map<string, bigint>();

  private setParked(clientName: string, filters: string[]): void {
    if (!this.parkedFilters.has(clientName)) this.host.watchClient(clientName, true);
    this.parkedFilters.set(clientName, filters);
  }

  private deleteParked(clientName: string): void {
    if (this.parkedFilters.delete(clientName)) this.host.watchClient(clientName, false);
  }

  constructor(
    private readonly nc: NatsConnection,
    private readonly s: Subjects,
    private readonly host: OfflineHost,
    private readonly maxQueued: number,
    private readonly confirmer?: StoreConfirmer,
    /** The queue stream's configured limits, used if this gateway creates it (queue.ts). */
    private readonly limits?: JetStreamLimitFields,
    /** The connection routed messages travel on (parked-interest.ts orders answers behind them). */
    private readonly messages: NatsConnection = nc,
  ) {}

  async start(): Promise<void> {
    const queues = new OfflineQueues(
      this.nc,
      this.s,
      this.host.gatewayId,
      this.host.logger,
      this.maxQueued,
      this.host.limits.maxQueuedBytes,
      this.confirmer,
      this.limits,
    );
    try {
      await queues.ensureStream();
    } catch (err) {
      this.host.logger.error(
        'offline queue stream unavailable: persistent sessions get no offline messages',
        {
          stream: this.s.queueStream,
          err,
        },
      );
      return;
    }
    // Which queued-message subjects parked sessions want (parked-interest.ts): read before the
    // gateway routes, so no QoS 1/2 message is left out of the queue stream.
    const interest = new ParkedInterest(
      this.nc,
      this.s,
      this.host.gatewayId,
      this.host.logger,
      () => queues.consumerFilters(),
      this.host.limits.gatewayTimeoutMs,
      this.messages,
    );
    await interest.start();
    queues.interest = interest;
    this.interest = interest;
    this.queues = queues;
    this.sweeper = setInterval(() => void this.sweep(), SWEEP_INTERVAL_MS);
    this.sweeper.unref();
    this.nc.subscribe(this.s.queueReadyAll, {
      callback: (err, msg) => {
        if (err) return;
        try {
          const { clientName } = msg.json<{ clientName: unknown }>();
          if (typeof clientName === 'string') this.onQueueReady(clientName);
        } catch {
          this.host.logger.warn('queue-ready notice is not JSON', { subject: msg.subject });
        }
      },
    });
  }

  /** Test hook: holds park() and take() at named points (queue.ts QueueHookPoint). */
  set hook(hook: QueueHook | undefined) {
    if (this.queues) this.queues.hook = hook;
  }

  stop(): void {
    clearInterval(this.sweeper);
    this.interest?.stop();
  }

  /**
   * Removes the queues of sessions that no longer exist (a `deleted` event published while no
   * gateway ran) and consumers a crash left behind. Every gateway sweeps; it is idempotent.
   */
  async sweep(): Promise<string[]> {
    if (!this.queues) return [];
    try {
      const removed = await this.queues.sweep((names) => this.host.existingSessions(names));
      this.host.emit('queuesSwept', removed);
      return removed;
    } catch (err) {
      this.host.logger.warn('offline queue sweep failed', { err });
      return [];
    }
  }

  /** QoS 1/2 messages published to the queue stream, and those left out (no parked session wants them). */
  get counts(): { published: number; skipped: number } {
    return this.queues?.counts ?? { published: 0, skipped: 0 };
  }

  /** A QoS 1/2 message received here is offered to the offline sessions' queues [MQTT-3.1.2-5]. */
  publish(message: RoutedMessage, confirmation?: Confirmation): void {
    this.queues?.publish(message, confirmation);
  }

  /** Every message delivered locally also reaches the sessions being parked. */
  offer(message: RoutedMessage, confirmation?: Confirmation): void {
    for (const parking of this.parking) parking.offer(message, confirmation);
  }

  /**
   * A connection ended. A session that outlives it (Session Expiry > 0, not banned) is parked
   * before it is closed: its QoS 1/2 messages are queued in JetStream from then on, and what the
   * connection had not completed is saved [MQTT-3.1.2-5, MQTT-4.4.0-1]. Until the consumers exist
   * the subscriptions keep their NATS interest and their messages are collected, so nothing
   * published meanwhile is missed. Then `close` (CloseSession); if the session was not closed by
   * it (taken over meanwhile, or removed), the queue is discarded again. A connection taken over
   * by a newer one only hands its uncompleted deliveries to it (queueReady notice).
   */
  async end(
    conn: Connection,
    info: EndInfo,
    handoff: Handoff,
    /** CloseSession (retried until it lands); undefined when the connection no longer held it. */
    close: () => Promise<CloseSessionResponse__Output | undefined>,
  ): Promise<void> {
    // Shared subscriptions are not queued: their NATS queue-group interest goes at once, so that
    // NATS gives the group's messages to the gateways of its other members.
    for (const filter of handoff.subscriptions.keys()) {
      if (isShared(filter)) this.host.removeFilter(filter, conn);
    }
    const expiry = info.sessionExpiryInterval ?? conn.settings.sessionExpiryInterval;
    const versionAtEnd = conn.version;
    const queues = this.queues;
    // With MQFLEET_MAX_QUEUED_MESSAGES 0 nothing new is queued (in-flight deliveries still are).
    const filters =
      this.maxQueued === 0
        ? []
        : [...handoff.subscriptions].filter(([f, o]) => o.qos > 0 && !isShared(f)).map(([f]) => f);
    let parked = false;
    const keep = queues && expiry > 0 && !conn.banned;
    if (keep && info.reason === TAKEN_OVER) {
      this.host.logger.debug('connection taken over', {
        clientName: conn.clientName,
        saved: handoff.saved.length,
      });
      if (handoff.saved.length > 0) {
        try {
          await this.serially(conn.clientName, () =>
            queues.park(conn.clientName, [], handoff.saved, () => []),
          );
          this.announce(conn.clientName);
          this.host.emit('sessionParked', conn.clientName, handoff.saved.length);
        } catch (err) {
          this.host.logger.warn('deliveries of a taken-over connection not handed over', {
            clientName: conn.clientName,
            err,
          });
        }
      }
    } else if (keep && (filters.length > 0 || handoff.saved.length > 0)) {
      const parking = new ParkingSession(filters.length > 0 ? handoff.subscriptions : new Map());
      this.parking.add(parking);
      try {
        // (Only with a test's hook: no extra tick before the parking is chained.)
        if (queues.hook)
          await queues.hook(
            this.chains.has(conn.clientName) ? 'park:behind' : 'park:queued',
            conn.clientName,
          );
        await this.serially(conn.clientName, () =>
          queues.park(conn.clientName, filters, handoff.saved, () => parking.drain()),
        );
        parked = true;
        parking.settle(0);
      } catch (err) {
        parking.settle(ReasonCode.UNSPECIFIED_ERROR);
        this.host.logger.warn('session not parked: its offline messages are lost', {
          clientName: conn.clientName,
          err,
        });
        // An incomplete parking is never taken: what it created goes (best effort).
        await queues.discard(conn.clientName).catch(() => undefined);
      } finally {
        this.parking.delete(parking);
      }
    }
    for (const filter of handoff.subscriptions.keys()) {
      if (!isShared(filter)) this.host.removeFilter(filter, conn);
    }
    // Until its disconnected event: a subscription change racing with the close is caught there.
    if (parked) this.rememberParked(conn.clientName, filters);
    const result = await close();
    if (keep && !parked && result?.closed && !result.sessionRemoved)
      this.rememberUnparked(conn.clientName, versionAtEnd);
    if (parked && result?.sessionRemoved) {
      this.deleteParked(conn.clientName);
      await queues!.discard(conn.clientName);
    } else if (parked) {
      // A connection that resumed the session while it was being parked (take() leaves an
      // incomplete parking alone) takes it now; one after a clean start discards it.
      this.announce(conn.clientName);
      this.host.emit('sessionParked', conn.clientName, handoff.saved.length);
    }
  }

  /**
   * A session of a lost gateway (lost-work.ts): parked as if its connection had ended here (its
   * in-flight deliveries died with that gateway), then closed by `close`; its queue is discarded
   * again if the close removed the session, and announced if another connection resumed it
   * meanwhile. Without `close` (the session-service closed it already) it is only parked. Resolves
   * true if the session was parked; throws if parking failed (the work is done again later).
   */
  async parkLost(
    session: Session__Output,
    close?: () => Promise<CloseSessionResponse__Output>,
  ): Promise<boolean> {
    const clientName = session.clientName;
    const queues = this.queues;
    const settings = session.settings;
    const filters = this.maxQueued === 0 ? [] : queueFilters(session, this.host.bus);
    const keep =
      queues !== undefined &&
      (settings?.sessionExpiryInterval ?? 0) > 0 &&
      settings?.sessionStatus !== 'SESSION_STATUS_BANNED' &&
      filters.length > 0;
    if (keep) {
      try {
        await this.serially(clientName, () => queues.park(clientName, filters, [], () => []));
      } catch (err) {
        await queues.discard(clientName).catch(() => undefined);
        throw err;
      }
      this.rememberParked(clientName, filters);
    }
    const result = close ? await close() : undefined;
    if (keep && result?.sessionRemoved) {
      this.deleteParked(clientName);
      await queues.discard(clientName);
      return false;
    }
    if (keep) {
      this.announce(clientName);
      this.host.emit('sessionParked', clientName, 0);
    }
    return keep;
  }

  /** Tells the gateway holding the client (if any) that its session's queue can be taken. */
  private announce(clientName: string): void {
    try {
      this.nc.publish(this.s.queueReady(clientName), JSON.stringify({ clientName }));
    } catch (err) {
      this.host.logger.warn('queue-ready notice not published', { clientName, err });
    }
  }

  /**
   * A persistent session ended here and nothing was parked for it (no QoS 1/2 subscription, no
   * delivery to save); its close took it from version `version` to the next. If the CONNECT that
   * resumes it finds it two versions on (the close, then its own open), nothing happened to it in
   * between: no connection elsewhere (only a connection's end parks a queue), no change by an
   * administrator. Its queue then cannot exist and resume() asks JetStream nothing (a consumer
   * lookup that failed with "not found" on every resume, in the persistent connect benchmark).
   */
  private rememberUnparked(clientName: string, version: bigint): void {
    if (this.unparked.size >= UNPARKED_MAX) this.unparked.clear();
    this.unparked.set(clientName, version);
  }

  private rememberParked(clientName: string, filters: string[]): void {
    this.setParked(clientName, filters);
    // Forgotten if the event never comes (a NATS outage): the map does not grow.
    setTimeout(() => {
      if (this.parkedFilters.get(clientName) === filters) this.deleteParked(clientName);
    }, PARKED_EVENT_WAIT_MS).unref();
  }

  /**
   * At CONNECT: a present session's queue (saved deliveries and queued messages), or undefined;
   * a session that is not present has its queue discarded [MQTT-3.1.2-4]. Waits at most
   * RESUME_TIMEOUT_MS: a queue JetStream hands over later is delivered when it arrives.
   */
  resume(clientName: string, sessionPresent: boolean): Promise<Resumed | undefined> {
    const queues = this.queues;
    if (!queues) return Promise.resolve(undefined);
    const conn = this.host.byClient.get(clientName);
    if (conn) conn.sessionResumed = sessionPresent;
    // A session created by this CONNECT (version 1) has no queue: no JetStream request.
    if (!sessionPresent && conn?.version === 1n) return Promise.resolve(undefined);
    // Nor has a session that ended here without a queue and was opened again by this CONNECT
    // with nothing in between (see rememberUnparked).
    const unparked = this.unparked.get(clientName);
    if (unparked !== undefined) {
      this.unparked.delete(clientName);
      if (conn && conn.version === unparked + 2n) return Promise.resolve(undefined);
    }
    // After a parking of this session on this gateway (serially): the take gets it complete, and
    // never reads a queue a parking here is changing.
    const work = this.serially(clientName, () =>
      sessionPresent ? queues.take(clientName) : queues.discard(clientName).then(() => undefined),
    );
    // A taken-over connection's deliveries announced while this one was connecting: taken once
    // this connection is open (after CONNACK, which follows in the same tick).
    const lookAgain = (): void => {
      if (conn?.queueReadyPending) {
        conn.queueReadyPending = false;
        setImmediate(() => this.onQueueReady(clientName));
      }
    };
    work.then(lookAgain, lookAgain);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => {
        this.host.logger.warn('offline queue not read in time', { clientName });
        resolve(undefined);
        void read.then((late) => {
          // (A connection that ended meanwhile parks it again, below.)
          if (late && conn?.state === 'open' && !conn.ending) conn.restore(late);
        });
      }, RESUME_TIMEOUT_MS);
    });
    const read = work.catch((err: unknown) => {
      this.host.logger.warn('offline queue not read', { clientName, err });
      return undefined;
    });
    // A connection that ended while its queue was read cannot take it: it is parked again.
    void read.then((taken) => {
      this.host.logger.debug('offline queue read at CONNECT', {
        clientName,
        saved: taken?.saved.length,
        queued: taken?.queued.length,
      });
      if (taken && conn && (conn.ending || conn.state === 'closed')) this.repark(conn, taken);
    });
    return Promise.race([read, timeout]).finally(() => clearTimeout(timer));
  }

  /** Puts a queue taken for a connection that ended before it could deliver it back. */
  private repark(conn: Connection, taken: Resumed): void {
    const queues = this.queues;
    if (!queues) return;
    const subscriptions = new Map(
      (conn.session?.subscriptions ?? []).map((s) => [s.topicFilter, optionsOf(s)] as const),
    );
    const saved: SavedDelivery[] = [...taken.saved];
    for (const message of taken.queued) {
      const m = match(subscriptions, message.topic, message.qos, message.retain, false);
      if (m && m.qos > 0)
        saved.push({ message, qos: m.qos as 1 | 2, retain: m.retain, subscriptionIds: m.subscriptionIds });
    }
    if (saved.length === 0) return;
    this.serially(conn.clientName, () => queues.park(conn.clientName, [], saved, () => []))
      .then(() => {
        this.announce(conn.clientName);
        this.host.emit('sessionParked', conn.clientName, saved.length);
      })
      .catch((err: unknown) =>
        this.host.logger.warn('taken queue not parked again: it is lost', {
          clientName: conn.clientName,
          err,
        }),
      );
  }

  private serially<T>(clientName: string, work: () => Promise<T>): Promise<T> {
    const next = (this.chains.get(clientName) ?? Promise.resolve()).then(work, work);
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    this.chains.set(clientName, settled);
    void settled.then(() => {
      if (this.chains.get(clientName) === settled) this.chains.delete(clientName);
    });
    return next;
  }

  /** Session events: an expired or deleted session's queue goes; subscription changes follow. */
  onEvent(event: SessionEvent): void {
    const queues = this.queues;
    if (!queues) return;
    if (event.omitted && event.type !== 'deleted') {
      this.withSession(event);
      return;
    }
    if (
      event.type === 'deleted' &&
      !event.actor.startsWith('gateway:') &&
      event.actor !== GATEWAY_WATCH_ACTOR
    ) {
      // Every gateway tries (idempotent). A session removed by its own disconnection (expiry 0),
      // also that of a lost gateway, was never parked: no lookup.
      queues
        .discard(event.clientName)
        .catch((err: unknown) =>
          this.host.logger.warn('offline queue not discarded', { clientName: event.clientName, err }),
        );
    }
    if (event.type === 'altered' && event.changes?.subscriptions && event.session) {
      this.refilter(queues, event.session);
    }
    const parked = this.parkedFilters.get(event.clientName);
    if (parked && event.type === 'disconnected' && event.session) {
      // The stored subscriptions at the disconnection: an administrator may have changed them
      // while the connection was closing (that altered event still named it connected).
      this.deleteParked(event.clientName);
      const now = queueFilters(event.session, this.host.bus);
      if (now.length !== parked.length || now.some((f) => !parked.includes(f)))
        this.refilter(queues, event.session);
    } else if (parked && event.type !== 'altered') {
      this.deleteParked(event.clientName);
    }
  }

  /**
   * An event that came as a reference (too large for the bus, core event-size.ts): handled with
   * the session fetched from the session-service, as if it had carried it.
   */
  private withSession(event: SessionEvent): void {
    this.host.sessions
      .describeSessions([event.clientName])
      .then(({ sessions }) => {
        const session = sessions[0];
        if (!session) return;
        const changes = Object.fromEntries(
          (event.changedFields ?? []).map((f) => [f, { before: undefined, after: undefined }]),
        );
        const { omitted: _omitted, ...rest } = event;
        this.onEvent({ ...rest, changes, session });
      })
      .catch((err: unknown) =>
        this.host.logger.warn('session of a reference event not fetched', {
          clientName: event.clientName,
          err,
        }),
      );
  }

  /**
   * Subscriptions changed on a session that is offline (subscribeToMq): the gateway that parked it
   * (the last one to hold it) brings its queue's consumers in line, so messages matching an added
   * filter are queued from then on.
   */
  private refilter(queues: OfflineQueues, session: Session__Output): void {
    if (this.maxQueued === 0) return;
    const holder = session.connection;
    if (holder?.status === 'CONNECTION_STATUS_CONNECTED' || holder?.gatewayId !== this.host.gatewayId) return;
    const filters = queueFilters(session, this.host.bus);
    queues
      .refilter(session.clientName, filters)
      .then((parked) => parked && this.host.emit('parkedRefiltered', session.clientName, filters))
      .catch((err: unknown) =>
        this.host.logger.warn('offline queue not refiltered', { clientName: session.clientName, err }),
      );
  }

  /**
   * A taken-over connection parked its deliveries: the connection holding the session here gets
   * them if it resumed the session; after a clean start they are discarded [MQTT-3.1.2-4].
   */
  private onQueueReady(clientName: string): void {
    const conn = this.host.byClient.get(clientName);
    this.host.logger.debug('handed-over deliveries announced', {
      clientName,
      connection: conn?.id,
      state: conn?.state,
      resumed: conn?.sessionResumed,
    });
    const queues = this.queues;
    if (!conn || !queues) return;
    if (conn.state !== 'open') {
      // Still connecting: resume() looks again once its own read is done.
      conn.queueReadyPending = true;
      return;
    }
    const work = conn.sessionResumed
      ? this.serially(clientName, () => queues.take(clientName)).then((resumed) => {
          if (!resumed) return;
          // A connection that ended while the queue was read cannot take it: parked again.
          if (conn.ending || conn.state === 'closed') this.repark(conn, resumed);
          else conn.restore(resumed);
        })
      : this.serially(clientName, () => queues.discard(clientName));
    work.catch((err: unknown) =>
      this.host.logger.warn('handed-over deliveries not read', { clientName, err }),
    );
  }
}
