// Publish/subscribe within one gateway and across two (through NATS), QoS 0 and 1, MQTT 3.1.1
// and 5.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ISubackPacket } from 'mqtt-packet';
import { until } from '@mqfleet/testkit';
import {
  connectPacket,
  endClient,
  mqttClient,
  nextMessage,
  RawClient,
  startCluster,
  type Cluster,
} from './helpers';
import type { Gateway } from '../src/index';

describe('connection-gateway routing', () => {
  let cluster: Cluster;
  let portA: number;
  let portB: number;
  let gatewayA: Gateway;

  before(async () => {
    cluster = await startCluster();
    ({ port: portA, gateway: gatewayA } = await cluster.startGateway());
    ({ port: portB } = await cluster.startGateway());
  });
  after(async () => {
    await cluster?.close();
  });

  for (const qos of [0, 1] as const) {
    test(`QoS ${qos} crosses gateways (MQTT 5 publisher on A, MQTT 3.1.1 subscriber on B)`, async () => {
      const sub = await mqttClient(portB, { protocolVersion: 4, clientId: `route-sub-${qos}` });
      const pub = await mqttClient(portA, { protocolVersion: 5, clientId: `route-pub-${qos}` });
      try {
        const granted = await sub.subscribeAsync(`fleet/+/temp${qos}`, { qos: 1 });
        assert.equal(granted[0]?.qos, 1);
        const received = nextMessage(sub);
        await pub.publishAsync(`fleet/truck1/temp${qos}`, Buffer.from([0, 1, 2, 255]), { qos });
        const msg = await received;
        assert.equal(msg.topic, `fleet/truck1/temp${qos}`);
        assert.deepEqual([...msg.payload], [0, 1, 2, 255]);
        assert.equal(msg.packet.qos, qos);
      } finally {
        await endClient(pub);
        await endClient(sub);
      }
    });
  }

  test('a message with subscribers on its own gateway and another is delivered once to each; NATS does not echo it back', async () => {
    const local = await mqttClient(portA, { protocolVersion: 5, clientId: 'echo-local' });
    const remote = await mqttClient(portB, { protocolVersion: 5, clientId: 'echo-remote' });
    const pub = await mqttClient(portA, { protocolVersion: 5, clientId: 'echo-pub' });
    try {
      await local.subscribeAsync('echo/#', { qos: 1 });
      await remote.subscribeAsync('echo/#', { qos: 1 });
      const got = { local: [] as string[], remote: [] as string[] };
      local.on('message', (_t, payload) => got.local.push(payload.toString()));
      remote.on('message', (_t, payload) => got.remote.push(payload.toString()));
      const before = gatewayA.ownMessagesReturned;
      const sent = Array.from({ length: 20 }, (_, i) => `m${i}`);
      for (const m of sent) await pub.publishAsync('echo/x', m, { qos: 1 });
      await until(() => got.local.length >= 20 && got.remote.length >= 20);
      // A marker after them: anything echoed back would have come before it.
      await pub.publishAsync('echo/x', 'end', { qos: 1 });
      await until(() => got.local.includes('end') && got.remote.includes('end'));
      assert.deepEqual(got.local, [...sent, 'end']);
      assert.deepEqual(got.remote, [...sent, 'end']);
      assert.equal(gatewayA.ownMessagesReturned - before, 0);
    } finally {
      await endClient(pub);
      await endClient(local);
      await endClient(remote);
    }
  });

  test('MQTT 5 properties cross gateways in order (user properties, content type, correlation data)', async () => {
    const sub = await mqttClient(portB, { protocolVersion: 5, clientId: 'route-props-sub' });
    const pub = await mqttClient(portA, { protocolVersion: 5, clientId: 'route-props-pub' });
    try {
      await sub.subscribeAsync('props/#', { qos: 1 });
      const received = nextMessage(sub);
      await pub.publishAsync('props/x', 'hello', {
        qos: 1,
        properties: {
          userProperties: { a: '1', b: ['2', '3'] },
          contentType: 'text/plain',
          correlationData: Buffer.from('corr'),
          responseTopic: 'reply/here',
          payloadFormatIndicator: true,
          messageExpiryInterval: 60,
        },
      });
      const { packet } = await received;
      assert.equal(packet.payload.toString(), 'hello');
      assert.deepEqual({ ...packet.properties?.userProperties }, { a: '1', b: ['2', '3'] });
      assert.equal(packet.properties?.contentType, 'text/plain');
      assert.equal(packet.properties?.correlationData?.toString(), 'corr');
      assert.equal(packet.properties?.responseTopic, 'reply/here');
      assert.equal(packet.properties?.payloadFormatIndicator, true);
      const expiry = packet.properties?.messageExpiryInterval ?? 0;
      assert.ok(expiry > 0 && expiry <= 60);
    } finally {
      await endClient(pub);
      await endClient(sub);
    }
  });

  test('overlapping subscriptions of one client get one copy at the highest QoS', async () => {
    const sub = await mqttClient(portB, { protocolVersion: 5, clientId: 'route-overlap-sub' });
    const pub = await mqttClient(portA, { protocolVersion: 4, clientId: 'route-overlap-pub' });
    try {
      await sub.subscribeAsync({ 'ov/#': { qos: 0 }, 'ov/+/x': { qos: 1 } });
      const seen: { topic: string; qos: number }[] = [];
      sub.on('message', (topic, _payload, packet) => seen.push({ topic, qos: packet.qos }));
      // A second message on a topic only one filter matches marks the end of the first.
      const marker = new Promise<void>((resolve) =>
        sub.on('message', (topic) => topic === 'ov/end' && resolve()),
      );
      await pub.publishAsync('ov/a/x', 'one', { qos: 1 });
      await pub.publishAsync('ov/end', 'two', { qos: 1 });
      await marker;
      assert.deepEqual(seen, [
        { topic: 'ov/a/x', qos: 1 },
        { topic: 'ov/end', qos: 0 },
      ]);
    } finally {
      await endClient(pub);
      await endClient(sub);
    }
  });

  test('local delivery, and a small client receive maximum still delivers every QoS 1 message in order', async () => {
    const sub = await mqttClient(portA, {
      protocolVersion: 5,
      clientId: 'route-window-sub',
      properties: { receiveMaximum: 1 },
    });
    const pub = await mqttClient(portA, { protocolVersion: 5, clientId: 'route-window-pub' });
    try {
      await sub.subscribeAsync('win/t', { qos: 1 });
      const payloads: string[] = [];
      const all = new Promise<void>((resolve) =>
        sub.on('message', (_t, payload) => {
          payloads.push(payload.toString());
          if (payloads.length === 20) resolve();
        }),
      );
      for (let i = 0; i < 20; i++) await pub.publishAsync('win/t', String(i), { qos: 1 });
      await all;
      assert.deepEqual(
        payloads,
        Array.from({ length: 20 }, (_, i) => String(i)),
      );
    } finally {
      await endClient(pub);
      await endClient(sub);
    }
  });

  test('invalid topic filters get SUBACK failure codes (0x8F in MQTT 5, 0x80 in 3.1.1)', async () => {
    // MQTT.js refuses to send invalid filters, so a raw client does.
    for (const [version, failure] of [
      [5, 0x8f],
      [4, 0x80],
    ] as const) {
      const raw = await RawClient.open(portA, version);
      try {
        raw.send(connectPacket(`route-badfilter-${version}`, { protocolVersion: version }));
        assert.equal((await raw.next())?.cmd, 'connack');
        raw.send({
          cmd: 'subscribe',
          messageId: 7,
          subscriptions: [
            { topic: 'a/#/b', qos: 1 },
            { topic: 'ok/+', qos: 2 },
            { topic: 'x+/y', qos: 0 },
          ],
        });
        const suback = (await raw.next()) as ISubackPacket;
        assert.equal(suback.cmd, 'suback');
        assert.equal(suback.messageId, 7);
        assert.deepEqual(suback.granted, [failure, 2, failure]);
      } finally {
        raw.destroy();
      }
    }
  });
});
