// Session events fit the bus by construction (docs/events.md, "Events too large for the bus"). An
// event carries the whole session (settings, wills, every subscription) and, for a change, its
// before/after values: a session with large wills and many subscriptions made events NATS refuses
// (max_payload). Such an event is published as a reference instead: the same event without
// `session` and `changes`, marked `omitted`, with the names of the changed fields; a consumer that
// needs the state fetches the session (DescribeSessions), as the gateways do.
import type { BulkAlteredSession, SessionEvent } from './subjects';

/** Largest JSON of a session event (or one bulk entry) published whole: 256 KiB. */
export const SESSION_EVENT_INLINE_BYTES = 256 * 1024;

/** The event as a reference: without its session snapshot and change values. */
export function referenceEvent(event: SessionEvent): SessionEvent {
  const { session: _session, changes, ...rest } = event;
  return {
    ...rest,
    omitted: ['session', 'changes'],
    ...(changes ? { changedFields: Object.keys(changes) } : {}),
  };
}

/** The JSON published for a session event: whole when it fits `maxBytes`, else its reference. */
export function sessionEventPayload(event: SessionEvent, maxBytes = SESSION_EVENT_INLINE_BYTES): string {
  const whole = JSON.stringify(event);
  // A UTF-16 code unit is at most 3 UTF-8 bytes: the exact count only near the bound.
  if (whole.length * 3 <= maxBytes || Buffer.byteLength(whole) <= maxBytes) return whole;
  return JSON.stringify(referenceEvent(event));
}

/** One session of a bulkAltered event: without its changes when they are too large. */
export function boundedBulkEntry(
  entry: BulkAlteredSession,
  maxBytes = SESSION_EVENT_INLINE_BYTES,
): BulkAlteredSession {
  const json = JSON.stringify(entry);
  if (json.length * 3 <= maxBytes || Buffer.byteLength(json) <= maxBytes) return entry;
  return { clientName: entry.clientName, version: entry.version, changes: {}, omitted: true };
}
