// `npm start` without DATABASE_URL runs an embedded Postgres (scripts/embedded-postgres.mjs) in
// the data directory. A second start on the same directory must find its data again: the first
// version of the script granted "passage" permissions on the data directory itself, and Postgres
// then refused to start (it wants 0700).
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { REPO_ROOT } from '@mqfleet/testkit';
import { run, withTimeout, type Run } from './run-command';

const SCRIPT = join(REPO_ROOT, 'scripts', 'embedded-postgres.mjs');

interface Ready {
  port: number;
  databaseUrl: string;
}

async function start(dataDir: string): Promise<{ process: Run; ready: Ready }> {
  const process_ = run(process.execPath, [SCRIPT, dataDir], { cwd: REPO_ROOT });
  await process_.waitForOutput(/"msg":"ready"/, 60000);
  const line = process_
    .output()
    .split('\n')
    .find((l) => l.includes('"msg":"ready"'))!;
  return { process: process_, ready: JSON.parse(line) as Ready };
}

async function stop(p: Run): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGTERM');
  assert.equal(await withTimeout(p.exited, 30000, 'embedded Postgres stopping'), 0, p.output());
}

describe('embedded Postgres of npm start', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mqfleet-embedded-'));
  let current: Run | undefined;
  after(async () => {
    if (current) await stop(current).catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts again on its own data, which it kept', async () => {
    const first = await start(dataDir);
    current = first.process;
    const db1 = new pg.Client({ connectionString: first.ready.databaseUrl });
    await db1.connect();
    await db1.query('CREATE TABLE kept (v text)');
    await db1.query("INSERT INTO kept VALUES ('still here')");
    await db1.end();
    await stop(first.process);
    assert.equal(statSync(join(dataDir, 'postgres')).mode & 0o777, 0o700);

    const second = await start(dataDir);
    current = second.process;
    const db2 = new pg.Client({ connectionString: second.ready.databaseUrl });
    await db2.connect();
    const { rows } = await db2.query<{ v: string }>('SELECT v FROM kept');
    await db2.end();
    assert.deepEqual(rows, [{ v: 'still here' }]);
    await stop(second.process);
    current = undefined;
  });
});
