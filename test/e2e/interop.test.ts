// Interoperability with the Mosquitto command-line clients (real third-party MQTT stacks).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter, once } from 'node:events';
import { startSystem, type System } from './system';

interface Run {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  /** Resolves once the output matches; rejects if the process exits first or on timeout. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

/**
 * Runs a command with its stdout line-buffered (stdbuf), so that progress lines such as
 * mosquitto's -d "received SUBACK" reach us as they happen rather than at exit.
 */
function run(command: string, args: string[]): Run {
  const child = spawn('stdbuf', ['-oL', '-eL', command, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const changed = new EventEmitter();
  const onData = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
    changed.emit('change');
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = once(child, 'exit').then(([code]) => {
    changed.emit('change');
    return code as number | null;
  });
  const waitForOutput = (pattern: RegExp, timeoutMs = 10000): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (pattern.test(output)) finish();
        else if (child.exitCode !== null || child.signalCode !== null)
          finish(new Error(`${command} exited (${child.exitCode}) before ${pattern}: ${output}`));
      };
      const timer = setTimeout(
        () => finish(new Error(`${command}: no ${pattern} within ${timeoutMs} ms: ${output}`)),
        timeoutMs,
      );
      const finish = (err?: Error): void => {
        clearTimeout(timer);
        changed.off('change', check);
        if (err) reject(err);
        else resolve();
      };
      changed.on('change', check);
      check();
    });
  return { child, output: () => output, exited, waitForOutput };
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>(
        (_, reject) => (timer = setTimeout(() => reject(new Error(`${what} timed out`)), ms)),
      ),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

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
