// Statistics and health of MQ API sessions end to end (docs/json-api.md, "Statistics of MQ API
// sessions" and "Session health"): an MQ API session publishes with publishMessagesToMq and reads
// with getMessagesFromMqApiSession; describeMqSessions includeStats shows the totals, rates,
// timestamps and backlog kept in Postgres; thresholds make it unhealthy and healthy; it goes
// offline once its keep-alive window lapses; listMqSessions healthFilter says the same as
// describe. An MQTT session's API publishes count in its live statistics. Real processes.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { until } from '@mqfleet/testkit';
import { endClient, startSystem, type System } from './system';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const WAIT_MS = 10_000;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;

describe('statistics and health of MQ API sessions (separate processes)', () => {
  let system: System;
  let token: string;
  const ok = async (action: string, params: Record<string, unknown>): Promise<Json> => {
    const res = await system.api(action, params, { authToken: token });
    assert.equal(res.body.errorCode, 0, `${action}: ${res.body.errorMessage}`);
    return res.body.result as Json;
  };
  const describeOne = async (clientName: string, includeStats = false): Promise<Json> =>
    (await ok('describeMqSessions', { clientNames: [clientName], includeStats })).data[0] as Json;
  const listed = async (healthFilter: string[]): Promise<string[]> =>
    (await ok('listMqSessions', { partialClientName: 'st-', healthFilter })).data.map(
      (s: Json) => s.clientName as string,
    );
  /** describe and listMqSessions healthFilter say `health` of the session (retried until then). */
  const healthIs = (clientName: string, health: string, includeStats = false) =>
    until(
      async () => {
        const described = await describeOne(clientName, includeStats);
        if (described.sessionHealth !== health) return undefined;
        const inList = (await listed([health])).includes(clientName);
        const others = ['healthy', 'unhealthy', 'offline'].filter((h) => h !== health);
        const inOthers = (await listed(others)).includes(clientName);
        return inList && !inOthers ? described : undefined;
      },
      WAIT_MS,
      100,
    );
  const publish = async (clientName: string, topic: string, count: number, qos = 1): Promise<void> => {
    const result = await ok('publishMessagesToMq', {
      clientName,
      topic,
      messages: Array.from({ length: count }, (_, i) => ({ payload: `m${i}`, qos })),
    });
    assert.deepEqual(
      result.messages.map((m: Json) => m.reasonCode),
      Array.from({ length: count }, () => 0),
    );
  };

  before(async () => {
    system = await startSystem();
    token = await system.login();
    // A second session feeds the others' subscriptions (QoS 1: kept before its reply).
    await ok('createMqApiSession', { clientName: 'feeder' });
  });
  after(async () => {
    await system?.close();
  });

  it('counts what it publishes and reads: totals, rates, timestamps, backlog', async () => {
    await ok('createMqApiSession', { clientName: 'st-a' });
    await ok('subscribeToMq', {
      clientName: 'st-a',
      subscriptionActions: [{ subscriptionAction: 'add', topicFilter: 'st/a/#', qos: 1 }],
    });
    const before = await describeOne('st-a', true);
    assert.equal(before.connectionStatus, 'disconnected');
    assert.equal(before.sessionHealth, 'offline');
    assert.ok(before.stats, 'an MQ API session has statistics before it acted');
    assert.equal(before.stats.totalMessagesPublished, 0);
    assert.equal(before.stats.totalMessagesReceived, 0);
    assert.equal(before.stats.currentDeliveryBacklogged, 0);
    assert.equal(before.stats.firstMessagePublishedOn, null);
    assert.equal(before.stats.lastMessageReceivedOn, null);
    assert.equal(before.stats.subscribedTopicFiltersCount, 1);
    assert.equal(before.stats.sessionHealth, 'offline');
    assert.match(String(before.stats.connectedSince), TIMESTAMP, 'connectedSince: its creation');

    // N = 7 published in two requests, 5 kept for it, M = 3 read.
    await publish('st-a', 'st/out', 4);
    await publish('st-a', 'st/out', 3, 0);
    await publish('feeder', 'st/a/x', 5);
    const read = await ok('getMessagesFromMqApiSession', { clientName: 'st-a', maxMessages: 3 });
    assert.equal(read.data.length, 3);
    assert.equal(read.remainingMessages, 2);

    const d = await describeOne('st-a', true);
    assert.equal(d.connectionStatus, 'connectedTemporarily');
    assert.equal(d.sessionHealth, 'healthy');
    const s = d.stats;
    assert.equal(s.sessionHealth, 'healthy');
    assert.equal(s.totalMessagesPublished, 7);
    assert.equal(s.publishRatePerMinute, 7);
    assert.equal(s.publishRatePerMinuteLast10Minutes, 7, 'younger than a minute: divided by 1');
    assert.equal(s.publishRatePerMinuteInSession, 7);
    assert.equal(s.publishRatePerHour, 7);
    assert.equal(s.totalMessagesReceived, 3);
    assert.equal(s.receiveMessagesPerMinute, 3);
    assert.equal(s.receiveMessagesPerMinuteLast10Minutes, 3);
    assert.equal(s.receiveMessagesPerMinuteSinceInSession, 3);
    assert.equal(s.receiveMessagesPerHour, 3);
    assert.equal(s.currentDeliveryBacklogged, 2);
    assert.equal(s.deliveryBacklogRatePerMinute, 2, 'grown from 0 at creation');
    assert.equal(s.deliveryBacklogRatePerMinuteInSession, 2);
    assert.equal(s.subscribedTopicFiltersCount, 1);
    for (const f of [
      'totalMessagesDropped',
      'currentOutboundBytes',
      'currentQueuedMessages',
      'currentQueuedBytes',
    ])
      assert.equal(s[f], 0, f);
    for (const f of [
      'firstMessagePublishedOn',
      'lastMessagePublishedOn',
      'firstMessageReceivedOn',
      'lastMessageReceivedOn',
    ])
      assert.match(String(s[f]), TIMESTAMP, f);
    assert.ok(s.firstMessagePublishedOn <= s.lastMessagePublishedOn);
    assert.ok(s.firstMessagePublishedOn <= s.firstMessageReceivedOn, 'published before it read');

    // A read of one topic deletes what it takes: the backlog follows.
    const one = await ok('getMessagesFromMqApiSession', {
      clientName: 'st-a',
      maxMessages: 1,
      topic: 'st/a/x',
    });
    assert.equal(one.data.length, 1);
    const after1 = (await describeOne('st-a', true)).stats;
    assert.equal(after1.totalMessagesReceived, 4);
    assert.equal(after1.currentDeliveryBacklogged, 1);
    await ok('getMessagesFromMqApiSession', { clientName: 'st-a' });
    const drained = (await describeOne('st-a', true)).stats;
    assert.equal(drained.totalMessagesReceived, 5);
    assert.equal(drained.currentDeliveryBacklogged, 0);
    assert.equal(drained.deliveryBacklogRatePerMinute, 0);
  });

  it('thresholds make it unhealthy and healthy; describe and listMqSessions healthFilter agree', async () => {
    await ok('createMqApiSession', { clientName: 'st-h', minHealthySendRatePerMinute: 5 });
    await healthIs('st-h', 'offline');
    await publish('st-h', 'st/h/out', 3);
    await healthIs('st-h', 'unhealthy');
    await publish('st-h', 'st/h/out', 3);
    const healthy = await healthIs('st-h', 'healthy', true);
    assert.equal(healthy.stats.publishRatePerMinute, 6);

    // The backlog growing faster than maxHealthyBacklogRatePerMinute (the sweep measures it).
    await ok('alterMqSession', {
      clientName: 'st-h',
      minHealthySendRatePerMinute: 0,
      maxHealthyBacklogRatePerMinute: 3,
      minHealthySubscribedTopicFiltersCount: 1,
    });
    await healthIs('st-h', 'unhealthy'); // no subscription yet
    await ok('subscribeToMq', {
      clientName: 'st-h',
      subscriptionActions: [{ subscriptionAction: 'add', topicFilter: 'st/h/in', qos: 1 }],
    });
    await healthIs('st-h', 'healthy');
    await publish('feeder', 'st/h/in', 5);
    const backlogged = await healthIs('st-h', 'unhealthy', true);
    assert.equal(backlogged.stats.currentDeliveryBacklogged, 5);
    assert.equal(backlogged.stats.deliveryBacklogRatePerMinute, 5);
    await ok('getMessagesFromMqApiSession', { clientName: 'st-h' });
    await healthIs('st-h', 'healthy');
  });

  it('goes offline once its keep-alive window lapses', async () => {
    await ok('createMqApiSession', { clientName: 'st-k', keepAliveSeconds: 2 });
    await publish('st-k', 'st/k/out', 1);
    const active = await healthIs('st-k', 'healthy');
    assert.equal(active.connectionStatus, 'connectedTemporarily');
    const started = Date.now();
    const offline = await healthIs('st-k', 'offline', true);
    assert.equal(offline.connectionStatus, 'disconnected');
    assert.ok(Date.now() - started < 3000 + 2000, 'within 1.5 × keep alive and a sweep');
    // Its statistics stay (they belong to the session, not to a connection).
    assert.equal(offline.stats.totalMessagesPublished, 1);
    assert.equal(offline.stats.sessionHealth, 'offline');
  });

  it("an MQTT session's publishMessagesToMq counts in its live statistics", async () => {
    const device = await system.mqtt('st-mqtt');
    try {
      await publish('st-mqtt', 'st/mqtt/out', 4);
      await until(
        async () =>
          (await describeOne('st-mqtt', true)).stats?.totalMessagesPublished === 4 ? true : undefined,
        WAIT_MS,
        50,
      );
      const stats = (await describeOne('st-mqtt', true)).stats;
      assert.equal(stats.publishRatePerMinute, 4);
      const topics = (
        await ok('describeMqSessions', { clientNames: ['st-mqtt'], includePublishedTopics: true })
      ).data[0].publishedTopics;
      assert.deepEqual(
        topics.map((t: Json) => [t.topic, t.totalMessagesPublished]),
        [['st/mqtt/out', 4]],
      );
    } finally {
      await endClient(device);
    }
  });
});
