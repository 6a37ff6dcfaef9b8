// How a message kept for an MQ API session is stored in JetStream (subjects().mqApiStream): the
// payload as it is, the topic in the subject (subjects().mqApiMessage), everything else in
// headers. The connection-gateway writes them (mq-api-sessions.ts), the session-service reads
// them (mq-api-messages.ts); docs/json-api.md, "Messages of MQ API sessions".

/** The message's id (as on the bus). */
export const MQ_HEADER_ID = 'Mqfleet-Id';
/** The MQTT 5 properties as JSON {u, ct, cd, rt, pfi, mei} (as on the bus). */
export const MQ_HEADER_PROPERTIES = 'Mqfleet-Properties';
/** Date.now() when a gateway received the message: its expiry counts from then. */
export const MQ_HEADER_RECEIVED_AT = 'Mqfleet-Received-At';
/** The QoS of the delivery: min(message, subscription). */
export const MQ_HEADER_DELIVERY_QOS = 'Mqfleet-Delivery-Qos';
/** "1": delivered with RETAIN (a retained message for a new subscription, or Retain As Published). */
export const MQ_HEADER_DELIVERY_RETAIN = 'Mqfleet-Delivery-Retain';
/** Comma-separated identifiers of the matching subscriptions that have one. */
export const MQ_HEADER_SUBSCRIPTION_IDS = 'Mqfleet-Subscription-Ids';

/** The MQTT 5 properties of a stored message, as its properties header holds them. */
export interface StoredProperties {
  /** User properties in order, as [key, value] pairs. */
  u?: [string, string][];
  /** Content Type. */
  ct?: string;
  /** Correlation Data, base64. */
  cd?: string;
  /** Response Topic. */
  rt?: string;
  /** Payload Format Indicator: UTF-8. */
  pfi?: boolean;
  /** Message Expiry Interval (seconds) left when the message was received. */
  mei?: number;
}

/**
 * Seconds a stored message has left, from its properties and receive time: undefined when it
 * never expires, 0 or less when it has expired [MQTT-3.3.2-5].
 */
export function remainingSeconds(
  props: StoredProperties,
  receivedAt: number,
  now = Date.now(),
): number | undefined {
  if (props.mei === undefined) return undefined;
  return props.mei - Math.floor((now - receivedAt) / 1000);
}
