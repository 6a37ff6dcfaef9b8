// The application message as it travels inside and between gateways, its NATS encoding and its
// MQTT 5 properties. On NATS the payload is the raw bytes; everything else rides in headers:
//   Mqfleet-Gateway     id of the publishing gateway (receivers ignore their own messages)
//   Mqfleet-Id          unique id (a gateway may receive one message through several
//                       overlapping subscriptions; it delivers it once)
//   Mqfleet-Qos         0, 1 or 2
//   Mqfleet-Retain      "1" when the PUBLISH had the RETAIN flag
//   Mqfleet-Properties  JSON of MessageProperties (only when there are any); correlation data
//                       is base64, user properties keep their order as [key, value] pairs
import { subjectToTopic } from '@mqfleet/core';
import { headers as natsHeaders, type MsgHdrs } from 'nats';
import type { IPublishPacket, UserProperties } from 'mqtt-packet';

export type QoS = 0 | 1 | 2;

export interface MessageProperties {
  /** In the order the publisher sent them, then the session's own [MQTT-3.3.2-18]. */
  userProperties: [string, string][];
  contentType?: string;
  correlationData?: Buffer;
  responseTopic?: string;
  payloadFormatIndicator?: boolean;
  /** Seconds the message may live, counted from receivedAt [MQTT-3.3.2-5]. */
  messageExpiryInterval?: number;
}

export interface RoutedMessage {
  id: string;
  topic: string;
  payload: Buffer;
  qos: QoS;
  retain: boolean;
  properties: MessageProperties;
  /** Date.now() when this gateway received it (for message expiry). */
  receivedAt: number;
  /** Local connection that published it (MQTT 5 No Local); absent for messages from NATS. */
  originConnectionId?: string;
  /** Session that published it (No Local of MQ API sessions); absent for messages from NATS. */
  originClient?: string;
}

/**
 * What a message weighs against MQFLEET_MAX_QUEUED_BYTES: its payload and topic (O(1); topic
 * characters stand for bytes, properties are not counted).
 */
export const sizeOf = (message: RoutedMessage): number => message.payload.length + message.topic.length;

export const HEADER_GATEWAY = 'Mqfleet-Gateway';
export const HEADER_ID = 'Mqfleet-Id';
export const HEADER_QOS = 'Mqfleet-Qos';
export const HEADER_RETAIN = 'Mqfleet-Retain';
export const HEADER_PROPERTIES = 'Mqfleet-Properties';

interface PropertiesJson {
  u?: [string, string][];
  ct?: string;
  cd?: string;
  rt?: string;
  pfi?: boolean;
  mei?: number;
}

export function toNatsHeaders(message: RoutedMessage, gatewayId: string): MsgHdrs {
  const h = natsHeaders();
  h.set(HEADER_GATEWAY, gatewayId);
  h.set(HEADER_ID, message.id);
  h.set(HEADER_QOS, String(message.qos));
  if (message.retain) h.set(HEADER_RETAIN, '1');
  const properties = propertiesHeader(message);
  if (properties !== undefined) h.set(HEADER_PROPERTIES, properties);
  return h;
}

/**
 * The headers of toNatsHeaders as the bytes NATS sends, for a publish on core NATS (router.ts):
 * nats.js only calls encode() there. Building them as one string spares the MsgHdrs map, its
 * per-value checks and its own string building, about 5 % of the gateway's CPU per routed message.
 * Every value is safe by construction: the gateway id is checked once (safeHeaderValue), the
 * message id is ours, the properties are JSON (which escapes CR and LF).
 */
export function encodedNatsHeaders(message: RoutedMessage, gatewayId: string): MsgHdrs {
  let s = `NATS/1.0\r\n${HEADER_GATEWAY}: ${gatewayId}\r\n${HEADER_ID}: ${message.id}\r\n${HEADER_QOS}: ${message.qos}`;
  if (message.retain) s += `\r\n${HEADER_RETAIN}: 1`;
  const properties = propertiesHeader(message);
  if (properties !== undefined) s += `\r\n${HEADER_PROPERTIES}: ${properties}`;
  const bytes = Buffer.from(`${s}\r\n\r\n`, 'utf8');
  return { encode: () => bytes } as unknown as MsgHdrs;
}

/** True when a value goes into a NATS header unchanged (no CR/LF, nothing to trim). */
export const safeHeaderValue = (value: string): boolean => !/[\r\n]/.test(value) && value.trim() === value;

/** The MQTT 5 properties of a message as the JSON of its Mqfleet-Properties header, if any. */
function propertiesHeader(message: RoutedMessage): string | undefined {
  const p = message.properties;
  const json: PropertiesJson = {};
  if (p.userProperties.length > 0) json.u = p.userProperties;
  if (p.contentType !== undefined) json.ct = p.contentType;
  if (p.correlationData !== undefined) json.cd = p.correlationData.toString('base64');
  if (p.responseTopic !== undefined) json.rt = p.responseTopic;
  if (p.payloadFormatIndicator !== undefined) json.pfi = p.payloadFormatIndicator;
  if (p.messageExpiryInterval !== undefined) {
    // Forward the remaining lifetime [MQTT-3.3.2-6].
    json.mei = Math.max(0, remainingExpiry(message) ?? 0);
  }
  return Object.keys(json).length > 0 ? JSON.stringify(json) : undefined;
}

