// Subscriptions owned by the session-service: ChangeSubscriptions (gateway and administrator
// callers), subscriptions on every returned session, Clean Start and session removal.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { connect, type NatsConnection } from 'nats';
import pg from 'pg';
import { until } from '@mqfleet/testkit';
import type { SessionEvent } from '@mqfleet/core';
import type {
  AlterSessionResponse__Output,
  ChangeSubscriptionsResponse__Output,
  CreateTokenResponse__Output,
  DescribeSessionsResponse__Output,
  Session__Output,
  GetSessionAuditResponse__Output,
  ListSessionsResponse__Output,
  OpenSessionResponse__Output,
  Subscription,
} from '@mqfleet/proto';
import { bearer, call, declaration, startHarness, type Harness } from './helpers';

const sub = (topicFilter: string, extra: Partial<Subscription> = {}): Subscription => ({
  topicFilter,
  qos: 1,
  noLocal: false,
  retainAsPublished: false,
  retainHandling: 0,
  subscriptionIdentifier: 0,
  ...extra,
});

describe('session-service subscriptions', () => {
  let h: Harness;
  let token: string;
  let nc: NatsConnection;
  let db: pg.Client;
  const seen: SessionEvent[] = [];

  before(async () => {
    h = await startHarness();
    token = (
      await call<object, CreateTokenResponse__Output>(h.auth, h.auth.CreateToken, {
        username: 'ADMIN',
        password: 'ADMIN',
      })
    ).token;
    nc = await connect({ servers: h.infra.natsUrl });
    nc.subscribe(`${h.infra.natsPrefix}.events.>`, {
      // An event is published right after its commit and again by the outbox relay (JetStream
      // stores it once); a core subscription sees both, so keep one per eventId.
      callback: (_err, msg) => {
        const event = msg.json<SessionEvent>();
        if (!seen.some((e) => e.eventId === event.eventId)) seen.push(event);
      },
    });
    await nc.flush();
    db = new pg.Client({ connectionString: h.infra.databaseUrl });
    await db.connect();
  });
  after(async () => {
    await db.end();
    await nc.close();
    await h.close();
  });

  const gatewayMd = (): grpc.Metadata => {
    const md = new grpc.Metadata();
    md.set('x-mqfleet-gateway', 'gw-sub');
    return md;
  };
  const open = (clientName: string, connectionId: string, overrides: Record<string, unknown> = {}) =>
    call<object, OpenSessionResponse__Output>(h.sessions, h.sessions.OpenSession, {
      clientName,
      gatewayId: 'gw-sub',
      connectionId,
      ipAddress: '127.0.0.1',
      port: 40000,
      declared: declaration(overrides),
    });
  const close = (clientName: string, connectionId: string) =>
    call(h.sessions, h.sessions.CloseSession, { clientName, connectionId, clean: true }, gatewayMd());
  const change = (req: Record<string, unknown>, md = gatewayMd()) =>
    call<object, ChangeSubscriptionsResponse__Output>(h.sessions, h.sessions.ChangeSubscriptions, req, md);
  const describeOne = async (clientName: string) =>
    (
      await call<object, DescribeSessionsResponse__Output>(
        h.sessions,
        h.sessions.DescribeSessions,
        { clientNames: [clientName] },
        bearer(token),
      )
    ).sessions[0];
  const storedCount = async (clientName: string): Promise<number> => {
    const { rows } = await db.query<{ n: string }>(
      `SELECT count(*) AS n FROM session_subscriptions s JOIN sessions USING (client_key)
        WHERE sessions.client_name = $1`,
      [clientName],
    );
    return Number(rows[0]!.n);
  };
  const alteredEvents = (clientName: string, count: number) =>
    until(() => {
      const events = seen.filter((e) => e.clientName === clientName && e.type === 'altered');
      return events.length >= count ? events : undefined;
    });

  test('a gateway adds, replaces and removes subscriptions; each change is a version and an altered event', async () => {
    const opened = await open('sub-1', 'c1', { cleanStart: false });
    assert.deepEqual(opened.session?.subscriptions, []);

    const added = await change({
      clientName: 'sub-1',
      connectionId: 'c1',
      add: [
        sub('b/+', { qos: 0, noLocal: true }),
        sub('a/#', { subscriptionIdentifier: 7, retainHandling: 2 }),
      ],
    });
    assert.equal(added.session?.version, '2');
    assert.equal(added.liveApplied, false, 'gateway calls do not wait for a confirmation');
    assert.deepEqual(
      added.session?.subscriptions.map((s) => [
        s.topicFilter,
        s.qos,
        s.noLocal,
        s.retainHandling,
        s.subscriptionIdentifier,
      ]),
      [
        ['a/#', 1, false, 2, 7],
        ['b/+', 0, true, 0, 0],
      ],
      'ordered by topic filter, options kept',
    );

    // The same subscriptions again (the gateway's own echo): nothing changes, no event.
    const same = await change({
      clientName: 'sub-1',
      connectionId: 'c1',
      add: [sub('b/+', { qos: 0, noLocal: true })],
    });
    assert.equal(same.session?.version, '2');

    // An identical filter replaces the subscription [MQTT-3.8.4-3]; remove of an unknown filter is a no-op.
    const replaced = await change({
      clientName: 'sub-1',
      connectionId: 'c1',
      add: [sub('b/+', { qos: 1 })],
      remove: ['a/#', 'never/subscribed'],
    });
    assert.equal(replaced.session?.version, '3');
    assert.deepEqual(
      replaced.session?.subscriptions.map((s) => [s.topicFilter, s.qos, s.noLocal]),
      [['b/+', 1, false]],
    );

    const events = await alteredEvents('sub-1', 2);
    assert.deepEqual(
      events.map((e) => e.version),
      ['2', '3'],
    );
    assert.equal(events[0]!.actor, 'gateway:gw-sub');
    const first = events[0]!.changes!.subscriptions as { before: Subscription[]; after: Subscription[] };
    assert.deepEqual(first.before, []);
    assert.deepEqual(
      first.after.map((s) => s.topicFilter),
      ['a/#', 'b/+'],
    );
    const second = events[1]!.changes!.subscriptions as { before: Subscription[]; after: Subscription[] };
    assert.deepEqual(
      second.before.map((s) => s.topicFilter),
      ['a/#', 'b/+'],
    );
    assert.deepEqual(
      events[1]!.session?.subscriptions.map((s) => s.topicFilter),
      ['b/+'],
      'the event carries the session with its subscriptions',
    );
    // Only the administrator's changes go to the audit trail.
    const audit = await call<object, GetSessionAuditResponse__Output>(
      h.sessions,
      h.sessions.GetSessionAudit,
      { clientName: 'sub-1' },
      bearer(token),
    );
    assert.equal(audit.entries.filter((e) => e.action === 'subscriptions').length, 0);
  });

  test('every session read carries its subscriptions: describe, list, alter, close', async () => {
    await open('sub-2', 'c2', { cleanStart: false });
    await change({ clientName: 'sub-2', connectionId: 'c2', add: [sub('x/1'), sub('x/2')] });
    await open('sub-3', 'c3', { cleanStart: false });
    await change({ clientName: 'sub-3', connectionId: 'c3', add: [sub('y/1')] });
    await open('sub-4', 'c4', { cleanStart: false }); // no subscriptions

    assert.deepEqual(
      (await describeOne('sub-2'))?.subscriptions.map((s) => s.topicFilter),
      ['x/1', 'x/2'],
    );
    const listed = await call<object, ListSessionsResponse__Output>(
      h.sessions,
      h.sessions.ListSessions,
      { filter: { partialClientName: 'sub-' } },
      bearer(token),
    );
    const byName = new Map(
      listed.sessions.map((s) => [s.clientName, s.subscriptions.map((x) => x.topicFilter)]),
    );
    assert.deepEqual(byName.get('sub-2'), ['x/1', 'x/2']);
    assert.deepEqual(byName.get('sub-3'), ['y/1']);
    // Listing loads subscriptions only for the rows that have some (listing.ts `subscribed`):
    // every listed session, with subscriptions or without, is the one describe gives.
    assert.ok(
      listed.sessions.some((s) => s.subscriptions.length === 0),
      'sub-4 has none',
    );
    const described = await call<object, DescribeSessionsResponse__Output>(
      h.sessions,
      h.sessions.DescribeSessions,
      { clientNames: listed.sessions.map((s) => s.clientName) },
      bearer(token),
    );
    const byClientName = (a: Session__Output, b: Session__Output) => (a.clientName < b.clientName ? -1 : 1);
    assert.deepEqual([...listed.sessions].sort(byClientName), [...described.sessions].sort(byClientName));

    const altered = await call<object, AlterSessionResponse__Output>(
      h.sessions,
      h.sessions.AlterSession,
      { clientName: 'sub-3', patch: { keepAliveSeconds: 12 } },
      bearer(token),
    );
    assert.deepEqual(
      altered.session?.subscriptions.map((s) => s.topicFilter),
      ['y/1'],
      'an alteration event must not look like "no subscriptions" to the gateway',
    );
    await close('sub-3', 'c3');
    const disconnected = await until(() =>
      seen.find((e) => e.clientName === 'sub-3' && e.type === 'disconnected'),
    );
    assert.deepEqual(
      disconnected.session?.subscriptions.map((s) => s.topicFilter),
      ['y/1'],
    );
  });

  test('Clean Start 0 resumes the subscriptions; Clean Start 1 deletes them [MQTT-3.1.2-4, MQTT-3.1.2-5]', async () => {
    await open('sub-4', 'c4a', { cleanStart: false });
    await change({ clientName: 'sub-4', connectionId: 'c4a', add: [sub('keep/#')] });
    await close('sub-4', 'c4a');

    const resumed = await open('sub-4', 'c4b', { cleanStart: false });
    assert.equal(resumed.sessionPresent, true);
    assert.deepEqual(
      resumed.session?.subscriptions.map((s) => s.topicFilter),
      ['keep/#'],
    );
    await close('sub-4', 'c4b');

    const clean = await open('sub-4', 'c4c', { cleanStart: true });
    assert.equal(clean.sessionPresent, false);
    assert.deepEqual(clean.session?.subscriptions, []);
    assert.equal(await storedCount('sub-4'), 0);
  });

  test('a temporary session that ends loses its subscriptions (cascade)', async () => {
    await open('sub-5', 'c5', { cleanStart: true, sessionExpiryInterval: 0 });
    await change({ clientName: 'sub-5', connectionId: 'c5', add: [sub('gone/#')] });
    const { rows: before } = await db.query('SELECT 1 FROM session_subscriptions');
    assert.ok(before.length > 0);
    await close('sub-5', 'c5');
    assert.equal(await describeOne('sub-5'), undefined);
    const { rows } = await db.query(
      'SELECT 1 FROM session_subscriptions WHERE client_key = (SELECT digest FROM (SELECT sha256($1::bytea) AS digest) d)',
      [Buffer.from('sub-5')],
    );
    assert.equal(rows.length, 0);
  });

  test('a gateway connection that no longer holds the session cannot change it', async () => {
    await open('sub-6', 'c6a', { cleanStart: false });
    await open('sub-6', 'c6b', { cleanStart: false }); // taken over
    await assert.rejects(
      change({ clientName: 'sub-6', connectionId: 'c6a', add: [sub('late/#')] }),
      (err: grpc.ServiceError) => err.code === grpc.status.NOT_FOUND,
    );
    assert.deepEqual((await describeOne('sub-6'))?.subscriptions, []);
  });

  test('invalid requests are refused with INVALID_VALUE / NOT_FOUND and change nothing', async () => {
    await open('sub-7', 'c7', { cleanStart: false });
    const invalid = (err: grpc.ServiceError) =>
      err.code === grpc.status.INVALID_ARGUMENT &&
      err.metadata.get('mqfleet-error-code')[0] === 'INVALID_VALUE';
    for (const bad of [
      { add: [sub('a/#/b')] },
      { add: [sub('')] },
      { add: [sub('a', { qos: 3 })] },
      { add: [sub('a', { retainHandling: 3 })] },
      { add: [sub('a', { subscriptionIdentifier: 268_435_456 })] },
      { remove: ['a+'] },
    ]) {
      await assert.rejects(
        change({ clientName: 'sub-7', connectionId: 'c7', ...bad }),
        invalid,
        JSON.stringify(bad),
      );
    }
    await assert.rejects(
      change({ clientName: 'no-such-session', add: [sub('a')] }),
      (err: grpc.ServiceError) => err.code === grpc.status.NOT_FOUND,
    );
    const described = await describeOne('sub-7');
    assert.equal(described?.version, '1');
    assert.deepEqual(described?.subscriptions, []);
  });

  test('a 65,535-byte topic filter is stored (keyed by its digest)', async () => {
    await open('sub-8', 'c8', { cleanStart: false });
    const long = `${'l'.repeat(65533)}/#`;
    const res = await change({ clientName: 'sub-8', connectionId: 'c8', add: [sub(long)] });
    assert.equal(res.session?.subscriptions[0]?.topicFilter, long);
    const removed = await change({ clientName: 'sub-8', connectionId: 'c8', remove: [long] });
    assert.deepEqual(removed.session?.subscriptions, []);
  });

  test('administrators change subscriptions with a token: audited, and refused without a valid one', async () => {
    await open('sub-9', 'c9', { cleanStart: false });
    await close('sub-9', 'c9');
    const res = await change(
      { clientName: 'sub-9', add: [sub('admin/#', { qos: 2, subscriptionIdentifier: 268_435_455 })] },
      bearer(token),
    );
    assert.equal(res.liveApplied, false, 'the client is not connected');
    assert.deepEqual(
      res.session?.subscriptions.map((s) => [s.topicFilter, s.qos, s.subscriptionIdentifier]),
      [['admin/#', 2, 268_435_455]],
    );
    const [event] = await alteredEvents('sub-9', 1);
    assert.equal(event!.actor, 'ADMIN');
    const audit = await call<object, GetSessionAuditResponse__Output>(
      h.sessions,
      h.sessions.GetSessionAudit,
      { clientName: 'sub-9' },
      bearer(token),
    );
    const entry = audit.entries.find((e) => e.action === 'subscriptions');
    assert.ok(entry);
    assert.deepEqual(Object.keys(JSON.parse(entry.changesJson) as object), ['subscriptions']);
    await assert.rejects(
      change({ clientName: 'sub-9', remove: ['admin/#'] }, bearer('not-a-token')),
      (err: grpc.ServiceError) => err.code === grpc.status.UNAUTHENTICATED,
    );
  });
});
