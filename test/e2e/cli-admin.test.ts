// `mqfleet accounts`, `labels` and `gateways` (packages/cli, docs/cli.md): the real binary against
// the real services (./system), each command a process of its own (./cli-run), logged in once
// with `mqfleet login`; an ordinary account is refused by the API.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliIn, json, ok, type Cli } from './cli-run';
import { startSystem, type System } from './system';

describe('mqfleet CLI: accounts, labels, gateways', () => {
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
      const denied = await cli(['gateways'], { env });
      assert.equal(denied.code, 1);
      assert.match(denied.stderr, /\(errorCode 12030\)/);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});
