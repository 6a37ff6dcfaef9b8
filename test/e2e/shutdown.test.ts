// Ctrl-C: every service process exits with code 0 on SIGINT, even with a client connected. A
// second stop signal ends a gateway's drain at once (docs/mqtt.md, "Graceful drain").
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { nextEvent, until } from '@mqfleet/testkit';
import { asEmitter, startSystem, type System } from './system';

describe('SIGINT (Ctrl-C)', () => {
  let system: System;

  before(async () => {
    system = await startSystem();
  });
  after(async () => {
    await system?.close();
  });

  it('each service exits with code 0', async () => {
    const device = await system.mqtt('sigint-dev', { keepalive: 60 });
    const closed = nextEvent(asEmitter(device), 'close', 15000);
    const [gateway] = system.gateways;
    assert.equal(await gateway!.process.stop('SIGINT'), 0, gateway!.process.lines.slice(-10).join('\n'));
    await closed;
    assert.equal(await system.apiGateway.stop('SIGINT'), 0, system.apiGateway.lines.slice(-10).join('\n'));
    assert.equal(
      await system.sessionService.stop('SIGINT'),
      0,
      system.sessionService.lines.slice(-10).join('\n'),
    );
  });
});

describe('SIGTERM twice', () => {
  let system: System;

  before(async () => {
    system = await startSystem({ env: { MQFLEET_DRAIN_WINDOW_MS: '120000' } });
  });
  after(async () => {
    await system?.close();
  });

  it('SIGTERM drains over the window; a second SIGTERM ends the rest at once and the gateway exits with 0', async () => {
    const gateway = system.gateways[0]!;
    const devices = [];
    for (let i = 0; i < 4; i++) devices.push(await system.mqtt(`drain-twice-${i}`, { keepalive: 60 }));
    const told: number[] = [];
    for (const d of devices)
      d.on('disconnect', (packet) => {
        if (packet.reasonCode === 0x8b) told.push(Date.now());
      });
    const exited = new Promise<number | null>((resolve) =>
      gateway.process.child.once('exit', (code) => resolve(code)),
    );
    gateway.process.child.kill('SIGTERM');
    // Four connections over 120 s: the first batch at once, the next 30 s later.
    await until(() => told.length === 1, 10000);
    assert.equal(gateway.process.child.exitCode, null, 'still draining');
    gateway.process.child.kill('SIGTERM');
    assert.equal(await exited, 0, gateway.process.lines.slice(-10).join('\n'));
    await until(() => told.length === 4, 5000);
    assert.ok(gateway.process.lines.some((l) => l.includes('"msg":"stopping at once"')));
  });
});
