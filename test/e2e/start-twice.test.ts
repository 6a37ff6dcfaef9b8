// A second `npm start` on the data directory of a running one (scripts/start.mjs, with the embedded
// Postgres and nats-server it starts when DATABASE_URL and NATS_URL are not set): it used to die
// with `undefined` thrown by the Postgres child; now it says which launcher holds the directory and
// what to do, exits 1 and leaves the running system alone. Own MQFLEET_DATA_DIR and ports.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withTimeout, type Run } from './run-command';
import { portsEnv, startLauncher } from './start-command';

describe('npm start twice on one data directory', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mqfleet-start-twice-'));
  let first: Run | undefined;
  after(async () => {
    if (first && first.child.exitCode === null && first.child.signalCode === null) {
      first.child.kill('SIGTERM');
      await withTimeout(first.exited, 30_000, 'first npm start stopping').catch(() => undefined);
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('the second says the directory is in use by the first (its pid) and what to do; the first runs on', async () => {
    const firstEnv = await portsEnv(dataDir);
    first = startLauncher(firstEnv);
    await first.waitForOutput(/\[mqfleet\] ready:/, 90_000);
    const pid = first.child.pid!;
    assert.equal(readFileSync(join(dataDir, 'npm-start.pid'), 'utf8').trim(), String(pid));

    const second = startLauncher(await portsEnv(dataDir));
    assert.equal(await withTimeout(second.exited, 30_000, 'second npm start ending'), 1, second.output());
    assert.match(
      second.output(),
      new RegExp(
        `\\[mqfleet\\] the data directory ${dataDir} is in use by another npm start \\(its launcher has pid ${pid}\\)\\. ` +
          `Stop that one first \\(Ctrl-C in its terminal, or kill ${pid}\\), or run this one beside it with its own MQFLEET_DATA_DIR`,
      ),
    );
    assert.doesNotMatch(second.output(), /undefined|\[postgres\]/);

    // The first is untouched: it still answers, and still holds the lock.
    const ready = await fetch(`http://127.0.0.1:${firstEnv.MQFLEET_HTTP_PORT}/health/ready`);
    assert.equal(ready.status, 200, await ready.text());
    assert.equal(first.child.exitCode, null);

    // Stopped, it releases the directory.
    first.child.kill('SIGTERM');
    assert.equal(await withTimeout(first.exited, 30_000, 'first npm start stopping'), 0, first.output());
    assert.equal(existsSync(join(dataDir, 'npm-start.pid')), false);
  });
});
