// Messages of MQ API sessions (docs/json-api.md, "Messages of MQ API sessions"). An MQ API
// session has no connection to deliver to: its messages are kept in JetStream until it reads
// them (getMessagesFromMqApiSession, the session-service's mq-api-messages.ts). Every gateway
// knows every MQ API session's subscriptions, and the gateway that receives a message (from an
// MQTT client, an API publish or a will: Gateway.route) stores one copy per MQ API session that
// subscribed to it, on subjects().mqApiMessage(session, topic), with the delivery as an MQTT
// subscriber would get it (QoS, retain flag, subscription identifiers; No Local by session).
// A QoS 1 publisher's acknowledgement waits for those copies (confirmation.ts).
//
// What a gateway knows is kept in step three ways: at start it lists the MQ API sessions
// (ListMqApiSessions); after a change of an MQ API session's subscriptions the session-service
// asks every live gateway (subjects().mqApiSync) and answers its caller once they have it, so a
// message published after subscribeToMq returns is kept; session events (altered, deleted) carry
// the rest. Creation time and version order them: an older state never replaces a
// newer one, and a session made again under the name of a deleted one starts afresh.
import {
  MQ_HEADER_DELIVERY_QOS,
  MQ_HEADER_DELIVERY_RETAIN,
  MQ_HEADER_RECEIVED_AT,
  MQ_HEADER_SUBSCRIPTION_IDS,
  topicMatches,
  type ClientAuthorization,
  type Logger,
  type MqApiRetainedReply,
  type MqApiRetainedRequest,
  type MqApiSync,
  type MqApiSyncReply,
  type SessionEvent,
  type Subjects,
} from '@mqfleet/core';
import type { Session__Output, Subscription__Output } from '@mqfleet/proto';
import type { NatsConnection, Subscription } from 'nats';
import type { StoreConfirmer } from './bus-confirm';
import { Confirmation } from './confirmation';
import { toNatsHeaders, type RoutedMessage } from './message';
import { isShared, parseShared } from './shared';
import { match, optionsOf, type Match, type SubscriptionOptions } from './subscriptions';

interface Known {
  /**
   * When the session was created (epoch ms): a session deleted and made again under its name
   * starts its versions again, so states are ordered by (born, version).
   */
  born: number;
  version: bigint;
  /** When it was set here (a counter): a listing forgets only what was known before it began. */
  setAt: number;
  subscriptions: Map<string, SubscriptionOptions>;
  /** Its shared subscriptions ($share/<group>/<filter>), by the whole filter. */
  shared: Map<string, SubscriptionOptions>;
  /** Banned sessions get nothing kept (their reads are refused anyway). */
  banned: boolean;
  /** The account that created it: whose authorization rules its subscriptions follow. */
  owner: string;
}

/** A shared subscription with MQ API members: one copy of each message for all of them. */
interface SharedGroup {
  /** The filter inside $share/<group>/. */
  filter: string;
  /** Members (client names) and their options. */
  members: Map<string, SubscriptionOptions>;
}

/** How long a failed listing of the MQ API sessions waits before the next try. */
const LOAD_RETRY_MS = 2000;

/** What the MQ API side needs of its gateway. */
export interface MqApiHost {
  readonly gatewayId: string;
  readonly logger: Logger;
  /** Retained messages matching a filter (retained.ts). */
  readRetained(filter: string): Promise<RoutedMessage[]>;
  /** A page of MQ API sessions (session-client.ts). */
  listMqApiSessions(after: string): Promise<{ sessions: Session__Output[]; next: string }>;
  /** The authorization rules of a client (packages/core/src/authorization.ts). */
  authorizationFor(clientName: string, username: string): ClientAuthorization;
}

