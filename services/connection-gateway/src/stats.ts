// Live statistics of one connection (describeMqSessions includeStats, session health). Every
// per-message update is O(1): counters plus lazily advanced rings of per-second, per-minute and
// per-hour buckets, each with a running sum.
import type { ConnectionStats, MessagesDropped, PublishedTopic } from '@mqfleet/core';

/**
 * A sliding window of `size` buckets of `unitMs` each; sum() covers the last size × unitMs. The
 * buckets (an Int32Array, 4 bytes each) are allocated on the first add, so a connection that never
 * publishes or receives costs no bucket memory.
 */
export class Ring {
  private buckets: Int32Array | undefined;
  private unit = -1;
  private total = 0;

  constructor(
    private readonly size: number,
    private readonly unitMs: number,
  ) {}

  add(now: number, n: number): void {
    this.buckets ??= new Int32Array(this.size);
    this.advance(now);
    this.buckets[this.unit % this.size]! += n;
    this.total += n;
  }

  /** Sum of the whole window. */
  sum(now: number): number {
    this.advance(now);
    return this.total;
  }

  /** Sum of the last `count` buckets (the current, partial one included). */
  sumLast(now: number, count: number): number {
    this.advance(now);
    if (!this.buckets) return 0;
    let s = 0;
    for (let i = 0; i < Math.min(count, this.size); i++) {
      const u = this.unit - i;
      if (u < 0) break;
      s += this.buckets[u % this.size]!;
    }
    return s;
  }

  private advance(now: number): void {
    const unit = Math.floor(now / this.unitMs);
    if (unit <= this.unit || !this.buckets) return;
    if (this.unit < 0 || unit - this.unit >= this.size) {
      this.buckets.fill(0);
      this.total = 0;
    } else {
      for (let u = this.unit + 1; u <= unit; u++) {
        const i = u % this.size;
        this.total -= this.buckets[i]!;
        this.buckets[i] = 0;
      }
    }
    this.unit = unit;
  }
}

/** Counts events over the last minute, 10 minutes, hour and day. */
export class RateCounter {
  total = 0;
  first = 0;
  last = 0;
  /** Created by the first event: an idle connection keeps four counters and no rings. */
  private rings: { seconds: Ring; minutes: Ring; hours: Ring } | undefined;

  add(now: number, n = 1): void {
    this.total += n;
    if (n > 0) {
      if (this.first === 0) this.first = now;
      this.last = now;
    }
    const r = (this.rings ??= {
      seconds: new Ring(60, 1000),
      minutes: new Ring(60, 60_000),
      hours: new Ring(24, 3_600_000),
    });
    r.seconds.add(now, n);
    r.minutes.add(now, n);
    r.hours.add(now, n);
  }

  lastMinute(now: number): number {
    return this.rings ? this.rings.seconds.sum(now) : 0;
  }
  last10Minutes(now: number): number {
    return this.rings ? this.rings.minutes.sumLast(now, 10) : 0;
  }
  lastHour(now: number): number {
    return this.rings ? this.rings.minutes.sum(now) : 0;
  }
  lastDay(now: number): number {
    return this.rings ? this.rings.hours.sum(now) : 0;
  }
}

const iso = (t: number): string | null => (t ? new Date(t).toISOString() : null);

/** describeMqSessions publishedTopics: at most this many distinct topics per connection … */
export const MAX_PUBLISHED_TOPICS = 100;
/** … and at most this many bytes of topic names (a topic name may be 65,535 bytes). */
export const MAX_PUBLISHED_TOPIC_BYTES = 65_536;

/**
 * The most recently used distinct topics a connection published to, with a count and the last
 * time each. Bounded by MAX_PUBLISHED_TOPICS entries and MAX_PUBLISHED_TOPIC_BYTES of names: the
 * least recently published topic is forgotten first. O(1) per PUBLISH (a Map keeps insertion
 * order; a publish moves its topic to the end).
 */
export class PublishedTopics {
  /** Created by the first PUBLISH (most connections of a fleet only subscribe, or idle). */
  private topicMap: Map<string, { count: number; last: number; bytes: number }> | undefined;
  private bytes = 0;

  constructor(
    private readonly maxTopics = MAX_PUBLISHED_TOPICS,
    private readonly maxBytes = MAX_PUBLISHED_TOPIC_BYTES,
  ) {}

  private get topics(): Map<string, { count: number; last: number; bytes: number }> {
    return (this.topicMap ??= new Map());
  }

