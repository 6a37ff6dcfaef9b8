// Inbound PUBLISH [MQTT-3.3]: topic aliases, validation, the session's effects (banned, user
// properties), routing, and the QoS 1 / QoS 2 acknowledgements.
import type { IPublishPacket } from 'mqtt-packet';
import { topicNameProblem } from '@mqfleet/core';
import { refuseOffBus } from '../bus-limits';
import type { Connection } from '../connection';
import { ProtocolError } from '../errors';
import { confirmCode } from '../confirmation';
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
    // (docs/live-effects.md): MQTT 5 gets 0x87 in PUBACK/PUBREC. QoS 0 and MQTT 3.1.1 have no way to be told:
    // the message is acknowledged as usual and dropped [MQTT-3.3.5-2].
    conn.ctx.emit('publishRefused', conn.clientName, topic, refused);
    // (In order with the acknowledgements still owed for earlier packets [MQTT-4.6.0-2].)
    if (packet.qos === 1) {
      conn.reply(undefined, () =>
        conn.send(
          v5
            ? { cmd: 'puback', messageId: packetId, reasonCode: ReasonCode.NOT_AUTHORIZED }
            : { cmd: 'puback', messageId: packetId },
        ),
      );
    } else if (packet.qos === 2) {
      // A PUBREC reason code of 0x80 or more ends the exchange [MQTT-4.3.3]; MQTT 3.1.1 continues it.
      if (!v5) conn.awaitingRelease.add(packetId);
      conn.reply(undefined, () =>
        conn.send(
          v5
            ? { cmd: 'pubrec', messageId: packetId, reasonCode: ReasonCode.NOT_AUTHORIZED }
            : { cmd: 'pubrec', messageId: packetId },
        ),
      );
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
  // The acknowledgement waits until every copy the broker owes is safe (confirmation.ts): local
  // subscribers, NATS for the other gateways, JetStream for offline sessions and the retained
  // message. Acknowledgements keep the order of the PUBLISH packets [MQTT-4.6.0-2].
  const confirmation = packet.qos > 0 && !duplicate ? conn.confirmation() : undefined;
  if (!duplicate) {
    conn.stats.publishedTo(topic, Date.now());
    const properties = propertiesFromPublish(packet);
    // The session's user properties follow the publisher's own, in order (docs/live-effects.md).
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
      originClient: conn.clientName,
    };
    const traffic = conn.ctx.traffic;
    traffic.messagesIn[packet.qos]!++;
    traffic.payloadBytesIn[packet.qos]! += message.payload.length;
    if (refuseOffBus(conn, packet, message)) return; // what NATS cannot carry (../bus-limits.ts)
    // [MQTT-3.3.1-5, MQTT-3.3.1-6]; the message still goes to the current subscribers.
    // A retained message JetStream does not take is reported to an MQTT 5 client as 0x97 Quota
    // exceeded when the retained store is full, 0x80 otherwise (it still reaches the current
    // subscribers).
    if (packet.retain) confirmCode(confirmation, conn.ctx.storeRetained(message));
    conn.ctx.route(message, confirmation);
  }
  if (packet.qos === 1) {
    conn.reply(
      confirmation,
      (code) => {
        if (!v5 && mustClose(code)) notConfirmed(conn);
        // [MQTT-4.3.2-4]; MQTT 5 says when a copy could not be stored.
        else
          conn.send(
            code !== 0 && v5
              ? { cmd: 'puback', messageId: packetId, reasonCode: code }
              : { cmd: 'puback', messageId: packetId },
          );
      },
      1,
    );
  } else if (packet.qos === 2) {
    conn.awaitingRelease.add(packetId);
    conn.reply(
      confirmation,
      (code) => {
        if (code === 0 || (!v5 && !mustClose(code)))
          conn.send({ cmd: 'pubrec', messageId: packetId }); // [MQTT-4.3.3-8]
        else if (!v5) notConfirmed(conn);
        else {
          // A PUBREC reason code of 0x80 or more ends the exchange [MQTT-4.3.3].
          conn.awaitingRelease.delete(packetId);
          conn.send({ cmd: 'pubrec', messageId: packetId, reasonCode: code });
        }
      },
      duplicate ? 0 : 2,
    );
  }
  confirmation?.seal();
}

/**
 * MQTT 3.1.1 cannot tell a publisher that its message was not stored: instead of a PUBACK that
 * would claim it, the connection is closed, and the client sends the message again when it
 * reconnects (it is still unacknowledged) [MQTT-4.4.0-1]. Not for a full stream (0x97 Quota
 * exceeded): sending again cannot help; the message reached the current subscribers, the refusal
 * is logged, and the PUBACK goes out as usual.
 */
const mustClose = (code: number): boolean => code !== 0 && code !== ReasonCode.QUOTA_EXCEEDED;

function notConfirmed(conn: Connection): void {
  conn.end({ reason: 'message not confirmed by the bus', clean: false, publishWill: false });
}
