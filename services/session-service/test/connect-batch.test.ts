// Opening and closing sessions in groups (src/connect-batch.ts): hundreds of concurrent
// OpenSession and CloseSession calls give each caller what one call at a time would — new
// sessions at version 1, resumed ones with their subscriptions, banned ones refused, the later of
// two connections of one client holding the session, temporary sessions removed at close,
// persistent ones disconnected, a close by a connection that no longer holds the session ignored
// — and one event per change. Gateways' subscription changes (src/subscription-batch.ts) too.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { connect, type NatsConnection } from 'nats';
import { subjects, type SessionEvent } from '@mqfleet/core';
import type {
  AlterSessionResponse__Output,
  ChangeSubscriptionsBatchResponse__Output,
  ChangeSubscriptionsResponse__Output,
  CloseSessionResponse__Output,
  CloseSessionsResponse__Output,
  CreateTokenResponse__Output,
  DescribeSessionsResponse__Output,
  ListSessionNamesResponse__Output,
  OpenSessionResponse__Output,
  OpenSessionsResponse__Output,
} from '@mqfleet/proto';
import { createInfra, until } from '@mqfleet/testkit';
import { AbandonedError, KeyedBatcher } from '../src/connect-batch';
import { SessionStore } from '../src/sessions';
import { subscriptionBatcher } from '../src/subscription-batch';
import { createPool } from '../src/db';
import { bearer, call, declaration, startHarness, type Harness } from './helpers';

const N = 100;
const PERSISTENT = { cleanStart: false, sessionExpiryInterval: 600 };
const TEMPORARY = { cleanStart: true, sessionExpiryInterval: 0 };

