import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type NatsConnection } from 'nats';
import { until } from '@mqfleet/testkit';
import type { HealthReport, SessionEvent } from '@mqfleet/core';
import type {
  CreateTokenResponse__Output,
  DescribeSessionsResponse__Output,
  ListSessionsResponse__Output,
} from '@mqfleet/proto';
import { bearer, call, declaration, startHarness, type Harness } from './helpers';

describe('session health', () => {
  let h: Harness;
  let token: string;
  let nc: NatsConnection;
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
    nc.subscribe(`${h.infra.natsPrefix}.events.session.health.>`, {
      // An event is published right after its commit and again by the outbox relay (JetStream
      // stores it once); a core subscription sees both, so keep one per eventId.
      callback: (_err, msg) => {
        const event = msg.json<SessionEvent>();
        if (!seen.some((e) => e.eventId === event.eventId)) seen.push(event);
      },
    });
    await nc.flush();
  });
  after(async () => {
    await nc.close();
    await h.close();
  });

  const open = (clientName: string, connectionId: string, gatewayId = 'gw-h') =>
    call(h.sessions, h.sessions.OpenSession, {
      clientName,
      gatewayId,
      connectionId,
      ipAddress: '127.0.0.1',
      port: 40000,
      declared: declaration(),
    });
  const describeOne = async (clientName: string, includeStats = false) =>
    call<object, DescribeSessionsResponse__Output>(
      h.sessions,
      h.sessions.DescribeSessions,
      { clientNames: [clientName], includeStats },
      bearer(token),
    );
  const healthOf = async (clientName: string) => (await describeOne(clientName)).sessions[0]?.health;
  const list = async (filter: Record<string, unknown>) =>
    (
      await call<object, ListSessionsResponse__Output>(
        h.sessions,
        h.sessions.ListSessions,
        { filter: { partialClientName: 'h-', ...filter } },
        bearer(token),
      )
    ).sessions.map((s) => s.clientName);
  const report = (gatewayId: string, reports: Partial<HealthReport>[]) =>
    nc.publish(`${h.infra.natsPrefix}.health.${gatewayId}`, JSON.stringify(reports));
  const stats = { totalMessagesPublished: 10, publishRatePerMinute: 10 };

  test('open evaluates the thresholds; a report changes health and emits a health event', async () => {
    await open('h-1', 'c1');
    assert.equal(await healthOf('h-1'), 'healthy', 'no thresholds: healthy while connected');
    report('gw-h', [{ clientName: 'h-1', connectionId: 'c1', health: 'unhealthy', stats: stats as never }]);
    await until(async () => ((await healthOf('h-1')) === 'unhealthy' ? true : undefined));
    const event = await until(() => seen.find((e) => e.clientName === 'h-1'));
    assert.equal(event.type, 'health');
    assert.deepEqual(event.changes?.health, { before: 'healthy', after: 'unhealthy' });
    assert.equal(event.session?.health, 'unhealthy');
    assert.equal(event.stats?.totalMessagesPublished, 10);
    assert.equal(event.actor, 'gateway:gw-h');
  });

  test('reports of a connection (or gateway) that no longer holds the session are ignored', async () => {
    await open('h-2', 'c2');
    await open('h-9', 'c9', 'gw-other');
    report('gw-h', [{ clientName: 'h-1', connectionId: 'stale', health: 'healthy', stats: stats as never }]);
    report('gw-other', [{ clientName: 'h-1', connectionId: 'c1', health: 'healthy', stats: stats as never }]);
    report('gw-h', [
      { clientName: 'h-1', connectionId: 'c1', health: 'bogus' as never, stats: stats as never },
    ]);
    // Reports of one gateway are stored in order: once this one is in, the stale one was handled.
    report('gw-h', [{ clientName: 'h-2', connectionId: 'c2', health: 'unhealthy', stats: stats as never }]);
    report('gw-h', [{ clientName: 'h-2', connectionId: 'c2', health: 'healthy', stats: stats as never }]);
    // gw-other's reports form their own chain: a valid one after the bad one marks it handled.
    report('gw-other', [
      { clientName: 'h-9', connectionId: 'c9', health: 'unhealthy', stats: stats as never },
    ]);
    await until(async () => (seen.filter((e) => e.clientName === 'h-2').length === 2 ? true : undefined));
    await until(async () => ((await healthOf('h-9')) === 'unhealthy' ? true : undefined));
    await call(h.sessions, h.sessions.DeleteSession, { clientName: 'h-9', permanently: true }, bearer(token));
    assert.equal(await healthOf('h-1'), 'unhealthy');
    assert.equal(seen.filter((e) => e.clientName === 'h-1').length, 1);
  });

  test('a session with an unmet threshold opens unhealthy; closing makes it offline', async () => {
    await open('h-3', 'c3');
    await call(
      h.sessions,
      h.sessions.AlterSession,
      { clientName: 'h-3', patch: { minHealthySubscribedTopicFiltersCount: 1 } },
      bearer(token),
    );
    await call(h.sessions, h.sessions.CloseSession, { clientName: 'h-3', connectionId: 'c3', clean: true });
    assert.equal(await healthOf('h-3'), 'offline');
    await open('h-3', 'c3b');
    assert.equal(await healthOf('h-3'), 'unhealthy');
    await open('h-4', 'c4');
    await call(h.sessions, h.sessions.CloseSession, { clientName: 'h-4', connectionId: 'c4', clean: true });
  });

  test('listMqSessions healthFilter and unsetHealthMeasures', async () => {
    assert.deepEqual(await list({ healthFilter: ['unhealthy'] }), ['h-1', 'h-3']);
    assert.deepEqual(await list({ healthFilter: ['healthy'] }), ['h-2']);
    assert.deepEqual(await list({ healthFilter: ['offline'] }), ['h-4']);
    assert.deepEqual(await list({ healthFilter: ['healthy', 'offline'] }), ['h-2', 'h-4']);
    // h-1 is unhealthy but has no thresholds; h-3 has one.
    assert.deepEqual(await list({ healthFilter: ['healthy'], unsetHealthMeasures: true }), [
      'h-1',
      'h-2',
      'h-4',
    ]);
  });

  test('listMqSessions sorted by sessionHealth descending: the unhealthy first, then offline, then healthy', async () => {
    const sorted = (
      await call<object, ListSessionsResponse__Output>(
        h.sessions,
        h.sessions.ListSessions,
        { filter: { partialClientName: 'h-' }, sortBy: 'sessionHealth', descending: true },
        bearer(token),
      )
    ).sessions;
    assert.deepEqual(
      sorted.map((x) => x.health),
      ['unhealthy', 'unhealthy', 'offline', 'healthy'],
    );
    assert.deepEqual(
      sorted
        .map((x) => x.clientName)
        .slice(0, 2)
        .sort(),
      ['h-1', 'h-3'],
    );
  });

  // With a real gateway answering, includeStats is covered end to end (test/e2e/health.test.ts).
  test('includeStats: a gateway that does not answer is reported, an offline session is not', async () => {
    await open('h-5', 'c5', 'gw-silent');
    const silent = await describeOne('h-5', true);
    assert.deepEqual(silent.statsUnavailable, ['h-5']);
    // Not connected: no request, nothing unavailable.
    const offline = await describeOne('h-4', true);
    assert.deepEqual(offline.statsUnavailable, []);
    assert.equal(offline.sessions[0]!.health, 'offline');
  });
});
