// SUBSCRIBE → SUBACK [MQTT-3.8, MQTT-3.9]. Subscriptions live on the connection; the gateway
// holds a ref-counted NATS subscription per distinct filter.
import type { ISubscribePacket } from 'mqtt-packet';
import { topicFilterProblem } from '@mqfleet/core';
import type { Connection } from '../connection';
import { ProtocolError } from '../errors';
import type { QoS } from '../message';
import { ReasonCode, SUBACK_FAILURE_V4 } from '../reason-codes';

/** Highest QoS granted on a subscription: outbound QoS 2 is not implemented yet. */
export const MAX_GRANTED_QOS: QoS = 1;

export async function handleSubscribe(conn: Connection, packet: ISubscribePacket): Promise<void> {
  const v5 = conn.protocolVersion === 5;
  const identifier = packet.properties?.subscriptionIdentifier;
  if (identifier === 0) throw new ProtocolError('subscription identifier 0'); // [MQTT-3.8.2.1.2]
  if (packet.subscriptions.length === 0) throw new ProtocolError('SUBSCRIBE without topic filters'); // [MQTT-3.8.3-2]
  const granted: number[] = [];
  const pending: Promise<void>[] = [];
  for (const sub of packet.subscriptions) {
    const problem = topicFilterProblem(sub.topic);
    if (problem) {
      conn.log.debug('invalid topic filter', { filter: sub.topic, problem });
      granted.push(v5 ? ReasonCode.TOPIC_FILTER_INVALID : SUBACK_FAILURE_V4);
    } else if (v5 && sub.topic.startsWith('$share/')) {
      granted.push(ReasonCode.SHARED_SUBSCRIPTIONS_NOT_SUPPORTED);
    } else if (conn.banned) {
      // A banned session may not subscribe (DESIGN.md, sessionStatus).
      granted.push(v5 ? ReasonCode.NOT_AUTHORIZED : SUBACK_FAILURE_V4);
    } else {
      // The server may grant a lower QoS than requested [MQTT-3.9.3].
      const qos = Math.min(sub.qos, MAX_GRANTED_QOS) as QoS;
      const existed = conn.subscriptions.has(sub.topic);
      // An identical filter replaces the existing subscription [MQTT-3.8.4-3].
      conn.subscriptions.set(sub.topic, {
        qos,
        noLocal: sub.nl === true,
        retainAsPublished: sub.rap === true,
        retainHandling: sub.rh ?? 0,
        ...(identifier !== undefined ? { identifier } : {}),
      });
      if (!existed) pending.push(conn.ctx.addFilter(sub.topic));
      granted.push(qos);
    }
  }
  // SUBACK only once the other gateways' messages can reach us.
  await Promise.all(pending);
  if (conn.state !== 'open') return;
  // Same packet identifier, one return code per filter, in order [MQTT-3.8.4-2, MQTT-3.8.4-6].
  conn.send({ cmd: 'suback', messageId: packet.messageId!, granted });
}
