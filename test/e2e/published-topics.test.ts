// describeMqSessions includePublishedTopics end to end: a real MQTT.js client publishes, the
// gateway holding its connection answers the topics through the live stats request path.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { until } from '@mqfleet/testkit';
import { endClient, publishQos1, startSystem, type System } from './system';

describe('describeMqSessions includePublishedTopics (separate processes)', () => {
  let system: System;
  let token: string;

  before(async () => {
    system = await startSystem();
    token = await system.login();
  });
  after(async () => {
    await system?.close();
  });

  const describeOne = async (clientName: string, params: Record<string, unknown>) => {
    const res = await system.postRaw(
      JSON.stringify({
        action: 'describeMqSessions',
        params: { clientNames: [clientName], ...params },
        authToken: token,
        debug: 'max',
      }),
    );
    assert.equal(res.body.errorCode, 0, JSON.stringify(res.body));
    return {
      session: (res.body.result as { data: Record<string, unknown>[] }).data[0]!,
      warnings: ((res.body.debugInfo as { warnings?: unknown[] } | undefined)?.warnings ?? []) as unknown[],
    };
  };

  it('lists the topics the live connection published to, most recent first, with counts', async () => {
    // A session that outlives the connection, so it can be described after the disconnect.
    const device = await system.mqtt('pt-1', { clean: false, properties: { sessionExpiryInterval: 3600 } });
    for (const topic of ['plant/a/temp', 'plant/b/temp', 'plant/a/temp']) {
      const { error } = await publishQos1(device, topic, 'x');
      assert.ok(!error, String(error));
    }
    const { session, warnings } = await describeOne('pt-1', { includePublishedTopics: true });
    assert.deepEqual(warnings, [], 'no 12006 warning: includePublishedTopics is acted on');
    const topics = session.publishedTopics as Record<string, unknown>[];
    assert.deepEqual(
      topics.map((t) => [t.topic, t.totalMessagesPublished]),
      [
        ['plant/a/temp', 2],
        ['plant/b/temp', 1],
      ],
    );
    assert.match(String(topics[0]!.lastMessagePublishedOn), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
    assert.equal('stats' in session, false, 'stats only with includeStats');
    const both = await describeOne('pt-1', { includePublishedTopics: true, includeStats: true });
    assert.equal((both.session.stats as Record<string, unknown>).totalMessagesPublished, 3);
    assert.equal((both.session.publishedTopics as unknown[]).length, 2);
    const without = await describeOne('pt-1', {});
    assert.equal('publishedTopics' in without.session, false);
    await endClient(device);
    const offline = await until(
      async () => {
        const d = await describeOne('pt-1', { includePublishedTopics: true });
        return d.session?.connectionStatus === 'disconnected' ? d : undefined;
      },
      10_000,
      100,
    );
    assert.equal(offline.session.publishedTopics, null, 'not connected: nothing live to report');
  });
});
