// UNSUBSCRIBE → UNSUBACK [MQTT-3.10]. Deleting the subscription stops new deliveries at once
// [MQTT-3.10.4-2]: the connection's table and the gateway's filter index change as the packet is
// read. The session-service stores the removal behind the UNSUBACK (writer.ts, retried).
import type { IUnsubscribePacket } from 'mqtt-packet';
import { topicFilterProblem } from '@mqfleet/core';
import type { Connection } from '../connection';
import { ReasonCode } from '../reason-codes';
import { storeSubscriptions } from './store-subscriptions';

export function handleUnsubscribe(conn: Connection, packet: IUnsubscribePacket): void {
  const filters = packet.unsubscriptions;
  const codes = filters.map((filter) =>
    conn.subscriptions.has(filter) ? ReasonCode.SUCCESS : ReasonCode.NO_SUBSCRIPTION_EXISTED,
  );
  const valid = [...new Set(filters.filter((filter) => !topicFilterProblem(filter)))];
  if (valid.length > 0) {
    const changes = valid.map((filter): [string, number] => [filter, conn.unsubscribe(filter)]);
    storeSubscriptions(conn, { remove: valid }, changes);
  }
  // The UNSUBACK carries the packet identifier of the UNSUBSCRIBE [MQTT-3.10.4-4]; MQTT 3.1.1
  // has no payload, MQTT 5 one reason code per filter [MQTT-3.11.3-1] (mqtt-packet writes the
  // reason codes for MQTT 5 only). It follows the acknowledgements of earlier packets.
  conn.reply(undefined, () => conn.send({ cmd: 'unsuback', messageId: packet.messageId!, granted: codes }));
}