/**
 * When a stored message (retained, or queued for an offline session) was received: its Message
 * Expiry Interval counts from then [MQTT-3.3.2-5].
 */
export const HEADER_RECEIVED_AT = 'Mqfleet-Received-At';

/** Sets the message's receive time from its HEADER_RECEIVED_AT header, if it has one. */
export function withReceivedAt(
  message: RoutedMessage | undefined,
  h: MsgHdrs | undefined,
): RoutedMessage | undefined {
  if (!message) return undefined;
  const receivedAt = Number(h?.get(HEADER_RECEIVED_AT));
  if (Number.isFinite(receivedAt) && receivedAt > 0) message.receivedAt = receivedAt;
  return message;
}

/** A message JetStream stored on `<prefix>.<its topic as a subject>`, with its receive time. */
export function fromStored(
  prefix: string,
  subject: string,
  payload: Uint8Array,
  h: MsgHdrs | undefined,
): RoutedMessage | undefined {
  let topic: string;
  try {
    topic = subjectToTopic(subject.slice(prefix.length + 1));
  } catch {
    return undefined;
  }
  return withReceivedAt(fromNats(topic, payload, h), h);
}

/** Reads a message from NATS; undefined when its headers are not ours (ignored, logged by caller). */
export function fromNats(
  topic: string,
  payload: Uint8Array,
  h: MsgHdrs | undefined,
): RoutedMessage | undefined {
  if (!h) return undefined;
  const qos = Number(h.get(HEADER_QOS));
  const id = h.get(HEADER_ID);
  if (!id || (qos !== 0 && qos !== 1 && qos !== 2)) return undefined;
  const properties: MessageProperties = { userProperties: [] };
  const raw = h.get(HEADER_PROPERTIES);
  if (raw) {
    let json: PropertiesJson;
    try {
      json = JSON.parse(raw) as PropertiesJson;
    } catch {
      return undefined;
    }
    if (Array.isArray(json.u)) properties.userProperties = json.u.map(([k, v]) => [String(k), String(v)]);
    if (typeof json.ct === 'string') properties.contentType = json.ct;
    if (typeof json.cd === 'string') properties.correlationData = Buffer.from(json.cd, 'base64');
    if (typeof json.rt === 'string') properties.responseTopic = json.rt;
    if (typeof json.pfi === 'boolean') properties.payloadFormatIndicator = json.pfi;
    if (typeof json.mei === 'number') properties.messageExpiryInterval = json.mei;
  }
  return {
    id,
    topic,
    payload: Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength),
    qos,
    retain: h.get(HEADER_RETAIN) === '1',
    properties,
    receivedAt: Date.now(),
  };
}

/** mqtt-packet's user properties (grouped by key) → ordered pairs. */
export function userPropertiesToPairs(props: UserProperties | undefined): [string, string][] {
  const pairs: [string, string][] = [];
  if (!props) return pairs;
  for (const [key, value] of Object.entries(props)) {
    for (const v of Array.isArray(value) ? value : [value]) pairs.push([key, String(v)]);
  }
  return pairs;
}

/**
 * Ordered pairs → mqtt-packet's user properties. mqtt-packet groups values by key, so pairs with
 * the same key end up adjacent (the relative order of each key's values is kept).
 */
export function pairsToUserProperties(pairs: [string, string][]): UserProperties | undefined {
  if (pairs.length === 0) return undefined;
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of pairs) {
    const existing = out[key];
    if (existing === undefined) out[key] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else out[key] = [existing, value];
  }
  return out;
}

/** Properties of an inbound PUBLISH (topic alias excluded: it is per connection). */
export function propertiesFromPublish(packet: IPublishPacket): MessageProperties {
  const p = packet.properties ?? {};
  const out: MessageProperties = { userProperties: userPropertiesToPairs(p.userProperties) };
  if (p.contentType !== undefined) out.contentType = p.contentType;
  if (p.correlationData !== undefined) out.correlationData = p.correlationData;
  if (p.responseTopic !== undefined) out.responseTopic = p.responseTopic;
  if (p.payloadFormatIndicator !== undefined) out.payloadFormatIndicator = p.payloadFormatIndicator;
  if (p.messageExpiryInterval !== undefined) out.messageExpiryInterval = p.messageExpiryInterval;
  return out;
}

/** Remaining lifetime in whole seconds (rounded up); undefined = no expiry; 0 or less = expired. */
export function remainingExpiry(message: RoutedMessage, now = Date.now()): number | undefined {
  const mei = message.properties.messageExpiryInterval;
  if (mei === undefined) return undefined;
  return Math.ceil((mei * 1000 - (now - message.receivedAt)) / 1000);
}
