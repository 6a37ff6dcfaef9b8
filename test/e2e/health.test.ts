// Session health end to end: real MQTT.js clients, thresholds set with alterMqSession, health
// evaluated live by the gateway, read back with describeMqSessions / listMqSessions.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { until } from '@mqfleet/testkit';
import { endClient, publishQos1, startSystem, type System } from './system';

const WAIT_MS = 10_000;

describe('session health (separate processes)', () => {
  let system: System;
  let token: string;

  before(async () => {
    system = await startSystem({ env: { MQFLEET_HEALTH_INTERVAL_MS: '250' } });
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
  const describeOne = async (clientName: string, includeStats = false) =>
    (await api('describeMqSessions', { clientNames: [clientName], includeStats })).data[0]!;
  const healthBecomes = (clientName: string, health: string) =>
    until(
      async () => ((await describeOne(clientName)).sessionHealth === health ? true : undefined),
      WAIT_MS,
      100,
    );
  const listed = async (healthFilter: string[]) =>
    (await api('listMqSessions', { partialClientName: 'hl-', healthFilter })).data.map((s) => s.clientName);

  it('a client publishing above maxHealthySendRatePerMinute becomes unhealthy; stats count its messages', async () => {
    const device = await system.mqtt('hl-rate');
    await api('alterMqSession', { clientName: 'hl-rate', maxHealthySendRatePerMinute: 5 });
    await healthBecomes('hl-rate', 'healthy');
    for (let i = 0; i < 10; i++) {
      const { error } = await publishQos1(device, 'hl/rate', `m${i}`);
      assert.ok(!error, String(error));
    }
    await healthBecomes('hl-rate', 'unhealthy');
    await until(
      async () => ((await listed(['unhealthy'])).includes('hl-rate') ? true : undefined),
      WAIT_MS,
      100,
    );

    const described = await describeOne('hl-rate', true);
    const stats = described.stats as Record<string, unknown>;
    assert.ok(stats, 'stats present for a connected session');
    assert.equal(stats.totalMessagesPublished, 10);
    assert.equal(stats.publishRatePerMinute, 10);
    assert.equal(stats.maxHealthySendRatePerMinute, 5);
    assert.equal(stats.sessionHealth, 'unhealthy');
    assert.equal(stats.totalMessagesReceived, 0);
    assert.equal(stats.currentDeliveryBacklogged, 0);
    assert.match(String(stats.firstMessagePublishedOn), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
    assert.equal(stats.firstMessageReceivedOn, null);
    await endClient(device);
  });

  it('minHealthySubscribedTopicFiltersCount: unhealthy without subscriptions, healthy after SUBSCRIBE, offline after disconnect', async () => {
    // A session that outlives the connection, so it can be seen offline.
    const device = await system.mqtt('hl-subs', {
      clean: false,
      properties: { sessionExpiryInterval: 3600 },
    });
    await api('alterMqSession', { clientName: 'hl-subs', minHealthySubscribedTopicFiltersCount: 1 });
    await healthBecomes('hl-subs', 'unhealthy');
    await device.subscribeAsync('hl/subs/#', { qos: 1 });
    await healthBecomes('hl-subs', 'healthy');
    await until(
      async () => ((await listed(['healthy'])).includes('hl-subs') ? true : undefined),
      WAIT_MS,
      100,
    );
    const stats = (await describeOne('hl-subs', true)).stats as Record<string, unknown>;
    assert.equal(stats.subscribedTopicFiltersCount, 1);
    await endClient(device);
    await healthBecomes('hl-subs', 'offline');
    assert.ok((await listed(['offline'])).includes('hl-subs'));
    const offline = await describeOne('hl-subs', true);
    assert.equal(offline.stats, null, 'no live statistics for a session that is not connected');
  });
});