  add(topic: string, now: number): void {
    const entry = this.topics.get(topic);
    if (entry) {
      this.topics.delete(topic);
      entry.count += 1;
      entry.last = now;
      this.topics.set(topic, entry);
      return;
    }
    const bytes = Buffer.byteLength(topic, 'utf8');
    if (bytes > this.maxBytes) return;
    this.topics.set(topic, { count: 1, last: now, bytes });
    this.bytes += bytes;
    for (const [oldest, old] of this.topics) {
      if (this.topics.size <= this.maxTopics && this.bytes <= this.maxBytes) break;
      this.topics.delete(oldest);
      this.bytes -= old.bytes;
    }
  }

  get size(): number {
    return this.topicMap?.size ?? 0;
  }

  /** Most recent first. */
  list(): PublishedTopic[] {
    if (!this.topicMap) return [];
    return [...this.topicMap].reverse().map(([topic, e]) => ({
      topic,
      totalMessagesPublished: e.count,
      lastMessagePublishedOn: new Date(e.last).toISOString(),
    }));
  }
}
const round = (n: number): number => Math.round(n * 1000) / 1000;

/** What a connection holds for its client right now (ConnectionStats current…). */
export interface OutboundNow {
  outboundBytes: number;
  queuedMessages: number;
  queuedBytes: number;
}

/** The counter of what has not happened: read, never added to. */
const NO_EVENTS = new RateCounter();

const NOTHING_HELD: OutboundNow = { outboundBytes: 0, queuedMessages: 0, queuedBytes: 0 };

/**
 * Statistics of one connection. Windows never reach back before the connection started: a
 * "per minute over the last 10 minutes" of a 3-minute-old connection is its count / 3 (at
 * least one minute is used as the divisor).
 */
const NOTHING_DROPPED: MessagesDropped = Object.freeze({
  outboundBudget: 0,
  queueFull: 0,
  packetTooLarge: 0,
  expired: 0,
});

export class ConnectionStatsTracker {
  // The counters are made when first used: an idle connection (most of a fleet's, most of the
  // time) keeps none of them (about 300 bytes each connection).
  private publishedCounter: RateCounter | undefined;
  private topics: PublishedTopics | undefined;
  private receivedCounter: RateCounter | undefined;
  private backlogCounter: RateCounter | undefined;
  private slowDropsCounter: RateCounter | undefined;
  private backlogNow = 0;
  private droppedCounts: MessagesDropped | undefined;
  /** Messages not delivered, by reason (made at the first drop: most connections have none). */
  get dropped(): MessagesDropped {
    return (this.droppedCounts ??= { outboundBudget: 0, queueFull: 0, packetTooLarge: 0, expired: 0 });
  }

  get published(): RateCounter {
    return (this.publishedCounter ??= new RateCounter());
  }
  /** The topics of those PUBLISH packets (describeMqSessions includePublishedTopics). */
  get publishedTopics(): PublishedTopics {
    return (this.topics ??= new PublishedTopics());
  }
  get received(): RateCounter {
    return (this.receivedCounter ??= new RateCounter());
  }
  /** Signed changes of the delivery backlog (queued + in flight). */
  get backlog(): RateCounter {
    return (this.backlogCounter ??= new RateCounter());
  }
  /** outboundBudget + queueFull drops over time: the session's health looks at the last minute. */
  get slowDrops(): RateCounter {
    return (this.slowDropsCounter ??= new RateCounter());
  }

  constructor(readonly since = Date.now()) {}

  /** The drops so far, without making the counts of a connection that had none. */
  get droppedSoFar(): Readonly<MessagesDropped> | undefined {
    return this.droppedCounts;
  }

  /** Messages dropped because the client did not read them (budget or queue full). */
  droppedSlow(reason: 'outboundBudget' | 'queueFull', n = 1, now = Date.now()): void {
    this.dropped[reason] += n;
    this.slowDrops.add(now, n);
  }

  /** Drops of the last 60 s for which the client is too slow (health: above 0 is unhealthy). */
  slowConsumerDropsPerMinute(now = Date.now()): number {
    return this.slowDropsCounter ? this.slowDropsCounter.lastMinute(now) : 0;
  }

  /** The client published a message to `topic` (counted once, also for its topic). */
  publishedTo(topic: string, now = Date.now()): void {
    this.published.add(now);
    this.publishedTopics.add(topic, now);
  }

  /** The backlog is now `current`; records the change since the last call. */
  backlogIs(current: number, now = Date.now()): void {
    const delta = current - this.backlogNow;
    if (delta === 0) return;
    this.backlogNow = current;
    this.backlog.add(now, delta);
  }

  /** Growth of the backlog over the last 60 s, never below 0. */
  backlogRatePerMinute(now = Date.now()): number {
    return this.backlogCounter ? Math.max(0, this.backlogCounter.lastMinute(now)) : 0;
  }

