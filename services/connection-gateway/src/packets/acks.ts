// Acknowledgements from the client: PUBACK for our QoS 1 deliveries [MQTT-4.3.2], PUBREL for
// its QoS 2 publications [MQTT-4.3.3]. PUBREC/PUBCOMP answer QoS 2 deliveries, which the
// gateway does not send yet (subscriptions are granted QoS 1 at most).
import type { IPubackPacket, IPubcompPacket, IPubrecPacket, IPubrelPacket } from 'mqtt-packet';
import type { Connection } from '../connection';
import { ReasonCode } from '../reason-codes';

export function handlePuback(conn: Connection, packet: IPubackPacket): void {
  if (!conn.acknowledge(packet.messageId!)) {
    conn.log.debug('PUBACK for an unknown packet identifier', { packetId: packet.messageId });
  }
}

export function handlePubrel(conn: Connection, packet: IPubrelPacket): void {
  const known = conn.awaitingRelease.delete(packet.messageId!);
  // PUBCOMP with the same packet identifier [MQTT-4.3.3-11]; MQTT 5 says when it was unknown.
  conn.send(
    conn.protocolVersion === 5 && !known
      ? { cmd: 'pubcomp', messageId: packet.messageId!, reasonCode: ReasonCode.PACKET_IDENTIFIER_NOT_FOUND }
      : { cmd: 'pubcomp', messageId: packet.messageId! },
  );
}

export function handleUnexpectedQos2Ack(conn: Connection, packet: IPubrecPacket | IPubcompPacket): void {
  conn.log.debug(`${packet.cmd.toUpperCase()} without an outbound QoS 2 delivery`, {
    packetId: packet.messageId,
  });
}