export class MqApiSessions {
  /** By client name; a deleted session stays as a tombstone (no subscriptions) with its version. */
  private readonly sessions = new Map<string, Known>();
  /** Sessions with at least one subscription, not banned: the ones a message is matched against. */
  private readonly subscribed = new Map<string, Known>();
  /** Shared subscriptions of MQ API sessions (not banned), by the whole $share/… filter. */
  private readonly groups = new Map<string, SharedGroup>();
  private subs: Subscription[] = [];
  private stopped = false;
  /** States set so far (Known.setAt). */
  private sets = 0;
  /** The MQ API sessions have been listed since the start (until then only syncs and events count). */
  loaded = false;
  /** Copies stored, and stores that failed at once (NATS refused the publish). */
  readonly counts = { stored: 0, failed: 0 };

  constructor(
    private readonly nc: NatsConnection,
    private readonly s: Subjects,
    private readonly host: MqApiHost,
    private readonly confirmer: StoreConfirmer,
  ) {}

  /** Answers sync and retained requests, and starts loading every MQ API session. */
  async start(): Promise<void> {
    this.subs.push(
      this.nc.subscribe(this.s.mqApiSync, {
        callback: (err, msg) => {
          if (err) return;
          try {
            this.onSync(msg.json<MqApiSync>());
          } catch (e) {
            this.host.logger.warn('MQ API sync not understood', { err: e });
          }
          msg.respond(JSON.stringify({ gatewayId: this.host.gatewayId } satisfies MqApiSyncReply));
        },
      }),
      this.nc.subscribe(this.s.mqApiRetained, {
        queue: 'gateways',
        callback: (err, msg) => {
          if (err) return;
          let req: MqApiRetainedRequest;
          try {
            req = msg.json<MqApiRetainedRequest>();
          } catch (e) {
            this.host.logger.warn('MQ API retained request not understood', { err: e });
            return;
          }
          void this.storeRetained(req).then(
            (stored) => msg.respond(JSON.stringify({ stored } satisfies MqApiRetainedReply)),
            (e: unknown) => {
              this.host.logger.warn('retained messages not stored for an MQ API session', {
                clientName: req.clientName,
                err: e,
              });
              msg.respond(JSON.stringify({ stored: -1 } satisfies MqApiRetainedReply));
            },
          );
        },
      }),
    );
    await this.nc.flush();
    // A gateway starts (and answers CONNECTs with 0x88) while the session-service is away: then
    // the list is read in the background, again until it succeeds.
    try {
      await this.load();
    } catch (err) {
      this.host.logger.warn('MQ API sessions not listed yet; trying again in the background', { err });
      void this.retryLoad();
    }
  }

  /**
   * Reads every MQ API session. Known sessions the list no longer has were deleted meanwhile
   * (their deleted event may have been missed): they are forgotten.
   */
  private async load(): Promise<void> {
    const listed = new Set<string>();
    const began = this.sets;
    let after = '';
    do {
      const page = await this.host.listMqApiSessions(after);
      for (const session of page.sessions) {
        listed.add(session.clientName);
        this.apply(session);
      }
      after = page.next;
    } while (after !== '');
    for (const [clientName, known] of this.sessions) {
      if (!listed.has(clientName) && known.setAt < began)
        this.set(clientName, known.born, known.version, [], false);
    }
    this.loaded = true;
  }

  /** After a NATS reconnection (syncs and events may have been missed): everything is listed again. */
  reload(): void {
    this.loaded = false;
    void this.load().catch((err: unknown) => {
      this.host.logger.warn('MQ API sessions not listed again; trying in the background', { err });
      void this.retryLoad();
    });
  }

  private async retryLoad(): Promise<void> {
    while (!this.stopped && !this.loaded) {
      await new Promise((resolve) => setTimeout(resolve, LOAD_RETRY_MS).unref());
      if (this.stopped) return;
      try {
        await this.load();
        this.host.logger.info('MQ API sessions listed');
      } catch {
        // Tried again after LOAD_RETRY_MS.
      }
    }
  }

  stop(): void {
    this.stopped = true;
    for (const sub of this.subs) sub.unsubscribe();
    this.subs = [];
  }

  /** MQ API sessions known here that have subscriptions (and are not banned). */
  get size(): number {
    return this.subscribed.size;
  }

