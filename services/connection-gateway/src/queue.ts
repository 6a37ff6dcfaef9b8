// Offline queues of persistent sessions [MQTT-3.1.2-5, MQTT-4.4.0-1], kept in JetStream (README,
// Architecture: messages waiting for an offline session live there, never in a home-made store).
//
// One stream, subjects().queueStream, with INTEREST retention, created by the gateways:
//   <prefix>.queue.m.<topic subject>  every QoS 1/2 message, published once by the gateway that
//                                     received it. With interest retention JetStream keeps a
//                                     message only while some consumer's filter matches it, so
//                                     with no offline session it stores nothing, and one copy
//                                     serves every offline session that wants it.
//   <prefix>.queue.s.<client token>   a parked session's own deliveries: what was in flight
//                                     (with its packet identifier and QoS 2 state) or waiting
//                                     for the window when the connection ended.
// When a connection of a session that outlives it ends (session expiry > 0, not banned), the
// gateway "parks" the session: durable pull consumers named after the client token (never the
// raw client id), one on the session subject ("qs_<token>"; the client id and the subjects of the
// other consumers are the session's record, parked-records.ts) and one per subject filter of its subscriptions ("qm_<token>_<hash>"; nats-server
// 2.9 allows a single filter subject per consumer). They live in the NATS server, so the session
// may resume on any gateway, and survive the gateway that parked it.
//
// Parkings and takes of one session may run on different gateways at once; they agree through the
// session's record: every write a parking makes to it, and the mark a take writes before it removes
// the consumers, is conditional on the record being the one the writer read (JetStream's expected
// last subject sequence, a compare and set). So a take removes only the parking it read (a parking
// that began since changed the record: the take leaves the consumers to it), and a parking that
// begins while a take removes the consumers waits until the take is done (it finds the mark). A
// parking whose record is removed under it starts again; one that finds a later parking's record
// when it completes waits until that one is complete (it read this one's record and carries its
// consumers on), and starts again if it is not.
//
// The parking is marked complete (record and session consumer description "d") once the saved
// deliveries are stored; take() leaves an incomplete parking alone, and the parking gateway then
// announces the session on subjects().queueReady (core NATS): the gateway holding a connection
// that resumed the session meanwhile takes it (and discards it after a clean start). A connection
// taken over by a newer
// one (the client connected again, on any gateway, before the old connection ended) parks only
// its saved deliveries and announces them the same way.
//
// The consumers do not ask for acknowledgements (AckPolicy.None): an explicit-ack pull consumer
// would stop at max_ack_pending (1000) unacknowledged messages, and they are deleted once read.
//
// When the client connects again with a session present, the gateway that takes it reads
// every consumer (the saved deliveries first, then the queued messages in stream order without
// duplicates) and deletes them; clean start, an expired or deleted session discard them.
// At most MQFLEET_MAX_QUEUED_MESSAGES queued messages, and MQFLEET_MAX_QUEUED_BYTES of them
// (payload + topic, connection.ts sizeOf), are delivered: the oldest are kept and newer ones
// discarded, as Mosquitto's max_queued_messages / max_queued_bytes do.
import { createHash, randomUUID } from 'node:crypto';
import type { StoreConfirmer } from './bus-confirm';
import type { Confirmation } from './confirmation';
import type { ParkedInterest } from './parked-interest';
import {
  clientToken,
  DEFAULT_MAX_QUEUED_BYTES,
  filterToSubjects,
  type JetStreamLimitFields,
  subjectToTopic,
  topicToSubject,
  type Logger,
  type Subjects,
} from '@mqfleet/core';
import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
  type MsgHdrs,
  type NatsConnection,
} from 'nats';
import {
  fromNats,
  fromStored,
  HEADER_RECEIVED_AT,
  sizeOf,
  toNatsHeaders,
  withReceivedAt,
  type QoS,
  type RoutedMessage,
} from './message';
import { ParkedRecords, recordChanged, type ParkedRecord, type StoredRecord } from './parked-records';

/** Read only: the raw topic, as gateways wrote it before HEADER_TOPIC_SUBJECT. */
const HEADER_TOPIC = 'Mqfleet-Topic';
/**
 * A saved delivery's topic, mapped as a subject (topics.ts): a NATS header value cannot hold CR or
 * LF and loses leading and trailing spaces, which an MQTT topic may have; the mapping escapes them.
 */
