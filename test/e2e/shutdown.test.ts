// Ctrl-C: every service process exits with code 0 on SIGINT, even with a client connected.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { nextEvent } from '@mqfleet/testkit';
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
