// Two connection-gateway processes: messages cross gateways over NATS, and alterMqSession reaches a
// device on whichever gateway holds it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { until } from '@mqfleet/testkit';
import { messageMatching, publishQos1, startSystem, userProperties, type System } from './system';

describe('two gateways (separate processes)', () => {
  let system: System;
  let token: string;

  before(async () => {
    system = await startSystem({ gateways: 2 });
    token = await system.login();
  });
  after(async () => {
    await system?.close();
  });

  it('the gateways listen on different ports', () => {
    assert.equal(system.gateways.length, 2);
    assert.notEqual(system.gateways[0]!.port, system.gateways[1]!.port);
  });

  it('a subscriber on gateway 0 receives a QoS 1 message published on gateway 1', async () => {
    const subscriber = await system.mqtt('x-sub', {}, 0);
    const granted = await subscriber.subscribeAsync('x/#', { qos: 1 });
    assert.equal(granted[0]?.qos, 1);
    const publisher = await system.mqtt('x-pub', {}, 1);
    const arrival = messageMatching(subscriber, (m) => m.topic === 'x/reading');
    const ack = await publishQos1(publisher, 'x/reading', 'across');
    assert.equal(ack.reasonCode, 0, ack.error?.message);
    const m = await arrival;
    assert.equal(m.payload.toString(), 'across');
    assert.equal(m.packet.qos, 1);
  });

  it('alterMqSession reaches a device connected on gateway 1', async () => {
    const subscriber = await system.mqtt('y-sub', {}, 0);
    await subscriber.subscribeAsync('y/#', { qos: 1 });
    const device = await system.mqtt('y-dev', { keepalive: 60 }, 1);
    const socket = device.stream;
    const res = await system.api(
      'alterMqSession',
      { clientName: 'y-dev', userProperties: [{ key: 'site', value: 'south' }] },
      { authToken: token },
    );
    assert.equal(res.body.errorCode, 0, res.body.errorMessage);
    let attempt = 0;
    await until(
      async () => {
        attempt++;
        const payload = `probe-${attempt}`;
        const arrival = messageMatching(subscriber, (m) => m.payload.toString() === payload);
        const ack = await publishQos1(device, 'y/data', payload);
        assert.equal(ack.reasonCode, 0, ack.error?.message);
        return userProperties(await arrival).site === 'south';
      },
      5000,
      20,
    );
    assert.equal(device.connected, true);
    assert.equal(device.stream, socket, 'the device is still on the same socket');
  });
});
