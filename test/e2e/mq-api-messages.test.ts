// Messages of MQ API sessions end to end (docs/json-api.md, "Messages of MQ API sessions"): an
// MQ API session subscribes with subscribeToMq, MQTT clients on two gateways publish, and
// getMessagesFromMqApiSession returns what was kept, in order, once, with the delivery's
// properties; the position survives an api-gateway restart and a gateway restart; retained
// messages of a new subscription, No Local, expiry, binaryFormat, the topic filter, a read that
// the expiry sweep overtakes (100), a ban and gRPC Receive. Real processes, real MQTT.js clients,
// real JetStream.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MqfleetClient } from '@mqfleet/client';
import pg from 'pg';
import WebSocket from 'ws';
import { clientToken, subjects as natsSubjects } from '@mqfleet/core';
import { natsConnection, until } from '@mqfleet/testkit';
import { endClient, messageMatching, startSystem, type ApiResponse, type System } from './system';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('messages kept for MQ API sessions (two gateways, separate processes)', () => {
  let system: System;
  let token: string;
  const api = (action: string, params: Record<string, unknown>) =>
    system.api(action, params, { authToken: token });
  const ok = async (action: string, params: Record<string, unknown>): Promise<Json> => {
    const res = await api(action, params);
    assert.equal(res.body.errorCode, 0, `${action}: ${res.body.errorMessage}`);
    return res.body.result as Json;
  };
  const read = (clientName: string, params: Record<string, unknown> = {}): Promise<Json> =>
    ok('getMessagesFromMqApiSession', { clientName, ...params });
  /** Reads until `count` messages came (a QoS 0 store is not awaited by its publisher). */
  const readAll = async (clientName: string, count: number, params: Record<string, unknown> = {}) => {
    const got: Json[] = [];
    await until(
      async () => {
        got.push(...(await read(clientName, params)).data);
        return got.length >= count;
      },
      10_000,
      50,
    );
    return got;
  };

  before(async () => {
    system = await startSystem({ gateways: 2 });
    token = await system.login();
  });
  after(async () => {
    await system?.close();
  });

  it('keeps the messages of its subscriptions and returns each once, in order, with their properties', async () => {
    await ok('createMqApiSession', { clientName: 'reader-1' });
    const sub = await ok('subscribeToMq', {
      clientName: 'reader-1',
      subscriptionActions: [
        { subscriptionAction: 'add', topicFilter: 'feed/#', qos: 1, subscriptionIdentifier: 7 },
      ],
    });
    assert.equal(sub.subscriptions?.length ?? 1, 1);
    const publishers = [await system.mqtt('feed-pub-0', {}, 0), await system.mqtt('feed-pub-1', {}, 1)];
    // Published after subscribeToMq returned, on either gateway: kept (QoS 1 waits for the store).
    await publishers[0]!.publishAsync('feed/a', 'one', {
      qos: 1,
      properties: {
        userProperties: { k: 'v' },
        contentType: 'text/plain',
        responseTopic: 'feed/reply',
        correlationData: Buffer.from('c-1'),
        payloadFormatIndicator: true,
        messageExpiryInterval: 600,
      },
    });
    await publishers[1]!.publishAsync('feed/b', 'two', { qos: 1 });
    await publishers[0]!.publishAsync('feed/c', 'three', { qos: 0 });
    await publishers[0]!.publishAsync('other/x', 'not subscribed', { qos: 1 });

    const first = await read('reader-1', { maxMessages: 2 });
    assert.equal(first.messageCount, 2);
    assert.deepEqual(
      first.data.map((m: Json) => [m.topic, m.payload, m.qos]),
      [
        ['feed/a', 'one', 1],
        ['feed/b', 'two', 1],
      ],
    );
    const m = first.data[0];
    assert.deepEqual(m.userProperties, [{ key: 'k', value: 'v' }]);
    assert.equal(m.contentType, 'text/plain');
    assert.equal(m.responseTopic, 'feed/reply');
    assert.equal(m.correlationData, 'c-1');
    assert.equal(m.mqttPayloadType, 'utf8');
    assert.deepEqual(m.subscriptionIdentifiers, [7]);
    assert.ok(m.expirySeconds > 0 && m.expirySeconds <= 600, String(m.expirySeconds));
    assert.equal(m.retain, false);
    assert.ok(first.data[1].sequence > m.sequence);

    // The next read resumes after them; then nothing is left.
    const rest = await readAll('reader-1', 1);
    assert.deepEqual(
      rest.map((x) => [x.topic, x.payload, x.qos]),
      [['feed/c', 'three', 0]],
    );
    const empty = await read('reader-1');
    assert.equal(empty.messageCount, 0);
    assert.equal(empty.remainingMessages, 0);
    for (const p of publishers) await endClient(p);
  });

  it('reads while messages keep coming lose none and repeat none (3,000 from two gateways)', async () => {
    await ok('createMqApiSession', { clientName: 'reader-busy' });
    await ok('subscribeToMq', {
      clientName: 'reader-busy',
      subscriptionActions: [{ subscriptionAction: 'add', topicFilter: 'busy/#', qos: 1 }],
    });
    const publishers = [await system.mqtt('busy-pub-0', {}, 0), await system.mqtt('busy-pub-1', {}, 1)];
    const total = 3000;
    let acknowledged = 0;
    const publishing = (async () => {
      for (let i = 0; i < total; i += 10) {
        await Promise.all(
          Array.from({ length: 10 }, (_, k) =>
            publishers[(i + k) % 2]!.publishAsync(`busy/${(i + k) % 7}`, String(i + k), { qos: 1 }).then(
              () => {
                acknowledged++;
              },
            ),
          ),
        );
      }
    })();
    const seen = new Map<string, number>();
    let done = false;
    void publishing.then(() => (done = true));
    // Small reads while the publishers run, then until nothing is left.
    for (let empty = 0; empty < 3;) {
      const got = await read('reader-busy', { maxMessages: 50 });
      for (const m of got.data as Json[]) seen.set(m.payload, (seen.get(m.payload) ?? 0) + 1);
      if (done && got.messageCount === 0 && got.remainingMessages === 0) empty++;
      // (A reader that found nothing asks again a moment later, as a polling client does.)
      if (got.messageCount === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await publishing;
    assert.equal(acknowledged, total);
    const repeated = [...seen].filter(([, n]) => n > 1).map(([p]) => p);
    assert.deepEqual(repeated, [], 'returned twice');
    const missing = Array.from({ length: total }, (_, i) => String(i)).filter((p) => !seen.has(p));
    assert.deepEqual(missing.slice(0, 20), [], `${missing.length} acknowledged messages never read`);
    for (const p of publishers) await endClient(p);
  });

  it('keeps them while nobody reads, across an api-gateway restart and a gateway restart', async () => {
    await ok('createMqApiSession', { clientName: 'reader-2' });
    await ok('subscribeToMq', {
      clientName: 'reader-2',
      subscriptionActions: [{ subscriptionAction: 'add', topicFilter: 'durable/+', qos: 1 }],
    });
    const publisher = await system.mqtt('durable-pub', {}, 1);
    for (let i = 0; i < 10; i++) await publisher.publishAsync(`durable/${i % 2}`, `m${i}`, { qos: 1 });
    await endClient(publisher);
    const before = await read('reader-2', { maxMessages: 3 });
    assert.deepEqual(
      before.data.map((m: Json) => m.payload),
      ['m0', 'm1', 'm2'],
    );
    assert.equal(before.remainingMessages, 7);

    // (Tokens live in the session-service's database: the same token works after the restart.)
    await system.restartApiGateway();
    const afterApi = await read('reader-2', { maxMessages: 3 });
    assert.deepEqual(
      afterApi.data.map((m: Json) => m.payload),
      ['m3', 'm4', 'm5'],
    );

    // Both gateways restarted (SIGTERM, then started again): the messages and the subscriptions
    // are where they were; a message published after the restart is kept too.
    for (const index of [0, 1]) {
      assert.equal(await system.gateways[index]!.process.stop('SIGTERM'), 0);
      await system.startGateway(index);
    }
    const again = await system.mqtt('durable-pub-2', {}, 0);
    await again.publishAsync('durable/1', 'm10', { qos: 1 });
    await endClient(again);
    const rest = await read('reader-2', { maxMessages: 100 });
    assert.deepEqual(
      rest.data.map((m: Json) => m.payload),
      ['m6', 'm7', 'm8', 'm9', 'm10'],
    );
  });

  it('stores the retained messages of a new subscription, honours No Local, topic and binaryFormat', async () => {
    const retainer = await system.mqtt('retainer', {}, 1);
    await retainer.publishAsync('state/a', '{"on":true}', { qos: 1, retain: true });
    await ok('createMqApiSession', { clientName: 'reader-3' });
    await ok('subscribeToMq', {
      clientName: 'reader-3',
      subscriptionActions: [
        { subscriptionAction: 'add', topicFilter: 'state/#', qos: 1, receiveMyMessages: false },
        { subscriptionAction: 'add', topicFilter: 'raw/#', qos: 1 },
      ],
    });
    // Its own message is not kept (No Local); another session's is.
    await ok('publishMessagesToMq', {
      clientName: 'reader-3',
      topic: 'state/b',
      messages: [{ payload: 'mine', qos: 1 }],
    });
    await retainer.publishAsync('raw/bin', Buffer.from([0xff, 0x00, 0x10]), { qos: 1 });
    await retainer.publishAsync('state/c', 'theirs', { qos: 1 });

    // topic: only that topic's messages; the others stay kept.
    const raw = await read('reader-3', { topic: 'raw/bin', binaryFormat: 'hex' });
    assert.deepEqual(
      raw.data.map((m: Json) => [m.payload, m.binaryFormat, m.mqttPayloadType]),
      [['ff0010', 'hex', 'binary']],
    );
    const all = await read('reader-3', { binaryFormat: 'json' });
    assert.deepEqual(
      all.data.map((m: Json) => [m.topic, m.payload, m.retain, m.binaryFormat]),
      [
        ['state/a', { on: true }, true, 'json'],
        ['state/c', 'theirs', false, 'utf8'],
      ],
    );
    await endClient(retainer);
  });

  it('$share groups hand each message to one MQ API reader', async () => {
    for (const clientName of ['worker-a', 'worker-b']) {
      await ok('createMqApiSession', { clientName });
      await ok('subscribeToMq', {
        clientName,
        subscriptionActions: [{ subscriptionAction: 'add', topicFilter: '$share/workers/jobs/#', qos: 1 }],
      });
    }
    const publisher = await system.mqtt('jobs-pub', {}, 1);
    for (let i = 0; i < 20; i++) await publisher.publishAsync(`jobs/${i % 3}`, `job-${i}`, { qos: 1 });
    await endClient(publisher);
    const got: Record<string, string[]> = { 'worker-a': [], 'worker-b': [] };
    // Alternating reads of 5: each gets some, none gets one twice, together they get all.
    for (let round = 0; round < 4; round++) {
      for (const clientName of ['worker-a', 'worker-b']) {
        got[clientName]!.push(
          ...(await read(clientName, { maxMessages: 5 })).data.map((m: Json) => m.payload),
        );
      }
    }
    assert.ok(got['worker-a']!.length > 0 && got['worker-b']!.length > 0, JSON.stringify(got));
    const all = [...got['worker-a']!, ...got['worker-b']!];
    assert.equal(new Set(all).size, all.length, 'no message twice');
    assert.deepEqual(all.sort(), Array.from({ length: 20 }, (_, i) => `job-${i}`).sort());
    // In order within each reader.
    for (const list of Object.values(got)) {
      const numbers = list.map((p) => Number(p.slice(4)));
      assert.deepEqual(
        numbers,
        [...numbers].sort((a, b) => a - b),
      );
    }
  });

  it('an expired temporary session takes its kept messages and its consumer with it', async () => {
    // Connected first: the session goes inactive 1.5 s after it is made unless read, so its first
    // read must not wait for an MQTT connect on a busy machine.
    const publisher = await system.mqtt('temp-pub', {}, 0);
    await ok('createMqApiSession', {
      clientName: 'reader-temp',
      temporarySession: true,
      sessionExpiryInterval: 3,
      keepAliveSeconds: 1,
    });
    await ok('subscribeToMq', {
      clientName: 'reader-temp',
      subscriptionActions: [{ subscriptionAction: 'add', topicFilter: 'temp/#', qos: 1 }],
    });
    await publisher.publishAsync('temp/a', 'read', { qos: 1 });
    await publisher.publishAsync('temp/a', 'left', { qos: 1 });
    await endClient(publisher);
    // The read makes the session's consumer and leaves one message kept.
    assert.equal((await read('reader-temp', { maxMessages: 1 })).remainingMessages, 1);
    const subjects = natsSubjects(system.infra.natsPrefix);
    const nc = await natsConnection(system.infra.natsUrl);
    try {
      const jsm = await nc.jetstreamManager();
      const kept = async (): Promise<number> =>
        (
          await jsm.streams.info(subjects.mqApiStream, {
            subjects_filter: subjects.mqApiSessionAll('reader-temp'),
          })
        ).state.messages;
      const consumer = `mqa_${clientToken('reader-temp')}`;
      assert.equal(await kept(), 1);
      assert.ok(await jsm.consumers.info(subjects.mqApiStream, consumer));
      // Active for 1.5 × keep alive after the read, then expired 3 s later by the sweep.
      await until(
        async () =>
          (await api('describeMqSessions', { clientNames: ['reader-temp'] })).body.result?.data?.length === 0,
        20_000,
        200,
      );
      await until(async () => (await kept()) === 0, 10_000, 100);
      await assert.rejects(jsm.consumers.info(subjects.mqApiStream, consumer));
    } finally {
      await nc.close();
    }
  });

  /**
   * A read that the expiry sweep overtakes: the sweep (store.expireSessions, then
   * MqApiMessages.discard in services/session-service) removes the session after the read looked
   * it up and before the read pulls from the session's consumer. To put it in that window every
   * time, the test holds a lock on session_subscriptions, which the read queries right after its
   * lookup (the session's shared subscriptions), and while the read waits for it does what the
   * sweep does: deletes the session's row, then its consumer and kept messages (real Postgres,
   * real JetStream); then it lets the read go on.
   */
  const readOvertakenBySweep = async (clientName: string): Promise<ApiResponse> => {
    const subjects = natsSubjects(system.infra.natsPrefix);
    const nc = await natsConnection(system.infra.natsUrl);
    const sweep = new pg.Client({ connectionString: system.infra.databaseUrl });
    const watcher = new pg.Client({ connectionString: system.infra.databaseUrl });
    await sweep.connect();
    await watcher.connect();
    try {
      await sweep.query('BEGIN');
      await sweep.query('LOCK TABLE session_subscriptions IN ACCESS EXCLUSIVE MODE');
      const reading = api('getMessagesFromMqApiSession', { clientName });
      // The read has looked the session up and waits for its shared subscriptions.
      await until(
        async () =>
          (
            await watcher.query(
              `SELECT 1 FROM pg_stat_activity
                WHERE datname = current_database() AND wait_event_type = 'Lock'
                  AND query LIKE '%FROM session_subscriptions%$share/%'`,
            )
          ).rowCount === 1,
        10_000,
        20,
      );
      const deleted = await sweep.query('DELETE FROM sessions WHERE client_name = $1', [clientName]);
      assert.equal(deleted.rowCount, 1);
      const jsm = await nc.jetstreamManager();
      await jsm.consumers.delete(subjects.mqApiStream, `mqa_${clientToken(clientName)}`).catch(() => false);
      await jsm.streams.purge(subjects.mqApiStream, { filter: subjects.mqApiSessionAll(clientName) });
      await sweep.query('COMMIT');
      return await reading;
    } finally {
      await sweep.end();
      await watcher.end();
      await nc.close();
    }
  };
  /** Whether the session's durable consumer exists. */
  const hasConsumer = async (clientName: string): Promise<boolean> => {
    const subjects = natsSubjects(system.infra.natsPrefix);
    const nc = await natsConnection(system.infra.natsUrl);
    try {
      const jsm = await nc.jetstreamManager();
      return await jsm.consumers.info(subjects.mqApiStream, `mqa_${clientToken(clientName)}`).then(
        () => true,
        () => false,
      );
    } finally {
      await nc.close();
    }
  };

  it('a read whose session expires under it answers 100, as for a session that does not exist', async () => {
    const absent = await api('getMessagesFromMqApiSession', { clientName: 'reader-never-made' });
    assert.equal(absent.body.errorCode, 100, absent.body.errorMessage);

    // Read before: the session-service has made the consumer and knows it; the sweep removes it.
    await ok('createMqApiSession', { clientName: 'reader-swept' });
    await ok('subscribeToMq', {
      clientName: 'reader-swept',
      subscriptionActions: [{ subscriptionAction: 'add', topicFilter: 'swept/#', qos: 1 }],
    });
    assert.equal((await read('reader-swept')).messageCount, 0);
    assert.ok(await hasConsumer('reader-swept'));
    const res = await readOvertakenBySweep('reader-swept');
    assert.equal(res.body.errorCode, 100, res.body.errorMessage);
    assert.match(res.body.errorMessage, /reader-swept/);
    assert.equal(await hasConsumer('reader-swept'), false);

    // First read: the consumer the read makes for a session the sweep removed does not stay.
    await ok('createMqApiSession', { clientName: 'reader-swept-first' });
    const first = await readOvertakenBySweep('reader-swept-first');
    assert.equal(first.body.errorCode, 100, first.body.errorMessage);
    assert.equal(await hasConsumer('reader-swept-first'), false);
  });

  it('a read whose consumer went away while its session stays makes it again and answers', async () => {
    const publisher = await system.mqtt('lost-consumer-pub', {}, 0);
    await ok('createMqApiSession', { clientName: 'reader-lost-consumer' });
    await ok('subscribeToMq', {
      clientName: 'reader-lost-consumer',
      subscriptionActions: [{ subscriptionAction: 'add', topicFilter: 'lost/#', qos: 1 }],
    });
    await publisher.publishAsync('lost/a', 'one', { qos: 1 });
    await publisher.publishAsync('lost/a', 'two', { qos: 1 });
    await endClient(publisher);
    assert.deepEqual(
      (await read('reader-lost-consumer', { maxMessages: 1 })).data.map((m: Json) => m.payload),
      ['one'],
    );
    // Removed behind the session-service's back (another session-service's sweep of an earlier
    // session of that name, an operator): the next read finds it gone.
    const subjects = natsSubjects(system.infra.natsPrefix);
    const nc = await natsConnection(system.infra.natsUrl);
    try {
      const jsm = await nc.jetstreamManager();
      await jsm.consumers.delete(subjects.mqApiStream, `mqa_${clientToken('reader-lost-consumer')}`);
    } finally {
      await nc.close();
    }
    const again = await read('reader-lost-consumer');
    assert.deepEqual(
      again.data.map((m: Json) => m.payload),
      ['two'],
    );
    assert.equal(again.remainingMessages, 0);
  });

  it('a session deleted and made again under its name reads from a fresh start', async () => {
    const publisher = await system.mqtt('again-pub', {}, 0);
    for (const round of [1, 2]) {
      await ok('createMqApiSession', { clientName: 'reader-again' });
      await ok('subscribeToMq', {
        clientName: 'reader-again',
        subscriptionActions: [{ subscriptionAction: 'add', topicFilter: 'again/#', qos: 1 }],
      });
      await publisher.publishAsync('again/x', `round ${round}`, { qos: 1 });
      await publisher.publishAsync('again/x', `left ${round}`, { qos: 1 });
      const got = await read('reader-again', { maxMessages: 1 });
      assert.deepEqual(
        got.data.map((m: Json) => m.payload),
        [`round ${round}`],
      );
      await ok('deleteMqSession', { clientName: 'reader-again', permanentlyDeleteSession: true });
    }
    await endClient(publisher);
  });

  it('drops expired messages', async () => {
    await ok('createMqApiSession', { clientName: 'reader-4' });
    await ok('subscribeToMq', {
      clientName: 'reader-4',
      subscriptionActions: [{ subscriptionAction: 'add', topicFilter: 'expiring/#', qos: 1 }],
    });
    const publisher = await system.mqtt('expiring-pub', {}, 0);
    await publisher.publishAsync('expiring/short', 'gone', {
      qos: 1,
      properties: { messageExpiryInterval: 1 },
    });
    await publisher.publishAsync('expiring/long', 'kept', {
      qos: 1,
      properties: { messageExpiryInterval: 600 },
    });
    const sentAt = Date.now();
    await endClient(publisher);
    // Message expiry is a matter of time: read once the short one's second is over.
    await until(async () => Date.now() - sentAt > 2100, 5000, 100);
    const got = await read('reader-4');
    assert.deepEqual(
      got.data.map((m: Json) => m.payload),
      ['kept'],
    );
  });

  it('refuses a banned session (12040), an MQTT session (12012) and a stranger (12030)', async () => {
    await ok('createMqApiSession', { clientName: 'reader-5' });
    await ok('alterMqSession', { clientName: 'reader-5', sessionStatus: 'banned' });
    const banned = await api('getMessagesFromMqApiSession', { clientName: 'reader-5' });
    assert.equal(banned.body.errorCode, 12040, banned.body.errorMessage);

    const device = await system.mqtt(
      'plain-device',
      { clean: false, properties: { sessionExpiryInterval: 60 } },
      0,
    );
    const mqttSession = await api('getMessagesFromMqApiSession', { clientName: 'plain-device' });
    assert.equal(mqttSession.body.errorCode, 12012, mqttSession.body.errorMessage);
    assert.match(mqttSession.body.errorMessage, /MQTT session/);
    await endClient(device);

    const account = await system.api(
      'createAccount',
      { username: 'stranger', password: 'stranger-pass' },
      { api: 'admin', authToken: token },
    );
    assert.equal(account.body.errorCode, 0, account.body.errorMessage);
    const login = await system.api(
      'createSession',
      { username: 'stranger', password: 'stranger-pass' },
      {
        api: 'admin',
      },
    );
    const other = await system.api(
      'getMessagesFromMqApiSession',
      { clientName: 'reader-1' },
      {
        authToken: login.body.authToken,
      },
    );
    assert.equal(other.body.errorCode, 12030, other.body.errorMessage);

    const tooMany = await api('getMessagesFromMqApiSession', { clientName: 'reader-1', maxMessages: 10_001 });
    assert.notEqual(tooMany.body.errorCode, 0);
  });

  it('gRPC Receive streams what is kept, then each new message', async () => {
    await ok('createMqApiSession', { clientName: 'reader-6' });
    await ok('subscribeToMq', {
      clientName: 'reader-6',
      subscriptionActions: [{ subscriptionAction: 'add', topicFilter: 'stream/#', qos: 1 }],
    });
    const publisher = await system.mqtt('stream-pub', {}, 1);
    await publisher.publishAsync('stream/kept', 'before', { qos: 1 });
    const client = await MqfleetClient.login(system.env.MQFLEET_SESSION_SERVICE!, 'ADMIN', 'ADMIN');
    const stream = client.receive('reader-6');
    const received: string[] = [];
    const arrived = new Promise<void>((resolve, reject) => {
      stream.on('data', (m: { payload: string }) => {
        received.push(Buffer.from(m.payload, 'base64').toString());
        if (received.length === 3) resolve();
      });
      stream.on('error', (err: Error) => {
        if (!/cancel/i.test(err.message)) reject(err);
      });
    });
    await until(async () => received.length === 1, 10_000, 20);
    await publisher.publishAsync('stream/live', 'after-1', { qos: 1 });
    await publisher.publishAsync('stream/live', 'after-2', { qos: 0 });
    await arrived;
    assert.deepEqual(received, ['before', 'after-1', 'after-2']);
    stream.cancel();
    // What the stream delivered was taken: nothing is left to read.
    assert.equal((await read('reader-6')).messageCount, 0);
    client.close();
    await endClient(publisher);
  });

  it('the WebSocket endpoint answers each request and pushes the messages of the session', async () => {
    const socket = new WebSocket(`ws://127.0.0.1:${system.httpPort}/ws`);
    const frames: Json[] = [];
    const waiters: { test: (f: Json) => boolean; resolve: (f: Json) => void }[] = [];
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Json;
      frames.push(frame);
      for (const w of [...waiters]) {
        if (w.test(frame)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(frame);
        }
      }
    });
    const frame = (test: (f: Json) => boolean): Promise<Json> => {
      const seen = frames.find(test);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ test, resolve }));
    };
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const ws = (requestId: string, action: string, params: Record<string, unknown>): Promise<Json> => {
      const apiName = action === 'pingSession' ? 'admin' : 'mq';
      socket.send(JSON.stringify({ api: apiName, action, params, requestId, authToken: token }));
      return frame((f) => f.requestId === requestId && f.push === undefined);
    };

    const created = await ws('r1', 'createMqApiSession', { clientName: 'ws-reader' });
    assert.equal(created.errorCode, 0, created.errorMessage);
    assert.equal(created.result.sessionType, 'mqApi');
    const subscribed = await ws('r2', 'subscribeToMq', {
      clientName: 'ws-reader',
      subscriptionActions: [{ subscriptionAction: 'add', topicFilter: 'ws/#', qos: 1 }],
    });
    assert.equal(subscribed.errorCode, 0, subscribed.errorMessage);
    const device = await system.mqtt('ws-device', {}, 1);
    await device.publishAsync('ws/kept', 'before push', { qos: 1 });
    const started = await ws('r3', 'getMessagesFromMqApiSession', { clientName: 'ws-reader', push: true });
    assert.equal(started.errorCode, 0, started.errorMessage);
    assert.deepEqual(
      started.result.data.map((m: Json) => m.payload),
      ['before push'],
    );
    // Published after the push started: it arrives without a request.
    const pushed = frame((f) => f.push === 'getMessagesFromMqApiSession' && f.result?.data?.length > 0);
    await device.publishAsync('ws/live', 'pushed', { qos: 1 });
    const p = await pushed;
    assert.equal(p.requestId, 'r3');
    assert.equal(p.clientName, 'ws-reader');
    assert.deepEqual(
      p.result.data.map((m: Json) => [m.topic, m.payload]),
      [['ws/live', 'pushed']],
    );

    // The other way: the WebSocket session publishes to the MQTT device.
    await device.subscribeAsync('to-device', { qos: 1 });
    const arrival = messageMatching(device, (m) => m.topic === 'to-device');
    const published = await ws('r4', 'publishMessagesToMq', {
      clientName: 'ws-reader',
      topic: 'to-device',
      messages: [{ payload: 'hello device', qos: 1 }],
    });
    assert.equal(published.errorCode, 0, published.errorMessage);
    assert.equal((await arrival).payload.toString(), 'hello device');

    // push false stops the pushes: the next message stays kept for a read.
    const stopped = await ws('r5', 'getMessagesFromMqApiSession', { clientName: 'ws-reader', push: false });
    assert.equal(stopped.errorCode, 0, stopped.errorMessage);
    await device.publishAsync('ws/after', 'kept again', { qos: 1 });
    const later = await read('ws-reader');
    assert.deepEqual(
      later.data.map((m: Json) => m.payload),
      ['kept again'],
    );

    // A frame that is not JSON gets the same error POST /api gives; the socket stays usable.
    socket.send('not json');
    const bad = await frame((f) => f.errorCode === -1038);
    assert.match(bad.errorMessage, /not valid JSON/);
    const ping = await ws('r6', 'pingSession', {});
    assert.equal(ping.errorCode, 0, ping.errorMessage);
    socket.close();
    await endClient(device);
  });
});