const HEADER_TOPIC_SUBJECT = 'Mqfleet-Topic-Subject';
const HEADER_PACKET_ID = 'Mqfleet-Packet-Id';
const HEADER_STATE = 'Mqfleet-State';
const HEADER_DELIVERY_QOS = 'Mqfleet-Delivery-Qos';
const HEADER_DELIVERY_RETAIN = 'Mqfleet-Delivery-Retain';
const HEADER_SUBSCRIPTION_IDS = 'Mqfleet-Subscription-Ids';
/** Reading one consumer at resumption stops after this long. */
const READ_TIMEOUT_MS = 3000;
/** Saved deliveries stored at once when a session is parked. */
const PUBLISH_BATCH = 256;
/** Saved deliveries of one session: at most the in-flight window plus the local queue. */
const savedBound = (maxQueued: number): number => 65535 + maxQueued;

/** A delivery saved with a parked session, restored as it was. */
export interface SavedDelivery {
  message: RoutedMessage;
  qos: 1 | 2;
  retain: boolean;
  subscriptionIds: number[];
  /** Set when it was in flight: resent with this packet identifier [MQTT-4.4.0-1]. */
  packetId?: number;
  /** QoS 2 in flight: "pubrel" once the client had sent PUBREC (PUBREL is resent). */
  state?: 'publish' | 'pubrel';
}

export interface Resumed {
  saved: SavedDelivery[];
  /** Queued while offline, oldest first, at most maxQueued. */
  queued: RoutedMessage[];
}

const sessionConsumer = (token: string): string => `qs_${token}`;
const filterConsumer = (token: string, subject: string): string =>
  `qm_${token}_${createHash('sha256').update(subject).digest('base64url').slice(0, 16)}`;

/**
 * A parked session: the client id, the subjects of its filter consumers, and whether the parking
 * is complete (its saved deliveries stored). The session consumer's description says whether it
 * is complete, {"r":1,"d":…}; the rest is its record (parked-records.ts), since a description
 * holds at most 4,096 bytes. A description {c, s, d} was written by gateways before records.
 */
interface Parked {
  c: string;
  s: string[];
  d: boolean;
  /** Which parking wrote the description (a random id per park(); none from older gateways). */
  g?: string;
}

const describe = (done: boolean, generation?: string): string =>
  JSON.stringify(generation === undefined ? { r: 1, d: done } : { r: 1, d: done, g: generation });

/** A description's contents; `record` when the client id and subjects are in the record. */
function parseDescription(description: string | undefined): (Parked & { record: boolean }) | undefined {
  try {
    const parsed = JSON.parse(description ?? '') as {
      c?: unknown;
      s?: unknown;
      d?: unknown;
      r?: unknown;
      g?: unknown;
    };
    if (parsed.r === 1)
      return {
        c: '',
        s: [],
        d: parsed.d === true,
        record: true,
        ...(typeof parsed.g === 'string' ? { g: parsed.g } : {}),
      };
    if (typeof parsed.c !== 'string' || !Array.isArray(parsed.s)) return undefined;
    return {
      c: parsed.c,
      s: parsed.s.filter((x): x is string => typeof x === 'string'),
      d: parsed.d === true,
      record: false,
    };
  } catch {
    return undefined;
  }
}

/** Consumers younger than this are left alone by sweep() (a parking may be creating them). */
const SWEEP_MIN_AGE_MS = 60_000;

const notFound = (err: unknown): boolean => /not found|10014|404/i.test(String((err as Error)?.message));
/**
 * A consumer the parking created or updated is gone (JetStream "consumer not found" from an info,
 * "consumer does not exist" from an update): a take or a discard removed the parking meanwhile.
 */
const vanished = (err: unknown): boolean =>
  /consumer not found|consumer does not exist|10014|10149/i.test(String((err as Error)?.message));
/** A parking whose consumers are removed under it starts again, at most this many times in all. */
const PARK_ATTEMPTS = 4;
/**
 * A parking waits at most this long for a take that marked the record (take()) to remove it; a
 * mark older than that was left by a gateway that stopped mid-take, and the parking writes over it.
 */
