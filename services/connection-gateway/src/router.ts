// NATS side of routing: publishes local messages for the other gateways and holds one
// ref-counted NATS subscription per distinct topic filter in use here (core subjects.ts /
// topics.ts mapping). A message can arrive through several overlapping filters; it is handed
// on once, by its Mqfleet-Id.
import type { Logger, Subjects } from '@mqfleet/core';
import { filterToSubjects, subjectToTopic } from '@mqfleet/core';
import type { Msg, NatsConnection, Subscription } from 'nats';
import type { Confirmation } from './confirmation';
import type { PublishFlusher } from './bus-confirm';
import {
  encodedNatsHeaders,
  fromNats,
  HEADER_GATEWAY,
  safeHeaderValue,
  toNatsHeaders,
  type RoutedMessage,
} from './message';
import { queueGroupOf, type SharedFilter } from './shared';

/** Ids remembered to drop duplicates delivered through overlapping subscriptions. */
const SEEN_CAPACITY = 8192;
/** Topics whose subjects are remembered (all forgotten when full), and their longest. */
const SUBJECT_CACHE_SIZE = 4096;
const SUBJECT_CACHE_MAX_TOPIC = 256;
/** SUBACK waits at most this long for the NATS server to confirm a new subscription. */
const FLUSH_TIMEOUT_MS = 2000;
/** How often a shared subscription's message is handed on before it is dropped (redirectShared). */
export const MAX_SHARE_HOPS = 3;
/** Header of a handed-on shared message: how often it was handed on. */
const HEADER_SHARE_HOPS = 'Mqfleet-Share-Hops';

interface Interest {
  count: number;
  subscriptions: Subscription[];
}

/** Interest key of a shared subscription (ordinary filters are their own key). */
const sharedKey = (shared: SharedFilter): string => `$share\u0000${shared.group}\u0000${shared.filter}`;

export class NatsRouter {
  private readonly interests = new Map<string, Interest>();
  private readonly seen = new Set<string>();
  /** This gateway's own messages that came back through an ordinary subscription (none expected). */
  ownReturned = 0;

  constructor(
    /** Shared subscriptions: their queue groups must see this gateway's own messages too. */
    private readonly nc: NatsConnection,
    /**
     * A connection with no echo, for publishing messages and for ordinary subscriptions: NATS
     * does not send this gateway's own messages back to it, which it had delivered locally
     * already (before, each came back to be decoded and dropped: wasted NATS and gateway work
     * for every message with a local subscriber).
     */
    private readonly messages: NatsConnection,
    /** Publishes on `messages`, confirmed by a flush when the caller waits for it. */
    private readonly flusher: PublishFlusher,
    private readonly s: Subjects,
    private readonly gatewayId: string,
    private readonly logger: Logger,
    private readonly deliver: (message: RoutedMessage) => void,
    /**
     * A message NATS gave this gateway for one shared subscription (queue group), handed on
     * `hops` times before; false when no member here could take it.
     */
    private readonly deliverShared: (shared: SharedFilter, message: RoutedMessage, hops: number) => boolean,
  ) {
    this.encodeHeaders = safeHeaderValue(gatewayId);
  }

  /** Messages NATS refused (e.g. above its max_payload). */
  get publishFailures(): number {
    return this.flusher.failures;
  }

  /**
   * Publishes a message for the other gateways; with a confirmation, it waits until the NATS
   * server has read it (bus-confirm.ts).
   */
  publish(message: RoutedMessage, confirmation?: Confirmation): void {
    this.flusher.publish(
      this.subjectOf(message.topic),
      message.payload,
      this.encodeHeaders
        ? encodedNatsHeaders(message, this.gatewayId)
        : toNatsHeaders(message, this.gatewayId),
      confirmation,
    );
  }

  /** The gateway id goes into headers unchecked only if it needs no check (it always should). */
  private readonly encodeHeaders: boolean;
  /**
   * NATS subjects of recently published topics: devices publish to the same topics again and
   * again, and the mapping (split, escape, join) was about 3 % of the CPU per routed message.
   */
  private readonly subjects = new Map<string, string>();

  private subjectOf(topic: string): string {
    let subject = this.subjects.get(topic);
    if (subject === undefined) {
      subject = this.s.message(topic);
      if (topic.length <= SUBJECT_CACHE_MAX_TOPIC) {
        if (this.subjects.size >= SUBJECT_CACHE_SIZE) this.subjects.clear();
        this.subjects.set(topic, subject);
      }
    }
    return subject;
  }

  async add(filter: string): Promise<void> {
    return this.addInterest(this.messages, filter, filter, undefined, (err, msg) => this.onMessage(err, msg));
  }

  remove(filter: string): void {
    this.removeInterest(filter);
  }

  /**
   * One more reference to the NATS interest of a filter already subscribed here (false if there
   * is none): a session held after its connection ended keeps it, so a reconnect within the hold
   * needs no new NATS subscription and no round trip (resume-hold.ts). remove() lets it go.
   */
  keep(filter: string): boolean {
    const existing = this.interests.get(filter);
    if (!existing) return false;
    existing.count++;
    return true;
  }

