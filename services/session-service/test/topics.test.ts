// Topics on the session-service: gateways' topic reports (core NATS, as connection-gateway
// topic-counts.ts sends them) recorded in the topics table up to MQFLEET_MAX_TOPICS, and the
// Topics RPCs reading it, with subscribers from the stored subscriptions. The end-to-end path
// (a real gateway counting real PUBLISH packets) is test/e2e/topics.test.ts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { connect, type NatsConnection } from 'nats';
import { until } from '@mqfleet/testkit';
import pg from 'pg';
import { createLogger, subjects, type TopicReport } from '@mqfleet/core';
import { TopicReports } from '../src/topics';
import {
  TopicsClient,
  type CreateTokenResponse__Output,
  type DescribeTopicsResponse__Output,
  type ListTopicsResponse__Output,
  type TopicInfo__Output,
  type TopicsClientType,
} from '@mqfleet/proto';
import { bearer, call, declaration, startHarness, type Harness } from './helpers';

const MAX_TOPICS = 5;

describe('session-service topics', () => {
  let h: Harness;
  let token: string;
  let nc: NatsConnection;
  let topics: TopicsClientType;

  before(async () => {
    h = await startHarness({ MQFLEET_MAX_TOPICS: String(MAX_TOPICS) });
    token = (
      await call<object, CreateTokenResponse__Output>(h.auth, h.auth.CreateToken, {
        username: 'ADMIN',
        password: 'ADMIN',
      })
    ).token;
    nc = await connect({ servers: h.infra.natsUrl });
    topics = new TopicsClient(h.address, grpc.credentials.createInsecure());
  });
  after(async () => {
    topics.close();
    await nc.close();
    await h.close();
  });

  const report = async (r: TopicReport): Promise<void> => {
    nc.publish(subjects(h.infra.natsPrefix).topicReport(r.gatewayId), JSON.stringify(r));
    await nc.flush();
  };
  const list = async (req: Record<string, unknown> = {}): Promise<string[]> =>
    (await call<object, ListTopicsResponse__Output>(topics, topics.ListTopics, req, bearer(token))).names;
  const describeTopics = async (names: string[], extra: Record<string, unknown> = {}) =>
    (
      await call<object, DescribeTopicsResponse__Output>(
        topics,
        topics.DescribeTopics,
        { topics: names, ...extra },
        bearer(token),
      )
    ).topics;
  const gatewayMd = (): grpc.Metadata => {
    const md = new grpc.Metadata();
    md.set('x-mqfleet-gateway', 'gw-t');
    return md;
  };
  const subscribed = async (clientName: string, filters: [string, number][], protocol = '5.0') => {
    await call(h.sessions, h.sessions.OpenSession, {
      clientName,
      gatewayId: 'gw-t',
      connectionId: `c-${clientName}`,
      ipAddress: '127.0.0.9',
      port: 41000,
      declared: declaration({ mqttProtocol: protocol, keepAliveSeconds: 45, cleanStart: false }),
    });
    await call(
      h.sessions,
      h.sessions.ChangeSubscriptions,
      {
        clientName,
        connectionId: `c-${clientName}`,
        add: filters.map(([topicFilter, qos]) => ({ topicFilter, qos })),
      },
      gatewayMd(),
    );
  };

  test('reports add up per topic; times are the first and the last message seen', async () => {
    const t0 = Date.parse('2026-12-01T10:00:00Z');
    await report({
      gatewayId: 'gw-1',
      topics: [
        ['plant/a/temp', 3, t0, t0 + 1000],
        ['plant/b/temp', 1, t0 + 500, t0 + 500],
      ],
    });
    await report({ gatewayId: 'gw-2', topics: [['plant/a/temp', 2, t0 - 60_000, t0 + 5000]] });
    const [a] = await until(async () => {
      const found = await describeTopics(['plant/a/temp']);
      return found[0]?.messageCount === '5' ? found : undefined;
    });
    assert.equal(a!.createdAt, '2026-12-01T09:59:00.000Z', 'the earlier first message of gw-2');
    assert.equal(a!.lastMessageAt, '2026-12-01T10:00:05.000Z');
    // Averages: over the time since creation (days ago here), at least one unit.
    assert.ok(a!.averageMessagesPerMinute > 0 && a!.averageMessagesPerMinute < 1);
    assert.ok(a!.averageMessagesPerDay >= a!.averageMessagesPerHour);
    assert.deepEqual(await list(), ['plant/a/temp', 'plant/b/temp']);
  });

  test('listTopics: begins-with, contains ignoring case, LIKE characters as themselves, paging', async () => {
    await report({
      gatewayId: 'gw-1',
      topics: [
        ['Plant/%x', 1, Date.now(), Date.now()],
        ['plant/c_d', 1, Date.now(), Date.now()],
      ],
    });
    await until(async () => ((await list()).length === 4 ? true : undefined));
    assert.deepEqual(await list(), ['Plant/%x', 'plant/a/temp', 'plant/b/temp', 'plant/c_d'], 'byte order');
    assert.deepEqual(await list({ partialName: 'plant/' }), ['plant/a/temp', 'plant/b/temp', 'plant/c_d']);
    assert.deepEqual(await list({ partialName: 'Plant/%' }), ['Plant/%x']);
    assert.deepEqual(await list({ partialName: 'plant/c_' }), ['plant/c_d']);
    assert.deepEqual(await list({ partialName: 'plant/c%' }), []);
    assert.deepEqual(await list({ search: 'TEMP' }), ['plant/a/temp', 'plant/b/temp']);
    assert.deepEqual(await list({ search: '_' }), ['plant/c_d']);
    assert.deepEqual(await list({ partialName: 'plant/', search: 'b/' }), ['plant/b/temp']);
    assert.deepEqual(await list({ maxRecords: 2 }), ['Plant/%x', 'plant/a/temp']);
    assert.deepEqual(await list({ maxRecords: 2, skipRecords: 2 }), ['plant/b/temp', 'plant/c_d']);
    assert.deepEqual(await list({ skipRecords: 4 }), []);
    await assert.rejects(list({ partialName: 'é'.repeat(33) }), (err: grpc.ServiceError) => {
      return err.metadata.get('mqfleet-error-code')[0] === 'TOO_LARGE';
    });
  });

  test('topics beyond MQFLEET_MAX_TOPICS are not recorded; known ones still count', async () => {
    const now = Date.now();
    await report({
      gatewayId: 'gw-1',
      topics: [
        ['over/1', 1, now, now],
        ['over/2', 1, now, now],
        ['plant/b/temp', 4, now, now],
      ],
      uncounted: 7,
    });
    const [b] = await until(async () => {
      const found = await describeTopics(['plant/b/temp']);
      return found[0]?.messageCount === '5' ? found : undefined;
    });
    assert.ok(b);
    const names = await list({ maxRecords: 100 });
    assert.equal(names.length, MAX_TOPICS);
    assert.ok(names.includes('over/1'), 'the first new topic fills the last place');
    assert.ok(!names.includes('over/2'));
    assert.deepEqual(await describeTopics(['over/2']), []);
  });

  test('describeTopics: subscribers grouped by filter with connection and QoS; hidden sessions left out', async () => {
    await subscribed('dash-1', [
      ['plant/+/temp', 1],
      ['other/#', 0],
    ]);
    await subscribed('dash-2', [['plant/#', 0]], '3.1.1');
    await subscribed('dash-3', [['$share/g/plant/a/temp', 2]]);
    await subscribed('ghost', [['plant/a/temp', 2]]);
    await subscribed('both', [
      ['plant/+/temp', 0],
      ['#', 1],
    ]);
    await call(
      h.sessions,
      h.sessions.AlterSession,
      { clientName: 'ghost', patch: { sessionStatus: 'SESSION_STATUS_HIDDEN' } },
      bearer(token),
    );
    const [a, b] = await describeTopics(['plant/a/temp', 'nope/x', 'plant/b/temp', 'plant/a/temp']);
    assert.equal(a?.name, 'plant/a/temp');
    assert.equal(b?.name, 'plant/b/temp', 'unknown topics left out, duplicates once, order kept');
    const shape = (t: TopicInfo__Output | undefined) =>
      t!.subscriptions.map((g) => [g.topicFilter, g.subscribers.map((s) => `${s.clientName}:${s.qos}`)]);
    assert.deepEqual(shape(a), [
      ['#', ['both:1']],
      ['$share/g/plant/a/temp', ['dash-3:2']],
      ['plant/#', ['dash-2:0']],
      ['plant/+/temp', ['both:0', 'dash-1:1']],
    ]);
    assert.equal(a!.subscriberCount, 5);
    assert.deepEqual(shape(b), [
      ['#', ['both:1']],
      ['plant/#', ['dash-2:0']],
      ['plant/+/temp', ['both:0', 'dash-1:1']],
    ]);
    const dash2 = a!.subscriptions[2]!.subscribers[0]!;
    assert.equal(dash2.connectionStatus, 'connected');
    assert.equal(dash2.mqttProtocol, '3.1.1');
    assert.equal(dash2.ipAddress, '127.0.0.9');
    assert.equal(dash2.port, 41000);
    assert.equal(dash2.keepAliveSeconds, 45);
    // Its temporarySession (the JSON API's cleanSession): expiry is bounded by
    // MQFLEET_MAX_SESSION_EXPIRY, so the session can expire.
    assert.equal(dash2.clean, true);
    assert.match(dash2.connectedAt, /^\d{4}-\d\d-\d\dT/);
    // maxSubscribers bounds the list, not the count.
    const [limited] = await describeTopics(['plant/a/temp'], { maxSubscribers: 2 });
    assert.deepEqual(shape(limited), [
      ['#', ['both:1']],
      ['$share/g/plant/a/temp', ['dash-3:2']],
    ]);
    assert.equal(limited!.subscriberCount, 5);
  });

  test('with two session-services each report is added once (a NATS queue group)', async () => {
    const pool = new pg.Pool({ connectionString: h.infra.databaseUrl, max: 2 });
    const second = new TopicReports(
      nc,
      subjects(h.infra.natsPrefix),
      pool,
      MAX_TOPICS,
      createLogger('second-session-service', 'warn'),
    );
    second.start();
    try {
      await nc.flush();
      for (let i = 0; i < 10; i++) {
        await report({ gatewayId: `gw-${i % 3}`, topics: [['plant/b/temp', 1, Date.now(), Date.now()]] });
      }
      const count = async () => (await describeTopics(['plant/b/temp']))[0]!.messageCount;
      await until(async () => (Number(await count()) >= 15 ? true : undefined));
      await second.settled();
      assert.equal(await count(), '15', 'the 5 counted before and 10 more, none twice');
    } finally {
      second.close();
      await second.settled();
      await pool.end();
    }
  });

  test('a wildcard or over-long name is refused, naming the entry; other accounts may not read topics', async () => {
    for (const [names, code, property] of [
      [['plant/a/temp', 'plant/#'], 'INVALID_VALUE', 'topics[1]'],
      [[''], 'INVALID_VALUE', 'topics[0]'],
      [['x'.repeat(65_536)], 'TOO_LARGE', 'topics[0]'],
    ] as const) {
      await assert.rejects(describeTopics([...names]), (err: grpc.ServiceError) => {
        assert.equal(err.metadata.get('mqfleet-error-code')[0], code);
        assert.equal(err.metadata.get('mqfleet-error-property')[0], property);
        return true;
      });
    }
    await call(
      h.accounts,
      h.accounts.CreateAccount,
      { username: 'viewer', password: 'pw', role: 'user' },
      bearer(token),
    );
    const viewer = (
      await call<object, CreateTokenResponse__Output>(h.auth, h.auth.CreateToken, {
        username: 'viewer',
        password: 'pw',
      })
    ).token;
    await assert.rejects(
      call(topics, topics.ListTopics, {}, bearer(viewer)),
      (err: grpc.ServiceError) => err.metadata.get('mqfleet-error-code')[0] === 'ADMIN_REQUIRED',
    );
  });
});
