// publishMessagesToMq end to end (docs/json-api.md): a session publishes through the JSON API to
// real MQTT subscribers on both of two gateways, with its properties and the session's own user
// properties; QoS 0 and 1; a banned session is refused with 12040. Real processes and clients.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { until } from '@mqfleet/testkit';
import { endClient, messageMatching, startSystem, type System } from './system';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('publishMessagesToMq across two gateways (separate processes)', () => {
  let system: System;
  let token: string;
  const api = (action: string, params: Record<string, unknown>) =>
    system.api(action, params, { authToken: token });

  before(async () => {
    system = await startSystem({ gateways: 2 });
    token = await system.login();
  });
  after(async () => {
    await system?.close();
  });

  it('delivers to MQTT subscribers on every gateway with the message and session properties', async () => {
    const created = await api('createMqApiSession', {
      clientName: 'api-pub',
      userProperties: [{ key: 'source', value: 'api' }],
    });
    assert.equal(created.body.errorCode, 0, created.body.errorMessage);
    const subscribers = [
      await system.mqtt('pub-sub-0', { protocolVersion: 5 }, 0),
      await system.mqtt('pub-sub-1', { protocolVersion: 5 }, 1),
    ];
    for (const s of subscribers) await s.subscribeAsync('pub/#', { qos: 1 });

    const arrivals = subscribers.map((s) => [
      messageMatching(s, (m) => m.payload.toString() === '{"t":1}'),
      messageMatching(s, (m) => m.payload.toString() === 'hello'),
    ]);
    const res = await api('publishMessagesToMq', {
      clientName: 'api-pub',
      topic: 'pub/a',
      messages: [
        {
          payload: { t: 1 },
          qos: 1,
          contentType: 'application/json',
          correlationData: 'corr-1',
          responseTopic: 'pub/reply',
          expirySeconds: 60,
          userProperties: [{ key: 'k', value: 'v' }],
        },
        { payload: 'hello' },
      ],
    });
    assert.equal(res.body.errorCode, 0, res.body.errorMessage);
    assert.deepEqual(res.body.result.messages, [{ reasonCode: 0 }, { reasonCode: 0 }]);
    assert.equal(res.body.result.published, 2);

    for (const [json, text] of arrivals) {
      const first = await json!;
      assert.equal(first.topic, 'pub/a');
      assert.equal(first.packet.qos, 1);
      const p = first.packet.properties as Json;
      assert.equal(p.contentType, 'application/json');
      assert.equal(Buffer.from(p.correlationData).toString(), 'corr-1');
      assert.equal(p.responseTopic, 'pub/reply');
      assert.equal(p.payloadFormatIndicator, true);
      assert.ok(p.messageExpiryInterval > 0 && p.messageExpiryInterval <= 60);
      // The message's own user properties, then the session's.
      assert.deepEqual({ ...p.userProperties }, { k: 'v', source: 'api' });
      const second = await text!;
      assert.equal(second.packet.qos, 0);
    }
    // alterMqSession changes the session's user properties on its next message.
    const altered = await api('alterMqSession', {
      clientName: 'api-pub',
      userProperties: [{ key: 'source', value: 'altered' }],
    });
    assert.equal(altered.body.errorCode, 0, altered.body.errorMessage);
    const next = messageMatching(subscribers[0]!, (m) => m.payload.toString() === 'after');
    const again = await api('publishMessagesToMq', {
      clientName: 'api-pub',
      topic: 'pub/b',
      messages: [{ payload: 'after' }],
    });
    assert.equal(again.body.errorCode, 0, again.body.errorMessage);
    assert.deepEqual({ ...((await next).packet.properties as Json).userProperties }, { source: 'altered' });
    for (const s of subscribers) await endClient(s);
  });

  it('an MQ API session that published is connectedTemporarily for 1.5 × its keep alive', async () => {
    const status = async (clientName: string): Promise<Json> =>
      (await api('describeMqSessions', { clientNames: [clientName] })).body.result.data[0];
    const listed = async (filter: string): Promise<string[]> =>
      (await api('listMqSessions', { connectionStatusFilter: [filter] })).body.result.data.map(
        (s: Json) => s.clientName,
      );
    for (const [clientName, keepAliveSeconds] of [
      ['api-brief', 1],
      ['api-always', 0],
    ] as const) {
      const created = await api('createMqApiSession', { clientName, keepAliveSeconds });
      assert.equal(created.body.errorCode, 0, created.body.errorMessage);
      assert.equal((await status(clientName)).connectionStatus, 'disconnected');
      const sent = await api('publishMessagesToMq', {
        clientName,
        topic: 'active/x',
        messages: [{ payload: 'x' }],
      });
      assert.equal(sent.body.errorCode, 0, sent.body.errorMessage);
    }
    const brief = await status('api-brief');
    assert.equal(brief.connectionStatus, 'connectedTemporarily');
    assert.notEqual(brief.connectionDateTime, null, 'the last activity');
    assert.ok((await listed('connectedTemporarily')).includes('api-brief'));
    assert.ok(!(await listed('disconnected')).includes('api-brief'));
    // 1.5 s after its last action it is disconnected again; keep alive 0 has no timeout.
    await until(async () => (await status('api-brief')).connectionStatus === 'disconnected', 10_000, 200);
    assert.ok((await listed('disconnected')).includes('api-brief'));
    assert.equal((await status('api-always')).connectionStatus, 'connectedTemporarily');
  });

  it('publishes as an MQTT session too, and refuses a banned session with 12040', async () => {
    const device = await system.mqtt('pub-device', { protocolVersion: 5 });
    const listener = await system.mqtt('pub-listener', { protocolVersion: 5 }, 1);
    await listener.subscribeAsync('dev/#', { qos: 0 });
    const arrival = messageMatching(listener, (m) => m.topic === 'dev/cmd');
    const sent = await api('publishMessagesToMq', {
      clientName: 'pub-device',
      topic: 'dev/cmd',
      messages: [{ payload: '00ff', binaryFormat: 'hex' }],
    });
    assert.equal(sent.body.errorCode, 0, sent.body.errorMessage);
    assert.deepEqual([...(await arrival).payload], [0x00, 0xff]);

    const banned = await api('alterMqSession', { clientName: 'pub-device', sessionStatus: 'banned' });
    assert.equal(banned.body.errorCode, 0, banned.body.errorMessage);
    const refused = await api('publishMessagesToMq', {
      clientName: 'pub-device',
      topic: 'dev/cmd',
      messages: [{ payload: 'x' }],
    });
    assert.equal(refused.body.errorCode, 12040, refused.body.errorMessage);
    const unknown = await api('publishMessagesToMq', {
      clientName: 'nobody',
      topic: 'dev/cmd',
      messages: [{ payload: 'x' }],
    });
    assert.equal(unknown.body.errorCode, 100);
    const wildcard = await api('publishMessagesToMq', {
      clientName: 'api-pub',
      topic: 'dev/#',
      messages: [{ payload: 'x' }],
    });
    assert.equal(wildcard.body.errorCode, 0, wildcard.body.errorMessage);
    assert.deepEqual(
      wildcard.body.result.messages,
      [{ reasonCode: 0x90 }],
      'a topic name with a wildcard: 0x90',
    );
    await endClient(listener);
    await endClient(device);
  });
});
