// Subscriptions are session state owned by the session-service: they survive a reconnect with
// Clean Start 0 on another gateway, an administrator's subscribeToMq reaches a live client at
// once, and Clean Start 1 drops them. Real processes, real MQTT.js clients, HTTP POST /api.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import mqtt, { type IClientOptions, type IConnackPacket, type MqttClient, type Packet } from 'mqtt';
import { endClient, messageMatching, recordMessages, startSystem, type System } from './system';

describe('subscriptions owned by the session', () => {
  let system: System;
  let token: string;
  const own = new Set<MqttClient>();

  before(async () => {
    system = await startSystem({ gateways: 2 });
    token = await system.login();
  });
  after(async () => {
    for (const c of own) c.end(true);
    await system.close();
  });

  /** Connects on gateway `gateway` and returns the client with its CONNACK. */
  async function connectWithConnack(
    clientId: string,
    options: IClientOptions,
    gateway: number,
  ): Promise<{ client: MqttClient; connack: IConnackPacket; sent: Packet[] }> {
    const client = mqtt.connect(`mqtt://127.0.0.1:${system.gateways[gateway]!.port}`, {
      clientId,
      protocolVersion: 5,
      reconnectPeriod: 0,
      connectTimeout: 5000,
      ...options,
    });
    own.add(client);
    const sent: Packet[] = [];
    client.on('packetsend', (p: Packet) => sent.push(p));
    const connack = await new Promise<IConnackPacket>((resolve, reject) => {
      client.once('connect', resolve);
      client.once('error', reject);
    });
    return { client, connack, sent };
  }

  const subscribeToMq = (clientName: string, subscriptionActions: unknown[]) =>
    system.api('subscribeToMq', { clientName, subscriptionActions }, { authToken: token });

  const describeSession = async (clientName: string, includeSubscribedTopics?: boolean) => {
    const res = await system.api(
      'describeMqSessions',
      {
        clientNames: [clientName],
        ...(includeSubscribedTopics === undefined ? {} : { includeSubscribedTopics }),
      },
      { authToken: token },
    );
    assert.equal(res.body.errorCode, 0, JSON.stringify(res.body));
    return res.body.result.data[0] as Record<string, unknown>;
  };

  test('(a) a resumed session on another gateway keeps its subscriptions: the first message after CONNACK arrives', async () => {
    const publisher = await system.mqtt('pub-a', {}, 0);
    const first = await system.mqtt(
      'resume-a',
      { clean: true, properties: { sessionExpiryInterval: 300 } },
      0,
    );
    const granted = await first.subscribeAsync('fleet/a/+/temp', { qos: 1 });
    assert.equal(granted[0]?.qos, 1);
    await endClient(first);

    const { client, connack, sent } = await connectWithConnack(
      'resume-a',
      { clean: false, properties: { sessionExpiryInterval: 300 } },
      1,
    );
    assert.equal(connack.sessionPresent, true);
    const arrived = messageMatching(client, (m) => m.topic === 'fleet/a/7/temp');
    // Published on the other gateway right after the CONNACK, without any SUBSCRIBE.
    await publisher.publishAsync('fleet/a/7/temp', '21.5', { qos: 1 });
    const m = await arrived;
    assert.equal(m.payload.toString(), '21.5');
    assert.equal(m.packet.qos, 1);
    assert.equal(sent.filter((p) => p.cmd === 'subscribe').length, 0, 'the client did not subscribe again');
    const described = await describeSession('resume-a', true);
    assert.deepEqual(described.subscriptions, [
      {
        topicFilter: 'fleet/a/+/temp',
        qos: 1,
        receiveMyMessages: true,
        retainAsPublished: false,
        receiveRetainedMessages: 'onSubscription',
        subscriptionIdentifier: null,
      },
    ]);
    await endClient(client);
    await endClient(publisher);
  });

  test('(b) subscribeToMq add reaches a live client at once; remove stops the deliveries', async () => {
    const publisher = await system.mqtt('pub-b', {}, 1);
    const device = await system.mqtt('device-b', { properties: { sessionExpiryInterval: 300 } }, 0);
    await device.subscribeAsync('marker/b', { qos: 1 });
    const received = recordMessages(device);

    const added = await subscribeToMq('device-b', [
      {
        subscriptionAction: 'add',
        topicFilter: 'cmd/b/#',
        qos: 1,
        subscriptionIdentifier: 42,
        receiveRetainedMessages: 'never',
      },
    ]);
    assert.equal(added.body.errorCode, 0, JSON.stringify(added.body));
    assert.equal(added.body.result.liveApplied, true);
    assert.deepEqual(
      (added.body.result.subscriptions as { topicFilter: string }[]).map((s) => s.topicFilter),
      ['cmd/b/#', 'marker/b'],
      "the administrator's subscription joins the client's own",
    );

    const arrived = messageMatching(device, (m) => m.topic === 'cmd/b/reboot');
    await publisher.publishAsync('cmd/b/reboot', 'now', { qos: 1 });
    const m = await arrived;
    assert.equal(m.payload.toString(), 'now');
    assert.equal(m.packet.properties?.subscriptionIdentifier, 42);

    const listed = await describeSession('device-b', true);
    const sub = (listed.subscriptions as Record<string, unknown>[]).find((s) => s.topicFilter === 'cmd/b/#');
    assert.deepEqual(sub, {
      topicFilter: 'cmd/b/#',
      qos: 1,
      receiveMyMessages: true,
      retainAsPublished: false,
      receiveRetainedMessages: 'never',
      subscriptionIdentifier: 42,
    });
    assert.equal('subscriptions' in (await describeSession('device-b')), false, 'only when asked for');

    const removed = await subscribeToMq('device-b', [
      { subscriptionAction: 'remove', topicFilter: 'cmd/b/#' },
    ]);
    assert.equal(removed.body.errorCode, 0, JSON.stringify(removed.body));
    assert.equal(removed.body.result.liveApplied, true);
    const marker = messageMatching(device, (x) => x.topic === 'marker/b');
    await publisher.publishAsync('cmd/b/reboot', 'again', { qos: 1 });
    await publisher.publishAsync('marker/b', 'end', { qos: 1 });
    await marker;
    assert.deepEqual(
      received.map((x) => `${x.topic}=${x.payload.toString()}`),
      ['cmd/b/reboot=now', 'marker/b=end'],
      "nothing more on the removed filter; the client's own subscription stayed",
    );
    await endClient(device);
    await endClient(publisher);
  });

  test('(c) Clean Start 1 drops the stored subscriptions', async () => {
    const publisher = await system.mqtt('pub-c', {}, 0);
    const first = await system.mqtt(
      'clean-c',
      { clean: true, properties: { sessionExpiryInterval: 300 } },
      0,
    );
    await first.subscribeAsync('fleet/c/#', { qos: 1 });
    await endClient(first);

    const { client, connack } = await connectWithConnack(
      'clean-c',
      { clean: true, properties: { sessionExpiryInterval: 300 } },
      1,
    );
    assert.equal(connack.sessionPresent, false);
    assert.deepEqual((await describeSession('clean-c', true)).subscriptions, []);
    await client.subscribeAsync('marker/c', { qos: 1 });
    const received = recordMessages(client);
    const marker = messageMatching(client, (x) => x.topic === 'marker/c');
    await publisher.publishAsync('fleet/c/1', 'old', { qos: 1 });
    await publisher.publishAsync('marker/c', 'end', { qos: 1 });
    await marker;
    assert.deepEqual(
      received.map((x) => x.topic),
      ['marker/c'],
    );
    await endClient(client);
    await endClient(publisher);
  });

  test('subscribeToMq on a disconnected session is stored and restored at the next resume (MQTT 3.1.1)', async () => {
    const first = await system.mqtt('v4-d', { protocolVersion: 4, clean: false }, 0);
    await endClient(first);
    const added = await subscribeToMq('v4-d', [
      { subscriptionAction: 'add', topicFilter: 'ops/d', qos: 1, receiveMyMessages: false },
    ]);
    assert.equal(added.body.errorCode, 0, JSON.stringify(added.body));
    assert.equal(added.body.result.liveApplied, false);
    assert.equal(added.body.result.subscriptions[0].receiveMyMessages, false);
    const publisher = await system.mqtt('pub-d', {}, 0);
    const { client, connack } = await connectWithConnack('v4-d', { protocolVersion: 4, clean: false }, 1);
    assert.equal(connack.sessionPresent, true);
    const arrived = messageMatching(client, (m) => m.topic === 'ops/d');
    await publisher.publishAsync('ops/d', 'x', { qos: 1 });
    assert.equal((await arrived).payload.toString(), 'x');
    await endClient(client);
    await endClient(publisher);
  });

  test('subscribeToMq errors and warnings', async () => {
    await endClient(await system.mqtt('err-e', { properties: { sessionExpiryInterval: 300 } }, 0));
    const cases: [Record<string, unknown>, number][] = [
      [{ subscriptionActions: [] }, 12025],
      [{ clientName: 'err-e' }, 12025],
      [{ clientName: 'err-e', subscriptionActions: [{ topicFilter: 'a' }] }, 12025],
      [{ clientName: 'err-e', subscriptionActions: [{ subscriptionAction: 'add' }] }, 12025],
      [
        { clientName: 'err-e', subscriptionActions: [{ subscriptionAction: 'move', topicFilter: 'a' }] },
        12012,
      ],
      [
        { clientName: 'err-e', subscriptionActions: [{ subscriptionAction: 'add', topicFilter: 'a/#/b' }] },
        12012,
      ],
      [
        {
          clientName: 'err-e',
          subscriptionActions: [{ subscriptionAction: 'add', topicFilter: 'a', qos: 3 }],
        },
        12012,
      ],
      [
        {
          clientName: 'err-e',
          subscriptionActions: [{ subscriptionAction: 'add', topicFilter: 'a', subscriptionIdentifier: 0 }],
        },
        12012,
      ],
      [
        {
          clientName: 'err-e',
          subscriptionActions: [
            { subscriptionAction: 'add', topicFilter: 'a', receiveRetainedMessages: 'always' },
          ],
        },
        12012,
      ],
      [
        {
          clientName: 'err-e',
          subscriptionActions: [{ subscriptionAction: 'add', topicFilter: 'x'.repeat(65536) }],
        },
        12034,
      ],
      [
        { clientName: 'nobody-e', subscriptionActions: [{ subscriptionAction: 'add', topicFilter: 'a' }] },
        100,
      ],
    ];
    for (const [params, code] of cases) {
      const res = await system.api('subscribeToMq', params, { authToken: token });
      assert.equal(res.body.errorCode, code, JSON.stringify(params).slice(0, 200));
    }
    const raw = await system.postRaw(
      JSON.stringify({
        api: 'mq',
        action: 'subscribeToMq',
        authToken: token,
        debug: 'max',
        params: {
          clientName: 'err-e',
          subscriptionActions: [
            {
              subscriptionAction: 'add',
              topicFilter: 'w/#',
              includeExpiredMessages: true,
              userProperties: [],
            },
            { subscriptionAction: 'add', topicFilter: 'w/2' },
            { subscriptionAction: 'remove', topicFilter: 'w/2' },
          ],
        },
      }),
    );
    assert.equal(raw.body.errorCode, 0, JSON.stringify(raw.body));
    assert.deepEqual(
      (raw.body.debugInfo.warnings as { warningCode: number }[]).map((w) => w.warningCode),
      [12006, 12006],
    );
    assert.deepEqual(
      (raw.body.result.subscriptions as Record<string, unknown>[]).map((s) => [s.topicFilter, s.qos]),
      [['w/#', 2]],
      'default QoS 2; the later remove of w/2 wins',
    );
  });
});
