// listTopics and describeTopics end to end: real MQTT.js clients publish on two gateways (PUBLISH,
// a will, and publishMessagesToMq through the API); the gateways count the messages per topic and
// report them to the session-service, which records them; the JSON API lists and describes the
// topics, with the connected subscribers and their QoS.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { until } from '@mqfleet/testkit';
import {
  endClient,
  messageMatching,
  publishQos1,
  startSystem,
  type ApiResponse,
  type System,
} from './system';

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;

describe('listTopics and describeTopics (separate processes, two gateways)', () => {
  let system: System;
  let token: string;

  before(async () => {
    system = await startSystem({ gateways: 2 });
    token = await system.login();
  });
  after(async () => {
    await system?.close();
  });

  const api = (action: string, params: Record<string, unknown>, authToken = token) =>
    system.api(action, params, { authToken });
  const ok = (res: ApiResponse) => {
    assert.equal(res.body.errorCode, 0, JSON.stringify(res.body));
    return res.body.result as Record<string, unknown>;
  };
  type Topic = Record<string, unknown> & { subscriberList: Record<string, unknown>[] };
  const describeTopics = async (topics: string[]): Promise<Topic[]> =>
    ok(await api('describeTopics', { topics })).data as Topic[];
  /** Polls until every topic's messageCount is as expected (the gateways report every 2 s). */
  const counted = (expected: Record<string, number>): Promise<Topic[]> =>
    until(
      async () => {
        const found = await describeTopics(Object.keys(expected));
        const counts = Object.fromEntries(found.map((t) => [t.name, t.messageCount]));
        return Object.entries(expected).every(([name, n]) => counts[name] === n) ? found : undefined;
      },
      15_000,
      200,
    );

  it('counts the messages of every publisher on every gateway and names the subscribers', async () => {
    // Subscribers: MQTT 5 on gateway 1, MQTT 3.1.1 on gateway 0.
    const dash = await system.mqtt('dash-5', { protocolVersion: 5, keepalive: 40 }, 1);
    await dash.subscribeAsync('plant/+/temp', { qos: 1 });
    const legacy = await system.mqtt('dash-311', { protocolVersion: 4, keepalive: 20 }, 0);
    await legacy.subscribeAsync('plant/#', { qos: 0 });

    const pubA = await system.mqtt('pub-a', {}, 0);
    const pubB = await system.mqtt('pub-b', {}, 1);
    for (let i = 0; i < 3; i++) assert.equal((await publishQos1(pubA, 'plant/a/temp', `${i}`)).reasonCode, 0);
    await pubA.publishAsync('plant/b/temp', 'qos0');
    for (let i = 0; i < 2; i++) assert.equal((await publishQos1(pubB, 'plant/a/temp', `${i}`)).reasonCode, 0);
    // A will, published by the gateway when its client vanishes.
    const willSeen = messageMatching(legacy, (m) => m.topic === 'plant/wills/w-1');
    const willer = await system.mqtt(
      'w-1',
      { will: { topic: 'plant/wills/w-1', payload: Buffer.from('gone'), qos: 1, retain: false } },
      1,
    );
    willer.stream.destroy();
    await willSeen;
    // Messages published through the API, routed by one of the gateways.
    ok(await api('createMqApiSession', { clientName: 'api-pub' }));
    const published = ok(
      await api('publishMessagesToMq', {
        clientName: 'api-pub',
        topic: 'plant/api/cmd',
        messages: [{ payload: 'one' }, { payload: 'two', qos: 1 }],
      }),
    );
    assert.equal(published.published, 2);

    const [a, b, will, cmd] = await counted({
      'plant/a/temp': 5,
      'plant/b/temp': 1,
      'plant/wills/w-1': 1,
      'plant/api/cmd': 2,
    });
    assert.equal(a!.name, 'plant/a/temp');
    assert.match(String(a!.creationTime), TIMESTAMP);
    assert.match(String(a!.lastMessageTime), TIMESTAMP);
    assert.ok(String(a!.lastMessageTime) >= String(a!.creationTime));
    // A topic younger than a minute: its count over one minute, hour and day.
    assert.equal(a!.averageMessagesPerMinute, 5);
    assert.equal(a!.averageMessagesPerHour, 5);
    assert.equal(a!.averageMessagesPerDay, 5);
    assert.equal(a!.subscriberCount, 2);
    assert.deepEqual(
      a!.subscriberList.map((g) => g.topicExpression),
      ['plant/#', 'plant/+/temp'],
    );
    const [byLegacy, byDash] = a!.subscriberList.map(
      (g) => (g.connectionList as Record<string, Record<string, unknown>>[])[0]!,
    );
    assert.equal(byLegacy!.qos, 0);
    assert.equal(byLegacy!.connection!.clientId, 'dash-311');
    assert.equal(byLegacy!.connection!.mqttProtocol, 4);
    assert.equal(byLegacy!.connection!.keepAliveSeconds, 20);
    assert.equal(byDash!.qos, 1);
    const connection = byDash!.connection!;
    assert.equal(connection.clientId, 'dash-5');
    assert.equal(connection.mqttProtocol, 5);
    assert.equal(connection.ipaddress, '127.0.0.1');
    assert.equal(typeof connection.port, 'number');
    assert.equal(connection.keepAliveSeconds, 40);
    assert.equal(connection.status, 'Connected with clean flag = 1');
    assert.match(String(connection.connectionTime), TIMESTAMP);
    // plant/b/temp: the same two filters; the will's and the API's topics: only plant/#.
    assert.equal(b!.subscriberCount, 2);
    assert.deepEqual(
      [will, cmd].map((t) => t!.subscriberList.map((g) => g.topicExpression)),
      [['plant/#'], ['plant/#']],
    );

    // A subscriber that leaves is still listed with its stored subscription (its session lives
    // on), now disconnected.
    await endClient(pubA);
    await endClient(pubB);
    await endClient(legacy);
    await endClient(dash);
    const [after] = await until(async () => {
      const found = await describeTopics(['plant/a/temp']);
      const statuses = found[0]!.subscriberList.flatMap((g) =>
        (g.connectionList as { connection: { status: string } }[]).map((c) => c.connection.status),
      );
      return statuses.every((s) => s.startsWith('Disconnected')) ? found : undefined;
    });
    assert.ok(after!.subscriberList.length <= 2);
  });

  it('lists topic names in byte order, by beginning, by content, a page at a time', async () => {
    await counted({ 'plant/a/temp': 5 });
    const list = async (params: Record<string, unknown>) =>
      ok(await api('listTopics', params)).data as string[];
    assert.deepEqual(await list({}), ['plant/a/temp', 'plant/api/cmd', 'plant/b/temp', 'plant/wills/w-1']);
    assert.deepEqual(await list({ partialName: 'plant/a' }), ['plant/a/temp', 'plant/api/cmd']);
    assert.deepEqual(await list({ partialName: '' }), await list({}));
    assert.deepEqual(await list({ search: 'TEMP' }), ['plant/a/temp', 'plant/b/temp']);
    assert.deepEqual(await list({ maxRecords: 2 }), ['plant/a/temp', 'plant/api/cmd']);
    assert.deepEqual(await list({ maxRecords: 2, skipRecords: 2 }), ['plant/b/temp', 'plant/wills/w-1']);
    assert.deepEqual(await list({ skipRecords: 4 }), []);
    assert.deepEqual(await list({ label: null, dataFormat: 'objects' }), await list({}));
    // A topic never published to is left out, however it is asked for.
    assert.deepEqual(
      await describeTopics(['plant/never', 'plant/b/temp']).then((d) => d.map((t) => t.name)),
      ['plant/b/temp'],
    );
    assert.deepEqual(await describeTopics([]), []);
  });

  it('answers bad input with the specific error codes, and other accounts with 12030', async () => {
    const cases: [string, Record<string, unknown>, number][] = [
      ['describeTopics', {}, 12025],
      ['describeTopics', { topics: null }, 12025],
      ['describeTopics', { topics: 'plant/a/temp' }, 12012],
      ['describeTopics', { topics: ['plant/+/temp'] }, 12012],
      ['describeTopics', { topics: ['plant/#'] }, 12012],
      ['describeTopics', { topics: [''] }, 12012],
      ['describeTopics', { topics: ['x'.repeat(65_536)] }, 12034],
      ['describeTopics', { topics: ['a'], maxSubscribers: 0 }, 12012],
      ['describeTopics', { topics: ['a'], colour: 'red' }, 12012],
      ['listTopics', { maxRecords: 0 }, 12012],
      ['listTopics', { maxRecords: 10_001 }, 12012],
      ['listTopics', { skipRecords: -1 }, 12012],
      ['listTopics', { partialName: 'p'.repeat(65) }, 12034],
      ['listTopics', { partialName: 'é'.repeat(33) }, 12034],
      ['listTopics', { search: 7 }, 12012],
      ['listTopics', { label: { group: 'site', name: 'berlin' } }, 12012],
      ['listTopics', { dataFormat: 'tables' }, 12012],
    ];
    for (const [action, params, code] of cases) {
      const res = await api(action, params);
      assert.equal(
        res.body.errorCode,
        code,
        `${action} ${JSON.stringify(params).slice(0, 80)}: ${res.body.errorMessage}`,
      );
    }
    const label = await api('listTopics', { label: { name: 'berlin' } });
    assert.match(String(label.body.errorMessage), /label/);
    assert.match(String(label.body.errorMessage), /no labels/);

    ok(
      await system.api(
        'createAccount',
        { username: 'topic-viewer', password: 'viewer-secret', role: 'user' },
        { api: 'admin', authToken: token },
      ),
    );
    const login = await system.api(
      'createSession',
      { username: 'topic-viewer', password: 'viewer-secret' },
      { api: 'admin' },
    );
    const userToken = String(ok(login).authToken ?? login.body.authToken);
    assert.equal((await api('listTopics', {}, userToken)).body.errorCode, 12030);
    assert.equal(
      (await api('describeTopics', { topics: ['plant/a/temp'] }, userToken)).body.errorCode,
      12030,
    );
    const anonymous = await system.api('listTopics', {});
    assert.equal(anonymous.body.errorCode, 12031);
  });
});
