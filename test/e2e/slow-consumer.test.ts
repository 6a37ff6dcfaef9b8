// Slow consumers end to end (docs/mqtt.md "Slow consumers"): the services as processes, a raw
// MQTT 5 subscriber that stops reading its socket, a reading MQTT.js subscriber of the same
// topics. The slow one's drops show in describeMqSessions includeStats (by reason), its session
// becomes unhealthy (live and stored: listMqSessions healthFilter), the reading one stays healthy
// and gets every message, and the slow one gets exactly the messages that were not dropped.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { until } from '@mqfleet/testkit';
import { rawConnect } from './raw-mqtt';
import { recordMessages, startSystem, type System } from './system';

const BUDGET = 65_536;
const WAIT_MS = 10_000;

describe('slow consumers (separate processes)', () => {
  let system: System;
  let token: string;

  before(async () => {
    system = await startSystem({
      env: { MQFLEET_MAX_OUTBOUND_BYTES: String(BUDGET), MQFLEET_HEALTH_INTERVAL_MS: '250' },
    });
    token = await system.login();
  });
  after(async () => {
    await system?.close();
  });

  const api = async (action: string, params: Record<string, unknown>) => {
    const res = await system.api(action, params, { authToken: token });
    assert.equal(res.body.errorCode, 0, JSON.stringify(res.body));
    return res.body.result as Record<string, unknown> & { data: Record<string, unknown>[] };
  };
  const stats = async (clientName: string) => {
    const session = (await api('describeMqSessions', { clientNames: [clientName], includeStats: true }))
      .data[0]!;
    return session.stats as Record<string, unknown> & { messagesDropped: Record<string, number> };
  };

  it('drops of a subscriber that does not read are counted by reason in describeMqSessions stats and make it unhealthy; a reading subscriber gets everything', async () => {
    const port = system.gateways[0]!.port;
    const slow = await rawConnect(port, { clientId: 'sce-slow' });
    const reader = await system.mqtt('sce-reader');
    const publisher = await rawConnect(port, { clientId: 'sce-pub' });
    try {
      await slow.subscribe('sce/#', 0);
      await reader.subscribeAsync('sce/#', { qos: 0 });
      const got = recordMessages(reader);
      const before = await stats('sce-slow');
      assert.equal(before.totalMessagesDropped, 0);
      assert.deepEqual(before.messagesDropped, {
        outboundBudget: 0,
        queueFull: 0,
        packetTooLarge: 0,
        expired: 0,
      });
      assert.equal(before.sessionHealth, 'healthy');

      slow.socket.pause();
      // 16 KiB QoS 0 messages, 8 at a time, each batch read by the reader before the next, until
      // the slow subscriber's statistics show drops.
      let published = 0;
      const payload = Buffer.alloc(16_384, 0x62);
      for (let batch = 0; batch < 2000; batch++) {
        for (let i = 0; i < 8; i++) {
          payload.writeUInt32BE(published++, 0);
          publisher.send({ cmd: 'publish', topic: 'sce/t', payload, qos: 0, dup: false, retain: false });
        }
        await publisher.ping();
        await until(() => got.length === published, WAIT_MS, 5);
        if (batch % 10 === 9 && ((await stats('sce-slow')).totalMessagesDropped as number) > 0) break;
      }
      const live = await stats('sce-slow');
      const dropped = live.messagesDropped.outboundBudget!;
      assert.ok(dropped > 0, 'dropped for the outbound budget');
      assert.equal(live.totalMessagesDropped, dropped);
      assert.equal(live.messagesDropped.queueFull, 0);
      assert.equal(live.slowConsumerDropsPerMinute, dropped);
      assert.ok((live.currentOutboundBytes as number) >= BUDGET);
      assert.ok((live.currentOutboundBytes as number) < BUDGET + 16_384 + 100);
      assert.equal(live.sessionHealth, 'unhealthy', 'live evaluation');
      assert.equal((await stats('sce-reader')).sessionHealth, 'healthy');
      assert.equal((await stats('sce-reader')).totalMessagesDropped, 0);
      // The stored health follows the gateway's report.
      await until(
        async () => {
          const { data } = await api('listMqSessions', {
            partialClientName: 'sce-',
            healthFilter: ['unhealthy'],
          });
          return data.some((s) => s.clientName === 'sce-slow') || undefined;
        },
        WAIT_MS,
        100,
      );
      assert.deepEqual(
        got.map((m) => m.payload.readUInt32BE(0)),
        Array.from({ length: published }, (_, i) => i),
        'the reading subscriber got every message, in order',
      );

      // Reading again: exactly the messages that were not dropped.
      slow.socket.resume();
      await slow.ping();
      assert.equal(slow.publishes.length + dropped, published);
      assert.equal((await stats('sce-slow')).totalMessagesDropped, dropped);
    } finally {
      slow.destroy();
      publisher.destroy();
    }
  });
});
