// UNSUBSCRIBE → UNSUBACK [MQTT-3.10]. The stored subscriptions are removed through the
// session-service (ChangeSubscriptions) before the UNSUBACK; the connection's table follows.
import type { IUnsubscribePacket } from 'mqtt-packet';
import { topicFilterProblem } from '@mqfleet/core';
import type { Connection } from '../connection';
import { SessionServiceError } from '../errors';
import { ReasonCode } from '../reason-codes';

export async function handleUnsubscribe(conn: Connection, packet: IUnsubscribePacket): Promise<void> {
  const v5 = conn.protocolVersion === 5;
  const filters = packet.unsubscriptions;
  const existed = filters.map((filter) => conn.subscriptions.has(filter));
  const valid = [...new Set(filters.filter((filter) => !topicFilterProblem(filter)))];
  let failed = false;
  if (valid.length > 0) {
    try {
      const { session } = await conn.ctx.sessions.changeSubscriptions({
        clientName: conn.clientName,
        connectionId: conn.id,
        remove: valid,
      });
      // Deleting the subscription stops new deliveries for it [MQTT-3.10.4-2].
      if (session) conn.applySession(session, 'unsubscribe');
    } catch (err) {
      failed = true;
      conn.log.warn('ChangeSubscriptions failed on UNSUBSCRIBE', {
        clientName: conn.clientName,
        err: err instanceof SessionServiceError ? err.message : err,
      });
      if (!v5) {
        // A 3.1.1 UNSUBACK cannot report a failure: deliveries stop on this connection anyway
        // (the stored subscription may return when the session resumes).
        for (const filter of valid) {
          if (conn.subscriptions.delete(filter)) conn.ctx.removeFilter(filter, conn);
        }
      }
    }
  }
  if (conn.state !== 'open') return;
  const codes = filters.map((filter, i) => {
    if (failed && v5 && valid.includes(filter)) return ReasonCode.UNSPECIFIED_ERROR;
    return existed[i] ? ReasonCode.SUCCESS : ReasonCode.NO_SUBSCRIPTION_EXISTED;
  });
  // The UNSUBACK carries the packet identifier of the UNSUBSCRIBE [MQTT-3.10.4-4]; MQTT 3.1.1
  // has no payload, MQTT 5 one reason code per filter [MQTT-3.11.3-1].
  // (mqtt-packet writes the reason codes for MQTT 5 only.)
  conn.send({ cmd: 'unsuback', messageId: packet.messageId!, granted: codes });
}
