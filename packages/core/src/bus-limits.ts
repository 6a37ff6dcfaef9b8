// What the message bus (NATS) can carry, and the checks that keep every topic, filter, message and
// session state that reaches it within that (docs/mqtt.md, "Limits of the message bus").
//
// NATS closes a connection whose protocol line (PUB/HPUB/SUB: verb, subject, reply subject, queue
// group, sizes) is longer than the server's max_control_line (4,096 bytes by default), and refuses
// a message (headers + payload) larger than its max_payload (1 MiB by default). One client's
// 5,000-byte topic filter must therefore never reach a SUB line: it would cut the gateway's link
// for every client. A topic or filter is accepted only when its mapped subject (topics.ts), with
// the longest prefix mqfleet ever puts in front of it (subjects.ts), fits the control line with a
// reserve for the rest of the line.
import { filterToSubjects, topicToSubject } from './topics';
import { subjects } from './subjects';

/** nats-server's default max_control_line (bytes). */
export const DEFAULT_NATS_MAX_CONTROL_LINE = 4096;
/**
 * Room on a protocol line for everything but the subject: "HPUB "/"SUB ", a reply subject
 * (nats.js request inboxes are "_INBOX." + 22 + "." + 22 characters), a shared subscription's queue
 * group ("share_" + 22), header and total sizes, the subscription id, spaces and CRLF.
 */
export const CONTROL_LINE_RESERVE = 256;
/**
 * NATS header bytes of a message besides its MQTT properties and topic: "NATS/1.0", the gateway
 * id, message id, QoS, retain, receive time, JetStream's Nats-Msg-Id, the offline queue's
 * delivery headers.
 */
export const BUS_HEADER_RESERVE = 1024;
/** Subscriptions a session may hold (MQFLEET_MAX_SUBSCRIPTIONS); 0 = no count bound. */
export const DEFAULT_MAX_SUBSCRIPTIONS = 1000;
/** Sum of a session's topic filter bytes (MQFLEET_MAX_SUBSCRIPTION_BYTES). */
export const DEFAULT_MAX_SUBSCRIPTION_BYTES = 256 * 1024;
/** Characters of a JetStream consumer name mqfleet uses (qm_<22>_<16>, or an ordered consumer's). */
const CONSUMER_NAME_ROOM = 48;

const byteLength = (text: string): number => Buffer.byteLength(text, 'utf8');

/**
 * Bytes a mapped topic or filter subject may have: max_control_line less the reserve and less the
 * longest prefix it ever gets. That is the JetStream request that creates an offline queue's
 * consumer, whose subject carries the filter: "$JS.API.CONSUMER.CREATE.<stream>.<name>.<filter>"
 * (nats.js with nats-server 2.9+); the message, retained and queue subjects are shorter.
 */
export function subjectBudget(natsPrefix: string, maxControlLine: number): number {
  const s = subjects(natsPrefix);
  const name = 'x'.repeat(CONSUMER_NAME_ROOM);
  const prefixes = [
    `${s.messagePrefix}.`,
    `${s.retainedPrefix}.`,
    `${s.queueMessagePrefix}.`,
    `$JS.API.CONSUMER.CREATE.${s.queueStream}.${name}.${s.queueMessagePrefix}.`,
    `$JS.API.CONSUMER.CREATE.${s.retainedStream}.${name}.${s.retainedPrefix}.`,
  ];
  return maxControlLine - CONTROL_LINE_RESERVE - Math.max(...prefixes.map(byteLength));
}

/**
 * Largest bytes a topic can map to: escaping turns a UTF-16 code unit into at most 9 bytes
 * ("%XX" per UTF-8 byte), an empty level into "%". Below the budget, no mapping is needed.
 */
const mappedBound = (text: string): number => 9 * text.length + 2;

/** Why a topic name's subject does not fit the bus, or undefined when it does. */
export function topicSubjectProblem(topic: string, budget: number): string | undefined {
  if (mappedBound(topic) <= budget) return undefined;
  const bytes = byteLength(topicToSubject(topic));
  if (bytes <= budget) return undefined;
  return `the topic name maps to a NATS subject of ${bytes} bytes; at most ${budget} fit the bus`;
}

const SHARE_PREFIX = '$share/';

/**
 * Why a topic filter's subjects do not fit the bus, or undefined when they do. "#" maps to two
 * subjects (topics.ts); a shared subscription "$share/{ShareName}/{filter}" is subscribed as its
 * filter (the ShareName goes into a fixed-length queue group).
 */