describe('sessions opened and closed in groups', () => {
  let h: Harness;
  let token: string;
  let nc: NatsConnection;
  const events: SessionEvent[] = [];

  before(async () => {
    h = await startHarness();
    token = (
      await call<object, CreateTokenResponse__Output>(h.auth, h.auth.CreateToken, {
        username: 'ADMIN',
        password: 'ADMIN',
      })
    ).token;
    nc = await connect({ servers: h.infra.natsUrl });
    nc.subscribe(`${h.infra.natsPrefix}.events.session.>`, {
      callback: (_err, msg) => {
        const event = msg.json<SessionEvent>();
        if (!events.some((e) => e.eventId === event.eventId)) events.push(event);
      },
    });
    await nc.flush();
  });
  after(async () => {
    await nc.close();
    await h.close();
  });

  const open = (clientName: string, connectionId: string, declared: Record<string, unknown>) =>
    call<object, OpenSessionResponse__Output>(h.sessions, h.sessions.OpenSession, {
      clientName,
      gatewayId: 'gw-batch',
      connectionId,
      ipAddress: '127.0.0.1',
      port: 40000,
      declared: declaration(declared),
    });
  const close = (clientName: string, connectionId: string) =>
    call<object, CloseSessionResponse__Output>(h.sessions, h.sessions.CloseSession, {
      clientName,
      connectionId,
      clean: true,
      reason: '',
    });
  const describeAll = async (names: string[]) =>
    (
      await call<object, DescribeSessionsResponse__Output>(
        h.sessions,
        h.sessions.DescribeSessions,
        { clientNames: names },
        bearer(token),
      )
    ).sessions;

  test('concurrent opens and closes give every caller its own, correct result', async () => {
    const names = (kind: string): string[] => Array.from({ length: N }, (_, i) => `${kind}-${i}`);
    // Prepared one at a time: persistent sessions with a subscription (now disconnected), banned ones.
    for (const name of names('resume')) {
      await open(name, `${name}-old`, PERSISTENT);
      await call<object, ChangeSubscriptionsResponse__Output>(h.sessions, h.sessions.ChangeSubscriptions, {
        clientName: name,
        connectionId: `${name}-old`,
        add: [
          {
            topicFilter: `t/${name}`,
            qos: 1,
            noLocal: false,
            retainAsPublished: false,
            retainHandling: 0,
            subscriptionIdentifier: 0,
          },
        ],
      });
      await close(name, `${name}-old`);
    }
    for (const name of names('banned')) {
      await open(name, `${name}-old`, PERSISTENT);
      await close(name, `${name}-old`);
      await call<object, AlterSessionResponse__Output>(
        h.sessions,
        h.sessions.AlterSession,
        { clientName: name, patch: { sessionStatus: 'SESSION_STATUS_BANNED' } },
        bearer(token),
      );
    }
    events.length = 0;

    // All at once: new temporary sessions, resumed persistent ones, banned ones, and two
    // connections of each "twice" client.
    const [fresh, resumed, banned, first, second] = await Promise.all([
      Promise.all(names('fresh').map((n) => open(n, `${n}-c`, TEMPORARY))),
      Promise.all(names('resume').map((n) => open(n, `${n}-new`, PERSISTENT))),
      Promise.all(names('banned').map((n) => open(n, `${n}-new`, PERSISTENT))),
      Promise.all(names('twice').map((n) => open(n, `${n}-a`, PERSISTENT))),
      Promise.all(names('twice').map((n) => open(n, `${n}-b`, PERSISTENT))),
    ]);
    for (const r of fresh) {
      assert.equal(r.refusal, 'OPEN_REFUSAL_NONE');
      assert.equal(r.sessionPresent, false);
      assert.equal(r.session?.version, '1');
      assert.equal(r.session?.connection?.status, 'CONNECTION_STATUS_CONNECTED');
    }
    resumed.forEach((r, i) => {
      assert.equal(r.refusal, 'OPEN_REFUSAL_NONE');
      assert.equal(r.sessionPresent, true, 'Clean Start 0 resumes the session');
      assert.deepEqual(
        r.session?.subscriptions.map((s) => s.topicFilter),
        [`t/resume-${i}`],
      );
      assert.equal(r.session?.connection?.connectionId, `resume-${i}-new`);
    });
    for (const r of banned) assert.equal(r.refusal, 'OPEN_REFUSAL_BANNED');
    // Of two connections of one client, the one opened last (the higher version) holds it.
    const twice = await describeAll(names('twice'));
    twice.forEach((session, i) => {
      const a = first[i]!;
      const b = second[i]!;
      const last = BigInt(a.session!.version) > BigInt(b.session!.version) ? `twice-${i}-a` : `twice-${i}-b`;
      assert.deepEqual([a.session!.version, b.session!.version].sort(), ['1', '2']);
      assert.equal(session.connection?.connectionId, last);
    });
    // One connected event per opened session; none for a banned attempt.
    await until(() => events.filter((e) => e.type === 'connected').length >= 4 * N);
    const connected = events.filter((e) => e.type === 'connected');
    assert.equal(connected.length, 4 * N);
    assert.equal(connected.filter((e) => e.clientName.startsWith('banned-')).length, 0);

    events.length = 0;
    const closes = await Promise.all([
      ...names('fresh').map((n) => close(n, `${n}-c`)),
      ...names('resume').map((n) => close(n, `${n}-new`)),
      // A connection that no longer holds its session cannot close it.
      ...names('resume').map((n) => close(n, `${n}-old`)),
    ]);
    const [freshClosed, resumeClosed, staleClosed] = [
      closes.slice(0, N),
      closes.slice(N, 2 * N),
      closes.slice(2 * N),
    ];
    for (const r of freshClosed) assert.deepEqual([r.closed, r.sessionRemoved], [true, true]);
    for (const r of resumeClosed) assert.deepEqual([r.closed, r.sessionRemoved], [true, false]);
    for (const r of staleClosed) assert.deepEqual([r.closed, r.sessionRemoved], [false, false]);
    assert.deepEqual(await describeAll(names('fresh')), []);
    for (const session of await describeAll(names('resume'))) {
      assert.equal(session.connection?.status, 'CONNECTION_STATUS_DISCONNECTED');
      assert.equal(session.health, 'offline');
      assert.equal(session.subscriptions.length, 1);
    }
    await until(() => events.length >= 2 * N);
    assert.equal(events.filter((e) => e.type === 'deleted').length, N);
    const disconnected = events.filter((e) => e.type === 'disconnected');
    assert.equal(disconnected.length, N);
    assert.ok(disconnected.every((e) => e.session?.subscriptions.length === 1));
  });

  test('OpenSessions / CloseSessions: one result per request, in order; a bad request fails alone', async () => {
    const requests = ['batch-a', '', 'batch-b'].map((clientName, i) => ({
      clientName,
      gatewayId: 'gw-batch',
      connectionId: `b-${i}`,
      ipAddress: '127.0.0.1',
      port: 40000,
      declared: declaration(TEMPORARY),
    }));
    const opened = await call<object, OpenSessionsResponse__Output>(h.sessions, h.sessions.OpenSessions, {
      requests,
    });
    assert.deepEqual(
      opened.results.map((r) => r.result),
      ['response', 'failure', 'response'],
    );
    assert.equal(opened.results[0]!.response?.session?.clientName, 'batch-a');
    assert.equal(opened.results[2]!.response?.session?.clientName, 'batch-b');
    assert.equal(opened.results[1]!.failure?.status, 3); // INVALID_ARGUMENT, as the single call
    assert.ok(opened.results[1]!.failure?.errorCode);
    const closed = await call<object, CloseSessionsResponse__Output>(h.sessions, h.sessions.CloseSessions, {
      requests: [
        { clientName: 'batch-b', connectionId: 'b-2', clean: true, reason: '' },
        { clientName: 'batch-a', connectionId: 'wrong', clean: true, reason: '' },
      ],
    });
    assert.deepEqual(
      closed.results.map((r) => [r.response?.closed, r.response?.sessionRemoved]),
      [
        [true, true],
        [false, false],
      ],
    );
  });

  test('ChangeSubscriptionsBatch: concurrent changes grouped give each what the single call gives', async () => {
    const sub = (topicFilter: string, qos = 0) => ({
      topicFilter,
      qos,
      noLocal: false,
      retainAsPublished: false,
      retainHandling: 0,
      subscriptionIdentifier: 0,
    });
    const gateway = new grpc.Metadata();
    gateway.set('x-mqfleet-gateway', 'gw-batch');
    const batch = (requests: object[]) =>
      call<object, ChangeSubscriptionsBatchResponse__Output>(
        h.sessions,
        h.sessions.ChangeSubscriptionsBatch,
        { requests },
        gateway,
      );
    const names = Array.from({ length: N }, (_, i) => `subs-${i}`);
    await Promise.all(names.map((n) => open(n, `${n}-c`, PERSISTENT)));
    events.length = 0;
    // One call per client, all at once (they queue behind each other into group commits), plus one
    // call of three: a change naming a connection that does not hold the session, an invalid
    // filter, and a change of a session that does not exist.
    const [added, mixed] = await Promise.all([
      Promise.all(
        names.map((n) =>
          batch([{ clientName: n, connectionId: `${n}-c`, add: [sub(`a/${n}`), sub(`b/${n}`, 1)] }]),
        ),
      ),
      batch([
        { clientName: 'subs-0', connectionId: 'not-it', add: [sub('x')] },
        { clientName: 'subs-1', connectionId: 'subs-1-c', add: [sub('bad/#/filter')] },
        { clientName: 'subs-none', connectionId: 'c', add: [sub('x')] },
      ]),
    ]);
    for (const [i, r] of added.entries()) {
      const session = r.results[0]!.response!.session!;
      assert.equal(session.clientName, names[i]);
      assert.equal(session.version, '2');
      assert.deepEqual(
        session.subscriptions.map((s) => [s.topicFilter, s.qos]),
        [
          [`a/${names[i]}`, 0],
          [`b/${names[i]}`, 1],
        ],
      );
    }
    assert.deepEqual(
      mixed.results.map((r) => r.failure?.status),
      [5, 3, 5], // NOT_FOUND, INVALID_ARGUMENT, NOT_FOUND: as the single call
    );
    // Remove one, change another's QoS, and one change that changes nothing (same version).
    const [changed, same] = await Promise.all([
      batch(
        names.slice(1).map((n) => ({
          clientName: n,
          connectionId: `${n}-c`,
          add: [sub(`b/${n}`, 0)],
          remove: [`a/${n}`],
        })),
      ),
      batch([{ clientName: 'subs-0', connectionId: 'subs-0-c', add: [sub('a/subs-0')] }]),
    ]);
    assert.equal(same.results[0]!.response!.session!.version, '2');
    for (const r of changed.results) {
      const session = r.response!.session!;
      assert.equal(session.version, '3');
      assert.deepEqual(
        session.subscriptions.map((s) => [s.topicFilter, s.qos]),
        [[`b/${session.clientName}`, 0]],
      );
    }
    // What is stored, and one altered event per change with its before and after.
    const stored = await describeAll(names);
    assert.deepEqual(
      stored.map((s) => [s.clientName, s.version, s.subscriptions.length]),
      names.map((n, i) => [n, i === 0 ? '2' : '3', i === 0 ? 2 : 1]),
    );
    await until(() => events.filter((e) => e.type === 'altered').length >= 2 * N - 1);
    const altered = events.filter((e) => e.type === 'altered' && e.clientName === 'subs-5');
    assert.deepEqual(
      altered.map((e) => [e.version, e.actor, (e.changes?.subscriptions?.after as unknown[]).length]),
      [
        ['2', 'gateway:gw-batch', 2],
        ['3', 'gateway:gw-batch', 1],
      ],
    );
  });

  test('subscription changes are written by the batch itself, not one by one after it failed', async () => {
    // A batch that fails as a whole gives the same results (each write then goes alone), so only
    // the batcher's count shows it: a batch path that throws (a circular import once left
    // eventFor undefined in it) must fail here.
    const db = createPool(h.infra.databaseUrl);
    try {
      const store = new SessionStore(db, subjects(h.infra.natsPrefix));
      const batcher = subscriptionBatcher(db, store);
      const names = ['direct-1', 'direct-2', 'direct-3'];
      await Promise.all(names.map((n) => open(n, `${n}-c`, PERSISTENT)));
      const change = (clientName: string, connectionId: string) => ({
        req: {
          clientName,
          connectionId,
          add: [
            {
              topicFilter: `d/${clientName}`,
              qos: 0,
              noLocal: false,
              retainAsPublished: false,
              retainHandling: 0,
              subscriptionIdentifier: 0,
            },
          ],
          remove: [],
        },
        gatewayId: 'gw-direct',
      });
      const [done, refused] = await Promise.all([
        Promise.all(names.map((n) => batcher.submit(change(n, `${n}-c`)))),
        batcher.submit(change('direct-1', 'not-its-connection')).then(
          () => 'written',
          (err: unknown) => (err as Error).message,
        ),
      ]);
      assert.deepEqual(
        done.map((r) => [r.session.clientName, r.session.version, r.changed]),
        names.map((n) => [n, '2', true]),
      );
      assert.match(refused, /connection "not-its-connection"/);
      assert.equal(batcher.wholeFailures, 0);
    } finally {
      await db.end();
    }
  });

  test('an open the gateway answered first resumes a stored session without its subscriptions', async () => {
    const subscribe = (clientName: string, connectionId: string) =>
      call<object, ChangeSubscriptionsResponse__Output>(h.sessions, h.sessions.ChangeSubscriptions, {
        clientName,
        connectionId,
        add: [
          {
            topicFilter: `t/${clientName}`,
            qos: 1,
            noLocal: false,
            retainAsPublished: false,
            retainHandling: 0,
            subscriptionIdentifier: 0,
          },
        ],
      });
    const answered = (clientName: string, connectionId: string) => ({
      clientName,
      gatewayId: 'gw-batch',
      connectionId,
      ipAddress: '127.0.0.1',
      port: 40000,
      declared: declaration(PERSISTENT),
      answered: true,
    });
    for (const name of ['answered-one', 'answered-many']) {
      await open(name, `${name}-old`, PERSISTENT);
      await subscribe(name, `${name}-old`);
      await close(name, `${name}-old`);
    }
    // One call (SessionStore.open) and one batch (openMany).
    const one = await call<object, OpenSessionResponse__Output>(
      h.sessions,
      h.sessions.OpenSession,
      answered('answered-one', 'answered-one-new'),
    );
    const many = await call<object, OpenSessionsResponse__Output>(h.sessions, h.sessions.OpenSessions, {
      requests: [answered('answered-many', 'answered-many-new')],
    });
    for (const response of [one, many.results[0]!.response!]) {
      assert.equal(response.refusal, 'OPEN_REFUSAL_NONE');
      assert.equal(response.sessionPresent, false);
      assert.equal(response.session?.version, '4'); // open, subscribe, close, open again
      assert.deepEqual(response.session?.subscriptions, []);
    }
    // Without `answered`, the same CONNECT would have resumed the subscription.
    await open('answered-control', 'answered-control-old', PERSISTENT);
    await subscribe('answered-control', 'answered-control-old');
    await close('answered-control', 'answered-control-old');
    const control = await open('answered-control', 'answered-control-new', PERSISTENT);
    assert.equal(control.sessionPresent, true);
    assert.equal(control.session?.subscriptions.length, 1);
  });

  test('ListSessionNames pages through every stored name and says whether anonymous clients may connect', async () => {
    const names: string[] = [];
    let after = '';
    let pages = 0;
    do {
      const page = await call<object, ListSessionNamesResponse__Output>(
        h.sessions,
        h.sessions.ListSessionNames,
        { after, limit: 7 },
      );
      assert.ok(page.clientNames.length <= 7);
      assert.equal(page.anonymousAllowed, true);
      names.push(...page.clientNames);
      after = page.next;
      pages++;
    } while (after !== '');
    const db = createPool(h.infra.databaseUrl);
    const { rows } = await db.query<{ client_name: string }>('SELECT client_name FROM sessions');
    await db.end();
    assert.deepEqual([...names].sort(), rows.map((r) => r.client_name).sort());
    assert.equal(new Set(names).size, names.length);
    assert.ok(pages > 1);
  });
});

