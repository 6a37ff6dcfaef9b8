// noticeOf (src/event-watch.ts): a session event's JSON → the brief notice WatchSessionEvents
// sends; what is not a session event gives none.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { noticeOf } from '../src/event-watch';

const json = (value: unknown): Uint8Array => Buffer.from(JSON.stringify(value));

describe('noticeOf', () => {
  it('takes the statuses and health from the session snapshot and the changed fields', () => {
    const notice = noticeOf(
      json({
        eventId: 'e1',
        type: 'altered',
        clientName: 'device-1',
        version: '7',
        at: '2026-12-03T10:00:00.000Z',
        actor: 'ADMIN',
        changes: { keepAliveSeconds: { before: 60, after: 30 }, willQos: { before: 0, after: 1 } },
        session: {
          clientName: 'device-1',
          health: 'healthy',
          settings: { sessionStatus: 'SESSION_STATUS_BANNED' },
          connection: { status: 'CONNECTION_STATUS_CONNECTED' },
        },
      }),
    );
    assert.deepEqual(notice, {
      type: 'altered',
      clientName: 'device-1',
      version: '7',
      at: '2026-12-03T10:00:00.000Z',
      actor: 'ADMIN',
      changedFields: ['keepAliveSeconds', 'willQos'],
      connectionStatus: 'CONNECTION_STATUS_CONNECTED',
      sessionStatus: 'SESSION_STATUS_BANNED',
      health: 'healthy',
    });
  });

  it('leaves the statuses out of an event without a session, and names changed fields of a reference', () => {
    const notice = noticeOf(
      json({
        eventId: 'e2',
        type: 'altered',
        clientName: 'big',
        version: '3',
        at: 'now',
        actor: 'ADMIN',
        omitted: ['session', 'changes'],
        changedFields: ['subscriptions'],
      }),
    );
    assert.deepEqual(notice?.changedFields, ['subscriptions']);
    assert.equal(notice?.connectionStatus, undefined);
    assert.equal(notice?.health, undefined);
  });

  it('lists the sessions of a bulkAltered part', () => {
    const notice = noticeOf(
      json({
        eventId: 'e3',
        type: 'bulkAltered',
        bulkId: 'b',
        part: 1,
        parts: 1,
        at: 'now',
        actor: 'ADMIN',
        sessions: [
          { clientName: 'a', version: '2', changes: {} },
          { clientName: 'b', version: '5', changes: {} },
        ],
      }),
    );
    assert.deepEqual(notice, { type: 'bulkAltered', at: 'now', actor: 'ADMIN', clientNames: ['a', 'b'] });
  });

  it('gives nothing for what is not a session event', () => {
    assert.equal(noticeOf(Buffer.from('not json')), undefined);
    assert.equal(noticeOf(json(null)), undefined);
    assert.equal(noticeOf(json({ no: 'type' })), undefined);
  });
});
