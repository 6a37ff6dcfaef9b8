// Stores a client's subscription changes behind its SUBACK/UNSUBACK (writer.ts retries until the
// session-service has them); the connection's table already follows them (connection.ts).
import type { ChangeSubscriptionsRequest } from '@mqfleet/proto';
import type { Connection } from '../connection';

export function storeSubscriptions(
  conn: Connection,
  change: Pick<ChangeSubscriptionsRequest, 'add' | 'remove'>,
  /** (filter, sequence number) of each change, as the connection marked them unsaved. */
  changes: [string, number][],
): void {
  void conn.ctx.writer
    .changeSubscriptions({ clientName: conn.clientName, connectionId: conn.id, ...change })
    .then((response) => {
      conn.saved(changes);
      // The stored list holds the changes now, with the session's new version.
      if (response?.session && conn.state !== 'closed')
        conn.ctx.applySession(conn, response.session, 'subscribe');
    });
}
