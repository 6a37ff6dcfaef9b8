import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import pg from 'pg';
import { LabelServiceClient, type CreateLabelResponse__Output } from '@mqfleet/proto';
import type {
  AlterSessionsResponse__Output,
  CreateTokenResponse__Output,
  DeleteSessionResponse__Output,
  DescribeSessionsResponse__Output,
  GetSessionAuditResponse__Output,
  ListSessionsResponse__Output,
  Session__Output,
} from '@mqfleet/proto';
import { bearer, call, declaration, startHarness, type Harness } from './helpers';

describe('listing, deleting, bulk alteration and audit', () => {
  let h: Harness;
  let token: string;
  let labelId: number;

  before(async () => {
    h = await startHarness();
    token = (
      await call<object, CreateTokenResponse__Output>(h.auth, h.auth.CreateToken, {
        username: 'ADMIN',
        password: 'ADMIN',
      })
    ).token;
    // 12 sessions: dev-00..dev-11; even ones disconnected; dev-03 hidden; dev-04 labelled.
    for (let i = 0; i < 12; i++) {
      const name = `dev-${String(i).padStart(2, '0')}`;
      await call(h.sessions, h.sessions.OpenSession, {
        clientName: name,
        gatewayId: 'gw',
        connectionId: `c-${name}`,
        ipAddress: `10.0.0.${20 - i}`,
        port: 1000 + i,
        declared: declaration(),
      });
      if (i % 2 === 0) {
        await call(h.sessions, h.sessions.CloseSession, {
          clientName: name,
          connectionId: `c-${name}`,
          clean: true,
        });
      }
    }
    await call(
      h.sessions,
      h.sessions.AlterSession,
      { clientName: 'dev-03', patch: { sessionStatus: 'SESSION_STATUS_HIDDEN' } },
      bearer(token),
    );
    const labels = new LabelServiceClient('unused', grpc.credentials.createInsecure(), {
      channelOverride: h.sessions.getChannel(),
    });
    labelId = (
      await call<object, CreateLabelResponse__Output>(
        labels,
        labels.CreateLabel,
        { group: 'site/', name: 'north' },
        bearer(token),
      )
    ).label!.id;
    await call(
      h.sessions,
      h.sessions.AlterSession,
      { clientName: 'dev-04', patch: { labelGroup: 'site/', labelName: 'north' } },
      bearer(token),
    );
  });
  after(() => h.close());

  const list = (req: Record<string, unknown>) =>
    call<object, ListSessionsResponse__Output>(h.sessions, h.sessions.ListSessions, req, bearer(token));
  const names = (res: ListSessionsResponse__Output) => res.sessions.map((s: Session__Output) => s.clientName);

  test('hidden sessions are left out unless the status filter asks for them', async () => {
    const all = names(await list({}));
    assert.equal(all.length, 11);
    assert.ok(!all.includes('dev-03'));
    assert.deepEqual(names(await list({ filter: { sessionStatusFilter: ['hidden'] } })), ['dev-03']);
  });

  test('listed timestamps are the ISO text describe gives (listing reads them without Dates)', async () => {
    const listed = (await list({ filter: { sessionStatusFilter: ['normal', 'hidden'] } })).sessions;
    const described = await call<object, DescribeSessionsResponse__Output>(
      h.sessions,
      h.sessions.DescribeSessions,
      { clientNames: listed.map((s) => s.clientName) },
      bearer(token),
    );
    const stamps = (s: Session__Output) => [
      s.clientName,
      s.createdAt,
      s.updatedAt,
      s.connection?.connectedAt,
      s.connection?.disconnectedAt,
    ];
    assert.equal(listed.length, 12);
    assert.deepEqual(listed.map(stamps).sort(), described.sessions.map(stamps).sort());
    for (const s of listed) assert.match(s.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    // Disconnected sessions have a disconnection time, connected ones none.
    assert.ok(listed.some((s) => s.connection?.disconnectedAt !== '' && s.connection?.connectedAt !== ''));
  });

  test('filters combine with AND and match any of their values', async () => {
    const res = await list({ filter: { partialClientName: 'dev-0', connectionStatusFilter: ['connected'] } });
    assert.deepEqual(names(res), ['dev-01', 'dev-05', 'dev-07', 'dev-09']);
    assert.deepEqual(names(await list({ filter: { labelGroup: 'site/', labelName: 'north' } })), ['dev-04']);
    const byId = await list({ filter: { labelId } });
    assert.deepEqual(names(byId), ['dev-04']);
    // Stored as the id; read with the label's current group and name.
    assert.deepEqual(
      [
        byId.sessions[0]!.settings!.labelId,
        byId.sessions[0]!.settings!.labelGroup,
        byId.sessions[0]!.settings!.labelName,
      ],
      [labelId, 'site/', 'north'],
    );
    assert.deepEqual(names(await list({ filter: { labelGroup: 'site/', labelName: 'south' } })), []);
    assert.deepEqual(
      names(await list({ filter: { healthFilter: ['offline'], partialClientName: 'dev-1' } })),
      ['dev-10'],
    );
  });

  test('the five sorts, both directions', async () => {
    const byName = names(await list({ sortBy: 'clientName', descending: true }));
    assert.equal(byName[0], 'dev-11');
    const byIp = names(await list({ sortBy: 'ipAddress' }));
    // 10.0.0.10 < 10.0.0.11 < ... < 10.0.0.20 as text.
    assert.equal(byIp[0], 'dev-10');
    const byConnect = names(await list({ sortBy: 'lastConnect', descending: true }));
    assert.equal(byConnect[0], 'dev-11');
    const byDisconnect = names(await list({ sortBy: 'lastDisconnect', descending: true }));
    assert.equal(byDisconnect[0], 'dev-10', 'the most recent disconnection first');
    // sessionHealth: the connected (odd) sessions are healthy, the others offline; healthy <
    // offline < unhealthy, ties in client_key order as in every sort.
    const healths = (res: ListSessionsResponse__Output) => res.sessions.map((s) => s.health);
    const byHealth = await list({ sortBy: 'sessionHealth' });
    assert.deepEqual(healths(byHealth), [...Array(5).fill('healthy'), ...Array(6).fill('offline')]);
    assert.deepEqual(names(byHealth).slice(0, 5).sort(), ['dev-01', 'dev-05', 'dev-07', 'dev-09', 'dev-11']);
    const byHealthDown = await list({ sortBy: 'sessionHealth', descending: true });
    assert.deepEqual(names(byHealthDown), names(byHealth).reverse());
  });

  test('skipRecords/maxRecords and the cursor page through every session once', async () => {
    const seen: string[] = [];
    let cursor = '';
    for (let page = 0; page < 10; page++) {
      const res = await list({ sortBy: 'lastConnect', maxRecords: 4, cursor });
      seen.push(...names(res));
      cursor = res.nextCursor;
      if (!cursor) break;
    }
    assert.equal(seen.length, 11);
    assert.equal(new Set(seen).size, 11);
    assert.deepEqual(names(await list({ skipRecords: 10, maxRecords: 5 })), ['dev-11']);
  });

  test('skipRecords is the list without its first records, in every sort, with filters and cursors', async () => {
    // The page after skipRecords is read from the first kept row's sort key on (listing.ts):
    // ties (lastDisconnect of connected sessions is -infinity for all) must still come in order.
    for (const sortBy of ['clientName', 'lastConnect', 'lastDisconnect', 'ipAddress', 'sessionHealth']) {
      for (const descending of [false, true]) {
        for (const filter of [
          {},
          { sessionStatusFilter: ['normal', 'hidden'] },
          { connectionStatusFilter: ['connected'] },
        ]) {
          const all = names(await list({ sortBy, descending, filter }));
          for (let skip = 0; skip <= all.length + 1; skip++) {
            for (const maxRecords of [1, 3, 20]) {
              const what = `${sortBy} ${descending ? 'desc' : 'asc'} ${JSON.stringify(filter)} skip ${skip} max ${maxRecords}`;
              const page = await list({ sortBy, descending, filter, skipRecords: skip, maxRecords });
              assert.deepEqual(names(page), all.slice(skip, skip + maxRecords), what);
              assert.equal(page.nextCursor !== '', skip + maxRecords < all.length, `${what}: next cursor`);
            }
          }
          // After a cursor, skipRecords skips from the cursor on.
          const first = await list({ sortBy, descending, filter, maxRecords: 2 });
          const rest = await list({ sortBy, descending, filter, cursor: first.nextCursor, skipRecords: 2 });
          assert.deepEqual(names(rest), all.slice(4), `${sortBy} ${descending} cursor + skipRecords`);
        }
      }
    }
  });

  test('bad filters, sorts and cursors are INVALID_ARGUMENT', async () => {
    for (const req of [
      { filter: { connectionStatusFilter: ['sleeping'] } },
      { filter: { healthFilter: ['sick'] } },
      { sortBy: 'color' },
      { maxRecords: 10001 },
      { cursor: 'garbage' },
      { filter: { labelId: 1, labelName: 'north' } },
    ]) {
      await assert.rejects(list(req), (err: grpc.ServiceError) => err.code === grpc.status.INVALID_ARGUMENT);
    }
  });

  test('bulk alteration changes every matching session atomically and reports the counts', async () => {
    const res = await call<object, AlterSessionsResponse__Output>(
      h.sessions,
      h.sessions.AlterSessions,
      { filter: { partialClientName: 'dev-1' }, patch: { keepAliveSeconds: 99 } },
      bearer(token),
    );
    assert.deepEqual([res.matched, res.changed], [2, 2]);
    const again = await call<object, AlterSessionsResponse__Output>(
      h.sessions,
      h.sessions.AlterSessions,
      { filter: { partialClientName: 'dev-1' }, patch: { keepAliveSeconds: 99 } },
      bearer(token),
    );
    assert.deepEqual([again.matched, again.changed], [2, 0], 'nothing changes twice');
    const described = await call<object, DescribeSessionsResponse__Output>(
      h.sessions,
      h.sessions.DescribeSessions,
      { clientNames: ['dev-10', 'dev-11', 'dev-09'] },
      bearer(token),
    );
    assert.deepEqual(
      described.sessions.map((s) => s.settings?.keepAliveSeconds),
      [99, 99, 30],
    );
    await assert.rejects(
      call(h.sessions, h.sessions.AlterSessions, { filter: {}, patch: { receiveMaximum: 0 } }, bearer(token)),
      (err: grpc.ServiceError) => err.code === grpc.status.INVALID_ARGUMENT,
    );
  });

  test('the audit trail lists every administrative change in version order', async () => {
    await call(
      h.sessions,
      h.sessions.AlterSession,
      { clientName: 'dev-06', patch: { keepAliveSeconds: 5 } },
      bearer(token),
    );
    await call(
      h.sessions,
      h.sessions.AlterSession,
      { clientName: 'dev-06', patch: { keepAliveSeconds: 6 } },
      bearer(token),
    );
    const res = await call<object, GetSessionAuditResponse__Output>(
      h.sessions,
      h.sessions.GetSessionAudit,
      { clientName: 'dev-06' },
      bearer(token),
    );
    assert.deepEqual(
      res.entries.map((e) => [e.actor, e.action, JSON.parse(e.changesJson)]),
      [
        ['ADMIN', 'alter', { keepAliveSeconds: { before: 30, after: 5 } }],
        ['ADMIN', 'alter', { keepAliveSeconds: { before: 5, after: 6 } }],
      ],
    );
    assert.ok(BigInt(res.entries[1]!.version) > BigInt(res.entries[0]!.version));
    await assert.rejects(
      call(h.sessions, h.sessions.GetSessionAudit, { clientName: 'nobody' }, bearer(token)),
      (err: grpc.ServiceError) => err.code === grpc.status.NOT_FOUND,
    );
  });

  test('delete deactivates or removes; unknown sessions are NOT_FOUND', async () => {
    const deactivated = await call<object, DeleteSessionResponse__Output>(
      h.sessions,
      h.sessions.DeleteSession,
      { clientName: 'dev-07' },
      bearer(token),
    );
    assert.deepEqual([deactivated.deleted, deactivated.wasConnected], [false, true]);
    assert.deepEqual(names(await list({ filter: { sessionStatusFilter: ['inactive'] } })), ['dev-07']);
    const removed = await call<object, DeleteSessionResponse__Output>(
      h.sessions,
      h.sessions.DeleteSession,
      { clientName: 'dev-08', permanently: true },
      bearer(token),
    );
    assert.equal(removed.deleted, true);
    assert.ok(!names(await list({})).includes('dev-08'));
    await assert.rejects(
      call(h.sessions, h.sessions.DeleteSession, { clientName: 'dev-08' }, bearer(token)),
      (err: grpc.ServiceError) => err.code === grpc.status.NOT_FOUND,
    );
  });

  test('100,000 sessions: filtered, sorted, paged', async () => {
    const client = new pg.Client({ connectionString: h.infra.databaseUrl });
    await client.connect();
    try {
      await client.query(`
        INSERT INTO sessions (client_key, client_name, settings, connection_status, ip_address, connected_at, session_status)
        SELECT sha256(convert_to('fleet-' || lpad(i::text, 6, '0'), 'UTF8')), 'fleet-' || lpad(i::text, 6, '0'),
               '{}'::jsonb, CASE WHEN i % 3 = 0 THEN 'connected' ELSE 'disconnected' END,
               '10.1.' || (i % 250) || '.' || (i % 200), now() - (i || ' seconds')::interval,
               CASE WHEN i % 10 = 0 THEN 'hidden' ELSE 'normal' END
          FROM generate_series(1, 100000) AS i`);
      await client.query('ANALYZE sessions');
    } finally {
      await client.end();
    }
    const first = await list({
      filter: { partialClientName: 'fleet-0', connectionStatusFilter: ['connected'] },
      sortBy: 'lastConnect',
      descending: true,
      maxRecords: 500,
    });
    assert.equal(first.sessions.length, 500);
    // Most recent connection first: fleet-000003 connected 3 s ago; multiples of 30 are hidden.
    assert.equal(first.sessions[0]!.clientName, 'fleet-000003');
    assert.ok(first.sessions.every((s) => s.connection?.status === 'CONNECTION_STATUS_CONNECTED'));
    const second = await list({
      filter: { partialClientName: 'fleet-0', connectionStatusFilter: ['connected'] },
      sortBy: 'lastConnect',
      descending: true,
      maxRecords: 500,
      cursor: first.nextCursor,
    });
    assert.equal(second.sessions.length, 500);
    assert.ok(!second.sessions.some((s) => first.sessions.some((f) => f.clientName === s.clientName)));
    const deep = await list({ filter: { partialClientName: 'fleet-0999' }, sortBy: 'clientName' });
    assert.equal(deep.sessions.length, 90, 'fleet-099900..099999 without the hidden tenth');
  });

  test('listed timestamps: Postgres formats them as toISOString; other years and infinity as before', async () => {
    // listing.ts isoText: to_char for years 1-9999 (milliseconds truncated, as before); the rest
    // as text through pg's parser and toISOString, as every listed timestamp was before.
    const byParser = (text: string): string => {
      const d: unknown = pg.types.getTypeParser(1184, 'text')(text);
      return d instanceof Date ? d.toISOString() : '';
    };
    const cases: [string, string | null, string][] = [
      ['ts-00', '2026-11-26 10:00:00+00', '2026-11-26T10:00:00.000Z'],
      ['ts-01', '2026-11-26 10:00:00.029+00', '2026-11-26T10:00:00.029Z'],
      ['ts-02', '2026-11-26 23:59:59.999999+00', '2026-11-26T23:59:59.999Z'],
      ['ts-03', '2026-11-26 10:00:00.5+02', '2026-11-26T08:00:00.500Z'],
      ['ts-04', '0001-01-01 00:00:00+00', '0001-01-01T00:00:00.000Z'],
      ['ts-05', '9999-12-31 23:59:59.123456+00', '9999-12-31T23:59:59.123Z'],
      ['ts-06', '10000-01-01 00:00:00+00', byParser('10000-01-01 00:00:00+00')],
      ['ts-07', '0044-03-15 12:00:00+00 BC', byParser('0044-03-15 12:00:00+00 BC')],
      ['ts-08', 'infinity', ''],
      ['ts-09', '-infinity', ''],
      ['ts-10', null, ''],
    ];
    assert.equal(cases[6]![2], '+010000-01-01T00:00:00.000Z');
    assert.equal(cases[7]![2], '-000043-03-15T12:00:00.000Z');
    const client = new pg.Client({ connectionString: h.infra.databaseUrl });
    await client.connect();
    try {
      for (const [name, at] of cases) {
        await client.query(
          `INSERT INTO sessions (client_key, client_name, settings, connected_at, disconnected_at,
                                 last_failed_at, created_at, updated_at)
           VALUES (sha256(convert_to($1, 'UTF8')), $1, '{}', $2, $2, $2, coalesce($2, now()), coalesce($2, now()))`,
          [name, at],
        );
      }
    } finally {
      await client.end();
    }
    const listed = (await list({ filter: { partialClientName: 'ts-' } })).sessions;
    assert.equal(listed.length, cases.length);
    for (const [name, at, expected] of cases) {
      const s = listed.find((x) => x.clientName === name)!;
      const stamps = [
        s.connection?.connectedAt,
        s.connection?.disconnectedAt,
        s.connection?.lastFailedConnectionAt,
      ];
      assert.deepEqual(stamps, [expected, expected, expected], `${name} (${at})`);
      if (at !== null) assert.deepEqual([s.createdAt, s.updatedAt], [expected, expected], `${name} (${at})`);
    }
  });
});
