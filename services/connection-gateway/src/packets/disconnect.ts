// DISCONNECT from the client [MQTT-3.14].
import type { IDisconnectPacket } from 'mqtt-packet';
import type { Connection } from '../connection';
import { ProtocolError } from '../errors';
import { ReasonCode } from '../reason-codes';

export function handleDisconnect(conn: Connection, packet: IDisconnectPacket): void {
  const reasonCode = conn.protocolVersion === 5 ? (packet.reasonCode ?? ReasonCode.NORMAL_DISCONNECTION) : 0;
  const sessionExpiryInterval = packet.properties?.sessionExpiryInterval;
  if (sessionExpiryInterval !== undefined && sessionExpiryInterval > 0 && conn.connectExpiryZero) {
    // A zero Session Expiry Interval in CONNECT cannot be raised at DISCONNECT [MQTT-3.14.2-2].
    throw new ProtocolError('session expiry interval raised at DISCONNECT');
  }
  // On a normal DISCONNECT the will is discarded [MQTT-3.14.4-3]; MQTT 5 reason code 0x04 asks
  // for it to be published [MQTT-3.14.2.1].
  const withWill = reasonCode === ReasonCode.DISCONNECT_WITH_WILL;
  conn.end({
    reason: withWill ? 'client disconnected with will message' : 'client disconnected',
    clean: true,
    publishWill: withWill,
    ...(sessionExpiryInterval !== undefined ? { sessionExpiryInterval } : {}),
  });
}
