// A message JetStream keeps for mqfleet (an MQ API session's copy, or a stored topic's history:
// packages/core/src/mq-api-messages.ts describes the headers) as the StoredMessage of the gRPC API.
import {
  MQ_HEADER_DELIVERY_QOS,
  MQ_HEADER_DELIVERY_RETAIN,
  MQ_HEADER_PROPERTIES,
  MQ_HEADER_RECEIVED_AT,
  MQ_HEADER_SUBSCRIPTION_IDS,
  remainingSeconds,
  subjectToTopic,
  type StoredProperties,
} from '@mqfleet/core';
import type { StoredMessage } from '@mqfleet/proto';
import type { JsMsg, MsgHdrs } from 'nats';

/** Headers of a message as published on the bus (connection-gateway message.ts). */
const HEADER_QOS = 'Mqfleet-Qos';
const HEADER_RETAIN = 'Mqfleet-Retain';

export interface Kept {
  /** Its subject, and the part before the topic (a consumer's filter without its '>'). */
  subject: string;
  prefix: string;
  headers: MsgHdrs | undefined;
  data: Uint8Array;
  /** Stream sequence, and when JetStream stored it (epoch ms). */
  seq: number;
  storedAt: number;
}

/**
 * The message, or undefined when it has expired [MQTT-3.3.2-5] or is not one of ours. `clientName`:
 * the session it was kept for ("" for a topic's history, whose QoS and retain flag are the
 * publisher's rather than a delivery's).
 */
export function decodeKept(kept: Kept, clientName: string, now = Date.now()): StoredMessage | undefined {
  const h = kept.headers;
  if (!h) return undefined;
  let topic: string;
  try {
    topic = subjectToTopic(kept.subject.slice(kept.prefix.length));
  } catch {
    return undefined;
  }
  let props: StoredProperties = {};
  const raw = h.get(MQ_HEADER_PROPERTIES);
  if (raw) {
    try {
      props = JSON.parse(raw) as StoredProperties;
    } catch {
      return undefined;
    }
  }
  const receivedAt = Number(h.get(MQ_HEADER_RECEIVED_AT)) || kept.storedAt;
  const left = remainingSeconds(props, receivedAt, now);
  if (left !== undefined && left <= 0) return undefined;
  const delivered = h.get(MQ_HEADER_DELIVERY_QOS) !== '';
  const ids = h.get(MQ_HEADER_SUBSCRIPTION_IDS);
  return {
    clientName,
    topic,
    payload: Buffer.from(kept.data),
    qos: Number(h.get(delivered ? MQ_HEADER_DELIVERY_QOS : HEADER_QOS)) || 0,
    retain: h.get(delivered ? MQ_HEADER_DELIVERY_RETAIN : HEADER_RETAIN) === '1',
    contentType: props.ct ?? '',
    correlationData: props.cd ? Buffer.from(props.cd, 'base64') : Buffer.alloc(0),
    responseTopic: props.rt ?? '',
    expirySeconds: left ?? 0,
    payloadUtf8: props.pfi === true,
    userProperties: (props.u ?? []).map(([key, value]) => ({ key, value })),
    subscriptionIdentifiers: ids ? ids.split(',').map(Number) : [],
    receivedAt: new Date(receivedAt).toISOString(),
    sequence: String(kept.seq),
  };
}

/** A message a consumer on `filter` delivered. */
export function keptOf(m: JsMsg, filter: string): Kept {
  return {
    subject: m.subject,
    prefix: filter.slice(0, -1),
    headers: m.headers,
    data: m.data,
    seq: m.info.streamSequence,
    storedAt: Math.floor(m.info.timestampNanos / 1e6),
  };
}