  /**
   * The subscriptions the owner's authorization rules allow now (docs/configuration.md,
   * "Authorization rules"): subscribeToMq checked them when they were added, but the rules may
   * have changed since (the file edited, the gateways restarted). The others keep nothing here:
   * dropped and logged, as a connection's restored subscriptions are (connection.ts); they stay
   * stored until subscribeToMq removes them.
   */
  private allowedSubscriptions(
    clientName: string,
    owner: string,
    subscriptions: Subscription__Output[],
  ): Subscription__Output[] {
    if (subscriptions.length === 0) return subscriptions;
    const rules = this.host.authorizationFor(clientName, owner);
    const allowed = subscriptions.filter((s) =>
      rules.maySubscribe(parseShared(s.topicFilter)?.filter ?? s.topicFilter),
    );
    if (allowed.length < subscriptions.length) {
      const refused = subscriptions.filter((s) => !allowed.includes(s)).map((s) => s.topicFilter);
      this.host.logger.warn('MQ API session subscriptions refused by the authorization rules: dropped', {
        clientName,
        filters: refused.slice(0, 20),
        count: refused.length,
      });
    }
    return allowed;
  }

  /** Session events: what they say about MQ API sessions. */
  onEvent(event: SessionEvent): void {
    if (event.type === 'deleted') {
      this.set(event.clientName, bornOf(event.session?.createdAt), BigInt(event.version), [], false);
      return;
    }
    const session = event.session;
    if (session?.sessionType === 'mqApi') this.apply(session);
  }

  private apply(session: Session__Output): void {
    this.set(
      session.clientName,
      bornOf(session.createdAt),
      BigInt(session.version),
      session.subscriptions ?? [],
      session.settings?.sessionStatus === 'SESSION_STATUS_BANNED',
      false,
      session.owner,
    );
  }

  private onSync(sync: MqApiSync): void {
    this.set(
      sync.clientName,
      bornOf(sync.createdAt),
      BigInt(sync.version),
      sync.deleted ? [] : (sync.subscriptions ?? []),
      false,
      true,
    );
  }

  /**
   * Takes a state of a session unless a newer one is known (a later creation, or the same one at
   * a higher version; `born` 0: the creation known). A sync carries only subscriptions: it keeps
   * the banned flag known.
   */
  private set(
    clientName: string,
    born: number,
    version: bigint,
    subscriptions: Subscription__Output[],
    banned: boolean,
    keepBanned = false,
    /** Its owner; undefined (a sync): the one known. */
    owner?: string,
  ): void {
    const known = this.sessions.get(clientName);
    if (known && born === 0) born = known.born;
    if (known && (known.born > born || (known.born === born && known.version > version))) return;
    const ownerNow = owner ?? known?.owner ?? '';
    const allowed = this.allowedSubscriptions(clientName, ownerNow, subscriptions);
    const next: Known = {
      born,
      version,
      setAt: this.sets++,
      subscriptions: new Map(
        allowed.filter((s) => !isShared(s.topicFilter)).map((s) => [s.topicFilter, optionsOf(s)]),
      ),
      shared: new Map(
        allowed.filter((s) => isShared(s.topicFilter)).map((s) => [s.topicFilter, optionsOf(s)]),
      ),
      banned: keepBanned && known ? known.banned : banned,
      owner: ownerNow,
    };
    this.sessions.set(clientName, next);
    if (next.subscriptions.size > 0 && !next.banned) this.subscribed.set(clientName, next);
    else this.subscribed.delete(clientName);
    // Its memberships: out of the groups it was in, into those it is in now.
    for (const whole of known?.shared.keys() ?? []) {
      const group = this.groups.get(whole);
      group?.members.delete(clientName);
      if (group?.members.size === 0) this.groups.delete(whole);
    }
    if (next.banned) return;
    for (const [whole, options] of next.shared) {
      const parsed = parseShared(whole);
      if (!parsed) continue;
      let group = this.groups.get(whole);
      if (!group) this.groups.set(whole, (group = { filter: parsed.filter, members: new Map() }));
      group.members.set(clientName, options);
    }
  }

