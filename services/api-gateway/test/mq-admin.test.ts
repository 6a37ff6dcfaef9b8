// listMqSessions, deleteMqSession, alterMqSessions and getMqSessionAudit through the JSON API,
// against a real session-service process.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ApiGateway } from '../src/index';
import { openSessions, post, startBackend, type Backend } from './helpers';

type Row = Record<string, unknown>;
interface ApiBody {
  errorCode: number;
  errorMessage: string;
  result: Row & { data: Row[]; nextCursor?: string | null };
}

describe('session administration actions', () => {
  let backend: Backend;
  let gw: ApiGateway;
  let token: string;

  const mq = (action: string, params: Record<string, unknown>) =>
    post(gw, { api: 'mq', action, params, authToken: token }).then((r) => r.body as unknown as ApiBody);

  before(async () => {
    backend = await startBackend();
    gw = backend.gw;
    token = (await post(gw, { action: 'createSession', params: { username: 'ADMIN', password: 'ADMIN' } }))
      .body.authToken;
    // Sessions come from connections; open a few the way a connection-gateway does.
    await openSessions(backend.grpcAddress, ['pump-1', 'pump-2', 'valve-1']);
  });
  after(async () => {
    await backend?.close();
  });

  it('listMqSessions filters, sorts and pages', async () => {
    const all = await mq('listMqSessions', { sortDescending: 'clientName' });
    assert.equal(all.errorCode, 0, all.errorMessage);
    assert.deepEqual(
      all.result.data.map((s) => s.clientName),
      ['valve-1', 'pump-2', 'pump-1'],
    );
    assert.deepEqual(all.result.data[0], {
      clientName: 'valve-1',
      sessionType: 'mqtt',
      sessionStatus: 'normal',
      connectionStatus: 'connected',
      label: null,
      labelId: null,
    });
    const page = await mq('listMqSessions', { partialClientName: 'pump', maxRecords: 1 });
    assert.equal(page.result.data.length, 1);
    const next = await mq('listMqSessions', {
      partialClientName: 'pump',
      maxRecords: 1,
      cursor: page.result.nextCursor,
    });
    assert.equal(next.result.data[0]!.clientName, 'pump-2');
    assert.equal(next.result.nextCursor, null);
    // Our fifth sort, sessionHealth, passes through to the session-service (all healthy here:
    // connected without thresholds), with its cursor.
    const byHealth = await mq('listMqSessions', { sortDescending: 'sessionHealth', maxRecords: 2 });
    assert.equal(byHealth.errorCode, 0, byHealth.errorMessage);
    assert.equal(byHealth.result.data.length, 2);
    const rest = await mq('listMqSessions', {
      sortDescending: 'sessionHealth',
      cursor: byHealth.result.nextCursor,
    });
    assert.equal(rest.errorCode, 0, rest.errorMessage);
    assert.deepEqual([...byHealth.result.data, ...rest.result.data].map((s) => s.clientName).sort(), [
      'pump-1',
      'pump-2',
      'valve-1',
    ]);
  });

  it('listMqSessions healthFilter and describeMqSessions includeStats', async () => {
    const healthy = await mq('listMqSessions', { healthFilter: ['healthy'] });
    assert.equal(healthy.errorCode, 0, healthy.errorMessage);
    assert.deepEqual(
      healthy.result.data.map((s) => s.clientName),
      ['pump-1', 'pump-2', 'valve-1'],
    );
    const none = await mq('listMqSessions', { healthFilter: ['unhealthy'], unsetHealthMeasures: false });
    assert.deepEqual(none.result.data, []);
    const bad = await mq('listMqSessions', { healthFilter: ['sick'] });
    assert.equal(bad.errorCode, 12012);
    // Gateway "gw" does not exist: no live statistics, a warning says so.
    const res = await post(gw, {
      api: 'mq',
      action: 'describeMqSessions',
      params: { clientNames: ['pump-1'], includeStats: true },
      authToken: token,
      debug: 'max',
    });
    const body = res.body as unknown as ApiBody & { debugInfo?: { warnings?: { warningCode: number }[] } };
    assert.equal(body.errorCode, 0, body.errorMessage);
    assert.equal(body.result.data[0]!.sessionHealth, 'healthy');
    assert.equal(body.result.data[0]!.stats, null);
    assert.ok(body.debugInfo?.warnings?.some((w) => w.warningCode === 12006));
    const plain = await mq('describeMqSessions', { clientNames: ['pump-1'] });
    assert.equal('stats' in plain.result.data[0]!, false);
  });

  it('listMqSessions refuses bad parameters with the right code', async () => {
    const cases: [Record<string, unknown>, number][] = [
      [{ sortAscending: 'clientName', sortDescending: 'clientName' }, 12012],
      [{ sortAscending: 'colour' }, 12012],
      [{ connectionStatusFilter: 'connected' }, 12012],
      [{ connectionStatusFilter: ['asleep'] }, 12012],
      [{ maxRecords: 0 }, 12012],
      [{ label: { group: 'g' } }, 12025],
      [{ cursor: 'not-a-cursor' }, 12012],
      [{ nonsense: 1 }, 12012],
    ];
    for (const [params, code] of cases) {
      const res = await mq('listMqSessions', params);
      assert.equal(res.errorCode, code, `${JSON.stringify(params)}: ${res.errorMessage}`);
    }
    const noToken = await post(gw, { api: 'mq', action: 'listMqSessions', params: {} });
    assert.equal(noToken.body.errorCode, 12031);
  });

  it('alterMqSessions applies one change to every matching session', async () => {
    const res = await mq('alterMqSessions', {
      filter: { partialClientName: 'pump' },
      changes: { userProperties: [{ key: 'plant', value: 'east' }] },
    });
    assert.equal(res.errorCode, 0, res.errorMessage);
    // Opened through gRPC, these sessions count as connected, but no gateway holds them to confirm.
    assert.deepEqual(res.result, {
      matchedSessions: 2,
      changedSessions: 2,
      connectedSessions: 2,
      liveAppliedSessions: 0,
    });
    const described = await mq('describeMqSessions', { clientNames: ['pump-1', 'valve-1'] });
    assert.deepEqual(
      described.result.data.map((s) => s.userProperties),
      [[{ key: 'plant', value: 'east' }], []],
    );
    assert.equal(
      (await mq('alterMqSessions', { filter: {}, changes: { receiveMaximum: 0 } })).errorCode,
      12012,
    );
    assert.equal((await mq('alterMqSessions', { filter: {} })).errorCode, 12025);
    assert.equal((await mq('alterMqSessions', { changes: { clientName: 'x' } })).errorCode, 12012);
  });

  it('getMqSessionAudit shows who changed what', async () => {
    await mq('alterMqSession', { clientName: 'valve-1', keepAliveSeconds: 15 });
    const res = await mq('getMqSessionAudit', { clientName: 'valve-1' });
    assert.equal(res.errorCode, 0, res.errorMessage);
    assert.equal(res.result.data.length, 1);
    assert.deepEqual(res.result.data[0]!.changes, { keepAliveSeconds: { before: 60, after: 15 } });
    assert.equal(res.result.data[0]!.actor, 'ADMIN');
    assert.equal((await mq('getMqSessionAudit', { clientName: 'nobody' })).errorCode, 100);
  });

  it('deleteMqSession deactivates, or deletes permanently', async () => {
    const deactivated = await mq('deleteMqSession', { clientName: 'pump-1' });
    assert.equal(deactivated.errorCode, 0, deactivated.errorMessage);
    assert.equal(deactivated.result.sessionStatus, 'inactive');
    const removed = await mq('deleteMqSession', { clientName: 'pump-2', permanentlyDeleteSession: true });
    assert.equal(removed.result.sessionStatus, 'deleted');
    assert.equal((await mq('deleteMqSession', { clientName: 'pump-2' })).errorCode, 100);
    assert.equal((await mq('deleteMqSession', {})).errorCode, 12025);
    assert.equal(
      (await mq('deleteMqSession', { clientName: 'valve-1', permanentlyDeleteSession: 'yes' })).errorCode,
      12012,
    );
  });
});
