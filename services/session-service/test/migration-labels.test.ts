// Migration 0007: free-text session labels become references to the labels table.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createInfra, type Infra } from '@mqfleet/testkit';
import { createPool, type Db } from '../src/db';
import { migrate } from '../src/migrate';

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
    assert.deepEqual(await migrate(db), ['0007_session_labels.sql']);
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
