// Retained messages [MQTT-3.3.1-5..11], kept in JetStream (README, Architecture: messages that
// must survive live there, never in a home-made store). The session-service creates the stream
// subjects().retainedStream at its start: one subject per topic (subjects().retained(topic)),
// max_msgs_per_subject 1, so the stream holds exactly the last retained message of each topic.
// A message is stored as it crosses gateways (message.ts headers) plus Mqfleet-Received-At, the
// time it was stored, from which its remaining Message Expiry Interval is counted. A retained
// PUBLISH with an empty payload removes the topic's message (a purge of its subject).
//
// Reading for a SUBSCRIBE: a filter without wildcards is one direct get (last message of the
// subject); a filter with wildcards is an ordered consumer with DeliverPolicy.LastPerSubject on
// the mapped subject filter(s) (one at a time: nats-server 2.9 knows a single filter_subject),
// read until nothing is pending, bounded in time and count. topicMatches then applies the MQTT
// rules the subject filter cannot ("$" topics, leading wildcards).
import { filterToSubjects, topicMatches, type Logger, type Subjects } from '@mqfleet/core';
import { DeliverPolicy, type JetStreamManager, type MsgHdrs, type NatsConnection } from 'nats';
import {
  fromStored,
  HEADER_RECEIVED_AT,
  remainingExpiry,
  toNatsHeaders,
  type RoutedMessage,
} from './message';
import { ReasonCode } from './reason-codes';

/** Reading the retained messages of one filter stops after this long. */
const READ_TIMEOUT_MS = 3000;
/** At most this many retained messages are delivered for one subscription. */
export const MAX_RETAINED_PER_FILTER = 10_000;
/** The ordered consumer of a read is removed by the server if the read is abandoned. */
const CONSUMER_INACTIVE_MS = 30_000;
/** A full stream is logged at most this often (each refused message is counted). */
const FULL_LOG_INTERVAL_MS = 10_000;

/**
 * JetStream refused the message because the stream is at its configured limit (discard new:
 * MQFLEET_RETAINED_STREAM_MAX_MESSAGES / _MAX_BYTES): error 10077 "maximum messages/bytes exceeded".
 */
export function streamFull(err: unknown): boolean {
  const api = (err as { api_error?: { err_code?: number; description?: string } } | undefined)?.api_error;
  return api?.err_code === 10077 || /maximum (messages|bytes) exceeded/i.test(api?.description ?? '');
}

const hasWildcard = (subject: string): boolean => subject.split('.').some((t) => t === '*' || t === '>');

export class RetainedStore {
  /** Per subject: the last store/purge, so that they reach JetStream in the order they came. */
  private readonly chains = new Map<string, Promise<number>>();
  private jsm: Promise<JetStreamManager> | undefined;
  /** Retained messages JetStream did not take (NATS down, stream missing, stream full). */
  storeFailures = 0;
  /** Of those, refused because the stream was full. */
  refusedFull = 0;
  private fullLoggedAt = 0;

  constructor(
    private readonly nc: NatsConnection,
    private readonly s: Subjects,
    private readonly gatewayId: string,
    private readonly logger: Logger,
  ) {}

  /**
   * Stores the retained message of its topic, or removes it when the payload is empty
   * [MQTT-3.3.1-6, MQTT-3.3.1-7]. Resolves with 0x00 once JetStream has acknowledged it, 0x97
   * Quota exceeded when the stream is full (a new topic beyond the bound; replacing a topic's
   * message always fits the message count), 0x80 when it could not be stored otherwise.
   */
  store(message: RoutedMessage): Promise<number> {
    const subject = this.s.retained(message.topic);
    const previous = this.chains.get(subject) ?? Promise.resolve(ReasonCode.SUCCESS);
    const next = previous.then(() => this.write(subject, message));
    this.chains.set(subject, next);
    void next.then(() => {
      if (this.chains.get(subject) === next) this.chains.delete(subject);
    });
    return next;
  }

