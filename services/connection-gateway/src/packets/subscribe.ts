// SUBSCRIBE → SUBACK [MQTT-3.8, MQTT-3.9]. Subscriptions are part of the session state
// [MQTT-3.1.2-4]: they are stored by the session-service (ChangeSubscriptions) before the SUBACK,
// so a client that resumes its session on any gateway gets them back. The connection's table and
// the gateway's ref-counted NATS interest follow the stored list (../subscriptions.ts).
import type { ISubscribePacket } from 'mqtt-packet';
import { topicFilterProblem } from '@mqfleet/core';
import type { Subscription } from '@mqfleet/proto';
import type { Connection } from '../connection';
import { ProtocolError, SessionServiceError } from '../errors';
import type { QoS } from '../message';
import { ReasonCode, SUBACK_FAILURE_V4 } from '../reason-codes';
import { MAX_GRANTED_QOS, toStored, type SubscriptionOptions } from '../subscriptions';
import { isShared, parseShared, sharedFilterProblem } from '../shared';

export { MAX_GRANTED_QOS } from '../subscriptions';

export async function handleSubscribe(conn: Connection, packet: ISubscribePacket): Promise<void> {
  const v5 = conn.protocolVersion === 5;
  const identifier = packet.properties?.subscriptionIdentifier;
  if (identifier === 0) throw new ProtocolError('subscription identifier 0'); // [MQTT-3.8.2.1.2]
  if (packet.subscriptions.length === 0) throw new ProtocolError('SUBSCRIBE without topic filters'); // [MQTT-3.8.3-2]
  const granted: number[] = [];
  /** Filters to store, with their position in the SUBACK. */
  const toStore: {
    index: number;
    filter: string;
    options: SubscriptionOptions;
    subscription: Subscription;
  }[] = [];
  /** Filters NATS cannot carry, or beyond the session's bound (../bus-limits.ts). */
  const offBus = conn.ctx.bus.subscribeChecker(conn);
  let refused: number | undefined;
  for (const sub of packet.subscriptions) {
    const shared = isShared(sub.topic);
    // No Local on a shared subscription is a Protocol Error [MQTT-3.8.3-4].
    if (shared && v5 && sub.nl === true) throw new ProtocolError('No Local on a shared subscription');
    // A shared subscription's ShareName and filter [MQTT-4.8.2-1, MQTT-4.8.2-2]: 0x8F otherwise.
    const problem = shared ? sharedFilterProblem(sub.topic) : topicFilterProblem(sub.topic);
    if (problem) {
      conn.log.debug('invalid topic filter', { filter: sub.topic, problem });
      granted.push(v5 ? ReasonCode.TOPIC_FILTER_INVALID : SUBACK_FAILURE_V4);
    } else if (conn.banned || !conn.authorization.maySubscribe(parseShared(sub.topic)?.filter ?? sub.topic)) {
      // A banned session may not subscribe (DESIGN.md, sessionStatus), nor may a client whose
      // authorization rules refuse the filter (a shared subscription's filter after its
      // ShareName): 0x87 (5.0) / 0x80 (3.1.1) [MQTT-3.9.3].
      conn.ctx.emit('subscribeRefused', conn.clientName, sub.topic);
      granted.push(v5 ? ReasonCode.NOT_AUTHORIZED : SUBACK_FAILURE_V4);
    } else if ((refused = offBus(sub.topic)) !== undefined) {
      granted.push(refused);
    } else {
      // The server may grant a lower QoS than requested [MQTT-3.9.3].
      const qos = Math.min(sub.qos, MAX_GRANTED_QOS, conn.ctx.limits.maximumQos) as QoS;
      // An identical filter replaces the existing subscription [MQTT-3.8.4-3] (the store upserts).
      const options: SubscriptionOptions = {
        qos,
        noLocal: sub.nl === true,
        retainAsPublished: sub.rap === true,
        retainHandling: sub.rh ?? 0,
        ...(identifier !== undefined ? { identifier } : {}),
      };
      const subscription = toStored(sub.topic, options);
      toStore.push({ index: granted.length, filter: sub.topic, options, subscription });
      granted.push(qos);
    }
  }
  /** Retained messages to send after the SUBACK [MQTT-3.3.1-9..11]. */
  const retainedFor: { filter: string; options: SubscriptionOptions }[] = [];
  if (toStore.length > 0) {
    for (const { filter, options } of toStore) {
      // Retain Handling: 0 at every subscribe, 1 only for a new subscription, 2 never; MQTT 3.1.1
      // always sends them.
      const handling = v5 ? options.retainHandling : 0;
      if (isShared(filter)) {
        // Retained messages are not sent for a shared subscription (MQTT 5 §4.8.2).
      } else if (handling === 0 || (handling === 1 && !conn.subscriptions.has(filter))) {
        retainedFor.push({ filter, options });
      }
      conn.subscribing.add(filter);
    }
    try {
      const { session } = await conn.ctx.sessions.changeSubscriptions({
        clientName: conn.clientName,
        connectionId: conn.id,
        add: toStore.map((x) => x.subscription),
      });
      // The stored list now holds the new subscriptions: the table and NATS interest follow it.
      if (session) conn.applySession(session, 'subscribe');
      // SUBACK only once the other gateways' messages can reach us.
      await conn.routing;
    } catch (err) {
      // Not stored: the subscriptions are refused (MQTT 5 0x80 Unspecified error, 3.1.1 0x80).
      conn.log.warn('ChangeSubscriptions failed; SUBSCRIBE refused', {
        clientName: conn.clientName,
        err: err instanceof SessionServiceError ? err.message : err,
      });
      for (const { index } of toStore) granted[index] = v5 ? ReasonCode.UNSPECIFIED_ERROR : SUBACK_FAILURE_V4;
      retainedFor.length = 0;
    }
  }
  try {
    if (conn.state !== 'open') return;
    // Same packet identifier, one return code per filter, in order [MQTT-3.8.4-2, MQTT-3.8.4-6].
    conn.send({ cmd: 'suback', messageId: packet.messageId!, granted });
    // Then the retained messages of each filter, with RETAIN 1 [MQTT-3.3.1-9, MQTT-3.8.4-4].
    for (const { filter, options } of retainedFor) await conn.sendRetained(filter, options);
  } finally {
    for (const { filter } of toStore) conn.subscribing.delete(filter);
  }
}
