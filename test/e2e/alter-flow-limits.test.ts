// alterMqSession's flow-control fields on a live MQTT 5 connection, end to end (separate
// processes): receiveMaximum, maximumPacketSize and topicAliasMaximum. The device is a raw
// mqtt-packet client so that it can declare its own limits in CONNECT and the test sees the exact
// PUBLISH packets (packet ids, topic aliases) the broker sends. It stays on one socket throughout.
//
// Barrier (no sleeps): an MQTT.js observer subscribed to the same topics receives the last
// message; the gateway offered it to the device in the same pass, so a PINGREQ/PINGRESP round trip
// on the device's socket then proves every delivery the broker made has arrived.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MqttClient } from 'mqtt';
import { generate, type IPublishPacket } from 'mqtt-packet';
import { messageMatching, publishQos1, startSystem, type System, alterLive as alterLiveIn } from './system';
import { rawConnect, type RawClient } from './raw-mqtt';

describe('alterMqSession flow limits on a live connection (separate processes)', () => {
  let system: System;
  let token: string;

  before(async () => {
    system = await startSystem();
    token = await system.login();
  });
  after(async () => {
    await system?.close();
  });

  const alterLive = (clientName: string, changes: Record<string, unknown>) =>
    alterLiveIn(system, token, clientName, changes);

  /** Publishes each payload (QoS 1) and returns once the observer got the last one and the device is flushed. */
  async function publishAndSettle(
    publisher: MqttClient,
    observer: MqttClient,
    device: RawClient,
    items: { topic: string; payload: string | Buffer }[],
  ): Promise<void> {
    const last = items[items.length - 1]!;
    const lastPayload = Buffer.from(last.payload);
    const seen = messageMatching(observer, (m) => m.topic === last.topic && m.payload.equals(lastPayload));
    for (const item of items) {
      const ack = await publishQos1(publisher, item.topic, item.payload as string);
      assert.equal(ack.reasonCode, 0, ack.error?.message);
    }
    await seen;
    await device.ping();
  }

  function assertSameSocket(device: RawClient): void {
    assert.equal(device.closed, false, 'the device is still connected');
    assert.equal(
      device.packets.filter((p) => p.cmd === 'disconnect').length,
      0,
      'the broker never sent DISCONNECT',
    );
  }

  it('receiveMaximum caps the QoS 1 in-flight window, never above what the client declared', async () => {
    const device = await rawConnect(system.gateways[0]!.port, {
      clientId: 'rm-dev',
      properties: { receiveMaximum: 10 },
    });
    assert.deepEqual(await device.subscribe('rm/#', 1), [1]);
    const observer = await system.mqtt('rm-observer');
    await observer.subscribeAsync('rm/#', { qos: 1 });
    const publisher = await system.mqtt('rm-pub');
    let n = 0;
    const batch = (count: number): { topic: string; payload: string }[] =>
      Array.from({ length: count }, () => ({ topic: 'rm/t', payload: `m${++n}` }));
    const delivered = (): string[] => device.publishes.map((p) => p.payload.toString());

    // The client's own Receive Maximum: 10 in flight, the rest wait.
    await publishAndSettle(publisher, observer, device, batch(12));
    assert.equal(device.unacked.size, 10, 'declared Receive Maximum 10');

    // Lowered to 2 while 10 are in flight: nothing new until fewer than 2 are outstanding.
    await alterLive('rm-dev', { receiveMaximum: 2 });
    await publishAndSettle(publisher, observer, device, batch(4)); // m13..m16
    assert.equal(device.unacked.size, 10, 'no new delivery while above the new window');
    const firstEight = [...device.unacked.keys()].slice(0, 8);
    for (const id of firstEight) device.ack(id);
    await device.ping();
    assert.equal(device.unacked.size, 2, 'still nothing sent at 2 outstanding');
    // One acknowledgement at a time: never more than 2 outstanding, each frees exactly one slot.
    while (device.publishes.length < 16) {
      const before = device.publishes.length;
      device.ack([...device.unacked.keys()][0]!);
      await device.ping();
      assert.equal(device.publishes.length, before + 1, 'one acknowledgement, one new delivery');
      assert.ok(device.unacked.size <= 2, `${device.unacked.size} in flight with receiveMaximum 2`);
    }

    // Raised to 5: up to 5 outstanding.
    await alterLive('rm-dev', { receiveMaximum: 5 });
    await device.ping();
    assert.equal(device.unacked.size, 2, 'the two still in flight');
    await publishAndSettle(publisher, observer, device, batch(8)); // m17..m24
    assert.equal(device.unacked.size, 5, 'window of 5');

    // 50 is capped by the declared 10.
    await alterLive('rm-dev', { receiveMaximum: 50 });
    await device.ping();
    assert.equal(device.unacked.size, 10, 'window of min(50, declared 10)');
    await publishAndSettle(publisher, observer, device, batch(10)); // m25..m34
    assert.equal(device.unacked.size, 10, 'never above the declared 10');

    // Acknowledge everything: nothing was lost or duplicated.
    while (device.publishes.length < n || device.unacked.size > 0) {
      device.ackAll();
      await device.ping();
      assert.ok(device.unacked.size <= 10);
    }
    assert.deepEqual(
      delivered(),
      Array.from({ length: n }, (_, i) => `m${i + 1}`),
      'every message delivered once, in order',
    );
    assert.ok(
      device.publishes.every((p) => !p.packet.dup),
      'no redelivery was needed',
    );
    assertSameSocket(device);
    await device.disconnect();
  });

  it('maximumPacketSize: larger packets are not sent to the client, capped by its own maximum', async () => {
    const device = await rawConnect(system.gateways[0]!.port, {
      clientId: 'mps-dev',
      properties: { maximumPacketSize: 1000 },
      autoAck: true,
    });
    await device.subscribe('mps/#', 1);
    const observer = await system.mqtt('mps-observer');
    await observer.subscribeAsync('mps/#', { qos: 1 });
    const publisher = await system.mqtt('mps-pub');
    const payload = (tag: string, size: number): string => tag.padEnd(size, '.');
    const received = (): string[] => device.publishes.map((p) => p.payload.toString().split('.')[0]!);

    // Before: a 500-byte message fits the client's 1000.
    await publishAndSettle(publisher, observer, device, [{ topic: 'mps/t', payload: payload('a500', 500) }]);
    assert.deepEqual(received(), ['a500']);

    await alterLive('mps-dev', { maximumPacketSize: 200 });
    const othersBig = messageMatching(observer, (m) => m.payload.toString().startsWith('b500'));
    await publishAndSettle(publisher, observer, device, [
      { topic: 'mps/t', payload: payload('b500', 500) },
      { topic: 'mps/t', payload: payload('b100', 100) },
    ]);
    assert.equal((await othersBig).payload.length, 500, 'other subscribers still get the large message');
    assert.deepEqual(received(), ['a500', 'b100'], 'the 500-byte message is not sent, the 100-byte one is');

    // 5000 is capped by the client's own 1000.
    await alterLive('mps-dev', { maximumPacketSize: 5000 });
    await publishAndSettle(publisher, observer, device, [
      { topic: 'mps/t', payload: payload('c1500', 1500) },
      { topic: 'mps/t', payload: payload('c600', 600) },
    ]);
    assert.deepEqual(received(), ['a500', 'b100', 'c600'], 'nothing above the declared 1000');
    for (const p of device.publishes) {
      const size = mqttPacketSize(p.packet);
      assert.ok(size <= 1000, `a ${size}-byte packet was sent`);
    }
    assertSameSocket(device);
    await device.disconnect();
  });

  it('topicAliasMaximum caps the aliases the broker assigns on deliveries', async () => {
    const device = await rawConnect(system.gateways[0]!.port, {
      clientId: 'ta-dev',
      properties: { topicAliasMaximum: 10 },
      autoAck: true,
    });
    await device.subscribe('ta/#', 1);
    const observer = await system.mqtt('ta-observer');
    await observer.subscribeAsync('ta/#', { qos: 1 });
    const publisher = await system.mqtt('ta-pub');
    const round = (tag: string, topics: number[]): { topic: string; payload: string }[] =>
      topics.map((i) => ({ topic: `ta/${i}`, payload: `${tag}-${i}` }));
    const since = (from: number): typeof device.publishes => device.publishes.slice(from);
    const assertResolved = (): void => {
      for (const p of device.publishes) {
        assert.equal(
          p.topic,
          `ta/${p.payload.toString().split('-')[1]}`,
          'alias resolves to the right topic',
        );
      }
    };

    // The gateway assigns outbound aliases up to the client's 10.
    await publishAndSettle(publisher, observer, device, [
      ...round('a', [1, 2, 3, 4, 5]),
      ...round('b', [1, 2, 3, 4, 5]),
    ]);
    const aliasesA = since(0).map((p) => p.alias);
    assert.deepEqual(aliasesA, [1, 2, 3, 4, 5, 1, 2, 3, 4, 5], 'aliases assigned, then reused');
    assert.ok(
      since(5).every((p) => p.packet.topic === ''),
      'a known alias is sent without the topic',
    );
    assertResolved();

    await alterLive('ta-dev', { topicAliasMaximum: 2 });
    let mark = device.publishes.length;
    await publishAndSettle(publisher, observer, device, [
      ...round('c', [1, 2, 3, 4, 5, 6]),
      ...round('d', [6, 5, 4, 3, 2, 1]),
    ]);
    const after2 = since(mark);
    assert.equal(after2.length, 12);
    for (const p of after2) {
      assert.ok(p.alias === undefined || p.alias <= 2, `alias ${p.alias} above the new maximum 2`);
      // A topic whose alias was withdrawn goes out with its full name.
      if (p.alias === undefined || p.alias > 2) assert.notEqual(p.packet.topic, '');
    }
    assertResolved();

    await alterLive('ta-dev', { topicAliasMaximum: 0 });
    mark = device.publishes.length;
    await publishAndSettle(publisher, observer, device, round('e', [1, 2, 3, 7]));
    const after0 = since(mark);
    assert.equal(after0.length, 4);
    assert.deepEqual(
      after0.map((p) => [p.packet.topic, p.alias]),
      [
        ['ta/1', undefined],
        ['ta/2', undefined],
        ['ta/3', undefined],
        ['ta/7', undefined],
      ],
      'no aliases at all',
    );

    // 50 is capped by the client's own 10.
    await alterLive('ta-dev', { topicAliasMaximum: 50 });
    mark = device.publishes.length;
    await publishAndSettle(publisher, observer, device, round('f', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]));
    const after50 = since(mark);
    assert.ok(
      after50.some((p) => p.alias !== undefined),
      'aliases are assigned again',
    );
    assert.ok(
      after50.every((p) => p.alias === undefined || p.alias <= 10),
      'never above the declared 10',
    );
    assertResolved();
    assertSameSocket(device);
    await device.disconnect();
  });
});

/** The encoded size of a received PUBLISH (as the broker sent it, alias and all). */
function mqttPacketSize(packet: IPublishPacket): number {
  return generate(packet, { protocolVersion: 5 }).length;
}
