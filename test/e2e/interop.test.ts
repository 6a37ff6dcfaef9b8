// Interoperability with the Mosquitto command-line clients (real third-party MQTT stacks).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { run, withTimeout } from './run-command';
import { startSystem, type System } from './system';

describe('mosquitto_sub / mosquitto_pub against the system', () => {
  let system: System;
  const children: ChildProcess[] = [];

  before(async () => {
    system = await startSystem();
  });
  after(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill();
    await system?.close();
  });

  it('mosquitto_sub (MQTT 3.1.1) receives what mosquitto_pub (MQTT 5, QoS 1) publishes', async () => {
    const port = String(system.gateways[0]!.port);
    const sub = run('mosquitto_sub', [
      '-V',
      'mqttv311',
      '-h',
      '127.0.0.1',
      '-p',
      port,
      '-i',
      'interop-sub',
      '-t',
      't/#',
      '-q',
      '1',
      '-C',
      '1',
      '-d',
    ]);
    children.push(sub.child);
    // -d prints the SUBACK: from then on the subscription is in place.
    await sub.waitForOutput(/received SUBACK/);

    const pub = run('mosquitto_pub', [
      '-V',
      'mqttv5',
      '-h',
      '127.0.0.1',
      '-p',
      port,
      '-i',
      'interop-pub',
      '-q',
      '1',
      '-t',
      't/interop',
      '-m',
      'hello from mosquitto_pub',
      '-d',
    ]);
    children.push(pub.child);
    assert.equal(await withTimeout(pub.exited, 10000, 'mosquitto_pub'), 0, pub.output());
    assert.match(pub.output(), /received PUBACK/);

    assert.equal(await withTimeout(sub.exited, 10000, 'mosquitto_sub'), 0, sub.output());
    assert.match(sub.output(), /received PUBLISH \(d0, q1, r0, m\d+, 't\/interop'/);
    assert.match(sub.output(), /^hello from mosquitto_pub$/m);
  });
});