const TAKE_MARK_WAIT_MS = 10_000;
const TAKE_MARK_POLL_MS = 20;

/** The record changed since this parking read it (another parking, a take): it starts again. */
class ParkingRaced extends Error {}

/** Points of park() and take() where a test may hold them (deterministic interleavings). */
export type QueueHookPoint =
  /** A connection's end is about to park its session: at once, or behind work on it here. */
  | 'park:queued'
  | 'park:behind'
  /** The parking wrote its mark on the session consumer (new or existing). */
  | 'park:begun'
  /** Every live gateway knows the parking's subjects; its filter consumers are next. */
  | 'park:announced'
  /** The filter consumers exist; what the parking collected is read next. */
  | 'park:consumers'
  /** The parking found a newer parking's record when it completed, and waits for that one. */
  | 'park:deferred'
  /** The parking found the record marked by a take and waits for the take to finish. */
  | 'park:waiting'
  /** A take read the queue and is about to remove it. */
  | 'take:read'
  /** A take marked the record (nothing else may park or take now) and is about to remove it. */
  | 'take:claimed';
export type QueueHook = (point: QueueHookPoint, clientName: string) => Promise<void> | void;

export class OfflineQueues {
  private jsm: Promise<JetStreamManager> | undefined;
  /** QoS 1/2 messages that could not be offered to the queue stream. */
  publishFailures = 0;
  /** Parked sessions' client ids and filter subjects. */
  private readonly records: ParkedRecords;

  constructor(
    private readonly nc: NatsConnection,
    private readonly s: Subjects,
    private readonly gatewayId: string,
    private readonly logger: Logger,
    readonly maxQueued: number,
    readonly maxQueuedBytes = DEFAULT_MAX_QUEUED_BYTES,
    /** Confirms the publishes a client's acknowledgement waits for (bus-confirm.ts). */
    private readonly confirmer?: StoreConfirmer,
    /**
     * The stream's configured limits (MQFLEET_QUEUE_STREAM_*, MQFLEET_STREAM_REPLICAS): refused
     * when full. The session-service creates the stream with them and updates an existing one.
     */
    private readonly limits?: JetStreamLimitFields,
  ) {
    this.records = new ParkedRecords(
      nc,
      () => this.manager(),
      s.queueParkedStream,
      s.queueParkedPrefix,
      limits?.num_replicas,
    );
  }

  /** QoS 1/2 messages offered to the queue stream, and those no parked session could want. */
  readonly counts = { published: 0, skipped: 0 };

  /** Which subjects parked sessions want (parked-interest.ts); set once the gateway knows. */
  interest: ParkedInterest | undefined;

  /** The queue stream's consumers: names and filter subjects (parked-interest.ts lists them). */
  async *consumerFilters(): AsyncIterable<{ name: string; filter: string }> {
    const jsm = await this.manager();
    for await (const c of jsm.consumers.list(this.s.queueStream)) {
      yield { name: c.name, filter: c.config.filter_subject ?? '' };
    }
  }

  /** Creates the streams if they are missing (idempotent; several gateways may race). */
  async ensureStream(): Promise<void> {
    await this.records.ensure();
    const jsm = await this.manager();
    try {
      await jsm.streams.info(this.s.queueStream);
      return;
    } catch {
      // not there yet
    }
    try {
      await jsm.streams.add({
        name: this.s.queueStream,
        subjects: [this.s.queueAll],
        retention: RetentionPolicy.Interest,
        storage: StorageType.File,
        ...(this.limits
          ? {
              ...this.limits,
              discard: this.limits.discard === 'new' ? DiscardPolicy.New : DiscardPolicy.Old,
            }
          : {}),
      });
    } catch (err) {
      await jsm.streams.info(this.s.queueStream).catch(() => {
        throw err;
      });
    }
  }