  snapshot(
    subscribedTopicFiltersCount: number,
    now = Date.now(),
    held: OutboundNow = NOTHING_HELD,
  ): ConnectionStats {
    const minutes = Math.max(1, (now - this.since) / 60_000);
    const tenMinutes = Math.min(10, minutes);
    // Read without making the counters an idle connection does not have.
    const p = this.publishedCounter ?? NO_EVENTS;
    const r = this.receivedCounter ?? NO_EVENTS;
    const b = this.backlogCounter ?? NO_EVENTS;
    const d = this.droppedCounts ?? NOTHING_DROPPED;
    return {
      totalMessagesPublished: p.total,
      publishRatePerMinute: p.lastMinute(now),
      publishRatePerMinuteLast10Minutes: round(p.last10Minutes(now) / tenMinutes),
      publishRatePerMinuteInSession: round(p.total / minutes),
      publishRatePerHour: p.lastHour(now),
      totalMessagesReceived: r.total,
      receiveMessagesPerMinute: r.lastMinute(now),
      receiveMessagesPerMinuteLast10Minutes: round(r.last10Minutes(now) / tenMinutes),
      receiveMessagesPerMinuteSinceInSession: round(r.total / minutes),
      receiveMessagesPerHour: r.lastHour(now),
      currentDeliveryBacklogged: this.backlogNow,
      deliveryBacklogRatePerMinute: Math.max(0, b.lastMinute(now)),
      deliveryBacklogRatePerMinuteLast10Minutes: round(Math.max(0, b.last10Minutes(now)) / tenMinutes),
      deliveryBacklogRatePerMinuteInSession: round(Math.max(0, this.backlogNow) / minutes),
      deliveryBacklogRatePerHour: Math.max(0, b.lastHour(now)),
      deliveryBacklogRatePerDay: Math.max(0, b.lastDay(now)),
      subscribedTopicFiltersCount,
      totalMessagesDropped: d.outboundBudget + d.queueFull + d.packetTooLarge + d.expired,
      messagesDropped: { ...d },
      slowConsumerDropsPerMinute: this.slowConsumerDropsPerMinute(now),
      currentOutboundBytes: held.outboundBytes,
      currentQueuedMessages: held.queuedMessages,
      currentQueuedBytes: held.queuedBytes,
      firstMessagePublishedOn: iso(p.first),
      lastMessagePublishedOn: iso(p.last),
      firstMessageReceivedOn: iso(r.first),
      lastMessageReceivedOn: iso(r.last),
      connectedSince: new Date(this.since).toISOString(),
    };
  }
}

const DROP_REASONS = ['outboundBudget', 'queueFull', 'packetTooLarge', 'expired'] as const;

/**
 * What a gateway's connections sent and received, read by its /metrics (docs/operations.md).
 * Plain numbers: a message costs the gateway two array increments here, no label lookup.
 */
export class GatewayTraffic {
  /** PUBLISH packets from clients by QoS (duplicates of an unreleased QoS 2 not counted). */
  readonly messagesIn = [0, 0, 0];
  readonly payloadBytesIn = [0, 0, 0];
  /** PUBLISH packets written to clients by QoS (the QoS delivered). */
  readonly messagesOut = [0, 0, 0];
  readonly payloadBytesOut = [0, 0, 0];
  /** Bytes read from and written to clients' streams (every packet). */
  bytesIn = 0;
  bytesOut = 0;
  /** Drops of the connections that ended; those of open connections are read from them. */
  readonly endedDrops: MessagesDropped = { outboundBudget: 0, queueFull: 0, packetTooLarge: 0, expired: 0 };
  /** PUBLISH packets not routed, by reason (publishRefused): banned, not authorized, bus limit. */
  readonly refused = new Map<string, number>();

  /** A connection ended: its drops join those of the ended ones (once per connection). */
  connectionEnded(stats: ConnectionStatsTracker): void {
    const d = stats.droppedSoFar;
    if (!d) return;
    for (const reason of DROP_REASONS) this.endedDrops[reason] += d[reason];
  }

  /** A refused PUBLISH; reasons that carry numbers (the bus limit's text) count as one. */
  publishRefused(reason: string): void {
    const key = reason === 'banned' || reason === 'not authorized' ? reason : 'bus limit';
    this.refused.set(key, (this.refused.get(key) ?? 0) + 1);
  }

  /** Drops by reason: the ended connections' plus those of `open` ones. */
  drops(open: Iterable<{ stats: ConnectionStatsTracker }>): MessagesDropped {
    const sum = { ...this.endedDrops };
    for (const conn of open) {
      const d = conn.stats.droppedSoFar;
      if (d) for (const reason of DROP_REASONS) sum[reason] += d[reason];
    }
    return sum;
  }
}
