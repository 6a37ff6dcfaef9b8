// The session-service keeps sessions and their events within what the bus carries (src/bus-fit.ts,
// core event-size.ts, src/outbox.ts; docs/events.md "Events too large for the bus"): an
// administrator's will topic or filter that NATS cannot carry and subscriptions beyond the bound
// are refused; an event too large goes out as a reference; the outbox relay publishes each row on
// its own, so one row NATS refuses never holds back the others. Real Postgres and NATS.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { connect, type NatsConnection } from 'nats';
import pg from 'pg';
import { until } from '@mqfleet/testkit';
import {
  SESSION_EVENT_INLINE_BYTES,
  subjects,
  type SessionBulkEvent,
  type SessionEvent,
} from '@mqfleet/core';
import type {
  ChangeSubscriptionsResponse__Output,
  CreateTokenResponse__Output,
  OpenSessionResponse__Output,
  Subscription,
} from '@mqfleet/proto';
import { OUTBOX_CHANNEL } from '../src/outbox';
import { bearer, call, declaration, startHarness, type Harness } from './helpers';

const sub = (topicFilter: string): Subscription => ({
  topicFilter,
  qos: 1,
  noLocal: false,
  retainAsPublished: false,
  retainHandling: 0,
  subscriptionIdentifier: 0,
});

/** The catalogue name of a failed call (trailer mqfleet-error-code) and its gRPC status. */
async function failure(
  promise: Promise<unknown>,
): Promise<{ code: string; status: number; message: string }> {
  try {
    await promise;
  } catch (err) {
    const e = err as grpc.ServiceError;
    return { code: String(e.metadata?.get('mqfleet-error-code')[0]), status: e.code, message: e.details };
  }
  throw new Error('the call succeeded');
}

