// UNSUBSCRIBE → UNSUBACK [MQTT-3.10].
import type { IUnsubscribePacket } from 'mqtt-packet';
import type { Connection } from '../connection';
import { ReasonCode } from '../reason-codes';

export function handleUnsubscribe(conn: Connection, packet: IUnsubscribePacket): void {
  const codes: number[] = [];
  for (const filter of packet.unsubscriptions) {
    // Deleting the subscription stops new deliveries for it [MQTT-3.10.4-2].
    if (conn.subscriptions.delete(filter)) {
      conn.ctx.removeFilter(filter);
      codes.push(ReasonCode.SUCCESS);
    } else {
      codes.push(ReasonCode.NO_SUBSCRIPTION_EXISTED);
    }
  }
  // The UNSUBACK carries the packet identifier of the UNSUBSCRIBE [MQTT-3.10.4-4]; MQTT 3.1.1
  // has no payload, MQTT 5 one reason code per filter [MQTT-3.11.3-1].
  // (mqtt-packet writes the reason codes for MQTT 5 only.)
  conn.send({ cmd: 'unsuback', messageId: packet.messageId!, granted: codes });
}