  /**
   * Offers a QoS 1/2 message to the offline sessions (stored only if one wants it). With a
   * confirmation, it waits for JetStream's PubAck (a full stream answers 0x97 Quota exceeded).
   */
  publish(message: RoutedMessage, confirmation?: Confirmation): void {
    if (message.qos === 0) return;
    try {
      // No parked session could keep it (parked-interest.ts): no JetStream store, no wait.
      if (this.interest && !this.interest.any) {
        this.counts.skipped++;
        return;
      }
      const subject = this.s.queueMessage(message.topic);
      if (this.interest && !this.interest.mayWant(subject)) {
        this.counts.skipped++;
        return;
      }
      this.counts.published++;
      const h = toNatsHeaders(message, this.gatewayId);
      h.set(HEADER_RECEIVED_AT, String(Date.now()));
      if (confirmation && this.confirmer) this.confirmer.publish(subject, message.payload, h, confirmation);
      else this.nc.publish(subject, message.payload, { headers: h });
    } catch (err) {
      this.publishFailures++;
      this.logger.debug('queue publish failed', { topic: message.topic, err });
    }
  }

  /** Test hook: awaited at the points QueueHookPoint names (nothing waits in production). */
  hook: QueueHook | undefined;

  /**
   * Parks a session: creates its consumers (from now on matching QoS 1/2 messages are kept), then
   * `collected()` is called for what arrived meanwhile, and every saved delivery is stored.
   *
   * A take (the session resumed on another gateway) or a discard may remove the consumers while
   * this parking creates or completes them: the parking then starts again from nothing with every
   * delivery it had (saved and collected: `collected()` is called again for what arrived since),
   * so that what a publisher was acknowledged for is never dropped with them. The connection that
   * resumed the session gets it through the queueReady notice once the parking is complete
   * (deliveries it also got live are not delivered twice: connection.ts remembers their ids).
   */
  async park(
    clientName: string,
    filters: string[],
    saved: SavedDelivery[],
    collected: () => SavedDelivery[],
  ): Promise<void> {
    const carried = [...saved];
    for (let attempt = 1; ; attempt++) {
      try {
        await this.parkOnce(clientName, filters, carried, () => {
          carried.push(...collected());
          return [];
        });
        return;
      } catch (err) {
        if (!(vanished(err) || err instanceof ParkingRaced) || attempt >= PARK_ATTEMPTS) throw err;
        this.logger.info('parking started again: its consumers were removed meanwhile (taken or discarded)', {
          clientName,
          attempt,
          deliveries: carried.length,
        });
      }
    }
  }

