// WatchSessionEvents: the session events published on NATS (docs/events.md), each turned into a
// brief notice (SessionEventNotice) for a live list of sessions, such as the dashboard's table.
// Core NATS only: a notice missed while the stream reconnects is not replayed, so a watcher that
// needs the whole truth reads the sessions again after it (re)starts watching.
import type { SessionBulkEvent, SessionEvent } from '@mqfleet/core';
import type { SessionEventNotice } from '@mqfleet/proto';

/** The notice of one event's JSON; undefined for a payload that is not a session event. */
export function noticeOf(data: Uint8Array): SessionEventNotice | undefined {
  let event: SessionEvent | SessionBulkEvent;
  try {
    event = JSON.parse(Buffer.from(data).toString('utf8')) as SessionEvent | SessionBulkEvent;
  } catch {
    return undefined;
  }
  if (typeof event !== 'object' || event === null || typeof event.type !== 'string') return undefined;
  if (event.type === 'bulkAltered') {
    const bulk = event as SessionBulkEvent;
    return {
      type: bulk.type,
      at: bulk.at,
      actor: bulk.actor,
      clientNames: Array.isArray(bulk.sessions) ? bulk.sessions.map((s) => s.clientName) : [],
    };
  }
  const single = event as SessionEvent;
  const notice: SessionEventNotice = {
    type: single.type,
    clientName: single.clientName,
    version: String(single.version),
    at: single.at,
    actor: single.actor,
    changedFields: single.changes ? Object.keys(single.changes) : (single.changedFields ?? []),
  };
  const session = single.session;
  if (session) {
    if (session.connection) notice.connectionStatus = session.connection.status;
    if (session.settings) notice.sessionStatus = session.settings.sessionStatus;
    if (session.health) notice.health = session.health;
  }
  return notice;
}
