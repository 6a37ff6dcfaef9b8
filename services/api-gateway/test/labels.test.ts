// The label actions against a real session-service process (fresh Postgres database and NATS prefix).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ApiGateway } from '../src/index';
import { BAD_TOKEN_MESSAGE } from '../src/errors';
import { post, startBackend, type Backend } from './helpers';

describe('label actions', () => {
  let backend: Backend;
  let gw: ApiGateway;
  let token: string;

  before(async () => {
    backend = await startBackend();
    gw = backend.gw;
    const res = await post(gw, { action: 'createSession', params: { username: 'ADMIN', password: 'ADMIN' } });
    assert.equal(res.body.errorCode, 0, res.body.errorMessage);
    token = res.body.authToken;
  });
  after(async () => {
    await backend?.close();
  });

  const act = (action: string, params: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    post(gw, { api: 'admin', action, params, authToken: token, ...extra });
  const ok = async (action: string, params: Record<string, unknown>) => {
    const res = await act(action, params);
    assert.equal(res.body.errorCode, 0, `${action}: ${res.body.errorMessage}`);
    return res.body.result;
  };

  it('createLabel returns the full label with FairCom names', async () => {
    const r = await ok('createLabel', {
      group: 'product/color/',
      name: 'red',
      value: { rgb: [255, 0, 0] },
      enum: '2',
      sequence: '3.14',
      deprecated: false,
      description: 'red things',
      metadata: { owner: 'ops' },
    });
    assert.equal(typeof r.id, 'number');
    assert.deepEqual(
      { ...r, id: 0 },
      {
        id: 0,
        group: 'product/color/',
        name: 'red',
        value: { rgb: [255, 0, 0] },
        enum: 2,
        sequence: 3.14,
        deprecated: false,
        description: 'red things',
        metadata: { owner: 'ops' },
      },
    );
    const minimal = await ok('createLabel', { name: 'minimal' });
    assert.deepEqual(
      { ...minimal, id: 0 },
      {
        id: 0,
        group: '',
        name: 'minimal',
        value: null,
        enum: 0,
        sequence: null,
        deprecated: false,
        description: null,
        metadata: null,
      },
    );
  });

  it('the api can be omitted and the action name is case-insensitive', async () => {
    const res = await post(gw, { action: 'LISTLABELGROUPS', params: {}, authToken: token });
    assert.equal(res.body.errorCode, 0, res.body.errorMessage);
  });

  const codes: [string, string, Record<string, unknown>, number][] = [
    ['missing name', 'createLabel', { group: 'g' }, 12025],
    ['empty name', 'createLabel', { name: '' }, 12025],
    ['missing labelsToChange', 'changeLabels', {}, 12025],
    ['name of 65 bytes', 'createLabel', { name: 'é'.repeat(32) + 'xx' }, 12034],
    ['group of 65 bytes', 'createLabel', { group: 'g'.repeat(65), name: 'n' }, 12034],
    ['description over 65,500 bytes', 'createLabel', { name: 'n', description: 'd'.repeat(65_501) }, 12034],
    ['value over 65,500 bytes', 'createLabel', { name: 'n', value: 'v'.repeat(65_500) }, 12034],
    ['metadata over 65,500 bytes', 'createLabel', { name: 'n', metadata: { m: 'm'.repeat(65_500) } }, 12034],
    ['enum not an integer', 'createLabel', { name: 'n', enum: 1.5 }, 12012],
    ['enum beyond smallint', 'createLabel', { name: 'n', enum: 32_768 }, 12012],
    ['sequence not a number', 'createLabel', { name: 'n', sequence: 'abc' }, 12012],
    ['deprecated not a boolean', 'createLabel', { name: 'n', deprecated: 'yes' }, 12012],
    ['unknown property', 'createLabel', { name: 'n', colour: 'red' }, 12012],
    ['alter by id and name', 'alterLabel', { id: 1, name: 'x' }, 12012],
    ['alter with no identification', 'alterLabel', { deprecated: true }, 12012],
    ['alter a missing id', 'alterLabel', { id: 2_000_000_000, deprecated: true }, 100],
    ['alter a missing name', 'alterLabel', { group: 'none', name: 'none', deprecated: true }, 100],
    ['idFilter with another filter', 'listLabels', { idFilter: [1], enumFilter: [1] }, 12012],
    [
      'groupFilter with partialGroupFilter',
      'listLabels',
      { groupFilter: ['a'], partialGroupFilter: 'a' },
      12012,
    ],
    ['nameFilter with partialNameFilter', 'listLabels', { nameFilter: ['a'], partialNameFilter: 'a' }, 12012],
    ['groupFilter not an array', 'listLabels', { groupFilter: 'a' }, 12012],
    ['partialGroupFilter too long', 'listLabelGroups', { partialGroupFilter: 'p'.repeat(65) }, 12034],
    ['labelsToChange not an array', 'changeLabels', { labelsToChange: {} }, 12012],
    ['delete with a change', 'changeLabels', { labelsToChange: [{ id: 1, delete: true, enum: 1 }] }, 12012],
  ];
  for (const [title, action, params, code] of codes) {
    it(`${action}: ${title} → ${code}`, async () => {
      const res = await act(action, params);
      assert.equal(res.body.errorCode, code, res.body.errorMessage);
      assert.ok(res.body.errorMessage.length > 0);
    });
  }

  it('a duplicate group+name → 12020', async () => {
    await ok('createLabel', { group: 'dup', name: 'x' });
    const res = await act('createLabel', { group: 'dup', name: 'x' });
    assert.equal(res.body.errorCode, 12020, res.body.errorMessage);
  });

  it('no token, or an unknown one → 12031 with the documented text', async () => {
    const valid: Record<string, Record<string, unknown>> = {
      createLabel: { name: 'x' },
      alterLabel: { name: 'x' },
      listLabels: {},
      listLabelGroups: {},
      changeLabels: { labelsToChange: [] },
    };
    for (const [action, params] of Object.entries(valid)) {
      const none = await post(gw, { api: 'admin', action, params });
      assert.equal(none.body.errorCode, 12031, action);
      const bad = await act(action, params, { authToken: 'no-such-token' });
      assert.equal(bad.body.errorCode, 12031, action);
      assert.equal(bad.body.errorMessage, BAD_TOKEN_MESSAGE);
    }
  });

  it('alterLabel renames and changes only the given fields', async () => {
    const made = await ok('createLabel', {
      group: 'shop/',
      name: 'old',
      value: 1,
      sequence: 2,
      description: 'd',
    });
    const renamed = await ok('alterLabel', {
      group: 'shop/',
      name: 'old',
      newGroup: 'store/',
      newName: 'new',
    });
    assert.equal(renamed.id, made.id);
    assert.equal(renamed.group, 'store/');
    assert.equal(renamed.name, 'new');
    assert.equal(renamed.value, 1);
    assert.equal(renamed.sequence, 2);
    assert.equal(renamed.description, 'd');
    assert.deepEqual([...(renamed.changedFields as string[])].sort(), ['group', 'name']);

    const changed = await ok('alterLabel', { id: made.id, sequence: null, description: null, enum: 4 });
    assert.equal(changed.sequence, null);
    assert.equal(changed.description, null);
    assert.equal(changed.enum, 4);
    assert.equal(changed.value, 1);

    await ok('createLabel', { group: 'store/', name: 'taken' });
    const clash = await act('alterLabel', { id: made.id, newName: 'taken' });
    assert.equal(clash.body.errorCode, 12020, clash.body.errorMessage);
    const gone = await act('alterLabel', { group: 'shop/', name: 'old', deprecated: true });
    assert.equal(gone.body.errorCode, 100, gone.body.errorMessage);
  });

  describe('listLabels filters', () => {
    before(async () => {
      const specs: Record<string, unknown>[] = [
        { group: 'f/color/', name: 'red', enum: 1, sequence: 1 },
        { group: 'f/color/', name: 'green', enum: 2, sequence: 2, deprecated: true },
        { group: 'f/size/', name: 'small', enum: 1, sequence: 3, description: 'S', metadata: { m: 1 } },
        { group: 'f/size/', name: 'large', enum: 3, sequence: 4.5 },
        { group: 'g/other', name: 'red', enum: 1 },
      ];
      for (const spec of specs) await ok('createLabel', spec);
    });
    const names = (data: unknown) =>
      (data as { group: string; name: string }[]).map((l) => `${l.group}${l.name}`).sort();
    const cases: [string, Record<string, unknown>, string[]][] = [
      [
        'groupFilter',
        { groupFilter: ['f/color/', 'g/other'] },
        ['f/color/green', 'f/color/red', 'g/otherred'],
      ],
      [
        'partialGroupFilter',
        { partialGroupFilter: 'f/' },
        ['f/color/green', 'f/color/red', 'f/size/large', 'f/size/small'],
      ],
      [
        'nameFilter',
        { groupFilter: ['f/color/', 'g/other'], nameFilter: ['red'] },
        ['f/color/red', 'g/otherred'],
      ],
      ['partialNameFilter', { partialGroupFilter: 'f/', partialNameFilter: 'gr' }, ['f/color/green']],
      [
        'deprecatedFilter false',
        { partialGroupFilter: 'f/color/', deprecatedFilter: false },
        ['f/color/red'],
      ],
      [
        'enumFilter (numbers and numeric strings)',
        { partialGroupFilter: 'f/', enumFilter: [2, '3'] },
        ['f/color/green', 'f/size/large'],
      ],
      ['sequenceFilter', { sequenceFilter: [1, '4.5'] }, ['f/color/red', 'f/size/large']],
      [
        'AND across, OR within',
        { partialGroupFilter: 'f/', enumFilter: [1], nameFilter: ['small', 'red'] },
        ['f/color/red', 'f/size/small'],
      ],
      [
        'null filters do not filter',
        { partialGroupFilter: 'f/size/', nameFilter: null, enumFilter: null },
        ['f/size/large', 'f/size/small'],
      ],
    ];
    for (const [title, params, expected] of cases) {
      it(title, async () => assert.deepEqual(names((await ok('listLabels', params)).data), expected));
    }

    it('description and metadata only with includeDescription / includeMetadata', async () => {
      const plain = (await ok('listLabels', { groupFilter: ['f/size/'], nameFilter: ['small'] }))
        .data as Record<string, unknown>[];
      assert.equal(plain.length, 1);
      assert.ok(!('description' in plain[0]!));
      assert.ok(!('metadata' in plain[0]!));
      const id = plain[0]!.id;
      const full = (
        await ok('listLabels', { idFilter: [id], includeDescription: true, includeMetadata: true })
      ).data as Record<string, unknown>[];
      assert.equal(full[0]!.description, 'S');
      assert.deepEqual(full[0]!.metadata, { m: 1 });
    });

    it('listLabelGroups lists the distinct groups in use', async () => {
      assert.deepEqual((await ok('listLabelGroups', { partialGroupFilter: 'f/' })).groups, [
        'f/color/',
        'f/size/',
      ]);
      assert.deepEqual((await ok('listLabelGroups', { partialGroupFilter: 'zzz' })).groups, []);
    });
  });

  it('changeLabels alters and deletes, returning the original values', async () => {
    const a = await ok('createLabel', { group: 'bulk', name: 'a', enum: 1 });
    await ok('createLabel', { group: 'bulk', name: 'b', value: 'bee' });
    const r = await ok('changeLabels', {
      labelsToChange: [
        { id: a.id, deprecated: true, newName: 'a2' },
        { group: 'bulk', name: 'b', delete: true },
        { group: 'bulk', name: 'never-there', delete: true },
      ],
    });
    const data = r.data as Record<string, unknown>[];
    assert.deepEqual(
      data.map((l) => [l.name, l.deprecated, l.value]),
      [
        ['a', false, null],
        ['b', false, 'bee'],
      ],
    );
    const left = (await ok('listLabels', { groupFilter: ['bulk'] })).data as Record<string, unknown>[];
    assert.deepEqual(
      left.map((l) => [l.name, l.deprecated]),
      [['a2', true]],
    );
  });

  it('changeLabels is atomic: one bad entry and nothing changes', async () => {
    const a = await ok('createLabel', { group: 'atomic', name: 'a' });
    await ok('createLabel', { group: 'atomic', name: 'b' });
    await ok('createLabel', { group: 'atomic', name: 'c' });
    const before = await ok('listLabels', {
      groupFilter: ['atomic'],
      includeDescription: true,
      includeMetadata: true,
    });
    for (const [bad, code] of [
      [{ group: 'atomic', name: 'missing', enum: 1 }, 100],
      [{ id: a.id, newName: 'c' }, 12020],
      [{ id: a.id, newGroup: 'x'.repeat(65) }, 12034],
    ] as const) {
      const res = await act('changeLabels', {
        labelsToChange: [
          { group: 'atomic', name: 'b', delete: true },
          { id: a.id, enum: 5, description: 'changed' },
          bad,
        ],
      });
      assert.equal(res.body.errorCode, code, res.body.errorMessage);
      assert.match(res.body.errorMessage, /labelsToChange\[2\]/);
      const now = await ok('listLabels', {
        groupFilter: ['atomic'],
        includeDescription: true,
        includeMetadata: true,
      });
      assert.deepEqual(now, before);
    }
  });
});