  private async parkOnce(
    clientName: string,
    filters: string[],
    saved: SavedDelivery[],
    collected: () => SavedDelivery[],
  ): Promise<void> {
    const token = clientToken(clientName);
    const subjects = this.subjectsOf(filters);
    const jsm = await this.manager();
    const common = { ack_policy: AckPolicy.None, deliver_policy: DeliverPolicy.New };
    // This parking's mark on the session consumer: a take that read the queue while another
    // parking began leaves the consumers to it (take()).
    const generation = randomUUID();
    // Every write of the record is conditional on the one read here (records.put's expectedSeq):
    // a take that read the record removes the consumers only if no parking wrote it since, and a
    // parking that finds the record changed under it (a take, another gateway's parking) starts
    // again.
    const { record, parked } = await this.settled(clientName, token);
    const existing = parked?.s;
    let seq: number;
    if (existing) {
      // Deliveries saved by a connection that was taken over and never taken: they stay, and the
      // consumers of both lists are kept.
      for (const subject of existing) if (!subjects.includes(subject)) subjects.push(subject);
      seq = await this.putRecord(token, { c: clientName, s: subjects, d: false }, record?.seq ?? 0);
      await jsm.consumers.update(this.s.queueStream, sessionConsumer(token), {
        description: describe(false, generation),
      });
    } else {
      seq = await this.putRecord(token, { c: clientName, s: subjects, d: false }, record?.seq ?? 0);
      await jsm.consumers.add(this.s.queueStream, {
        ...common,
        durable_name: sessionConsumer(token),
        filter_subject: this.s.queueSession(clientName),
        description: describe(false, generation),
      });
    }
    if (this.hook) await this.hook('park:begun', clientName);
    // Every gateway publishes these subjects to the queue stream before their consumers exist.
    await this.interest?.announce(subjects.filter((subject) => !existing?.includes(subject)));
    if (this.hook) await this.hook('park:announced', clientName);
    for (const subject of subjects) {
      if (existing?.includes(subject)) continue;
      await jsm.consumers.add(this.s.queueStream, {
        ...common,
        durable_name: filterConsumer(token, subject),
        filter_subject: subject,
      });
    }
    if (this.hook) await this.hook('park:consumers', clientName);
    // A message another gateway published after answering the announcement but before these
    // consumers existed went to the stream too early to be kept for this session: only the copy
    // collected here keeps it. That copy left the NATS server before the consumers' creation was
    // answered, but on the connection the subscriptions use, which this gateway may read later
    // than the answer: a round trip on it first, so that every such copy has been collected.
    await this.interest?.caughtUp();
    const js = this.nc.jetstream();
    // (park() passes the array it collects into as `saved`: collected() first.)
    const more = collected();
    const all = [...saved, ...more];
    // Published in order on one connection (so stored in order), acknowledged a batch at a time.
    for (let i = 0; i < all.length; i += PUBLISH_BATCH) {
      await Promise.all(
        all.slice(i, i + PUBLISH_BATCH).map((delivery) => {
          const h = toNatsHeaders(delivery.message, this.gatewayId);
          // toNatsHeaders carries the expiry remaining now: it counts down from now.
          h.set(HEADER_RECEIVED_AT, String(Date.now()));
          h.set(HEADER_TOPIC_SUBJECT, topicToSubject(delivery.message.topic));
          h.set(HEADER_DELIVERY_QOS, String(delivery.qos));
          if (delivery.retain) h.set(HEADER_DELIVERY_RETAIN, '1');
          if (delivery.subscriptionIds.length > 0)
            h.set(HEADER_SUBSCRIPTION_IDS, delivery.subscriptionIds.join(','));
          if (delivery.packetId !== undefined) {
            h.set(HEADER_PACKET_ID, String(delivery.packetId));
            h.set(HEADER_STATE, delivery.state ?? 'publish');
          }
          return js.publish(this.s.queueSession(clientName), delivery.message.payload, { headers: h });
        }),
      );
    }
    // Complete: take() hands it over from now on (before, it leaves it alone). The description
    // says so first (gateways before records read it): it fails ("not found") if the session
    // consumer was removed meanwhile. Then the record, only if it is still this parking's (a take
    // or a discard that removed the consumers meanwhile changed it). Either way park() starts
    // again.
    await jsm.consumers.update(this.s.queueStream, sessionConsumer(token), {
      description: describe(true, generation),
    });
    try {
      await this.records.put(token, { c: clientName, s: subjects, d: true }, seq);
    } catch (err) {
      if (!recordChanged(err)) throw err;
      // Another parking of the session (on another gateway) began since this one wrote the record:
      // it read that record, so its consumers include this one's, and this one's deliveries are
      // on the session subject both share: it completes and announces them. (Starting again
      // here would only make the two undo each other.) This one is done once that one is
      // complete: if it gives up instead (it discards what it made, this one's deliveries with
      // it) or does not complete in time, this one starts again. A record removed meanwhile (a
      // take, a discard) or with fewer subjects (an administrator's change): park() starts again.
      await this.newerParkingCompletes(clientName, token, subjects);
      this.logger.debug('session parked within a newer parking of it', { clientName, generation });
      return;
    }
    this.logger.debug('session parked', {
      clientName,
      generation,
      subjects: subjects.length,
      stored: all.length,
    });
  }

