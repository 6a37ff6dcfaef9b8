import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { connect, type NatsConnection } from 'nats';
import { until } from '@mqfleet/testkit';
import pg from 'pg';
import {
  subjects as makeSubjects,
  type MqfleetError,
  type SessionBulkEvent,
  type SessionEvent,
} from '@mqfleet/core';
import type {
  CreateMqApiSessionResponse__Output,
  AlterSessionRequest__Output,
  AlterSessionResponse__Output,
  AlterSessionsResponse__Output,
  CreateTokenResponse__Output,
  DescribeSessionsResponse__Output,
  OpenSessionResponse__Output,
  CloseSessionResponse__Output,
} from '@mqfleet/proto';
import { REQUEST_ID_METADATA_KEY } from '../src/grpc';
import { migrate } from '../src/index';
import { createPool } from '../src/db';
import { SessionStore, type AlterOutcome } from '../src/sessions';
import { bearer, call, declaration, startHarness, type Harness } from './helpers';

describe('session-service', () => {
  let h: Harness;
  let token: string;
  let nc: NatsConnection;

  before(async () => {
    h = await startHarness();
    const res = await call<object, CreateTokenResponse__Output>(h.auth, h.auth.CreateToken, {
      username: 'admin', // user names are not case-sensitive
      password: 'ADMIN',
    });
    token = res.token;
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
  });
  after(async () => {
    await nc.close();
    await h.close();
  });

  const open = (clientName: string, connectionId: string, overrides: Record<string, unknown> = {}) =>
    call<object, OpenSessionResponse__Output>(h.sessions, h.sessions.OpenSession, {
      clientName,
      gatewayId: 'gw-test',
      connectionId,
      ipAddress: '127.0.0.1',
      port: 40000,
      declared: declaration(overrides),
    });
  const alter = (clientName: string, patch: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    call<object, AlterSessionResponse__Output>(
      h.sessions,
      h.sessions.AlterSession,
      { clientName, patch, ...extra },
      bearer(token),
    );

  /** Events as they are published to the stream (a core subscription sees JetStream publishes). */
  const seen: SessionEvent[] = [];
  async function eventsOf(clientName: string, count: number): Promise<SessionEvent[]> {
    return until(() => {
      const events = seen.filter((e) => e.clientName === clientName);
      return events.length >= count ? events : undefined;
    });
  }

  test('a bad password is refused with BAD_PASSWORD', async () => {
    await assert.rejects(
      call(h.auth, h.auth.CreateToken, { username: 'ADMIN', password: 'wrong' }),
      (err: grpc.ServiceError) =>
        err.code === grpc.status.UNAUTHENTICATED &&
        err.metadata.get('mqfleet-error-code')[0] === 'BAD_PASSWORD',
    );
  });

  test('admin calls without a valid token are UNAUTHENTICATED', async () => {
    await assert.rejects(
      call(h.sessions, h.sessions.AlterSession, { clientName: 'x', patch: {} }, bearer('not-a-token')),
      (err: grpc.ServiceError) =>
        err.code === grpc.status.UNAUTHENTICATED && err.metadata.get('mqfleet-error-code')[0] === 'BAD_TOKEN',
    );
  });

  test('open creates the session at version 1 from the CONNECT; alter bumps the version and emits events', async () => {
    const opened = await open('dev-1', 'c1', { keepAliveSeconds: 45 });
    assert.equal(opened.refusal, 'OPEN_REFUSAL_NONE');
    assert.equal(opened.sessionPresent, false);
    assert.equal(opened.session?.version, '1');
    assert.equal(opened.session?.settings?.keepAliveSeconds, 45);
    assert.equal(opened.session?.connection?.status, 'CONNECTION_STATUS_CONNECTED');

    const altered = await alter('dev-1', {
      keepAliveSeconds: 10,
      willTopic: 'dev/1/will',
      willPayload: Buffer.from('bye').toString('base64'),
      userProperties: { items: [{ key: 'site', value: 'north' }] },
    });
    assert.equal(altered.session?.version, '2');
    assert.deepEqual([...altered.changedFields].sort(), [
      'keepAliveSeconds',
      'userProperties',
      'willPayload',
      'willQos',
      'willTopic',
    ]);
    assert.equal(altered.session?.settings?.willQos, 2, 'an administrator-made will defaults to QoS 2');

    const events = await eventsOf('dev-1', 2);
    assert.deepEqual(
      events.map((e) => [e.type, e.version]),
      [
        ['connected', '1'],
        ['altered', '2'],
      ],
    );
    assert.deepEqual(events[1]!.changes!.keepAliveSeconds, { before: 45, after: 10 });
    assert.equal(events[1]!.actor, 'ADMIN');
    assert.equal(events[1]!.session?.settings?.willTopic, 'dev/1/will');
  });

  test('an altered setting survives the reconnect; undeclared ones follow the CONNECT', async () => {
    await open('dev-2', 'c1', { keepAliveSeconds: 60, receiveMaximum: 20 });
    await alter('dev-2', { keepAliveSeconds: 5 });
    await call(h.sessions, h.sessions.CloseSession, { clientName: 'dev-2', connectionId: 'c1', clean: true });
    const again = await open('dev-2', 'c2', { keepAliveSeconds: 60, receiveMaximum: 30, cleanStart: false });
    assert.equal(again.sessionPresent, true);
    assert.equal(again.session?.settings?.keepAliveSeconds, 5);
    assert.equal(again.session?.settings?.receiveMaximum, 30);
  });

  test('a stale expectedVersion is refused and nothing changes', async () => {
    const opened = await open('dev-3', 'c1');
    await alter('dev-3', { keepAliveSeconds: 7 });
    await assert.rejects(
      alter('dev-3', { keepAliveSeconds: 8 }, { expectedVersion: opened.session!.version }),
      (err: grpc.ServiceError) => err.code === grpc.status.FAILED_PRECONDITION,
    );
    const described = await call<object, DescribeSessionsResponse__Output>(
      h.sessions,
      h.sessions.DescribeSessions,
      { clientNames: ['dev-3'] },
      bearer(token),
    );
    assert.equal(described.sessions[0]?.settings?.keepAliveSeconds, 7);
    assert.equal(described.sessions[0]?.version, '2');
  });

  test('two concurrent alterations both land, in version order', async () => {
    await open('dev-4', 'c1');
    const [a, b] = await Promise.all([
      alter('dev-4', { receiveMaximum: 11 }),
      alter('dev-4', { topicAliasMaximum: 3 }),
    ]);
    assert.deepEqual([a.session!.version, b.session!.version].sort(), ['2', '3']);
    const described = await call<object, DescribeSessionsResponse__Output>(
      h.sessions,
      h.sessions.DescribeSessions,
      { clientNames: ['dev-4'] },
      bearer(token),
    );
    assert.equal(described.sessions[0]?.settings?.receiveMaximum, 11);
    assert.equal(described.sessions[0]?.settings?.topicAliasMaximum, 3);
  });

  test('a burst of concurrent alterations: each keeps its own outcome, version, audit entry and event', async () => {
    // Enough at once that the store writes them in shared transactions (group commit).
    const names = Array.from({ length: 20 }, (_, i) => `burst-${i}`);
    for (const name of names) await open(name, 'c1');
    const patches = [{ keepAliveSeconds: 17 }, { receiveMaximum: 9 }, { topicAliasMaximum: 4 }];
    const good = names.flatMap((name) => patches.map((patch) => ({ name, patch })));
    const settled = await Promise.allSettled([
      ...good.map(({ name, patch }) => alter(name, patch)),
      ...names.slice(0, 5).map((name) => alter(`${name}-missing`, { keepAliveSeconds: 3 })),
      ...names.slice(0, 5).map((name) => alter(name, { keepAliveSeconds: 3 }, { expectedVersion: '999' })),
    ]);
    const failed = settled
      .slice(good.length)
      .map((r) => (r.status === 'rejected' ? (r.reason as grpc.ServiceError).code : 'fulfilled'));
    assert.deepEqual(failed, [
      ...Array<grpc.status>(5).fill(grpc.status.NOT_FOUND),
      ...Array<grpc.status>(5).fill(grpc.status.FAILED_PRECONDITION),
    ]);
    for (const name of names) {
      const results = settled
        .slice(0, good.length)
        .filter((_, i) => good[i]!.name === name)
        .map((r) => {
          assert.equal(r.status, 'fulfilled');
          return (r as PromiseFulfilledResult<AlterSessionResponse__Output>).value;
        });
      assert.deepEqual(results.map((r) => r.session!.version).sort(), ['2', '3', '4'], name);
      const events = (await eventsOf(name, 4)).filter((e) => e.type === 'altered');
      assert.deepEqual(events.map((e) => e.version).sort(), ['2', '3', '4']);
      assert.deepEqual(
        events
          .map((e) => Object.keys(e.changes ?? {}))
          .flat()
          .sort(),
        ['keepAliveSeconds', 'receiveMaximum', 'topicAliasMaximum'],
      );
      const audit = await call<object, { entries: { version: string; action: string }[] }>(
        h.sessions,
        h.sessions.GetSessionAudit,
        { clientName: name },
        bearer(token),
      );
      assert.deepEqual(
        audit.entries
          .filter((e) => e.action === 'alter')
          .map((e) => String(e.version))
          .sort(),
        ['2', '3', '4'],
      );
      const described = await call<object, DescribeSessionsResponse__Output>(
        h.sessions,
        h.sessions.DescribeSessions,
        { clientNames: [name] },
        bearer(token),
      );
      const settings = described.sessions[0]!.settings!;
      assert.deepEqual(
        [
          described.sessions[0]!.version,
          settings.keepAliveSeconds,
          settings.receiveMaximum,
          settings.topicAliasMaximum,
        ],
        ['4', 17, 9, 4],
      );
    }
    // Events went out on the fast path; the relay then deletes their outbox rows.
    const db = new pg.Client({ connectionString: h.infra.databaseUrl });
    await db.connect();
    try {
      await until(async () => (await db.query('SELECT count(*)::int AS n FROM outbox')).rows[0].n === 0);
    } finally {
      await db.end();
    }
  });

  test('altering a session again after a change the service did not make works from the stored row, not a remembered one', async () => {
    // A second alteration of a session needs no read (the row is remembered), but only as long as
    // the row is unchanged: a change by another writer, versioned or not, must be seen.
    await open('remembered', 'c1', { keepAliveSeconds: 30 });
    const first = await alter('remembered', { keepAliveSeconds: 45 });
    const db = new pg.Client({ connectionString: h.infra.databaseUrl });
    await db.connect();
    try {
      // Another writer (a second session-service instance, say) sets the keep-alive to 50...
      const { rows } = await db.query<{ version: string }>(
        `UPDATE sessions SET version = version + 1, settings = settings || '{"keepAliveSeconds": 50}'
          WHERE client_name = 'remembered' RETURNING version::text`,
      );
      const theirs = rows[0]!.version;
      assert.equal(BigInt(theirs), BigInt(first.session!.version) + 1n);
      // ...so 45 is a change again (from 50), not a no-op decided on the remembered 45.
      const again = await alter('remembered', { keepAliveSeconds: 45 });
      assert.deepEqual(again.changedFields, ['keepAliveSeconds']);
      assert.equal(BigInt(again.session!.version), BigInt(theirs) + 1n);
      const events = await until(() => {
        const mine = seen.filter(
          (e) => e.clientName === 'remembered' && e.version === again.session!.version,
        );
        return mine.length > 0 ? mine : undefined;
      });
      assert.deepEqual(events[0]!.changes!.keepAliveSeconds, { before: 50, after: 45 });

      // A change that leaves the version alone (a health report) is seen as well: the reply and
      // the event carry the stored health, not the remembered one.
      await db.query(`UPDATE sessions SET health = 'unhealthy' WHERE client_name = 'remembered'`);
      const third = await alter('remembered', { receiveMaximum: 7 });
      assert.equal(third.session!.health, 'unhealthy');
      assert.equal(BigInt(third.session!.version), BigInt(again.session!.version) + 1n);
      const event = await until(() =>
        seen.find((e) => e.clientName === 'remembered' && e.version === third.session!.version),
      );
      assert.equal(event.session!.health, 'unhealthy');

      // An alteration that changes nothing on the remembered row still answers with the stored one.
      await db.query(
        `UPDATE sessions SET version = version + 1, settings = settings || '{"receiveMaximum": 9}'
          WHERE client_name = 'remembered'`,
      );
      const fourth = await alter('remembered', { receiveMaximum: 7 });
      assert.deepEqual(fourth.changedFields, ['receiveMaximum']);
      assert.equal(BigInt(fourth.session!.version), BigInt(third.session!.version) + 2n);
    } finally {
      await db.end();
    }
  });

  test('a bulk alteration is published as bulkAltered parts: each changed session once, each part under 1 MiB', async () => {
    const parts: { event: SessionBulkEvent; bytes: number }[] = [];
    const sub = nc.subscribe(`${h.infra.natsPrefix}.events.session.bulkAltered.>`, {
      callback: (_err, msg) => {
        const event = msg.json<SessionBulkEvent>();
        if (!parts.some((p) => p.event.eventId === event.eventId))
          parts.push({ event, bytes: msg.data.length });
      },
    });
    await nc.flush();
    const names = Array.from({ length: 6 }, (_, i) => `part-${i}`);
    for (const name of names) await open(name, `c-${name}`);
    const versionsBefore = new Map(
      (
        await call<object, DescribeSessionsResponse__Output>(
          h.sessions,
          h.sessions.DescribeSessions,
          { clientNames: names },
          bearer(token),
        )
      ).sessions.map((x) => [x.clientName, BigInt(x.version)]),
    );
    const bulk = (patch: Record<string, unknown>, requestId?: string) => {
      const md = bearer(token);
      if (requestId) md.set(REQUEST_ID_METADATA_KEY, requestId);
      return call<object, AlterSessionsResponse__Output>(
        h.sessions,
        h.sessions.AlterSessions,
        { filter: { partialClientName: 'part-' }, patch },
        md,
      );
    };
    // Two wills of the largest payload and correlation data per session: ~175 KiB of changes
    // each, so the parts hold one session each.
    const big = await bulk(
      {
        willTopic: 'w/big',
        willPayload: Buffer.alloc(65_500, 0x61),
        willCorrelationData: Buffer.alloc(65_500, 0x62),
      },
      'req-bulk-parts-1',
    );
    assert.equal(big.changed, 6);
    // A small change of all six fits one part.
    const small = await bulk({ keepAliveSeconds: 77 });
    assert.equal(small.changed, 6);
    const byBulk = await until(() => {
      const groups = new Map<string, SessionBulkEvent[]>();
      for (const { event } of parts) groups.set(event.bulkId, [...(groups.get(event.bulkId) ?? []), event]);
      const complete = [...groups.values()].filter((g) => g.length === g[0]!.parts);
      return complete.length === 2 ? complete : undefined;
    });
    byBulk.sort((a, b) => b.length - a.length);
    const [bigParts, smallParts] = byBulk as [SessionBulkEvent[], SessionBulkEvent[]];
    assert.equal(bigParts.length, 6);
    assert.equal(smallParts.length, 1);
    assert.ok(
      parts.every((p) => p.bytes < 1024 * 1024),
      `part sizes ${parts.map((p) => p.bytes).join(', ')}`,
    );
    for (const [group, nextVersion] of [
      [bigParts, 1n],
      [smallParts, 2n],
    ] as const) {
      assert.deepEqual(
        group.map((e) => e.part).sort((a, b) => a - b),
        Array.from({ length: group.length }, (_, i) => i + 1),
      );
      const entries = group.flatMap((e) => e.sessions);
      assert.deepEqual(entries.map((e) => e.clientName).sort(), names, 'every session exactly once');
      for (const e of entries) {
        assert.equal(BigInt(e.version), versionsBefore.get(e.clientName)! + nextVersion, e.clientName);
        assert.equal(group[0]!.actor, 'ADMIN');
      }
    }
    // The request id travels on every part of its bulk alteration (docs/operations.md).
    assert.deepEqual(
      bigParts.map((e) => (e as SessionBulkEvent).requestId),
      bigParts.map(() => 'req-bulk-parts-1'),
    );
    assert.equal((smallParts[0] as SessionBulkEvent).requestId, undefined, 'none given, none carried');
    const first = bigParts.flatMap((e) => e.sessions)[0]!;
    assert.deepEqual(first.changes.willTopic, { before: '', after: 'w/big' });
    assert.equal(first.changes.willPayload!.after, Buffer.alloc(65_500, 0x61).toString('base64'));
    assert.deepEqual(smallParts[0]!.sessions[0]!.changes.keepAliveSeconds, { before: 30, after: 77 });
    // The store has what the events say.
    const described = await call<object, DescribeSessionsResponse__Output>(
      h.sessions,
      h.sessions.DescribeSessions,
      { clientNames: names },
      bearer(token),
    );
    for (const x of described.sessions) {
      assert.equal(BigInt(x.version), versionsBefore.get(x.clientName)! + 2n);
      assert.equal(x.settings?.keepAliveSeconds, 77);
      assert.equal(x.settings?.willTopic, 'w/big');
      assert.equal(x.settings?.willQos, 2, 'a new will without a QoS is published at QoS 2');
    }
    sub.unsubscribe();
  });

  test('many concurrent alterations of one session, between bulk alterations: each lands exactly once', async () => {
    // Batches race for the same row with each other and with bulk alterations (another writer):
    // the loser of a race must retry, never report success for a change that was not written.
    await open('hot', 'c1');
    const values = Array.from({ length: 40 }, (_, i) => `v${i}`);
    const bulk = (keepAliveSeconds: number) =>
      call<object, AlterSessionsResponse__Output>(
        h.sessions,
        h.sessions.AlterSessions,
        { filter: { partialClientName: 'hot' }, patch: { keepAliveSeconds } },
        bearer(token),
      );
    const [results, bulks] = await Promise.all([
      Promise.all(values.map((v) => alter('hot', { userProperties: { items: [{ key: 'v', value: v }] } }))),
      Promise.all([bulk(101), bulk(102), bulk(103)]),
    ]);
    assert.deepEqual(
      bulks.map((b) => b.changed),
      [1, 1, 1],
    );
    const versions = results.map((r) => Number(r.session!.version));
    assert.equal(new Set(versions).size, values.length, 'no two alterations share a version');
    const audit = await call<object, { entries: { version: string; action: string; changesJson: string }[] }>(
      h.sessions,
      h.sessions.GetSessionAudit,
      { clientName: 'hot', maxRecords: 1000 },
      bearer(token),
    );
    const alters = audit.entries.filter((e) => e.action === 'alter');
    assert.equal(alters.length, values.length);
    assert.equal(audit.entries.filter((e) => e.action === 'bulk-alter').length, 3);
    // Versions 2..44 without a gap: 40 alterations and 3 bulk alterations, one version each.
    assert.deepEqual(
      audit.entries.map((e) => Number(e.version)).sort((a, b) => a - b),
      Array.from({ length: 43 }, (_, i) => i + 2),
    );
    // Each reply's version is the audit entry that wrote its value.
    for (const [i, r] of results.entries()) {
      const entry = alters.find((e) => Number(e.version) === Number(r.session!.version));
      assert.ok(entry, `audit entry of version ${r.session!.version}`);
      assert.match(entry.changesJson, new RegExp(`"value":"${values[i]}"`));
    }
  });

  test('a store that always takes the row lock (the fallback after lost optimistic writes) gives the same outcomes', async () => {
    await open('locked-1', 'c1');
    const db = createPool(h.infra.databaseUrl);
    const store = new SessionStore(db, makeSubjects(h.infra.natsPrefix), 0);
    try {
      const alterVia = (clientName: string, value: string) =>
        store.alter(
          {
            clientName,
            patch: { userProperties: { items: [{ key: 'v', value }] } },
          } as unknown as AlterSessionRequest__Output,
          'ADMIN',
        );
      const settled = await Promise.allSettled([
        ...Array.from({ length: 30 }, (_, i) => alterVia('locked-1', `v${i}`)),
        alterVia('locked-missing', 'x'),
      ]);
      const versions = settled.slice(0, 30).map((r) => {
        assert.equal(r.status, 'fulfilled');
        return Number((r as PromiseFulfilledResult<AlterOutcome>).value.session.version);
      });
      assert.deepEqual(
        versions.sort((a, b) => a - b),
        Array.from({ length: 30 }, (_, i) => i + 2),
      );
      assert.equal(settled[30]!.status, 'rejected');
      assert.equal(((settled[30] as PromiseRejectedResult).reason as MqfleetError).code, 'NOT_FOUND');
      // Without a fast path the events reach NATS through the outbox relay.
      const events = (await eventsOf('locked-1', 31)).filter((e) => e.type === 'altered');
      assert.deepEqual(
        events.map((e) => Number(e.version)).sort((a, b) => a - b),
        versions,
      );
    } finally {
      await db.end();
    }
  });

  test('a banned session refuses the next open; normal admits it again', async () => {
    await open('dev-5', 'c1');
    await alter('dev-5', { sessionStatus: 'SESSION_STATUS_BANNED' });
    const refused = await open('dev-5', 'c2');
    assert.equal(refused.refusal, 'OPEN_REFUSAL_BANNED');
    assert.equal(refused.session?.connection?.lastFailedConnectionReason, 'banned');
    await alter('dev-5', { sessionStatus: 'SESSION_STATUS_NORMAL' });
    assert.equal((await open('dev-5', 'c3')).refusal, 'OPEN_REFUSAL_NONE');
  });

  test('an MQ API session: created with its settings and a created event; its name refuses opens and creates', async () => {
    const create = (clientName: string, patch: Record<string, unknown> = {}) =>
      call<object, CreateMqApiSessionResponse__Output>(
        h.sessions,
        h.sessions.CreateMqApiSession,
        { clientName, patch },
        bearer(token),
      );
    const { session } = await create('api-1', { keepAliveSeconds: 25 });
    assert.equal(session?.sessionType, 'mqApi');
    assert.equal(session?.owner, 'ADMIN');
    assert.equal(session?.settings?.keepAliveSeconds, 25);
    assert.equal(session?.version, '1');
    const [created] = await eventsOf('api-1', 1);
    assert.equal(created!.type, 'created');
    // One name space: a second create, and an MQTT open (the single OpenSession path), are refused.
    await assert.rejects(
      create('api-1'),
      (err: grpc.ServiceError) => err.code === grpc.status.ALREADY_EXISTS,
    );
    const refused = await open('api-1', 'c1');
    assert.equal(refused.refusal, 'OPEN_REFUSAL_MQ_API_SESSION');
    assert.equal(
      refused.session?.connection?.lastFailedConnectionReason,
      'the client id names an MQ API session',
    );
    assert.equal(refused.session?.version, '1', 'a refused open is no state change');
    // An MQTT session's name cannot be taken either.
    await open('dev-mqtt-name', 'c1');
    await assert.rejects(
      create('dev-mqtt-name'),
      (err: grpc.ServiceError) => err.code === grpc.status.ALREADY_EXISTS,
    );
    // Invalid settings are refused before anything is written.
    await assert.rejects(
      create('api-2', { keepAliveSeconds: 70000 }),
      (err: grpc.ServiceError) => err.code === grpc.status.INVALID_ARGUMENT,
    );
    // Without a token: unauthenticated.
    await assert.rejects(
      call(h.sessions, h.sessions.CreateMqApiSession, { clientName: 'api-3' }),
      (err: grpc.ServiceError) => err.code === grpc.status.UNAUTHENTICATED,
    );
    // Publishing needs a gateway to route the messages: none runs here.
    await assert.rejects(
      call(
        h.sessions,
        h.sessions.Publish,
        { clientName: 'api-1', topic: 't', messages: [{ payload: Buffer.from('x') }] },
        bearer(token),
      ),
      (err: grpc.ServiceError) =>
        err.code === grpc.status.UNAVAILABLE && /connection-gateway/.test(err.details),
    );
  });

  test('a temporary session is removed when its connection closes; only the holder can close it', async () => {
    await open('dev-6', 'c1', { sessionExpiryInterval: 0 });
    const stale = await call<object, CloseSessionResponse__Output>(h.sessions, h.sessions.CloseSession, {
      clientName: 'dev-6',
      connectionId: 'someone-else',
      clean: true,
    });
    assert.equal(stale.closed, false);
    const closed = await call<object, CloseSessionResponse__Output>(h.sessions, h.sessions.CloseSession, {
      clientName: 'dev-6',
      connectionId: 'c1',
      clean: true,
    });
    assert.deepEqual([closed.closed, closed.sessionRemoved], [true, true]);
    await assert.rejects(
      alter('dev-6', { keepAliveSeconds: 1 }),
      (err: grpc.ServiceError) => err.code === grpc.status.NOT_FOUND,
    );
  });

  test('out-of-range patches from gRPC callers are INVALID_ARGUMENT', async () => {
    await open('dev-7', 'c1');
    for (const patch of [
      { receiveMaximum: 0 },
      { keepAliveSeconds: 70000 },
      { willQos: 3 },
      { willTopic: 'a/+/b' },
    ]) {
      await assert.rejects(
        alter('dev-7', patch),
        (err: grpc.ServiceError) => err.code === grpc.status.INVALID_ARGUMENT,
      );
    }
  });

  test('a client id of 65,535 bytes is stored and found', async () => {
    const longName = 'x'.repeat(65535);
    await open(longName, 'c1');
    const altered = await alter(longName, { keepAliveSeconds: 12 });
    assert.equal(altered.session?.clientName.length, 65535);
  });

  test('every change is in the audit trail with before and after', async () => {
    await open('dev-8', 'c1', { keepAliveSeconds: 20 });
    await alter('dev-8', { keepAliveSeconds: 21 });
    const client = new pg.Client({ connectionString: h.infra.databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query(
        "SELECT actor, version, changes FROM session_audit WHERE client_name = 'dev-8'",
      );
      assert.deepEqual(rows, [
        { actor: 'ADMIN', version: '2', changes: { keepAliveSeconds: { before: 20, after: 21 } } },
      ]);
    } finally {
      await client.end();
    }
  });

  test('migrations are safe when several instances start together', async () => {
    // The harness already migrated this database; a fresh one is migrated by three at once.
    const admin = new pg.Client({ connectionString: h.infra.databaseUrl });
    await admin.connect();
    await admin.query('CREATE DATABASE mqfleet_migrate_race');
    await admin.end();
    const url = new URL(h.infra.databaseUrl);
    url.pathname = '/mqfleet_migrate_race';
    const pools = [0, 1, 2].map(() => createPool(url.toString()));
    try {
      const results = await Promise.all(pools.map((p) => migrate(p)));
      const files = readdirSync(new URL('../migrations', `file://${__filename}`)).filter((f) =>
        f.endsWith('.sql'),
      );
      assert.deepEqual(results.flat().sort(), files.sort(), 'each migration applied exactly once');
    } finally {
      await Promise.all(pools.map((p) => p.end()));
      const cleanup = new pg.Client({ connectionString: h.infra.databaseUrl });
      await cleanup.connect();
      await cleanup.query('DROP DATABASE mqfleet_migrate_race WITH (FORCE)');
      await cleanup.end();
    }
  });
});