describe('session state and events fit the bus', () => {
  let h: Harness;
  let token: string;
  let nc: NatsConnection;
  let db: pg.Client;
  /** Every event payload seen on NATS (both copies), in arrival order. */
  const seen: { subject: string; bytes: number; event: SessionEvent }[] = [];

  before(async () => {
    h = await startHarness({ MQFLEET_MAX_SUBSCRIPTIONS: '3000' });
    token = (
      await call<object, CreateTokenResponse__Output>(h.auth, h.auth.CreateToken, {
        username: 'ADMIN',
        password: 'ADMIN',
      })
    ).token;
    nc = await connect({ servers: h.infra.natsUrl });
    nc.subscribe(`${h.infra.natsPrefix}.events.>`, {
      callback: (_err, msg) => seen.push({ subject: msg.subject, bytes: msg.data.length, event: msg.json() }),
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
    md.set('x-mqfleet-gateway', 'gw-fit');
    return md;
  };
  const open = (clientName: string, connectionId: string) =>
    call<object, OpenSessionResponse__Output>(h.sessions, h.sessions.OpenSession, {
      clientName,
      gatewayId: 'gw-fit',
      connectionId,
      ipAddress: '127.0.0.1',
      port: 40000,
      declared: declaration({ cleanStart: false }),
    });
  const change = (req: Record<string, unknown>, md: grpc.Metadata) =>
    call<object, ChangeSubscriptionsResponse__Output>(h.sessions, h.sessions.ChangeSubscriptions, req, md);
  const outboxRows = async (): Promise<number> =>
    (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox')).rows[0]!.n;

  test('alterMqSession: a will topic NATS cannot carry is TOO_LARGE', async () => {
    await open('fit-will', 'c1');
    const res = await failure(
      call(
        h.sessions,
        h.sessions.AlterSession,
        { clientName: 'fit-will', patch: { willTopic: 'w/'.repeat(2500) } },
        bearer(token),
      ),
    );
    assert.equal(res.code, 'TOO_LARGE');
    assert.equal(res.status, grpc.status.INVALID_ARGUMENT);
    assert.match(res.message, /"willTopic".*maps to a NATS subject of \d+ bytes; at most \d+ fit the bus/);
  });

  test('subscribeToMq: a filter NATS cannot carry is TOO_LARGE, beyond the bound LIMIT_EXCEEDED', async () => {
    await open('fit-sub', 'c1');
    const long = await failure(
      change({ clientName: 'fit-sub', add: [sub('ok'), sub(`${'f'.repeat(4998)}/#`)] }, bearer(token)),
    );
    assert.equal(long.code, 'TOO_LARGE');
    assert.match(long.message, /"add\[1\]\.topicFilter"/);
    // 256 KiB of filter bytes at most (the default): 300 filters of 1,000 bytes do not fit.
    const many = Array.from({ length: 300 }, (_, i) => sub(`${i}/${'m'.repeat(990)}`));
    const bound = await failure(change({ clientName: 'fit-sub', add: many }, bearer(token)));
    assert.equal(bound.code, 'LIMIT_EXCEEDED');
    assert.equal(bound.status, grpc.status.RESOURCE_EXHAUSTED);
    assert.match(bound.message, /at most 262144 bytes/);
    // Within the bound it works, and removing never hits it.
    const ok = await change({ clientName: 'fit-sub', add: many.slice(0, 200) }, bearer(token));
    assert.equal(ok.session?.subscriptions.length, 200);
    const removed = await change({ clientName: 'fit-sub', remove: ['0/' + 'm'.repeat(990)] }, bearer(token));
    assert.equal(removed.session?.subscriptions.length, 199);
  });

  test("an event too large for the bus goes out as a reference; the session's version and fields are named", async () => {
    await open('fit-big', 'c1');
    // 2,400 filters of ~395 bytes (950 KB), as in the issue, stored by a gateway (no bound there).
    const filters = Array.from({ length: 2400 }, (_, i) =>
      sub(`${String(i).padStart(4, '0')}/${'s'.repeat(390)}`),
    );
    const res = await change({ clientName: 'fit-big', connectionId: 'c1', add: filters }, gatewayMd());
    assert.equal(res.session?.subscriptions.length, 2400);
    const event = await until(() =>
      seen.find((e) => e.event.clientName === 'fit-big' && e.event.type === 'altered'),
    );
    assert.ok(event.bytes <= SESSION_EVENT_INLINE_BYTES, `${event.bytes} bytes`);
    assert.deepEqual(event.event.omitted, ['session', 'changes']);
    assert.deepEqual(event.event.changedFields, ['subscriptions']);
    assert.equal(event.event.version, res.session?.version);
    assert.equal(event.event.session, undefined);
    await until(async () => (await outboxRows()) === 0);
  });

  test('a bulk alteration: an entry too large for the bus leaves its changes out; the others keep theirs', async () => {
    await open('fit-bulk-1', 'c1');
    await open('fit-bulk-2', 'c2');
    const huge = Array.from({ length: 5 }, (_, i) => ({ key: `k${i}`, value: 'v'.repeat(60_000) }));
    const res = await call<object, { changed: number }>(
      h.sessions,
      h.sessions.AlterSessions,
      { filter: { partialClientName: 'fit-bulk-' }, patch: { userProperties: { items: huge } } },
      bearer(token),
    );
    assert.equal(res.changed, 2);
    const parts = await until(() => {
      const found = seen.filter((e) => (e.event.type as string) === 'bulkAltered');
      const entries = found.flatMap((e) => (e.event as unknown as SessionBulkEvent).sessions);
      return entries.length >= 2 ? { found, entries } : undefined;
    });
    for (const part of parts.found) assert.ok(part.bytes <= 1024 * 1024, `${part.bytes} bytes`);
    for (const entry of parts.entries) {
      assert.equal(entry.omitted, true);
      assert.deepEqual(entry.changes, {});
    }
    await until(async () => (await outboxRows()) === 0);
  });

  test('the relay publishes each row on its own: one NATS cannot carry never blocks the others', async () => {
    const s = subjects(h.infra.natsPrefix);
    const huge: SessionEvent = {
      eventId: 'legacy-huge',
      type: 'altered',
      clientName: 'fit-legacy',
      version: '9',
      at: new Date().toISOString(),
      actor: 'gateway:old',
      changes: { subscriptions: { before: [], after: ['x'.repeat(1_200_000)] } },
    };
    const small: SessionEvent = {
      ...huge,
      eventId: 'after-huge',
      version: '10',
      changes: { keepAliveSeconds: { before: 1, after: 2 } },
    };
    // Rows as an older session-service wrote them: only the relay publishes them.
    await db.query(
      `INSERT INTO outbox (subject, msg_id, payload) VALUES ($1, $2, $3), ($4, $5, $6), ($7, $8, $9)`,
      [
        s.sessionEvent('altered', 'fit-legacy'),
        huge.eventId,
        JSON.stringify(huge),
        s.labelEvent('altered', 1),
        'legacy-label',
        JSON.stringify({
          eventId: 'legacy-label',
          type: 'altered',
          id: 1,
          label: { description: 'd'.repeat(1_200_000) },
        }),
        s.sessionEvent('altered', 'fit-legacy'),
        small.eventId,
        JSON.stringify(small),
      ],
    );
    await db.query(`NOTIFY ${OUTBOX_CHANNEL}`);
    // All three rows leave the outbox within a few relay passes (it polls every second).
    await until(async () => (await outboxRows()) === 0, 10_000);
    const reference = await until(() => seen.find((e) => e.event.eventId === 'legacy-huge'));
    assert.deepEqual(reference.event.omitted, ['session', 'changes']);
    assert.deepEqual(reference.event.changedFields, ['subscriptions']);
    const after = await until(() => seen.find((e) => e.event.eventId === 'after-huge'));
    assert.deepEqual(after.event.changes, small.changes);
    // The label row cannot be shrunk: it is dropped with an error in the log, never retried.
    assert.equal(
      seen.find((e) => e.event.eventId === 'legacy-label'),
      undefined,
    );
  });
});