  /**
   * Takes a session's queue: its saved deliveries and the messages queued while it was offline,
   * then removes its consumers. Undefined when it had none, or when it is still being parked
   * (the parking gateway announces it on queueReady once complete). When another parking of the
   * session began while the queue was read (a connection of it ended elsewhere), what was read is
   * returned and the consumers are left to that parking, which announces itself once complete.
   */
  async take(clientName: string): Promise<Resumed | undefined> {
    const token = clientToken(clientName);
    const { record, parked } = await this.state(token, true);
    if (!parked?.d || record?.t) {
      this.logger.debug('queue not taken', {
        clientName,
        parked: Boolean(parked),
        taking: Boolean(record?.t),
      });
      return undefined;
    }
    const subjects = parked.s;
    const savedRaw = await this.read(sessionConsumer(token), savedBound(this.maxQueued));
    const saved: SavedDelivery[] = [];
    const seen = new Set<string>();
    for (const { data, headers } of savedRaw) {
      const delivery = this.decodeSaved(data, headers);
      if (!delivery || seen.has(delivery.message.id)) continue;
      seen.add(delivery.message.id);
      saved.push(delivery);
    }
    const all: { seq: number; message: RoutedMessage }[] = [];
    for (const subject of subjects) {
      for (const m of await this.read(filterConsumer(token, subject), this.maxQueued)) {
        const message = fromStored(this.s.queueMessagePrefix, m.subject, m.data, m.headers);
        if (message) all.push({ seq: m.seq, message });
      }
    }
    all.sort((a, b) => a.seq - b.seq);
    const queued: RoutedMessage[] = [];
    let bytes = 0;
    for (const { message } of all) {
      if (seen.has(message.id)) continue; // through overlapping filters, or saved already
      seen.add(message.id);
      const size = sizeOf(message);
      // Newer ones are discarded (a single message larger than the byte bound still goes).
      if (queued.length >= this.maxQueued || (bytes > 0 && bytes + size > this.maxQueuedBytes)) break;
      queued.push(message);
      bytes += size;
    }
    if (this.hook) await this.hook('take:read', clientName);
    // Removed only if no other parking began meanwhile: the record is marked as being taken on
    // condition that it is still the one read above (a parking writes it before anything else,
    // and again to complete). From the mark on, a parking that begins waits for the removal.
    // Otherwise the consumers, the record and the deliveries stored are the newer parking's.
    let claimed = true;
    try {
      await this.records.put(token, { c: parked.c, s: subjects, t: 1 }, record?.seq ?? 0);
    } catch (err) {
      if (!recordChanged(err)) throw err;
      claimed = false;
    }
    this.logger.debug('queue read', {
      clientName,
      generation: parked.g,
      saved: saved.length,
      queued: queued.length,
      lastSeq: all.at(-1)?.seq,
      removing: claimed,
    });
    if (claimed) {
      if (this.hook) await this.hook('take:claimed', clientName);
      await this.remove(token, subjects);
    } else {
      this.logger.info(
        'queue taken while another parking of the session began: its consumers are left to it',
        {
          clientName,
        },
      );
    }
    return { saved, queued };
  }

  /**
   * The subscriptions of a parked session changed (an administrator's subscribeToMq while it is
   * offline): consumers are added for new filters (queueing from now on) and removed for dropped
   * ones. False when the session is not parked.
   */
  async refilter(clientName: string, filters: string[]): Promise<boolean> {
    const token = clientToken(clientName);
    const jsm = await this.manager();
    const { record, parked } = await this.state(token);
    // Being taken: the session is resuming, with the subscriptions it has now.
    if (!parked || record?.t) return false;
    const before = parked.s;
    const after = this.subjectsOf(filters);
    const common = { ack_policy: AckPolicy.None, deliver_policy: DeliverPolicy.New };
    const added = after.filter((subject) => !before.includes(subject));
    await this.interest?.announce(added);
    for (const subject of added) {
      await jsm.consumers.add(this.s.queueStream, {
        ...common,
        durable_name: filterConsumer(token, subject),
        filter_subject: subject,
      });
    }
    await this.records.put(token, { c: clientName, s: after, d: parked.d });
    await jsm.consumers.update(this.s.queueStream, sessionConsumer(token), {
      description: describe(parked.d, parked.g),
    });
    for (const subject of before.filter((x) => !after.includes(x))) {
      await jsm.consumers.delete(this.s.queueStream, filterConsumer(token, subject)).catch(() => undefined);
    }
    // Taken meanwhile (the client came back): what was added here would be orphaned.
    if (!(await this.state(token)).parked) await this.remove(token, added);
    return true;
  }