describe('a queued write whose caller gave up', () => {
  test('is not written: it is rejected with AbandonedError when its batch would start', async () => {
    const infra = await createInfra();
    const db = createPool(infra.databaseUrl);
    try {
      const written: string[][] = [];
      let releaseFirst!: () => void;
      const firstHeld = new Promise<void>((resolve) => (releaseFirst = resolve));
      const batcher = new KeyedBatcher<string, string>(
        db,
        (req) => req,
        async (_tx, reqs) => {
          written.push(reqs);
          if (reqs.includes('first')) await firstHeld;
          return reqs.map((r) => `done ${r}`);
        },
        async (req) => `alone ${req}`,
        1,
      );
      // One batch at a time: 'first' holds it while the others queue.
      const first = batcher.submit('first');
      await until(() => written.length === 1 || undefined);
      let gaveUp = false;
      const abandoned = assert.rejects(
        batcher.submit('abandoned', () => gaveUp),
        AbandonedError,
      );
      const kept = batcher.submit('kept', () => false);
      gaveUp = true; // e.g. its gRPC deadline passed while it queued
      releaseFirst();
      assert.equal(await first, 'done first');
      assert.equal(await kept, 'done kept');
      await abandoned;
      assert.deepEqual(written, [['first'], ['kept']]);
    } finally {
      await db.end();
      await infra.close();
    }
  });
});
