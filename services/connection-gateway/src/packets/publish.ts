// Inbound PUBLISH [MQTT-3.3]: topic aliases, validation, the session's effects (banned, user
// properties), routing, and the QoS 1 / QoS 2 acknowledgements.
import type { IPublishPacket } from 'mqtt-packet';
import { topicNameProblem } from '@mqfleet/core';
import { refuseOffBus } from '../bus-limits';
import type { Connection } from '../connection';
import { ProtocolError } from '../errors';
import { propertiesFromPublish, type RoutedMessage } from '../message';
import { ReasonCode } from '../reason-codes';

function resolveTopic(conn: Connection, packet: IPublishPacket): string {
  const alias = conn.protocolVersion === 5 ? packet.properties?.topicAlias : undefined;
  if (alias === undefined) return packet.topic;
  // 0 or above the announced Topic Alias Maximum is an error [MQTT-3.3.2-8, MQTT-3.3.2-9].
  if (alias === 0 || alias > conn.ctx.inboundTopicAliasMaximum) {
    throw new ProtocolError(`topic alias ${alias} out of range`, ReasonCode.TOPIC_ALIAS_INVALID);
  }
  if (packet.topic === '') {
    const topic = conn.inboundAliases.get(alias);
    if (topic === undefined) throw new ProtocolError(`unknown topic alias ${alias}`); // [MQTT-3.3.4]
    return topic;
  }
  conn.inboundAliases.set(alias, packet.topic);
  return packet.topic;
}

export function handlePublish(conn: Connection, packet: IPublishPacket): void {
  const v5 = conn.protocolVersion === 5;
  const topic = resolveTopic(conn, packet);
  const problem = topicNameProblem(topic);
  // [MQTT-3.3.2-1, MQTT-3.3.2-2, MQTT-4.7.3-1]
  if (problem) throw new ProtocolError(`invalid topic name: ${problem}`, ReasonCode.TOPIC_NAME_INVALID);
  if (packet.qos > 0 && !packet.messageId) throw new ProtocolError('PUBLISH without packet identifier');
  const packetId = packet.messageId!;
  const limits = conn.ctx.limits;
  // Above the announced Maximum QoS / RETAIN while Retain Available is 0: DISCONNECT 0x9B / 0x9A
  // (MQTT 5 §3.3.1.2, §3.3.1.3); an MQTT 3.1.1 connection is closed (as Mosquitto does).
  if (packet.qos > limits.maximumQos) {
    throw new ProtocolError(
      `QoS ${packet.qos} above the maximum of ${limits.maximumQos}`,
      ReasonCode.QOS_NOT_SUPPORTED,
    );
  }
  if (packet.retain && !limits.retainAvailable) {
    throw new ProtocolError('retained messages are not available', ReasonCode.RETAIN_NOT_SUPPORTED);
  }

  const refused = conn.banned
    ? 'banned'
    : conn.authorization.mayPublish(topic)
      ? undefined
      : 'not authorized';
  if (refused) {
    // A banned session's PUBLISH, or one the authorization rules refuse, is not routed
    // (DESIGN.md): MQTT 5 gets 0x87 in PUBACK/PUBREC. QoS 0 and MQTT 3.1.1 have no way to be told:
    // the message is acknowledged as usual and dropped [MQTT-3.3.5-2].
    conn.ctx.emit('publishRefused', conn.clientName, topic, refused);
    if (packet.qos === 1) {
      conn.send(
        v5
          ? { cmd: 'puback', messageId: packetId, reasonCode: ReasonCode.NOT_AUTHORIZED }
          : { cmd: 'puback', messageId: packetId },
      );
    } else if (packet.qos === 2) {
      // A PUBREC reason code of 0x80 or more ends the exchange [MQTT-4.3.3]; MQTT 3.1.1 continues it.
      if (v5) conn.send({ cmd: 'pubrec', messageId: packetId, reasonCode: ReasonCode.NOT_AUTHORIZED });
      else {
        conn.awaitingRelease.add(packetId);
        conn.send({ cmd: 'pubrec', messageId: packetId });
      }
    }
    return;
  }

  // A QoS 2 message whose PUBREL has not arrived yet is a duplicate: not routed again [MQTT-4.3.3-10].
  const duplicate = packet.qos === 2 && conn.awaitingRelease.has(packetId);
  if (v5 && packet.qos > 0 && !duplicate && conn.unacknowledgedInbound >= limits.receiveMaximum) {
    // More unacknowledged QoS 1/2 PUBLISH packets (QoS 1 until PUBACK, QoS 2 until PUBCOMP) than
    // the Receive Maximum announced in CONNACK: DISCONNECT 0x93 [MQTT-3.3.4-9].
    throw new ProtocolError(
      `more than ${limits.receiveMaximum} unacknowledged QoS 1/2 PUBLISH packets`,
      ReasonCode.RECEIVE_MAXIMUM_EXCEEDED,
    );
  }
  /** RETAIN 1: JetStream's acknowledgement of the stored (or removed) retained message. */
  let stored: Promise<boolean> | undefined;
  if (!duplicate) {
    conn.stats.publishedTo(topic, Date.now());
    const properties = propertiesFromPublish(packet);
    // The session's user properties follow the publisher's own, in order (DESIGN.md).
    for (const p of conn.settings.userProperties ?? []) properties.userProperties.push([p.key, p.value]);
    const message: RoutedMessage = {
      id: conn.ctx.nextMessageId(),
      topic,
      payload: typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload,
      qos: packet.qos,
      retain: packet.retain,
      properties,
      receivedAt: Date.now(),
      originConnectionId: conn.id,
    };
    if (refuseOffBus(conn, packet, message)) return; // what NATS cannot carry (../bus-limits.ts)
    // [MQTT-3.3.1-5, MQTT-3.3.1-6]; the message still goes to the current subscribers.
    if (packet.retain) stored = conn.ctx.storeRetained(message);
    conn.ctx.route(message);
  }
  // The acknowledgement waits for JetStream when the message is retained; acknowledgements keep
  // the order of the PUBLISH packets [MQTT-4.6.0-2]. A retained message JetStream did not take is
  // reported to an MQTT 5 client as 0x80 (it was still delivered to the current subscribers).
  if (packet.qos === 1) {
    conn.acknowledgeAfter(stored, (ok) =>
      conn.send(
        v5 && !ok
          ? { cmd: 'puback', messageId: packetId, reasonCode: ReasonCode.UNSPECIFIED_ERROR }
          : { cmd: 'puback', messageId: packetId }, // [MQTT-4.3.2-4]
      ),
    );
  } else if (packet.qos === 2) {
    conn.awaitingRelease.add(packetId);
    conn.acknowledgeAfter(stored, (ok) => {
      if (v5 && !ok) {
        // A PUBREC reason code of 0x80 or more ends the exchange [MQTT-4.3.3].
        conn.awaitingRelease.delete(packetId);
        conn.send({ cmd: 'pubrec', messageId: packetId, reasonCode: ReasonCode.UNSPECIFIED_ERROR });
      } else {
        conn.send({ cmd: 'pubrec', messageId: packetId }); // [MQTT-4.3.3-8]
      }
    });
  }
}
