// `npm start` (scripts/start.mjs, what scripts/run.mjs runs after install and build) that cannot
// start says what happened and what to do, exits 1 and leaves nothing running: a bad setting, a
// port another program holds, a Postgres still running on the data directory, a nats-server that
// stops at once. Each run has its
// own MQFLEET_DATA_DIR and ports. A second start beside a running one: start-twice.test.ts.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInfra, REPO_ROOT } from '@mqfleet/testkit';
import { run, withTimeout, type Run } from './run-command';
import { portsEnv, startLauncher } from './start-command';

const EMBEDDED_POSTGRES = join(REPO_ROOT, 'scripts', 'embedded-postgres.mjs');

/** Runs the launcher to its end; it must end by itself. */
async function startFails(env: Record<string, string>): Promise<string> {
  const launcher = startLauncher(env);
  const code = await withTimeout(launcher.exited, 60_000, 'npm start ending');
  assert.equal(code, 1, launcher.output());
  return launcher.output();
}

describe('npm start that cannot start', () => {
  const dirs: string[] = [];
  const cleanups: (() => Promise<void> | void)[] = [];
  const dataDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'mqfleet-start-errors-'));
    dirs.push(dir);
    return dir;
  };
  after(async () => {
    for (const cleanup of cleanups) await cleanup();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('a bad MQFLEET_* value: names it, what it must be and where the settings are; starts nothing', async () => {
    const dir = dataDir();
    const out = await startFails({ ...(await portsEnv(dir)), MQFLEET_GATEWAYS: 'two' });
    assert.match(out, /\[mqfleet\] MQFLEET_GATEWAYS must be an integer from 1 to \d+; got "two"/);
    assert.match(out, /nothing was started: correct it and start again .*docs\/configuration\.md/);
    assert.equal(existsSync(join(dir, 'postgres')), false, 'no Postgres was started');

    const typo = await startFails({ ...(await portsEnv(dir)), MQFLEET_MQTT_PROT: '1884' });
    assert.match(typo, /unknown configuration variable\(s\): MQFLEET_MQTT_PROT; unset or correct them/);
  });

  it('a port another program listens on: names the port, its setting and the holder; starts nothing', async () => {
    const dir = dataDir();
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => holder.close(() => resolve())));
    const port = (holder.address() as { port: number }).port;
    // The lock of a launcher that is gone (no such pid) is taken over, not a reason to stop.
    writeFileSync(join(dir, 'npm-start.pid'), '999999999\n');
    const out = await startFails({ ...(await portsEnv(dir)), MQFLEET_HTTP_PORT: String(port) });
    assert.match(
      out,
      new RegExp(
        `\\[mqfleet\\] port ${port} on 127\\.0\\.0\\.1 \\(MQFLEET_HTTP_PORT, JSON API of the api-gateway\\) ` +
          `is taken by (node \\(pid ${process.pid}\\)|another program): stop it, or choose a free port with MQFLEET_HTTP_PORT`,
      ),
    );
    assert.equal(existsSync(join(dir, 'postgres')), false, 'no Postgres was started');
    assert.equal(existsSync(join(dir, 'npm-start.pid')), false, 'the data directory lock is released');

    // Two settings on one port are caught too, before anything listens.
    const env = await portsEnv(dir);
    const twice = await startFails({ ...env, MQFLEET_GRPC_PORT: env.MQFLEET_HTTP_PORT! });
    assert.match(
      twice,
      /port \d+ is wanted twice: MQFLEET_GRPC_PORT, gRPC of the session-service and MQFLEET_HTTP_PORT, JSON API of the api-gateway/,
    );
  });

  it('a nats-server that stops at once: shows its fatal line and where its data is', async () => {
    const dir = dataDir();
    // A JetStream store that cannot be a directory: nats-server refuses it and exits.
    mkdirSync(join(dir, 'nats'));
    writeFileSync(join(dir, 'nats', 'jetstream'), '');
    // This test's own database, in case the launcher got past NATS (the test then fails).
    const infra = await createInfra();
    cleanups.push(() => infra.close());
    const out = await startFails({ ...(await portsEnv(dir)), DATABASE_URL: infra.databaseUrl });
    assert.match(
      out,
      /\[mqfleet\] nats-server stopped before it listened \(code 1\); it said:\n.*\[FTL\] Can't start JetStream: storage directory is not a directory\n\[mqfleet\] its data is in .*\/nats; or give NATS_URL/,
    );
    assert.doesNotMatch(out, /session-service/);
  });

  it('a Postgres left running on the data directory: says whose pid and what to do', async () => {
    const dir = dataDir();
    // A Postgres on the data directory without its launcher: one that was killed, say.
    const leftover: Run = run(process.execPath, [EMBEDDED_POSTGRES, dir], { cwd: REPO_ROOT });
    cleanups.push(async () => {
      if (leftover.child.exitCode === null && leftover.child.signalCode === null) {
        leftover.child.kill('SIGTERM');
        await withTimeout(leftover.exited, 30_000, 'leftover Postgres stopping');
      }
    });
    await leftover.waitForOutput(/"msg":"ready"/, 60_000);
    const out = await startFails(await portsEnv(dir));
    assert.match(
      out,
      /\[postgres\] embedded Postgres: another Postgres \(pid \d+\) already runs on the data directory .*\/postgres: .*Stop it \(Ctrl-C in its terminal, or kill \d+\), or give this start its own MQFLEET_DATA_DIR/,
    );
    assert.doesNotMatch(out, /undefined/);
    assert.equal(leftover.child.exitCode, null, 'the running Postgres was left alone');
  });
});