  /**
   * A message this gateway received (Gateway.route): one copy per MQ API session it matches
   * (No Local: not for the session that published it, when that subscription asks so).
   */
  publish(message: RoutedMessage, confirmation: Confirmation | undefined): void {
    if (this.subscribed.size === 0 && this.groups.size === 0) return;
    for (const [clientName, known] of this.subscribed) {
      const fromSelf = message.originClient === clientName;
      const delivery = match(known.subscriptions, message.topic, message.qos, message.retain, fromSelf);
      if (delivery)
        this.store(this.s.mqApiMessage(clientName, message.topic), message, delivery, confirmation);
    }
    for (const [whole, group] of this.groups) {
      if (!topicMatches(group.filter, message.topic)) continue;
      // One copy for the group, at the highest QoS a member asked for; no identifiers (they differ
      // by member) and no No Local [MQTT-3.8.3-4].
      let qos = 0;
      for (const options of group.members.values()) qos = Math.max(qos, options.qos);
      const delivery: Match = {
        qos: Math.min(qos, message.qos) as Match['qos'],
        retain: false,
        subscriptionIds: [],
      };
      this.store(this.s.mqApiShared(whole, message.topic), message, delivery, confirmation);
    }
  }

  private store(
    subject: string,
    message: RoutedMessage,
    delivery: Match,
    confirmation: Confirmation | undefined,
  ): void {
    try {
      const h = toNatsHeaders(message, this.host.gatewayId);
      h.set(MQ_HEADER_RECEIVED_AT, String(Date.now()));
      h.set(MQ_HEADER_DELIVERY_QOS, String(delivery.qos));
      if (delivery.retain) h.set(MQ_HEADER_DELIVERY_RETAIN, '1');
      if (delivery.subscriptionIds.length > 0)
        h.set(MQ_HEADER_SUBSCRIPTION_IDS, delivery.subscriptionIds.join(','));
      this.counts.stored++;
      // QoS 0 is stored too (the session reads it later), without waiting for JetStream.
      if (confirmation) this.confirmer.publish(subject, message.payload, h, confirmation);
      else this.nc.publish(subject, message.payload, { headers: h });
    } catch (err) {
      this.counts.failed++;
      this.host.logger.warn('message not stored for an MQ API session', {
        subject: subject.slice(0, 200),
        err,
      });
    }
  }

  /**
   * The retained messages of new subscriptions, stored for the session [MQTT-3.3.1-9]: with the
   * RETAIN flag, at the subscription's QoS, with its identifier. Resolves with how many were
   * stored once JetStream has them all.
   */
  private async storeRetained(req: MqApiRetainedRequest): Promise<number> {
    let stored = 0;
    const parts: Promise<void>[] = [];
    for (const sub of req.subscriptions ?? []) {
      // A shared subscription's retained messages go to the member that subscribed (as the
      // gateway sends them to an MQTT client that subscribes), not to the group.
      const options = optionsOf(sub);
      const filter = parseShared(sub.topicFilter)?.filter ?? sub.topicFilter;
      for (const message of await this.host.readRetained(filter)) {
        const delivery: Match = {
          qos: Math.min(options.qos, message.qos) as Match['qos'],
          retain: true,
          subscriptionIds: options.identifier !== undefined ? [options.identifier] : [],
        };
        parts.push(
          new Promise<void>((resolve, reject) => {
            const confirmation = new Confirmation(() =>
              confirmation.code === 0
                ? resolve()
                : reject(new Error(`JetStream refused (0x${confirmation.code.toString(16)})`)),
            );
            this.store(this.s.mqApiMessage(req.clientName, message.topic), message, delivery, confirmation);
            confirmation.seal();
          }),
        );
        stored++;
      }
    }
    await Promise.all(parts);
    return stored;
  }
}

/** A session's creation time in epoch ms; 0 when not given. */
function bornOf(createdAt: string | undefined): number {
  const ms = createdAt ? Date.parse(createdAt) : NaN;
  return Number.isFinite(ms) ? ms : 0;
}
