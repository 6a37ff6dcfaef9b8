// Session labels linked to the labels table, FairCom's filter-based changeLabels and numberFormat on
// label results, through the JSON API against a real session-service process.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ApiGateway } from '../src/index';
import { openSessions, post, startBackend, type Backend } from './helpers';

type Row = Record<string, unknown>;
interface ApiBody {
  errorCode: number;
  errorMessage: string;
  result: Row & { data: Row[] };
  debugInfo?: { errorData?: { property?: string }; warnings?: { warningCode: number }[] };
}

describe('session labels', () => {
  let backend: Backend;
  let gw: ApiGateway;
  let token: string;
  let north: number;
  let south: number;

  const act = (action: string, params: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    post(gw, { action, params, authToken: token, debug: 'max', ...extra }).then(
      (r) => r.body as unknown as ApiBody,
    );
  const ok = async (action: string, params: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
    const body = await act(action, params, extra);
    assert.equal(body.errorCode, 0, `${action}: ${body.errorMessage}`);
    return body.result;
  };
  const describeOne = async (clientName: string) =>
    ((await ok('describeMqSessions', { clientNames: [clientName] })).data as Row[])[0]!;
  const listNames = async (params: Record<string, unknown>) =>
    ((await ok('listMqSessions', params)).data as Row[]).map((s) => s.clientName);

  before(async () => {
    backend = await startBackend();
    gw = backend.gw;
    token = (await post(gw, { action: 'createSession', params: { username: 'ADMIN', password: 'ADMIN' } }))
      .body.authToken;
    // Sessions come from connections; open a few the way a connection-gateway does.
    await openSessions(backend.grpcAddress, ['lbl-1', 'lbl-2', 'lbl-3']);
    north = (await ok('createLabel', { group: 'site/', name: 'north' })).id as number;
    south = (await ok('createLabel', { group: 'site/', name: 'south' })).id as number;
  });
  after(async () => {
    await backend?.close();
  });

  it('alterMqSession names the label by group + name or by labelId; results show id, group and name', async () => {
    const byName = await ok('alterMqSession', {
      clientName: 'lbl-1',
      label: { group: 'site/', name: 'north' },
    });
    assert.deepEqual(byName.label, { id: north, group: 'site/', name: 'north' });
    assert.equal(byName.labelId, north);
    assert.deepEqual(byName.changedFields, ['label']);
    const byId = await ok('alterMqSession', { clientName: 'lbl-2', labelId: south });
    assert.deepEqual(byId.label, { id: south, group: 'site/', name: 'south' });
    const asString = await ok('alterMqSession', { clientName: 'lbl-3', labelId: String(south) });
    assert.equal(asString.labelId, south);
    assert.deepEqual((await describeOne('lbl-1')).label, { id: north, group: 'site/', name: 'north' });
    const listed = (await ok('listMqSessions', { partialClientName: 'lbl-' })).data as Row[];
    assert.deepEqual(
      listed.map((s) => [s.clientName, s.labelId]),
      [
        ['lbl-1', north],
        ['lbl-2', south],
        ['lbl-3', south],
      ],
    );
    const audit = await ok('getMqSessionAudit', { clientName: 'lbl-1' });
    const changes = (audit.data as Row[]).at(-1)!.changes as Record<string, unknown>;
    assert.deepEqual(changes.labelId, { before: 0, after: north });
  });

  it('refuses label references with the right code, naming the property', async () => {
    const cases: [string, Record<string, unknown>, number, string][] = [
      ['unknown group + name', { label: { group: 'site/', name: 'west' } }, 12012, 'label'],
      ['unknown name in the default group', { label: { name: 'north' } }, 12012, 'label'],
      ['unknown labelId', { labelId: 999999 }, 12012, 'labelId'],
      [
        'label and labelId together',
        { label: { group: 'site/', name: 'north' }, labelId: north },
        12012,
        'labelId',
      ],
      ['labelId negative', { labelId: -1 }, 12012, 'labelId'],
      ['labelId over the id range', { labelId: 2147483648 }, 12012, 'labelId'],
      ['labelId not a number', { labelId: 'north' }, 12012, 'labelId'],
      ['label without name', { label: { group: 'site/' } }, 12025, 'label.name'],
      ['label with an id inside', { label: { id: north } }, 12012, 'label.id'],
      ['label name over 64 bytes', { label: { name: 'n'.repeat(65) } }, 12034, 'label.name'],
    ];
    for (const [what, params, code, property] of cases) {
      const body = await act('alterMqSession', { clientName: 'lbl-1', ...params });
      assert.equal(body.errorCode, code, `${what}: ${body.errorMessage}`);
      assert.equal(body.debugInfo?.errorData?.property, property, what);
      if (property === 'label' && code === 12012) assert.match(body.errorMessage, /"north"|"west"/, what);
    }
    // Nothing changed.
    assert.equal((await describeOne('lbl-1')).labelId, north);
    const bulk = await act('alterMqSessions', { filter: {}, changes: { label: { name: 'nowhere' } } });
    assert.equal(bulk.errorCode, 12012, bulk.errorMessage);
  });

  it('listMqSessions filters by labelId or by group + name; an unknown label matches nothing', async () => {
    assert.deepEqual(await listNames({ labelId: north }), ['lbl-1']);
    assert.deepEqual(await listNames({ label: { group: 'site/', name: 'south' } }), ['lbl-2', 'lbl-3']);
    assert.deepEqual(await listNames({ label: { group: 'site/', name: 'west' } }), []);
    assert.deepEqual(await listNames({ labelId: 424242 }), []);
    const both = await act('listMqSessions', { labelId: north, label: { name: 'north' } });
    assert.equal(both.errorCode, 12012);
    assert.equal(both.debugInfo?.errorData?.property, 'labelId');
    assert.equal(both.debugInfo?.warnings?.length ?? 0, 0, 'no 12006 warning for labelId any more');
  });

  it('alterMqSessions accepts the same label forms', async () => {
    const moved = await ok('alterMqSessions', {
      filter: { labelId: south },
      changes: { label: { group: 'site/', name: 'north' } },
    });
    assert.equal(moved.changedSessions, 2);
    assert.deepEqual(await listNames({ labelId: north }), ['lbl-1', 'lbl-2', 'lbl-3']);
    const back = await ok('alterMqSessions', {
      filter: { partialClientName: 'lbl-3' },
      changes: { labelId: south },
    });
    assert.equal(back.changedSessions, 1);
    assert.deepEqual(await listNames({ label: { group: 'site/', name: 'south' } }), ['lbl-3']);
  });

  it('renaming a label (alterLabel) shows at once on its sessions; the id stays', async () => {
    await ok('alterLabel', { id: north, newGroup: 'region/', newName: 'north-east' });
    assert.deepEqual((await describeOne('lbl-1')).label, { id: north, group: 'region/', name: 'north-east' });
    assert.deepEqual(await listNames({ label: { group: 'region/', name: 'north-east' } }), [
      'lbl-1',
      'lbl-2',
    ]);
    assert.deepEqual(await listNames({ label: { group: 'site/', name: 'north' } }), []);
  });

  it('a label in use cannot be deleted (12026); once removed from its sessions it can', async () => {
    const refused = await act('changeLabels', { labelsToChange: [{ id: south, delete: true }] });
    assert.equal(refused.errorCode, 12026, refused.errorMessage);
    assert.match(refused.errorMessage, /1 session/);
    const byFilter = await act('changeLabels', { idFilter: [south], delete: true });
    assert.equal(byFilter.errorCode, 12026, byFilter.errorMessage);
    const removed = await ok('alterMqSession', { clientName: 'lbl-3', label: null });
    assert.equal(removed.label, null);
    assert.equal(removed.labelId, null);
    const deleted = await ok('changeLabels', { idFilter: [south], delete: true });
    assert.deepEqual(
      (deleted.data as Row[]).map((l) => l.name),
      ['south'],
    );
    const gone = await act('alterMqSession', { clientName: 'lbl-3', labelId: south });
    assert.equal(gone.errorCode, 12012, gone.errorMessage);
  });
});

describe('changeLabels by filter (FairCom form) and numberFormat on label results', () => {
  let backend: Backend;
  let gw: ApiGateway;
  let token: string;

  const act = (action: string, params: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    post(gw, { api: 'admin', action, params, authToken: token, debug: 'max', ...extra }).then(
      (r) => r.body as unknown as ApiBody,
    );
  const ok = async (action: string, params: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
    const body = await act(action, params, extra);
    assert.equal(body.errorCode, 0, `${action}: ${body.errorMessage}`);
    return body.result;
  };
  const names = async (params: Record<string, unknown>) =>
    ((await ok('listLabels', params)).data as Row[]).map((l) => `${String(l.group)}${String(l.name)}`);

  before(async () => {
    backend = await startBackend();
    gw = backend.gw;
    token = (await post(gw, { action: 'createSession', params: { username: 'ADMIN', password: 'ADMIN' } }))
      .body.authToken;
    for (const [group, name, e] of [
      ['color/', 'red', 1],
      ['color/', 'green', 1],
      ['color/', 'blue', 2],
      ['size/', 'small', 1],
    ] as const) {
      await ok('createLabel', { group, name, enum: e });
    }
  });
  after(async () => {
    await backend?.close();
  });

  it('the filters select, the new… properties change; the result lists the originals', async () => {
    const r = await ok('changeLabels', {
      partialGroupFilter: 'color/',
      enumFilter: [1],
      newDeprecated: true,
      newSequence: 2.5,
      newMetadata: { by: 'filter' },
    });
    assert.deepEqual(
      (r.data as Row[]).map((l) => [l.name, l.deprecated]),
      [
        ['green', false],
        ['red', false],
      ],
    );
    assert.deepEqual(await names({ deprecatedFilter: true }), ['color/green', 'color/red']);
    const moved = await ok('changeLabels', { groupFilter: ['size/'], newGroup: 'dimension/', newEnum: 7 });
    assert.equal((moved.data as Row[])[0]!.group, 'size/');
    assert.deepEqual(await names({ enumFilter: [7] }), ['dimension/small']);
    // Nothing matched: nothing changed, an empty list.
    assert.deepEqual((await ok('changeLabels', { nameFilter: ['purple'], newEnum: 3 })).data, []);
  });

  it('deletes by filter; a filter that matches a missing label is still a success', async () => {
    const r = await ok('changeLabels', { nameFilter: ['blue', 'no-such'], delete: true });
    assert.deepEqual(
      (r.data as Row[]).map((l) => l.name),
      ['blue'],
    );
    assert.deepEqual(await names({ partialGroupFilter: 'color/' }), ['color/green', 'color/red']);
  });

  it('is all or nothing: a rename that clashes changes no label', async () => {
    const body = await act('changeLabels', { groupFilter: ['color/'], newName: 'same' });
    assert.equal(body.errorCode, 12020, body.errorMessage);
    assert.deepEqual(await names({ partialGroupFilter: 'color/' }), ['color/green', 'color/red']);
  });

  it('refuses bad filter-form requests with the right code, naming the property', async () => {
    const cases: [string, Record<string, unknown>, number, string][] = [
      ['no change at all', { groupFilter: ['color/'] }, 12025, 'newGroup'],
      ['delete with a change', { groupFilter: ['color/'], delete: true, newEnum: 1 }, 12012, 'delete'],
      ['both forms', { labelsToChange: [], idFilter: [1], newEnum: 1 }, 12012, 'labelsToChange'],
      ['idFilter with another filter', { idFilter: [1], groupFilter: ['x'], newEnum: 1 }, 12012, 'idFilter'],
      [
        'groupFilter with partialGroupFilter',
        { groupFilter: ['x'], partialGroupFilter: 'x', newEnum: 1 },
        12012,
        'partialGroupFilter',
      ],
      ['newEnum out of range', { idFilter: [1], newEnum: 40000 }, 12012, 'newEnum'],
      ['newName empty', { idFilter: [1], newName: '' }, 12012, 'newName'],
      ['newGroup over 64 bytes', { idFilter: [1], newGroup: 'g'.repeat(65) }, 12034, 'newGroup'],
      ['unknown property', { idFilter: [1], newColour: 'red' }, 12012, 'newColour'],
    ];
    for (const [what, params, code, property] of cases) {
      const body = await act('changeLabels', params);
      assert.equal(body.errorCode, code, `${what}: ${body.errorMessage}`);
      assert.equal(body.debugInfo?.errorData?.property, property, what);
    }
  });

  it('numberFormat "string" returns label ids and numbers as strings', async () => {
    const string = { responseOptions: { numberFormat: 'string' } };
    const created = await ok('createLabel', { group: 'num/', name: 'one', enum: 3, sequence: 1.5 }, string);
    assert.equal(typeof created.id, 'string');
    assert.equal(created.enum, '3');
    assert.equal(created.sequence, '1.5');
    const listed = (await ok('listLabels', { groupFilter: ['num/'] }, string)).data as Row[];
    assert.equal(listed[0]!.id, created.id);
    const altered = await ok('alterLabel', { id: created.id, enum: 4 }, string);
    assert.equal(altered.enum, '4');
    const changed = await ok('changeLabels', { idFilter: [Number(created.id)], newEnum: 5 }, string);
    assert.equal((changed.data as Row[])[0]!.id, created.id);
    const plain = await ok('listLabels', { groupFilter: ['num/'] });
    assert.equal(typeof (plain.data as Row[])[0]!.id, 'number');
  });
});
