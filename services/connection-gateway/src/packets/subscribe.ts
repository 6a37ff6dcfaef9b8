// SUBSCRIBE → SUBACK [MQTT-3.8, MQTT-3.9]. A subscription is in force as soon as the packet is
// read: every PUBLISH this gateway reads after it, on any connection, is routed to it (the
// connection's table and the gateway's filter index change synchronously, in packet order). The
// SUBACK waits until the NATS server knows the new interest, so that a message published on any
// other gateway after the SUBACK reaches the client too. Subscriptions are part of the session
// state [MQTT-3.1.2-4]: the session-service stores them behind the SUBACK (writer.ts, retried
// until stored), so that a client that resumes its session on any gateway gets them back.
// docs/mqtt.md, "Packet order", states the guarantee.
import type { ISubscribePacket } from 'mqtt-packet';
import { topicFilterProblem } from '@mqfleet/core';
import type { Subscription } from '@mqfleet/proto';
import type { Connection } from '../connection';
import { ProtocolError } from '../errors';
import type { QoS } from '../message';
import { ReasonCode, SUBACK_FAILURE_V4 } from '../reason-codes';
import { MAX_GRANTED_QOS, toStored, type SubscriptionOptions } from '../subscriptions';
import { isShared, parseShared, sharedFilterProblem } from '../shared';
import { storeSubscriptions } from './store-subscriptions';

export { MAX_GRANTED_QOS } from '../subscriptions';

export function handleSubscribe(conn: Connection, packet: ISubscribePacket): void {
  const v5 = conn.protocolVersion === 5;
  const identifier = packet.properties?.subscriptionIdentifier;
  if (identifier === 0) throw new ProtocolError('subscription identifier 0'); // [MQTT-3.8.2.1.2]
  if (packet.subscriptions.length === 0) throw new ProtocolError('SUBSCRIBE without topic filters'); // [MQTT-3.8.3-2]
  const granted: number[] = [];
  const stored: Subscription[] = [];
  const changes: [string, number][] = [];
  /** Retained messages to send after the SUBACK [MQTT-3.3.1-9..11]. */
  const retainedFor: { filter: string; options: SubscriptionOptions }[] = [];
  const confirmation = conn.confirmation();
  /** Filters NATS cannot carry, or beyond the session's bound (../bus-limits.ts). */
  const offBus = conn.ctx.bus.subscribeChecker(conn);
  for (const sub of packet.subscriptions) {
    const shared = isShared(sub.topic);
    // No Local on a shared subscription is a Protocol Error [MQTT-3.8.3-4].
    if (shared && v5 && sub.nl === true) throw new ProtocolError('No Local on a shared subscription');
    // A shared subscription's ShareName and filter [MQTT-4.8.2-1, MQTT-4.8.2-2]: 0x8F otherwise.
    const problem = shared ? sharedFilterProblem(sub.topic) : topicFilterProblem(sub.topic);
    if (problem) {
      conn.log.debug('invalid topic filter', { filter: sub.topic, problem });
      granted.push(v5 ? ReasonCode.TOPIC_FILTER_INVALID : SUBACK_FAILURE_V4);
      continue;
    }
    // The rules refuse a filter none of whose topics the client may read; one they let it read
    // only in part is granted, and its messages checked one by one (authorization.ts).
    const grant = conn.banned
      ? 'refuse'
      : conn.authorization.subscription(parseShared(sub.topic)?.filter ?? sub.topic);
    if (grant === 'refuse') {
      // A banned session may not subscribe (docs/live-effects.md), nor may a client whose
      // authorization rules refuse the filter (a shared subscription's filter after its
      // ShareName): 0x87 (5.0) / 0x80 (3.1.1) [MQTT-3.9.3].
      conn.ctx.emit('subscribeRefused', conn.clientName, sub.topic);
      granted.push(v5 ? ReasonCode.NOT_AUTHORIZED : SUBACK_FAILURE_V4);
      continue;
    }
    const refused = offBus(sub.topic);
    if (refused !== undefined) {
      granted.push(refused);
      continue;
    }
    // The server may grant a lower QoS than requested [MQTT-3.9.3].
    const qos = Math.min(sub.qos, MAX_GRANTED_QOS, conn.ctx.limits.maximumQos) as QoS;
    const options: SubscriptionOptions = {
      qos,
      noLocal: sub.nl === true,
      retainAsPublished: sub.rap === true,
      retainHandling: sub.rh ?? 0,
      ...(identifier !== undefined ? { identifier } : {}),
    };
    // Retain Handling: 0 at every subscribe, 1 only for a new subscription, 2 never; MQTT 3.1.1
    // always sends them. None for a shared subscription (MQTT 5 §4.8.2).
    const handling = v5 ? options.retainHandling : 0;
    if (!shared && (handling === 0 || (handling === 1 && !conn.subscriptions.has(sub.topic)))) {
      retainedFor.push({ filter: sub.topic, options });
    }
    // An identical filter replaces the existing subscription [MQTT-3.8.4-3].
    changes.push([sub.topic, conn.subscribe(sub.topic, options, confirmation, grant)]);
    stored.push(toStored(sub.topic, options));
    granted.push(qos);
  }
  if (stored.length > 0) storeSubscriptions(conn, { add: stored }, changes);
  // Same packet identifier, one return code per filter, in order [MQTT-3.8.4-2, MQTT-3.8.4-6];
  // then the retained messages of each filter, with RETAIN 1 [MQTT-3.3.1-9, MQTT-3.8.4-4].
  conn.reply(confirmation, () => {
    conn.send({ cmd: 'suback', messageId: packet.messageId!, granted });
    if (retainedFor.length > 0) void sendRetained(conn, retainedFor);
  });
  confirmation.seal();
}

async function sendRetained(
  conn: Connection,
  retainedFor: { filter: string; options: SubscriptionOptions }[],
): Promise<void> {
  try {
    for (const { filter, options } of retainedFor) await conn.sendRetained(filter, options);
  } catch (err) {
    conn.log.warn('retained messages not sent', { clientName: conn.clientName, err });
  }
}
