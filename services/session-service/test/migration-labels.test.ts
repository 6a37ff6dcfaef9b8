// Migration 0007: free-text session labels become references to the labels table, and its
// foreign key guards a label deleted between resolving it and an alteration's commit.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { createLogger, subjects } from '@mqfleet/core';
import type { AlterSessionRequest__Output } from '@mqfleet/proto';
import { createInfra, type Infra } from '@mqfleet/testkit';
import { createPool, type Db } from '../src/db';
import { toServiceError } from '../src/grpc';
import { migrate } from '../src/migrate';
import { clientKey, SessionStore } from '../src/sessions';

const MIGRATIONS = path.resolve(__dirname, '../migrations');

describe('migration 0007_session_labels', () => {
  let infra: Infra;
  let db: Db;
  let before0007: string;

  before(async () => {
    infra = await createInfra();
    db = createPool(infra.databaseUrl);
    before0007 = mkdtempSync(path.join(tmpdir(), 'mqfleet-migrations-'));
    for (const f of readdirSync(MIGRATIONS).filter((f) => f < '0007')) {
      cpSync(path.join(MIGRATIONS, f), path.join(before0007, f));
    }
  });
  after(async () => {
    rmSync(before0007, { recursive: true, force: true });
    await db?.end();
    await infra?.close();
  });

  test('existing free-text labels become labels; sessions keep them by id; deleting one in use fails', async () => {
    await migrate(db, before0007);
    await db.query(`INSERT INTO labels ("group", name) VALUES ('site/', 'north')`);
    await db.query(
      `INSERT INTO sessions (client_key, client_name, settings) VALUES
         ('\\x01', 'known', '{"labelGroup": "site/", "labelName": "north"}'),
         ('\\x02', 'free-text', '{"labelGroup": "", "labelName": "pumps"}'),
         ('\\x03', 'none', '{"labelGroup": "", "labelName": ""}')`,
    );
    // 0007 first; later migrations follow it.
    assert.equal((await migrate(db))[0], '0007_session_labels.sql');
    const { rows } = await db.query<{
      client_name: string;
      settings: Record<string, unknown>;
      label_id: number | null;
      group: string | null;
      name: string | null;
    }>(
      `SELECT s.client_name, s.settings, s.label_id, l."group", l.name
         FROM sessions s LEFT JOIN labels l ON l.id = s.label_id ORDER BY s.client_name`,
    );
    assert.deepEqual(
      rows.map((r) => [
        r.client_name,
        r.group,
        r.name,
        r.settings.labelId === (r.label_id ?? 0),
        'labelName' in r.settings,
      ]),
      [
        ['free-text', '', 'pumps', true, false],
        ['known', 'site/', 'north', true, false],
        ['none', null, null, true, false],
      ],
    );
    await assert.rejects(
      db.query(`DELETE FROM labels WHERE name = 'pumps'`),
      (err: { code?: string }) => err.code === '23503',
    );
  });
});

describe('a label deleted between resolving it and the alteration', () => {
  let infra: Infra;
  let db: Db;

  before(async () => {
    infra = await createInfra();
    db = createPool(infra.databaseUrl);
    await migrate(db);
  });
  after(async () => {
    await db?.end();
    await infra?.close();
  });

  test('the foreign key refuses the session change; the gRPC error is 12012 naming "label"', async () => {
    const store = new SessionStore(db, subjects('lbl-race'));
    await db.query(`INSERT INTO sessions (client_key, client_name, settings) VALUES ($1, 'race', '{}')`, [
      clientKey('race'),
    ]);
    const { rows } = await db.query<{ id: number }>(`INSERT INTO labels (name) VALUES ('gone') RETURNING id`);
    const id = rows[0]!.id;
    await db.query('DELETE FROM labels WHERE id = $1', [id]);
    // As if resolveSessionLabel had seen the label just before it was deleted.
    const err = await store
      .alter({ clientName: 'race', patch: { labelId: id } } as AlterSessionRequest__Output, 'test')
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.equal((err as { code?: string }).code, '23503');
    const status = toServiceError(err, createLogger('test', 'error'));
    assert.equal(status.code, grpc.status.INVALID_ARGUMENT);
    assert.equal(status.metadata?.get('mqfleet-error-code')[0], 'INVALID_VALUE');
    assert.equal(status.metadata?.get('mqfleet-error-property')[0], 'label');
    const { rows: after } = await db.query<{ settings: Record<string, unknown> }>(
      `SELECT settings FROM sessions WHERE client_name = 'race'`,
    );
    assert.equal(after[0]!.settings.labelId, undefined, 'nothing changed');
  });
});
