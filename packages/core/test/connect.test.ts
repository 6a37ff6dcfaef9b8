// What a CONNECT makes of a session's settings (src/connect.ts): the settings of a new session,
// computed by a gateway that answers first, equal what the session-service stores.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConnectDeclaration__Output } from '@mqfleet/proto';
import { declaredSettings, DEFAULT_SETTINGS, newSessionSettings, UINT32_MAX } from '../src/index';

const base: ConnectDeclaration__Output = {
  mqttProtocol: '5.0',
  cleanStart: true,
  keepAliveSeconds: 30,
  sessionExpiryInterval: 0,
  receiveMaximum: 0,
  maximumPacketSize: 4096,
  topicAliasMaximum: 5,
  requestProblemInformation: false,
  requestResponseInformation: true,
  hasWill: false,
  willTopic: '',
  willPayload: '',
  willQos: 0,
  willRetain: false,
  willContentType: '',
  willCorrelationData: '',
  willPayloadUtf8: false,
  willExpirySeconds: 0,
  hasWillExpiry: false,
  willDelaySeconds: 0,
  willResponseTopic: '',
  willUserProperties: [],
};

const withWill: ConnectDeclaration__Output = {
  ...base,
  sessionExpiryInterval: UINT32_MAX,
  hasWill: true,
  willTopic: 'dev/1/status',
  willPayload: Buffer.from('gone').toString('base64'),
  willQos: 1,
  willRetain: true,
  willContentType: 'text/plain',
  willCorrelationData: Buffer.from([1, 2]).toString('base64'),
  willPayloadUtf8: true,
  willExpirySeconds: 60,
  hasWillExpiry: true,
  willDelaySeconds: 5,
  willResponseTopic: 'dev/1/reply',
  willUserProperties: [{ key: 'k', value: 'v' }],
};

for (const [name, d] of [
  ['without a will', base],
  ['with a will', withWill],
] as const) {
  test(`newSessionSettings equals the defaults with declaredSettings on top, ${name}`, () => {
    for (const maxExpiry of [0, 3600]) {
      assert.deepEqual(newSessionSettings(d, maxExpiry), {
        ...DEFAULT_SETTINGS,
        ...declaredSettings(d, maxExpiry),
      });
    }
  });
}

test('declaredSettings without a will clears every will field; the bound caps the expiry', () => {
  const declared = declaredSettings({ ...base, sessionExpiryInterval: UINT32_MAX }, 3600);
  assert.equal(declared.willTopic, '');
  assert.deepEqual(declared.willUserProperties, []);
  assert.equal(declared.sessionExpiryInterval, 3600);
  assert.equal(declared.temporarySession, true);
  assert.equal(declared.receiveMaximum, 65535);
  assert.equal(newSessionSettings(withWill).temporarySession, false);
  // DEFAULT_SETTINGS is not changed by building from it.
  assert.equal(DEFAULT_SETTINGS.willTopic, '');
});
