// getMessagesFromMqTopic end to end (docs/json-api.md): topics matching MQFLEET_STORED_TOPICS keep
// their history in JetStream; a read from the tail, the head, a time or a position returns it
// without moving or removing anything. Real processes, MQTT.js publishers on two gateways.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { endClient, startSystem, type System } from './system';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('getMessagesFromMqTopic (stored topics, two gateways)', () => {
  let system: System;
  let token: string;
  const read = async (params: Record<string, unknown>): Promise<Json> => {
    const res = await system.api('getMessagesFromMqTopic', params, { authToken: token });
    assert.equal(res.body.errorCode, 0, res.body.errorMessage);
    return res.body.result as Json;
  };
  const payloads = (result: Json): string[] => result.data.map((m: Json) => m.payload);
  let secondBatchFrom: string;

  before(async () => {
    system = await startSystem({ gateways: 2, env: { MQFLEET_STORED_TOPICS: 'history/#' } });
    token = await system.login();
    const publishers = [await system.mqtt('history-pub-0', {}, 0), await system.mqtt('history-pub-1', {}, 1)];
    for (let i = 0; i < 5; i++) {
      await publishers[i % 2]!.publishAsync('history/a', `a${i}`, { qos: 1 });
      await publishers[i % 2]!.publishAsync('history/b', `b${i}`, { qos: 1 });
      await publishers[0]!.publishAsync('other/x', `x${i}`, { qos: 1 });
    }
    // Time has a millisecond resolution in the stream: the second batch starts a moment later.
    await new Promise((resolve) => setTimeout(resolve, 20));
    secondBatchFrom = new Date().toISOString();
    for (let i = 5; i < 10; i++) {
      await publishers[i % 2]!.publishAsync('history/a', `a${i}`, {
        qos: 1,
        properties: { userProperties: { n: String(i) } },
      });
    }
    for (const p of publishers) await endClient(p);
  });
  after(async () => {
    await system?.close();
  });

  it('reads the newest by default, the oldest from head, and leaves them all in place', async () => {
    const tail = await read({ topic: 'history/a', maxMessages: 3 });
    assert.deepEqual(payloads(tail), ['a7', 'a8', 'a9']);
    assert.equal(tail.keptMessages, 10);
    assert.equal(tail.stored, true);
    assert.deepEqual(tail.data[2].userProperties, [{ key: 'n', value: '9' }]);
    assert.deepEqual(payloads(await read({ topic: 'history/a', startFrom: ['tail'], maxMessages: 3 })), [
      'a7',
      'a8',
      'a9',
    ]);
    assert.deepEqual(payloads(await read({ topic: 'history/a', startFrom: 'head', maxMessages: 2 })), [
      'a0',
      'a1',
    ]);
    assert.deepEqual(payloads(await read({ topic: 'history/b', startFrom: 'head' })), [
      'b0',
      'b1',
      'b2',
      'b3',
      'b4',
    ]);
    // More asked than kept: everything, oldest first.
    assert.equal((await read({ topic: 'history/a', maxMessages: 100 })).messageCount, 10);
  });

  it('starts at a position (a message sequence) or at a time', async () => {
    const head = await read({ topic: 'history/a', startFrom: 'head', maxMessages: 4 });
    const fourth = head.data[3].sequence as number;
    assert.deepEqual(payloads(await read({ topic: 'history/a', startFrom: fourth + 1, maxMessages: 2 })), [
      'a4',
      'a5',
    ]);
    assert.deepEqual(
      payloads(await read({ topic: 'history/a', startFrom: String(fourth), maxMessages: 1 })),
      ['a3'],
    );
    assert.deepEqual(
      payloads(await read({ topic: 'history/a', startFrom: secondBatchFrom, maxMessages: 2 })),
      ['a5', 'a6'],
    );
  });

  it('says when a topic is not stored, and refuses bad input and non-administrators', async () => {
    const other = await read({ topic: 'other/x' });
    assert.equal(other.stored, false);
    assert.equal(other.messageCount, 0);
    for (const startFrom of ['yesterday', '2026-13-45', -1]) {
      const res = await system.api(
        'getMessagesFromMqTopic',
        { topic: 'history/a', startFrom },
        { authToken: token },
      );
      assert.equal(res.body.errorCode, 12012, `${String(startFrom)}: ${res.body.errorMessage}`);
    }
    const wildcard = await system.api('getMessagesFromMqTopic', { topic: 'history/#' }, { authToken: token });
    assert.equal(wildcard.body.errorCode, 12012, wildcard.body.errorMessage);
    const account = await system.api(
      'createAccount',
      { username: 'reader', password: 'reader-pass' },
      { api: 'admin', authToken: token },
    );
    assert.equal(account.body.errorCode, 0, account.body.errorMessage);
    const login = await system.api(
      'createSession',
      { username: 'reader', password: 'reader-pass' },
      { api: 'admin' },
    );
    const refused = await system.api(
      'getMessagesFromMqTopic',
      { topic: 'history/a' },
      { authToken: login.body.authToken },
    );
    assert.equal(refused.body.errorCode, 12030, refused.body.errorMessage);
  });
});
