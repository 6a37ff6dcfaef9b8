// LabelService over gRPC against a real session-service (fresh Postgres database and NATS prefix).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { connect, type NatsConnection } from 'nats';
import { until } from '@mqfleet/testkit';
import type { LabelEvent } from '@mqfleet/core';
import {
  LabelServiceClient,
  type AlterLabelResponse__Output,
  type ChangeLabelsResponse__Output,
  type CreateLabelResponse__Output,
  type CreateTokenResponse__Output,
  type Label__Output,
  type LabelServiceClientType,
  type ListLabelGroupsResponse__Output,
  type ListLabelsResponse__Output,
} from '@mqfleet/proto';
import { bearer, call, startHarness, type Harness } from './helpers';

/** Rejects with the given mqfleet error name (the `mqfleet-error-code` trailer). */
const failsWith = (code: string) => (err: grpc.ServiceError) => {
  assert.equal(err.metadata.get('mqfleet-error-code')[0], code, err.details);
  return true;
};

describe('LabelService', () => {
  let h: Harness;
  let labels: LabelServiceClientType;
  let md: grpc.Metadata;
  let nc: NatsConnection;
  const seen: { subject: string; event: LabelEvent }[] = [];

  before(async () => {
    h = await startHarness();
    const res = await call<object, CreateTokenResponse__Output>(h.auth, h.auth.CreateToken, {
      username: 'ADMIN',
      password: 'ADMIN',
    });
    md = bearer(res.token);
    // Shares the harness's channel (the service listens on a port chosen at start).
    labels = new LabelServiceClient('unused', grpc.credentials.createInsecure(), {
      channelOverride: h.sessions.getChannel(),
    });
    nc = await connect({ servers: h.infra.natsUrl });
    nc.subscribe(`${h.infra.natsPrefix}.events.label.>`, {
      callback: (_err, msg) => seen.push({ subject: msg.subject, event: msg.json<LabelEvent>() }),
    });
    await nc.flush();
  });
  after(async () => {
    labels?.close();
    await nc?.close();
    await h?.close();
  });

  const create = (req: Record<string, unknown>) =>
    call<object, CreateLabelResponse__Output>(labels, labels.CreateLabel, req, md).then((r) => r.label!);
  const alter = (req: Record<string, unknown>) =>
    call<object, AlterLabelResponse__Output>(labels, labels.AlterLabel, req, md);
  const list = (req: Record<string, unknown>) =>
    call<object, ListLabelsResponse__Output>(labels, labels.ListLabels, req, md).then((r) => r.labels);
  const change = (req: Record<string, unknown>) =>
    call<object, ChangeLabelsResponse__Output>(labels, labels.ChangeLabels, req, md).then((r) => r.originals);

  test('every RPC needs an administrator token', async () => {
    await assert.rejects(
      call(labels, labels.ListLabels, {}, bearer('not-a-token')),
      (err: grpc.ServiceError) => err.code === grpc.status.UNAUTHENTICATED && failsWith('BAD_TOKEN')(err),
    );
    await assert.rejects(call(labels, labels.CreateLabel, { name: 'x' }), failsWith('BAD_TOKEN'));
  });

  test('createLabel stores every field, with defaults, and emits a created event', async () => {
    const plain = await create({ name: 'plain' });
    assert.equal(plain.group, '');
    assert.equal(plain.valueJson, 'null');
    assert.equal(plain.enumValue, 0);
    assert.equal(plain.sequence, undefined);
    assert.equal(plain.deprecated, false);
    assert.equal(plain.description, undefined);
    assert.equal(plain.metadataJson, 'null');
    assert.ok(plain.id >= 0);

    const full = await create({
      group: 'product/color/',
      name: 'red',
      values: {
        valueJson: '{"rgb":[255,0,0]}',
        enumValue: -3,
        sequence: 1.5,
        deprecated: true,
        description: 'the colour red',
        metadataJson: '{"k":"v"}',
      },
    });
    assert.equal(full.group, 'product/color/');
    assert.deepEqual(JSON.parse(full.valueJson), { rgb: [255, 0, 0] });
    assert.equal(full.enumValue, -3);
    assert.equal(full.sequence, 1.5);
    assert.equal(full.deprecated, true);
    assert.equal(full.description, 'the colour red');
    assert.deepEqual(JSON.parse(full.metadataJson!), { k: 'v' });

    const events = await until(() => {
      const mine = seen.filter((s) => s.event.id === full.id);
      return mine.length ? mine : undefined;
    });
    assert.equal(events[0]!.subject, `${h.infra.natsPrefix}.events.label.created.${full.id}`);
    assert.equal(events[0]!.event.type, 'created');
    assert.equal(events[0]!.event.actor, 'ADMIN');
    assert.equal(events[0]!.event.label.name, 'red');
  });

  test('createLabel refuses bad input with the catalogue codes', async () => {
    await assert.rejects(create({ name: '' }), failsWith('MISSING_PROPERTY'));
    await assert.rejects(create({ name: 'x'.repeat(65) }), failsWith('TOO_LARGE'));
    await assert.rejects(create({ group: 'g'.repeat(65), name: 'x' }), failsWith('TOO_LARGE'));
    await assert.rejects(
      create({ name: 'big', values: { description: 'd'.repeat(65_501) } }),
      failsWith('TOO_LARGE'),
    );
    await assert.rejects(
      create({ name: 'big', values: { valueJson: JSON.stringify('v'.repeat(65_500)) } }),
      failsWith('TOO_LARGE'),
    );
    await assert.rejects(create({ name: 'e', values: { enumValue: 40_000 } }), failsWith('INVALID_VALUE'));
    await assert.rejects(create({ name: 'j', values: { valueJson: '{nope' } }), failsWith('INVALID_VALUE'));
    await create({ group: 'dup', name: 'one' });
    await assert.rejects(
      create({ group: 'dup', name: 'one' }),
      (err: grpc.ServiceError) => err.code === grpc.status.ALREADY_EXISTS && failsWith('ALREADY_EXISTS')(err),
    );
    // The same name in another group is a different label.
    await create({ group: 'dup2', name: 'one' });
  });

  test('alterLabel by id or by group+name, renames, leaves omitted fields alone, emits changes', async () => {
    const made = await create({
      group: 'alter',
      name: 'a',
      values: { valueJson: '1', sequence: 2, description: 'first' },
    });
    const byId = await alter({ key: { id: made.id }, values: { enumValue: 7, clearSequence: true } });
    assert.deepEqual([...byId.changedFields].sort(), ['enum', 'sequence']);
    assert.equal(byId.label!.enumValue, 7);
    assert.equal(byId.label!.sequence, undefined);
    assert.equal(byId.label!.valueJson, '1');
    assert.equal(byId.label!.description, 'first');

    const renamed = await alter({ key: { group: 'alter', name: 'a' }, newGroup: 'alter2', newName: 'b' });
    assert.equal(renamed.label!.id, made.id);
    assert.equal(renamed.label!.group, 'alter2');
    assert.equal(renamed.label!.name, 'b');

    const same = await alter({ key: { id: made.id }, values: { enumValue: 7 } });
    assert.deepEqual(same.changedFields, []);

    const cleared = await alter({ key: { id: made.id }, values: { description: '', metadataJson: '[1]' } });
    assert.equal(cleared.label!.description, undefined);
    assert.equal(cleared.label!.metadataJson, '[1]');

    const events = await until(() => {
      const mine = seen.filter((s) => s.event.id === made.id && s.event.type === 'altered');
      return mine.length >= 3 ? mine : undefined;
    });
    assert.deepEqual(events[1]!.event.changes!.name, { before: 'a', after: 'b' });
    assert.match(events[0]!.subject, new RegExp(`\\.events\\.label\\.altered\\.${made.id}$`));
  });

  test('alterLabel errors: both or neither identification, missing label, rename collision', async () => {
    const a = await create({ group: 'clash', name: 'a' });
    await create({ group: 'clash', name: 'b' });
    await assert.rejects(alter({ key: { id: a.id, name: 'a' } }), failsWith('INVALID_VALUE'));
    await assert.rejects(alter({ key: {} }), failsWith('INVALID_VALUE'));
    await assert.rejects(alter({ key: { group: 'clash' } }), failsWith('INVALID_VALUE'));
    await assert.rejects(
      alter({ key: { id: 2_000_000_000 }, values: { deprecated: true } }),
      (err: grpc.ServiceError) => err.code === grpc.status.NOT_FOUND && failsWith('NOT_FOUND')(err),
    );
    await assert.rejects(alter({ key: { group: 'clash', name: 'zzz' } }), failsWith('NOT_FOUND'));
    await assert.rejects(alter({ key: { id: a.id }, newName: 'b' }), failsWith('ALREADY_EXISTS'));
    await assert.rejects(alter({ key: { id: a.id }, newName: '' }), failsWith('INVALID_VALUE'));
    const [still] = await list({ idFilter: [a.id] });
    assert.equal(still!.name, 'a');
  });

  describe('listLabels filters', () => {
    const ids: Record<string, number> = {};
    before(async () => {
      const specs: [string, string, Record<string, unknown>][] = [
        ['f/color/', 'red', { enumValue: 1, sequence: 1 }],
        ['f/color/', 'green', { enumValue: 2, sequence: 2, deprecated: true }],
        ['f/size/', 'small', { enumValue: 1, sequence: 3, description: 'S', metadataJson: '{"m":1}' }],
        ['f/size/', 'large', { enumValue: 3, sequence: 4.5 }],
        ['g/other', 'red', { enumValue: 1 }],
      ];
      for (const [group, name, values] of specs) {
        ids[`${group}${name}`] = (await create({ group, name, values })).id;
      }
    });
    const names = (found: Label__Output[]) => found.map((l) => `${l.group}${l.name}`).sort();
    const cases: [string, Record<string, unknown>, string[]][] = [
      [
        'groupFilter (OR within)',
        { groupFilter: ['f/color/', 'g/other'] },
        ['f/color/green', 'f/color/red', 'g/otherred'],
      ],
      [
        'partialGroupFilter (prefix)',
        { partialGroupFilter: 'f/' },
        ['f/color/green', 'f/color/red', 'f/size/large', 'f/size/small'],
      ],
      ['nameFilter', { nameFilter: ['red'] }, ['f/color/red', 'g/otherred', 'product/color/red']],
      [
        'partialNameFilter AND partialGroupFilter',
        { partialGroupFilter: 'f/', partialNameFilter: 'r' },
        ['f/color/red'],
      ],
      ['deprecatedFilter', { partialGroupFilter: 'f/', deprecatedFilter: true }, ['f/color/green']],
      [
        'enumFilter',
        { partialGroupFilter: 'f/', enumFilter: [1, 3] },
        ['f/color/red', 'f/size/large', 'f/size/small'],
      ],
      ['sequenceFilter', { sequenceFilter: [2, 4.5] }, ['f/color/green', 'f/size/large']],
      [
        'AND across filters',
        { nameFilter: ['red', 'small'], enumFilter: [1], groupFilter: ['f/size/'] },
        ['f/size/small'],
      ],
      ['no match', { partialGroupFilter: 'nothing/' }, []],
    ];
    for (const [title, req, expected] of cases) {
      test(title, async () => assert.deepEqual(names(await list(req)), expected));
    }

    test('idFilter; description and metadata only when asked for', async () => {
      const small = ids['f/size/small']!;
      const [plain] = await list({ idFilter: [small] });
      assert.equal(plain!.description, undefined);
      assert.equal(plain!.metadataJson, undefined);
      const [full] = await list({ idFilter: [small], includeDescription: true, includeMetadata: true });
      assert.equal(full!.description, 'S');
      assert.equal(full!.metadataJson, '{"m":1}');
    });

    test('conflicting filters are refused', async () => {
      await assert.rejects(list({ idFilter: [1], nameFilter: ['red'] }), failsWith('INVALID_VALUE'));
      await assert.rejects(list({ idFilter: [1], deprecatedFilter: false }), failsWith('INVALID_VALUE'));
      await assert.rejects(list({ groupFilter: ['a'], partialGroupFilter: 'a' }), failsWith('INVALID_VALUE'));
      await assert.rejects(list({ nameFilter: ['a'], partialNameFilter: 'a' }), failsWith('INVALID_VALUE'));
      await assert.rejects(list({ partialGroupFilter: 'x'.repeat(65) }), failsWith('TOO_LARGE'));
    });

    test('listLabelGroups returns the distinct groups in use', async () => {
      const res = await call<object, ListLabelGroupsResponse__Output>(
        labels,
        labels.ListLabelGroups,
        { partialGroupFilter: 'f/' },
        md,
      );
      assert.deepEqual(res.groups, ['f/color/', 'f/size/']);
      const all = await call<object, ListLabelGroupsResponse__Output>(labels, labels.ListLabelGroups, {}, md);
      assert.ok(all.groups.includes(''));
      assert.ok(all.groups.includes('g/other'));
    });
  });

  test('changeLabels alters and deletes in one transaction and returns the originals', async () => {
    const a = await create({ group: 'bulk', name: 'a', values: { enumValue: 1 } });
    const b = await create({ group: 'bulk', name: 'b' });
    const originals = await change({
      changes: [
        { key: { id: a.id }, values: { deprecated: true } },
        { key: { group: 'bulk', name: 'b' }, delete: true },
        { key: { group: 'bulk', name: 'never-existed' }, delete: true },
      ],
    });
    assert.deepEqual(
      originals.map((l) => [l.name, l.deprecated]),
      [
        ['a', false],
        ['b', false],
      ],
    );
    const left = await list({ groupFilter: ['bulk'] });
    assert.deepEqual(
      left.map((l) => [l.name, l.deprecated]),
      [['a', true]],
    );
    const deleted = await until(() => seen.find((s) => s.event.id === b.id && s.event.type === 'deleted'));
    assert.equal(deleted.subject, `${h.infra.natsPrefix}.events.label.deleted.${b.id}`);
  });

  test('changeLabels is all-or-nothing: one bad entry changes nothing', async () => {
    const a = await create({ group: 'atomic', name: 'a' });
    await create({ group: 'atomic', name: 'b' });
    const before = await list({ groupFilter: ['atomic'] });
    // Entry 1 is fine, entry 2 collides with "b", entry 0 would delete: nothing may happen.
    await assert.rejects(
      change({
        changes: [
          { key: { group: 'atomic', name: 'b' }, delete: true },
          { key: { id: a.id }, values: { enumValue: 9 } },
          { key: { id: a.id }, newName: 'c' },
          { key: { group: 'atomic', name: 'missing' }, values: { deprecated: true } },
        ],
      }),
      (err: grpc.ServiceError) => failsWith('NOT_FOUND')(err) && /labelsToChange\[3\]/.test(err.details),
    );
    await assert.rejects(
      change({
        changes: [
          { key: { id: a.id }, values: { enumValue: 9 } },
          { key: { id: a.id }, newName: 'b' },
        ],
      }),
      failsWith('ALREADY_EXISTS'),
    );
    await assert.rejects(
      change({ changes: [{ key: { id: a.id }, delete: true, values: { deprecated: true } }] }),
      failsWith('INVALID_VALUE'),
    );
    assert.deepEqual(await list({ groupFilter: ['atomic'] }), before);
  });
});
