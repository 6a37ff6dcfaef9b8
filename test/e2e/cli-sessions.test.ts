// `mqfleet session …` (packages/cli, docs/cli.md) on live MQTT devices: the real binary against
// the real services (./system), each command a process of its own (./cli-run), logged in once
// with `mqfleet login`.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nextEvent } from '@mqfleet/testkit';
import { cliIn, json, ok, type Cli } from './cli-run';
import { asEmitter, startSystem, type System } from './system';

describe('mqfleet CLI: sessions of live devices', () => {
  let system: System;
  let configHome: string;
  let cli: Cli;

  before(async () => {
    system = await startSystem();
    configHome = mkdtempSync(join(tmpdir(), 'mqfleet-cli-sessions-'));
    cli = cliIn(configHome);
    ok(await cli(['login', '--url', system.baseUrl], { stdin: 'ADMIN\n' }));
  });
  after(async () => {
    await system?.close();
    if (configHome) rmSync(configHome, { recursive: true, force: true });
  });

  it("alters a live device's keep-alive: the gateway confirms it (liveApplied)", async () => {
    await system.mqtt('cli-device-1', { keepalive: 30 });
    const altered = json(await cli(['session', 'alter', 'cli-device-1', '--keep-alive', '120', '--json']));
    assert.equal(altered.keepAliveSeconds, 120);
    assert.deepEqual(altered.changedFields, ['keepAliveSeconds']);
    assert.equal(altered.connectionStatus, 'connected');
    assert.equal(altered.liveApplied, true);

    // The human form says the same, and every table property is an option (kebab case).
    const human = ok(
      await cli([
        'session',
        'alter',
        'cli-device-1',
        '--keep-alive-seconds',
        '90',
        '--will-retain',
        '--metadata',
        '{"site":"a"}',
      ]),
    );
    assert.match(
      human.stdout,
      /^cli-device-1: version \d+; changed: keepAliveSeconds, willRetain, metadata; in force on its live connection \(liveApplied\)$/m,
    );
    const described = json(await cli(['session', 'describe', 'cli-device-1', '--json']));
    const session = (described.data as Record<string, unknown>[])[0]!;
    assert.equal(session.keepAliveSeconds, 90);
    assert.equal(session.willRetain, true);
    assert.deepEqual(session.metadata, { site: 'a' });
  });

  it("a bad value gets the API's own error and exit status 1; an unknown option exit 2", async () => {
    const ran = await cli(['session', 'alter', 'cli-device-1', '--keep-alive', 'soon']);
    assert.equal(ran.code, 1);
    const direct = await system.api(
      'alterMqSession',
      { clientName: 'cli-device-1', keepAliveSeconds: 'soon' },
      { authToken: await system.login() },
    );
    assert.equal(direct.body.errorCode, 12012);
    assert.equal(ran.stderr, `mqfleet: ${direct.body.errorMessage} (errorCode 12012)\n`);

    const asJson = await cli(['session', 'alter', 'cli-device-1', '--receive-maximum', '0', '--json']);
    assert.equal(asJson.code, 1);
    assert.equal(asJson.stdout, '');
    const error = JSON.parse(asJson.stderr) as { errorCode: number; errorMessage: string };
    assert.equal(error.errorCode, 12012);
    assert.match(error.errorMessage, /receiveMaximum/);

    const unknown = await cli(['session', 'alter', 'cli-device-1', '--keep-alive-secs', '5']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^mqfleet: Unknown argument: keep-alive-secs\n/);

    const missing = await cli(['session', 'describe', 'nobody-here', '--json']);
    assert.deepEqual(json(missing).data, []);
    const none = await cli(['session', 'ban', 'nobody-here']);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /\(errorCode 100\)/);
  });

  it('bans a device: its next PUBLISH is refused, and the banned list shows it', async () => {
    const device = await system.mqtt('cli-banned');
    const banned = json(await cli(['session', 'ban', 'cli-banned', '--json']));
    assert.equal(banned.sessionStatus, 'banned');
    assert.equal(banned.liveApplied, true);
    const refused = await new Promise<Error | undefined>((resolve) =>
      device.publish('cli/ban', 'x', { qos: 1 }, (err) => resolve(err)),
    );
    assert.equal((refused as { code?: number } | undefined)?.code, 0x87, 'PUBACK Not authorized');

    const list = json(await cli(['sessions', 'list', '--status', 'banned', '--json']));
    assert.deepEqual(
      (list.data as { clientName: string }[]).map((s) => s.clientName),
      ['cli-banned'],
    );
    const table = ok(await cli(['sessions', 'list', '--status', 'banned']));
    assert.match(table.stdout, /│ cli-banned +│ mqtt +│ banned +│ connected +│ - +│/);
    assert.match(table.stdout, /^1 session\(s\)$/m);

    ok(await cli(['session', 'unban', 'cli-banned']));
    const ack = await new Promise<Error | undefined>((resolve) =>
      device.publish('cli/ban', 'y', { qos: 1 }, (err) => resolve(err)),
    );
    assert.ok(!ack, `PUBACK after unban: ${String(ack)}`);

    // Delete: the client is disconnected by the administrative action.
    const closed = nextEvent(asEmitter(device), 'close', 10_000);
    const deleted = json(await cli(['session', 'delete', 'cli-banned', '--permanently', '--json']));
    assert.equal(deleted.sessionStatus, 'deleted');
    assert.equal(deleted.wasConnected, true);
    await closed;
  });
});