export function filterSubjectProblem(topicFilter: string, budget: number): string | undefined {
  let filter = topicFilter;
  if (filter.startsWith(SHARE_PREFIX)) {
    const slash = filter.indexOf('/', SHARE_PREFIX.length);
    if (slash >= 0) filter = filter.slice(slash + 1);
  }
  if (mappedBound(filter) <= budget) return undefined;
  const bytes = Math.max(...filterToSubjects(filter).map(byteLength));
  if (bytes <= budget) return undefined;
  return `the topic filter maps to a NATS subject of ${bytes} bytes; at most ${budget} fit the bus`;
}

/**
 * Largest MQTT packet the bus can carry as one message: max_payload less the header reserve and
 * less the longest topic (the offline queue's saved deliveries carry it in a header).
 */
export function busMaxPacketSize(maxPayload: number, maxControlLine: number): number {
  return Math.max(0, maxPayload - BUS_HEADER_RESERVE - maxControlLine);
}

/** The MQTT 5 properties of a message as the bus carries them (message.ts, Mqfleet-Properties). */
export interface BusProperties {
  userProperties: [string, string][];
  contentType?: string | undefined;
  correlationData?: Buffer | undefined;
  responseTopic?: string | undefined;
}

/** A JSON string's bytes are at most 6 per UTF-16 code unit ("\uXXXX") plus its quotes. */
const jsonBound = (text: string | undefined): number => (text === undefined ? 0 : 6 * text.length + 3);

/**
 * Bytes the bus needs for a message: payload, topic (a saved delivery's header), the properties'
 * JSON and the header reserve. Exact JSON only when a cheap upper bound does not already fit.
 */
export function busMessageBytes(
  topic: string,
  payloadBytes: number,
  p: BusProperties,
  maxPayload: number,
): number {
  const base = payloadBytes + BUS_HEADER_RESERVE + byteLength(topic);
  const cd = p.correlationData ? Math.ceil(p.correlationData.length / 3) * 4 + 16 : 0;
  let bound = base + 64 + cd + jsonBound(p.contentType) + jsonBound(p.responseTopic);
  for (const [k, v] of p.userProperties) bound += jsonBound(k) + jsonBound(v) + 4;
  if (bound <= maxPayload) return bound;
  const json: Record<string, unknown> = {};
  if (p.userProperties.length > 0) json.u = p.userProperties;
  if (p.contentType !== undefined) json.ct = p.contentType;
  if (p.correlationData !== undefined) json.cd = p.correlationData.toString('base64');
  if (p.responseTopic !== undefined) json.rt = p.responseTopic;
  return base + 64 + (Object.keys(json).length > 0 ? byteLength(JSON.stringify(json)) : 0);
}

/** The bound on a session's subscriptions (MQFLEET_MAX_SUBSCRIPTIONS, …_BYTES_…). */
export interface SubscriptionBound {
  /** 0 = no bound on the count. */
  maxCount: number;
  maxBytes: number;
}

/**
 * Admits new topic filters into a session one at a time against its bound: a filter the session
 * holds already replaces its subscription and costs nothing [MQTT-3.8.4-3].
 */
export class SubscriptionBudget {
  private count = 0;
  private bytes = 0;
  private readonly held = new Set<string>();

  constructor(
    private readonly bound: SubscriptionBound,
    existing: Iterable<string>,
  ) {
    for (const filter of existing) this.take(filter);
  }

  private take(filter: string): void {
    if (this.held.has(filter)) return;
    this.held.add(filter);
    this.count++;
    this.bytes += byteLength(filter);
  }

  /** Why the filter does not fit the session's bound (and it is not taken), or undefined. */
  admit(filter: string): string | undefined {
    if (this.held.has(filter)) return undefined;
    const { maxCount, maxBytes } = this.bound;
    if (maxCount > 0 && this.count + 1 > maxCount)
      return `a session may hold at most ${maxCount} subscriptions`;
    if (this.bytes + byteLength(filter) > maxBytes)
      return `a session's topic filters may total at most ${maxBytes} bytes`;
    this.take(filter);
    return undefined;
  }

  /** A filter removed from the session frees its room. */
  release(filter: string): void {
    if (!this.held.delete(filter)) return;
    this.count--;
    this.bytes -= byteLength(filter);
  }
}