  /** The retained messages matching a topic filter (unexpired, in no particular order). */
  async read(filter: string): Promise<RoutedMessage[]> {
    const out: RoutedMessage[] = [];
    const deadline = Date.now() + READ_TIMEOUT_MS;
    for (const subject of filterToSubjects(filter)) {
      const full = `${this.s.retainedPrefix}.${subject}`;
      try {
        const found = hasWildcard(subject) ? await this.scan(full, deadline) : await this.last(full);
        for (const message of found) {
          if (!topicMatches(filter, message.topic)) continue;
          const remaining = remainingExpiry(message);
          if (remaining !== undefined && remaining <= 0) continue; // [MQTT-3.3.2-5]
          out.push(message);
        }
      } catch (err) {
        this.logger.warn('retained messages could not be read', { filter, err });
      }
    }
    return out.slice(0, MAX_RETAINED_PER_FILTER);
  }

  private manager(): Promise<JetStreamManager> {
    this.jsm ??= this.nc.jetstreamManager();
    return this.jsm;
  }

  private async write(subject: string, message: RoutedMessage): Promise<number> {
    try {
      if (message.payload.length === 0) {
        const jsm = await this.manager();
        await jsm.streams.purge(this.s.retainedStream, { filter: subject });
      } else {
        const h = toNatsHeaders(message, this.gatewayId);
        h.set(HEADER_RECEIVED_AT, String(Date.now()));
        await this.nc.jetstream().publish(subject, message.payload, { headers: h });
      }
      return ReasonCode.SUCCESS;
    } catch (err) {
      this.storeFailures++;
      if (streamFull(err)) {
        this.refusedFull++;
        const now = Date.now();
        if (now - this.fullLoggedAt >= FULL_LOG_INTERVAL_MS) {
          this.fullLoggedAt = now;
          this.logger.warn(
            'retained message refused: the retained store is full (MQFLEET_RETAINED_STREAM_MAX_MESSAGES / _MAX_BYTES)',
            { topic: message.topic, stream: this.s.retainedStream, refusedSoFar: this.refusedFull },
          );
        }
        return ReasonCode.QUOTA_EXCEEDED;
      }
      this.logger.warn('retained message not stored', { topic: message.topic, err });
      return ReasonCode.UNSPECIFIED_ERROR;
    }
  }

  private decode(subject: string, data: Uint8Array, h: MsgHdrs | undefined): RoutedMessage | undefined {
    const message = fromStored(this.s.retainedPrefix, subject, data, h);
    if (!message) return undefined;
    message.retain = true;
    return message;
  }

  /** The last message on one subject (a filter without wildcards). */
  private async last(subject: string): Promise<RoutedMessage[]> {
    const jsm = await this.manager();
    let stored;
    try {
      stored = await jsm.streams.getMessage(this.s.retainedStream, { last_by_subj: subject });
    } catch (err) {
      if (/no message found/i.test(String((err as Error).message))) return [];
      throw err;
    }
    const message = this.decode(stored.subject, stored.data, stored.header);
    return message ? [message] : [];
  }

  /** The last message of every subject matching a subject filter. */
  private async scan(subject: string, deadline: number): Promise<RoutedMessage[]> {
    const consumer = await this.nc.jetstream().consumers.get(this.s.retainedStream, {
      filterSubjects: subject, // one string: nats-server 2.9 (see session-events.ts)
      deliver_policy: DeliverPolicy.LastPerSubject,
      inactive_threshold: CONSUMER_INACTIVE_MS,
    });
    const out: RoutedMessage[] = [];
    let seen = 0;
    try {
      const info = await consumer.info(true);
      const pending = Math.min(info.num_pending, MAX_RETAINED_PER_FILTER);
      if (pending === 0) return out;
      const messages = await consumer.fetch({
        max_messages: pending,
        expires: Math.max(1000, deadline - Date.now()),
      });
      for await (const m of messages) {
        const message = this.decode(m.subject, m.data, m.headers);
        seen++;
        if (message) out.push(message);
        if (m.info.pending === 0 || seen >= pending || Date.now() > deadline) break;
      }
      await messages.close().catch(() => undefined);
    } finally {
      await consumer.delete().catch(() => undefined);
    }
    return out;
  }
}