  /**
   * Removes what no session will take: the queues of client ids `existing` does not know any
   * more (their `deleted` event was missed), and filter consumers without a session consumer
   * (a crash between creating them). Returns the client ids whose queue was removed.
   */
  async sweep(existing: (clientNames: string[]) => Promise<Set<string>>): Promise<string[]> {
    const jsm = await this.manager();
    const sessions = new Map<string, string>(); // token → client id
    const filterConsumers: { name: string; token: string; created: number }[] = [];
    for await (const c of jsm.consumers.list(this.s.queueStream)) {
      if (c.name.startsWith('qs_')) {
        const d = parseDescription(c.config.description);
        const clientName = d?.record ? (await this.records.get(c.name.slice(3)))?.c : d?.c;
        if (clientName !== undefined) sessions.set(c.name.slice(3), clientName);
      } else if (c.name.startsWith('qm_')) {
        const token = c.name.slice(3, 3 + 22);
        filterConsumers.push({ name: c.name, token, created: Date.parse(c.created) });
      }
    }
    const removed: string[] = [];
    const names = [...sessions.values()];
    for (let i = 0; i < names.length; i += 200) {
      const batch = names.slice(i, i + 200);
      const known = await existing(batch);
      for (const clientName of batch) {
        if (known.has(clientName)) continue;
        await this.discard(clientName);
        removed.push(clientName);
      }
    }
    const now = Date.now();
    for (const c of filterConsumers) {
      if (sessions.has(c.token) || !(now - c.created > SWEEP_MIN_AGE_MS)) continue;
      await jsm.consumers.delete(this.s.queueStream, c.name).catch(() => undefined);
    }
    return removed;
  }

  /** Drops a session's queue (clean start, expiry, deletion). */
  async discard(clientName: string): Promise<void> {
    const token = clientToken(clientName);
    const { parked } = await this.state(token, true);
    if (parked) await this.remove(token, parked.s);
  }

  /**
   * A session's record (with its sequence, for conditional writes) and, when it is parked (its
   * session consumer exists), the parking: complete when the record says so (records of gateways
   * before the flag: when the description does).
   */
  private async state(token: string, atOnce = false): Promise<{ record?: StoredRecord; parked?: Parked }> {
    // A parking reads the record first: what it then finds of the consumers is not older than
    // the record, whose sequence its own writes expect. A take may read both at once: it decides
    // on the record alone, and its mark fails if the record changed; a discard removes whatever
    // it finds.
    const [record, described] = atOnce
      ? await Promise.all([this.records.get(token), this.description(token)])
      : [await this.records.get(token), await this.description(token)];
    if (!described) return { record };
    const parked: Parked = described.record
      ? { c: record?.c ?? '', s: record?.s ?? [], d: record?.d ?? described.d, g: described.g }
      : described;
    return { record, parked };
  }

  /**
   * The state a parking starts from: once no take holds the record (take() marks it while it
   * removes the consumers). A mark older than TAKE_MARK_WAIT_MS is written over.
   */
  private settled(clientName: string, token: string): Promise<{ record?: StoredRecord; parked?: Parked }> {
    return this.watchRecord(clientName, token, 'park:waiting', (state, late) => {
      if (!state.record?.t) return state;
      if (!late) return undefined;
      this.logger.warn('a take of the session marked its record and never finished: parking over it', {
        clientName,
      });
      return state;
    });
  }

  /**
   * Reads the session's state every TAKE_MARK_POLL_MS until `decide` returns something (or
   * throws); `late` tells it TAKE_MARK_WAIT_MS have passed. The hook holds at `point` once, before
   * the first wait.
   */
  private async watchRecord<T>(
    clientName: string,
    token: string,
    point: QueueHookPoint,
    decide: (state: { record?: StoredRecord; parked?: Parked }, late: boolean) => T | undefined,
  ): Promise<T> {
    const started = Date.now();
    for (let waited = false; ; waited = true) {
      const decided = decide(await this.state(token), Date.now() - started > TAKE_MARK_WAIT_MS);
      if (decided !== undefined) return decided;
      if (!waited && this.hook) await this.hook(point, clientName);
      await new Promise((resolve) => setTimeout(resolve, TAKE_MARK_POLL_MS));
    }
  }

  /**
   * Resolves once the newer parking whose record a parking found is complete (its record says
   * so, with every subject of `subjects`); throws ParkingRaced when the record goes, is marked by
   * a take before it was seen complete, loses a subject, or stays incomplete for
   * TAKE_MARK_WAIT_MS. (A take of the complete queue between two looks also ends in ParkingRaced:
   * the deliveries are then parked again and may be delivered twice, never lost.)
   */
  private async newerParkingCompletes(clientName: string, token: string, subjects: string[]): Promise<void> {
    await this.watchRecord(clientName, token, 'park:deferred', ({ record, parked }, late) => {
      if (!parked || !record || record.t || !subjects.every((x) => record.s.includes(x)))
        throw new ParkingRaced('the record changed under the parking');
      if (record.d) return true;
      if (late) throw new ParkingRaced('the newer parking of the session did not complete in time');
      return undefined;
    });
  }

