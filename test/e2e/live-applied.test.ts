// Confirmed application: alterMqSession says liveApplied only once the gateway holding the
// connection has the new version in force.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { until } from '@mqfleet/testkit';
import { endClient, startSystem, type System } from './system';

describe('liveApplied (separate processes, two gateways)', () => {
  let system: System;
  let token: string;

  before(async () => {
    system = await startSystem({ gateways: 2 });
    token = await system.login();
  });
  after(async () => {
    await system?.close();
  });

  it('is true with the new version for a connected client, on whichever gateway holds it', async () => {
    for (const gateway of [0, 1]) {
      const name = `confirm-${gateway}`;
      const device = await system.mqtt(name, { keepalive: 60 }, gateway);
      const res = await system.api(
        'alterMqSession',
        { clientName: name, keepAliveSeconds: 45 },
        { authToken: token },
      );
      assert.equal(res.body.errorCode, 0, res.body.errorMessage);
      assert.equal(res.body.result.liveApplied, true);
      assert.equal(res.body.result.keepAliveSeconds, 45);
      // A change that changes nothing is already in force.
      const same = await system.api(
        'alterMqSession',
        { clientName: name, keepAliveSeconds: 45 },
        { authToken: token },
      );
      assert.deepEqual(
        [same.body.result.liveApplied, same.body.result.version],
        [true, res.body.result.version],
      );
      assert.equal(device.connected, true);
    }
  });

  it('is false for a session whose client is not connected', async () => {
    const device = await system.mqtt('confirm-offline', {
      protocolVersion: 5,
      properties: { sessionExpiryInterval: 600 },
    });
    await endClient(device);
    await until(async () => {
      const d = await system.api(
        'describeMqSessions',
        { clientNames: ['confirm-offline'] },
        { authToken: token },
      );
      return d.body.result.data[0]?.connectionStatus === 'disconnected';
    });
    const res = await system.api(
      'alterMqSession',
      { clientName: 'confirm-offline', keepAliveSeconds: 20 },
      { authToken: token },
    );
    assert.equal(res.body.errorCode, 0, res.body.errorMessage);
    assert.equal(res.body.result.connectionStatus, 'disconnected');
    assert.equal(res.body.result.liveApplied, false);
  });

  it('alterMqSessions counts the connected sessions that confirmed', async () => {
    for (let i = 0; i < 6; i++) await system.mqtt(`bulk-${i}`, {}, i % 2);
    const res = await system.api(
      'alterMqSessions',
      { filter: { partialClientName: 'bulk-' }, changes: { userProperties: [{ key: 'fw', value: '2.1' }] } },
      { authToken: token },
    );
    assert.equal(res.body.errorCode, 0, res.body.errorMessage);
    assert.deepEqual(res.body.result, {
      matchedSessions: 6,
      changedSessions: 6,
      connectedSessions: 6,
      liveAppliedSessions: 6,
    });
  });
});
