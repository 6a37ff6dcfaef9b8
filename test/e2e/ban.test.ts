// sessionStatus "banned" / "normal" on a live MQTT 5 device, end to end.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { until } from '@mqfleet/testkit';
import { endClient, messageMatching, publishQos1, recordMessages, startSystem, type System } from './system';

const NOT_AUTHORIZED = 0x87;
const BANNED = 0x8a;

describe('sessionStatus banned (separate processes)', () => {
  let system: System;
  let token: string;

  before(async () => {
    system = await startSystem();
    token = await system.login();
  });
  after(async () => {
    await system?.close();
  });

  it('refuses PUBLISH on the live connection, refuses reconnects, and "normal" lets it back', async () => {
    const subscriber = await system.mqtt('ban-sub');
    await subscriber.subscribeAsync('ban/#', { qos: 1 });
    const received = recordMessages(subscriber);
    const control = await system.mqtt('ban-control');
    const device = await system.mqtt('ban-dev', { keepalive: 60 });
    const lifecycle: string[] = [];
    for (const event of ['close', 'reconnect', 'offline', 'disconnect']) {
      device.on(event as 'close', () => lifecycle.push(event));
    }
    const socket = device.stream;

    const res = await system.api(
      'alterMqSession',
      { clientName: 'ban-dev', sessionStatus: 'banned' },
      { authToken: token },
    );
    assert.equal(res.body.errorCode, 0, res.body.errorMessage);
    assert.equal(res.body.result.sessionStatus, 'banned');

    // Publish until the gateway has applied the ban (earlier attempts are accepted normally).
    let attempt = 0;
    const accepted: string[] = [];
    const refused = await until(
      async () => {
        attempt++;
        const payload = `try-${attempt}`;
        const ack = await publishQos1(device, 'ban/data', payload);
        if (ack.reasonCode === NOT_AUTHORIZED) return { payload, ack };
        assert.equal(ack.reasonCode, 0, `PUBACK of ${payload}: ${ack.error?.message}`);
        accepted.push(payload);
        return false;
      },
      5000,
      20,
    );
    assert.ok(refused.ack.error, 'MQTT.js reports the refusal as a publish error');
    assert.equal(refused.ack.error.code, NOT_AUTHORIZED);

    // Every accepted message arrives; then the refused ones must not.
    await until(() => accepted.every((p) => received.some((m) => m.payload.toString() === p)), 5000);
    const mark = received.length;
    const second = await publishQos1(device, 'ban/data', 'banned-2');
    assert.equal(second.reasonCode, NOT_AUTHORIZED, 'the ban holds for the next PUBLISH too');
    const controlArrival = messageMatching(subscriber, (m) => m.topic === 'ban/control');
    assert.equal((await publishQos1(control, 'ban/control', 'control')).reasonCode, 0);
    await controlArrival;
    assert.deepEqual(
      received.slice(mark).map((m) => `${m.topic}:${m.payload.toString()}`),
      ['ban/control:control'],
      'only the control message arrives after the ban',
    );
    assert.ok(!received.some((m) => m.payload.toString() === refused.payload), 'refused message delivered');

    // The connection stays up.
    assert.deepEqual(lifecycle, []);
    assert.equal(device.connected, true);
    assert.equal(device.stream, socket);

    // Reconnects are refused: MQTT 5 CONNACK 0x8A, MQTT 3.1.1 return code 5.
    await endClient(device);
    await assert.rejects(system.mqtt('ban-dev', { protocolVersion: 5 }), (err: Error & { code?: number }) => {
      assert.equal(err.code, BANNED, err.message);
      return true;
    });
    await assert.rejects(system.mqtt('ban-dev', { protocolVersion: 4 }), (err: Error & { code?: number }) => {
      assert.equal(err.code, 5, err.message);
      return true;
    });

    // Back to normal: it connects and publishes again.
    const normal = await system.api(
      'alterMqSession',
      { clientName: 'ban-dev', sessionStatus: 'normal' },
      { authToken: token },
    );
    assert.equal(normal.body.errorCode, 0, normal.body.errorMessage);
    assert.equal(normal.body.result.sessionStatus, 'normal');
    const again = await system.mqtt('ban-dev', { protocolVersion: 5 });
    const arrival = messageMatching(subscriber, (m) => m.payload.toString() === 'welcome-back');
    assert.equal((await publishQos1(again, 'ban/data', 'welcome-back')).reasonCode, 0);
    await arrival;
  });
});