  /**
   * Interest of a shared subscription [MQTT-4.8.2]: the filter's subjects in the NATS queue group
   * of (ShareName, filter), so that NATS gives each message to one gateway with members. Messages
   * this gateway published itself come back this way too (they are not delivered locally first).
   */
  async addShared(shared: SharedFilter): Promise<void> {
    const queue = queueGroupOf(shared);
    const redirects = this.s.shareRedirectPrefix(queue);
    return this.addInterest(
      this.nc,
      sharedKey(shared),
      shared.filter,
      queue,
      (err, msg) => this.onShared(err, msg, shared, this.s.messagePrefix),
      // Messages other gateways hand on to the group (redirectShared).
      { subject: `${redirects}.>`, callback: (err, msg) => this.onShared(err, msg, shared, redirects) },
    );
  }

  /**
   * A shared subscription's message that NATS gave this gateway when none of the group's members
   * here could take it (the last one left before its NATS interest was gone, or every one is
   * still connecting or closing): handed on to the group, so that NATS gives it to a gateway with members
   * (the redirect subject, in the same queue group). At most MAX_SHARE_HOPS times; false when it
   * is dropped.
   */
  redirectShared(shared: SharedFilter, message: RoutedMessage, hops: number): boolean {
    if (hops >= MAX_SHARE_HOPS || this.nc.isClosed() || this.nc.isDraining()) return false;
    const headers = toNatsHeaders(message, this.gatewayId);
    headers.set(HEADER_SHARE_HOPS, String(hops + 1));
    try {
      this.nc.publish(this.s.shareRedirect(queueGroupOf(shared), message.topic), message.payload, {
        headers,
      });
      return true;
    } catch (err) {
      this.logger.warn('shared message not handed on', { topic: message.topic, err });
      return false;
    }
  }

  /**
   * The last member here left: the group's interest is drained, so a message NATS gave this
   * gateway before it knew is still read, and handed on to the group (redirectShared).
   */
  removeShared(shared: SharedFilter): void {
    this.removeInterest(sharedKey(shared), true);
  }

  private async addInterest(
    nc: NatsConnection,
    key: string,
    filter: string,
    queue: string | undefined,
    callback: (err: Error | null, msg: Msg) => void,
    extra?: { subject: string; callback: (err: Error | null, msg: Msg) => void },
  ): Promise<void> {
    const existing = this.interests.get(key);
    if (existing) {
      existing.count++;
      return;
    }
    // A gateway that is shutting down takes no new interest (subscribe would throw CONNECTION_DRAINING).
    if (nc.isClosed() || nc.isDraining()) return;
    const subscriptions = filterToSubjects(filter).map((subject) =>
      nc.subscribe(`${this.s.messagePrefix}.${subject}`, { callback, ...(queue ? { queue } : {}) }),
    );
    if (extra)
      subscriptions.push(
        nc.subscribe(extra.subject, { callback: extra.callback, ...(queue ? { queue } : {}) }),
      );
    this.interests.set(key, { count: 1, subscriptions });
    // The subscription must be known to the server before SUBACK, or an immediate publish on
    // another gateway could miss us. A NATS outage does not hold SUBACK back for long.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      nc.flush().catch(() => undefined),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, FLUSH_TIMEOUT_MS))),
    ]);
    clearTimeout(timer);
  }

  private removeInterest(key: string, drain = false): void {
    const interest = this.interests.get(key);
    if (!interest) return;
    if (--interest.count > 0) return;
    this.interests.delete(key);
    for (const sub of interest.subscriptions) {
      // Drained: the UNSUB goes out, and what the server sent before it is still read until a
      // flush confirms it (unsubscribe() would drop it here on arrival). A drain refused (NATS
      // closing) leaves nothing to read.
      if (drain) sub.drain().catch(() => undefined);
      else sub.unsubscribe();
    }
  }

  get filterCount(): number {
    return this.interests.size;
  }

  private onShared(err: Error | null, msg: Msg, shared: SharedFilter, prefix: string): void {
    if (err) {
      this.logger.warn('NATS subscription error', { err });
      return;
    }
    const message = this.decode(msg, prefix);
    if (!message) return;
    const hops = Number(msg.headers?.get(HEADER_SHARE_HOPS)) || 0;
    if (this.deliverShared(shared, message, hops)) return;
    if (this.redirectShared(shared, message, hops)) this.sharedRedirected++;
    else this.sharedDropped++;
  }

  /** Shared messages handed on to the group / dropped after MAX_SHARE_HOPS (or NATS closing). */
  sharedRedirected = 0;
  sharedDropped = 0;

  private decode(msg: Msg, prefix = this.s.messagePrefix): RoutedMessage | undefined {
    let topic: string;
    try {
      topic = subjectToTopic(msg.subject.slice(prefix.length + 1));
    } catch {
      this.logger.warn('message on an unmappable subject', { subject: msg.subject });
      return undefined;
    }
    const message = fromNats(topic, msg.data, msg.headers);
    if (!message) this.logger.warn('message without mqfleet headers ignored', { subject: msg.subject });
    return message;
  }

  private onMessage(err: Error | null, msg: Msg): void {
    if (err) {
      this.logger.warn('NATS subscription error', { err });
      return;
    }
    if (msg.headers?.get(HEADER_GATEWAY) === this.gatewayId) {
      this.ownReturned++; // delivered locally already
      return;
    }
    const message = this.decode(msg);
    if (!message) return;
    if (this.seen.has(message.id)) return;
    this.seen.add(message.id);
    if (this.seen.size > SEEN_CAPACITY) this.seen.delete(this.seen.values().next().value!);
    this.deliver(message);
  }
}
