// How `mqfleet session alter` turns its options into alterMqSession params: one option per entry of
// core's SESSION_FIELDS, values parsed as the API reads them and otherwise left as text for the
// API to refuse by name (test/e2e/cli-sessions.test.ts shows that refusal end to end).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SESSION_FIELDS } from '@mqfleet/core';
import { kebab, SESSION_OPTIONS, sessionParams } from '../src/session-options';

describe('session alter options', () => {
  it('one option per session field, in kebab case, with the short form of *Seconds', () => {
    assert.deepEqual(
      SESSION_OPTIONS.map((o) => o.flag),
      SESSION_FIELDS.map((f) => kebab(f.name)),
    );
    const keepAlive = SESSION_OPTIONS.find((o) => o.field.name === 'keepAliveSeconds')!;
    assert.equal(keepAlive.flag, 'keep-alive-seconds');
    assert.deepEqual(keepAlive.aliases, ['keep-alive']);
    const status = SESSION_OPTIONS.find((o) => o.field.name === 'sessionStatus')!;
    assert.match(String(status.yargs.describe), /one of normal\|hidden\|banned\|inactive/);
  });

  it('parses values as the API reads them and leaves the rest as text', () => {
    assert.deepEqual(
      sessionParams({
        'keep-alive-seconds': '120',
        'receive-maximum': 'many',
        'will-retain': '',
        'request-problem-information': 'false',
        'will-topic': '123',
        'will-payload': 'new will',
        metadata: '{"rack":4}',
        'user-properties': '[{"key":"site","value":"a"}]',
        'label-id': 'null',
        'session-status': 'banned',
      }),
      {
        keepAliveSeconds: 120,
        receiveMaximum: 'many',
        willRetain: true,
        requestProblemInformation: false,
        willTopic: '123',
        willPayload: 'new will',
        metadata: { rack: 4 },
        userProperties: [{ key: 'site', value: 'a' }],
        labelId: null,
        sessionStatus: 'banned',
      },
    );
  });

  it('an option given twice counts once, the last; options not given are not sent', () => {
    assert.deepEqual(sessionParams({ 'keep-alive-seconds': ['10', '20'], other: 'x' }), {
      keepAliveSeconds: 20,
    });
    assert.deepEqual(sessionParams({}), {});
  });
});
