// `mqfleet accounts`, `labels`, `gateways` and `propagation` (packages/cli, docs/cli.md): the real
// binary against the real services (./system), each command a process of its own (./cli-run),
// logged in once with `mqfleet login`; an ordinary account is refused by the API.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nothingPropagated, until } from '@mqfleet/testkit';
import { cliIn, json, ok, type Cli } from './cli-run';
import { startSystem, type System } from './system';

describe('mqfleet CLI: accounts, labels, gateways, propagation', () => {
  let system: System;
  let configHome: string;
  let cli: Cli;

  before(async () => {
    system = await startSystem();
    configHome = mkdtempSync(join(tmpdir(), 'mqfleet-cli-admin-'));
    cli = cliIn(configHome);
    ok(await cli(['login', '--url', system.baseUrl], { stdin: 'ADMIN\n' }));
  });
  after(async () => {
    await system?.close();
    if (configHome) rmSync(configHome, { recursive: true, force: true });
  });

  // First: no alteration has been made in this system yet (the next test makes one).
  it('propagation: nothing before any alteration, then a live alteration made with the CLI', async () => {
    const none = ok(await cli(['propagation']));
    assert.equal(none.stdout, 'no alteration was put in force on a live connection in the last 60 s\n');
    assert.deepEqual(json(await cli(['propagation', '--json'])), { data: nothingPropagated(60) });

    await system.mqtt('cli-prop-device', { keepalive: 30 });
    const altered = json(await cli(['session', 'alter', 'cli-prop-device', '--keep-alive', '45', '--json']));
    assert.equal(altered.liveApplied, true);
    // The gateway reports what it measured with its next heartbeat.
    let data: Record<string, number | null> = {};
    await until(async () => {
      data = json(await cli(['propagation', '--window-seconds', '120', '--json'])).data as typeof data;
      return data.count! >= 1;
    }, 15_000);
    assert.equal(data.windowSeconds, 120);
    assert.equal(data.count, 1, JSON.stringify(data));
    assert.equal(data.gateways, 1);
    const { p50Ms, p90Ms, p99Ms, maxMs, meanMs } = data;
    for (const v of [p50Ms, p90Ms, p99Ms, maxMs, meanMs]) assert.equal(typeof v, 'number');
    assert.ok(p50Ms! <= p90Ms! && p90Ms! <= p99Ms! && p99Ms! <= maxMs! && meanMs! <= maxMs!);

    // The readable form: a sentence, then the times as a table (--window is --window-seconds).
    const human = ok(await cli(['propagation', '--window', '120']));
    const lines = human.stdout.split('\n');
    assert.equal(
      lines[0],
      '1 alteration(s) put in force on live connections in the last 120 s, reported by 1 gateway(s); ms from written to in force:',
    );
    assert.match(human.stdout, /│ p50 +│ p90 +│ p99 +│ max +│ mean +│/);
    const cells = [p50Ms, p90Ms, p99Ms, maxMs, meanMs].map((v) => `│ ${String(v)} +`).join('');
    assert.match(human.stdout, new RegExp(`${cells.replace(/\./g, '\\.')}│`));

    // A window the API refuses: its own error, exit 1.
    const bad = await cli(['propagation', '--window', '301']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /windowSeconds.*\(errorCode 12012\)/);

    // Shell completion knows the command and its option.
    const commands = ok(await cli(['--get-yargs-completions', 'mqfleet', 'prop']));
    assert.ok(commands.stdout.split('\n').includes('propagation'), commands.stdout);
    const options = ok(await cli(['--get-yargs-completions', 'mqfleet', 'propagation', '--']));
    assert.ok(options.stdout.split('\n').includes('--window-seconds'), options.stdout);
  });

  it('accounts, labels and gateways', async () => {
    ok(await cli(['accounts', 'create', 'operator', '--password', 'op-pw', '--role', 'user']));
    const accounts = ok(await cli(['accounts', 'list']));
    assert.match(accounts.stdout, /│ operator +│ user +│/);
    const dup = await cli(['accounts', 'create', 'OPERATOR', '--password', 'x']);
    assert.equal(dup.code, 1);
    assert.match(dup.stderr, /\(errorCode 12020\)/);

    await system.mqtt('cli-labelled');
    const label = json(await cli(['labels', 'create', 'west', '--group', 'site/', '--json']));
    ok(await cli(['session', 'alter', 'cli-labelled', '--label-id', String(label.id)]));
    const labelled = json(await cli(['sessions', 'list', '--label-id', String(label.id), '--json']));
    assert.deepEqual(
      (labelled.data as { clientName: string }[]).map((s) => s.clientName),
      ['cli-labelled'],
    );
    const inUse = await cli(['labels', 'delete', 'west', '--group', 'site/']);
    assert.equal(inUse.code, 1);
    assert.match(inUse.stderr, /\(errorCode 12026\)/);

    const gateways = json(await cli(['gateways', '--json']));
    const list = gateways.data as { mqttPort: number; connections: number }[];
    assert.equal(list.length, 1);
    assert.equal(list[0]!.mqttPort, system.gateways[0]!.port);
    const human = ok(await cli(['gateways']));
    assert.match(human.stdout, new RegExp(`│ ${system.gateways[0]!.port} +│`));

    // An ordinary account is refused by the API (12030).
    const other = mkdtempSync(join(tmpdir(), 'mqfleet-cli-user-'));
    try {
      const env = { XDG_CONFIG_HOME: other };
      ok(await cli(['login', '--url', system.baseUrl, '-u', 'operator', '-p', 'op-pw'], { env }));
      for (const command of ['gateways', 'propagation']) {
        const denied = await cli([command], { env });
        assert.equal(denied.code, 1, command);
        assert.match(denied.stderr, /\(errorCode 12030\)/, command);
      }
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});