  /** A conditional write of the record; a different record there means the parking raced. */
  private async putRecord(token: string, record: ParkedRecord, expectedSeq: number): Promise<number> {
    try {
      return await this.records.put(token, record, expectedSeq);
    } catch (err) {
      if (recordChanged(err)) throw new ParkingRaced('the record changed under the parking');
      throw err;
    }
  }

  /** The session consumer's description (without the record); undefined when it is not parked. */
  private async description(token: string): Promise<(Parked & { record?: boolean }) | undefined> {
    const jsm = await this.manager();
    try {
      const info = await jsm.consumers.info(this.s.queueStream, sessionConsumer(token));
      return parseDescription(info.config.description) ?? { c: '', s: [], d: true };
    } catch (err) {
      if (notFound(err)) return undefined;
      throw err;
    }
  }

  private subjectsOf(filters: string[]): string[] {
    return [
      ...new Set(filters.flatMap((f) => filterToSubjects(f).map((x) => `${this.s.queueMessagePrefix}.${x}`))),
    ];
  }

  private async remove(token: string, subjects: string[]): Promise<void> {
    const jsm = await this.manager();
    for (const name of [
      ...subjects.map((subject) => filterConsumer(token, subject)),
      sessionConsumer(token),
    ]) {
      await jsm.consumers.delete(this.s.queueStream, name).catch((err: unknown) => {
        if (!notFound(err)) throw err;
      });
    }
    await this.records.delete(token);
  }

  private manager(): Promise<JetStreamManager> {
    this.jsm ??= this.nc.jetstreamManager();
    return this.jsm;
  }

  /** Up to `max` pending messages of a consumer, in stream order. */
  private async read(
    name: string,
    max: number,
  ): Promise<{ seq: number; subject: string; data: Uint8Array; headers: MsgHdrs | undefined }[]> {
    const out: { seq: number; subject: string; data: Uint8Array; headers: MsgHdrs | undefined }[] = [];
    let consumer;
    try {
      consumer = await this.nc.jetstream().consumers.get(this.s.queueStream, name);
    } catch (err) {
      if (notFound(err)) return out;
      throw err;
    }
    const info = await consumer.info(true);
    const pending = Math.min(info.num_pending, max);
    if (pending === 0) return out;
    const deadline = Date.now() + READ_TIMEOUT_MS;
    const messages = await consumer.fetch({ max_messages: pending, expires: READ_TIMEOUT_MS });
    for await (const m of messages) {
      out.push({ seq: m.info.streamSequence, subject: m.subject, data: m.data, headers: m.headers });
      if (m.info.pending === 0 || out.length >= pending || Date.now() > deadline) break;
    }
    // (Awaiting close() after leaving the loop never settles with nats.js 2.29.)
    void messages.close().catch(() => undefined);
    return out;
  }

  private decodeSaved(data: Uint8Array, h: MsgHdrs | undefined): SavedDelivery | undefined {
    const mapped = h?.get(HEADER_TOPIC_SUBJECT);
    let topic = h?.get(HEADER_TOPIC);
    try {
      if (mapped) topic = subjectToTopic(mapped);
    } catch {
      return undefined;
    }
    if (!h || !topic) return undefined;
    const message = withReceivedAt(fromNats(topic, data, h), h);
    if (!message) return undefined;
    const qos = Number(h.get(HEADER_DELIVERY_QOS)) as QoS;
    if (qos !== 1 && qos !== 2) return undefined;
    const ids = h.get(HEADER_SUBSCRIPTION_IDS);
    const delivery: SavedDelivery = {
      message,
      qos,
      retain: h.get(HEADER_DELIVERY_RETAIN) === '1',
      subscriptionIds: ids ? ids.split(',').map(Number) : [],
    };
    const packetId = Number(h.get(HEADER_PACKET_ID));
    if (Number.isInteger(packetId) && packetId >= 1 && packetId <= 65535) {
      delivery.packetId = packetId;
      delivery.state = h.get(HEADER_STATE) === 'pubrel' ? 'pubrel' : 'publish';
    }
    return delivery;
  }
}
