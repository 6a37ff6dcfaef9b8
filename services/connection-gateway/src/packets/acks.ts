// Acknowledgements from the client: PUBACK for our QoS 1 deliveries [MQTT-4.3.2], PUBREC and
// PUBCOMP for our QoS 2 deliveries [MQTT-4.3.3] (the in-flight window is in ../connection.ts),
// PUBREL for its own QoS 2 publications.
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

export function handlePubrec(conn: Connection, packet: IPubrecPacket): void {
  if (!conn.received(packet.messageId!, packet.reasonCode)) {
    conn.log.debug('PUBREC for an unknown packet identifier', { packetId: packet.messageId });
  }
}

export function handlePubcomp(conn: Connection, packet: IPubcompPacket): void {
  if (!conn.completed(packet.messageId!)) {
    conn.log.debug('PUBCOMP for an unknown packet identifier', { packetId: packet.messageId });
  }
}
