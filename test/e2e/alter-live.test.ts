// alterMqSession on live MQTT 5 connections, end to end: will + user properties changed without
// a reconnect, and a lowered keep-alive enforced by the broker.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MqttClient } from 'mqtt';
import { nextEvent, until } from '@mqfleet/testkit';
import {
  asEmitter,
  messageMatching,
  publishQos1,
  recordMessages,
  startSystem,
  userProperties,
  type ReceivedMessage,
  type System,
} from './system';

/** Records the connection-lifecycle events a live alteration must never cause. */
function watchLifecycle(client: MqttClient): string[] {
  const seen: string[] = [];
  for (const event of ['close', 'reconnect', 'offline', 'disconnect', 'end']) {
    client.on(event as 'close', () => seen.push(event));
  }
  return seen;
}

describe('alterMqSession on a live connection (separate processes)', () => {
  let system: System;
  let token: string;

  before(async () => {
    system = await startSystem();
    token = await system.login();
  });
  after(async () => {
    await system?.close();
  });

  it('changes the will and user properties without reconnecting; the new will is published', async () => {
    const subscriber = await system.mqtt('e2e-will-sub');
    await subscriber.subscribeAsync('dev/1/#', { qos: 1 });
    const received = recordMessages(subscriber);

    const device = await system.mqtt('dev-1', {
      keepalive: 60,
      will: { topic: 'dev/1/will-old', payload: Buffer.from('old'), qos: 1, retain: false },
    });
    const lifecycle = watchLifecycle(device);
    const socket = device.stream;

    const res = await system.api(
      'alterMqSession',
      {
        clientName: 'dev-1',
        willTopic: 'dev/1/will-new',
        willPayload: 'gone',
        userProperties: [{ key: 'site', value: 'north' }],
      },
      { authToken: token },
    );
    assert.equal(res.status, 200);
    assert.equal(res.body.errorCode, 0, res.body.errorMessage);
    assert.equal(res.body.result.clientName, 'dev-1');
    assert.equal(res.body.result.willTopic, 'dev/1/will-new');
    assert.equal(res.body.result.willPayload, 'gone');
    assert.deepEqual(res.body.result.userProperties, [{ key: 'site', value: 'north' }]);

    // Wait until the gateway applied the change: every publish must arrive; retry until one
    // carries the new user property.
    let attempt = 0;
    await until(
      async () => {
        attempt++;
        const payload = `probe-${attempt}`;
        const arrival = messageMatching(subscriber, (m) => m.payload.toString() === payload);
        const ack = await publishQos1(device, 'dev/1/data', payload);
        assert.equal(ack.reasonCode, 0, `PUBACK of ${payload}: ${ack.error?.message}`);
        const m = await arrival;
        return userProperties(m).site === 'north' ? m : false;
      },
      5000,
      20,
    );

    // From now on every message of this session carries it.
    const arrival = messageMatching(subscriber, (m) => m.payload.toString() === 'reading-1');
    const ack = await publishQos1(device, 'dev/1/data', 'reading-1');
    assert.equal(ack.reasonCode, 0, ack.error?.message);
    const m = await arrival;
    assert.equal(m.topic, 'dev/1/data');
    assert.equal(m.packet.qos, 1);
    assert.equal(userProperties(m).site, 'north');

    // The alteration never touched the connection.
    assert.deepEqual(lifecycle, []);
    assert.equal(device.connected, true);
    assert.equal(device.stream, socket, 'the device is still on the same socket');

    // Connection lost without DISCONNECT: the broker publishes the new will, not the old one.
    const will = messageMatching(subscriber, (x) => x.topic.startsWith('dev/1/will'), 5000);
    device.stream.destroy();
    const got: ReceivedMessage = await will;
    assert.equal(got.topic, 'dev/1/will-new');
    assert.equal(got.payload.toString(), 'gone');

    // A later control message proves the old will did not follow.
    const control = await system.mqtt('e2e-will-control');
    const controlArrival = messageMatching(subscriber, (x) => x.topic === 'dev/1/control');
    assert.equal((await publishQos1(control, 'dev/1/control', 'after')).reasonCode, 0);
    await controlArrival;
    assert.deepEqual(
      received.filter((x) => x.topic === 'dev/1/will-old').map((x) => x.payload.toString()),
      [],
      'no will on the old topic',
    );
    assert.equal(received.filter((x) => x.topic.startsWith('dev/1/will')).length, 1, 'exactly one will');
  });

  it('a lowered keepAliveSeconds closes a silent connection after about 1.5 × the new value', async () => {
    // keepalive 60: MQTT.js will not send PINGREQ for a minute.
    const device = await system.mqtt('dev-ka', { keepalive: 60 });
    const closed = nextEvent(asEmitter(device), 'close', 6000);
    const started = Date.now();
    const res = await system.api(
      'alterMqSession',
      { clientName: 'dev-ka', keepAliveSeconds: 1 },
      { authToken: token },
    );
    assert.equal(res.body.errorCode, 0, res.body.errorMessage);
    assert.equal(res.body.result.keepAliveSeconds, 1);
    assert.equal(device.connected, true, 'the alteration itself does not disconnect');
    await closed;
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 1000, `closed after ${elapsed} ms, before the 1.5 s idle timeout could expire`);
  });
});
