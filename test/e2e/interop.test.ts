// Interoperability with the Mosquitto command-line clients (real third-party MQTT stacks).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { natsConnection, until } from '@mqfleet/testkit';
import { run, withTimeout, type Run } from './run-command';
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

describe('mosquitto clients: QoS 2, offline queues and shared subscriptions across two gateways', () => {
  let system: System;
  const children: ChildProcess[] = [];
  const started = (r: Run): Run => {
    children.push(r.child);
    return r;
  };
  const common = (gateway: number): string[] => [
    '-h',
    '127.0.0.1',
    '-p',
    String(system.gateways[gateway]!.port),
  ];

  before(async () => {
    system = await startSystem({ gateways: 2 });
  });
  after(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill();
    await system?.close();
  });

  /** Messages the offline-queue stream holds (the publishing gateway forwards without waiting). */
  async function queued(): Promise<number> {
    const nc = await natsConnection(system.infra.natsUrl);
    try {
      const jsm = await nc.jetstreamManager();
      // The stream is <PREFIX>_QUEUE (packages/core subjects().queueStream).
      const stream = `${system.infra.natsPrefix.toUpperCase()}_QUEUE`;
      return (await jsm.streams.info(stream)).state.messages;
    } finally {
      await nc.close();
    }
  }

  it('mosquitto_sub -c (MQTT 3.1.1, QoS 2) gets at QoS 2 what mosquitto_pub sent while it was away, via the other gateway', async () => {
    // Subscribe with a persistent session, then leave (-E: exit once the SUBACK arrived).
    const first = started(
      run('mosquitto_sub', [
        ...common(0),
        '-V',
        'mqttv311',
        '-c',
        '-i',
        'interop-offline',
        '-q',
        '2',
        '-t',
        'fleet/#',
        '-E',
      ]),
    );
    assert.equal(await withTimeout(first.exited, 10000, 'mosquitto_sub -E'), 0, first.output());
    // Whether the gateway has parked the session yet or not, the message ends up in its queue.
    const pub = started(
      run('mosquitto_pub', [
        ...common(1),
        '-V',
        'mqttv5',
        '-i',
        'interop-offline-pub',
        '-q',
        '2',
        '-t',
        'fleet/truck-7',
        '-m',
        'sent while away',
        '-d',
      ]),
    );
    assert.equal(await withTimeout(pub.exited, 10000, 'mosquitto_pub'), 0, pub.output());
    assert.match(pub.output(), /received PUBCOMP/);
    await until(async () => (await queued()) >= 1 || undefined);

    const back = started(
      run('mosquitto_sub', [
        ...common(0),
        '-V',
        'mqttv311',
        '-c',
        '-i',
        'interop-offline',
        '-q',
        '2',
        '-t',
        'fleet/#',
        '-C',
        '1',
        '-d',
      ]),
    );
    assert.equal(await withTimeout(back.exited, 10000, 'mosquitto_sub -C 1'), 0, back.output());
    assert.match(back.output(), /received PUBLISH \(d0, q2, r0, m\d+, 'fleet\/truck-7'/);
    // The QoS 2 exchange completes: PUBREC → PUBREL → PUBCOMP.
    assert.match(back.output(), /sending PUBREC \(m\d+, rc0\)[\s\S]*received PUBREL[\s\S]*sending PUBCOMP/);
    assert.match(back.output(), /^sent while away$/m);
  });

  it('two mosquitto_sub on $share/workers/jobs/# (one per gateway) divide the messages', async () => {
    const workers = [0, 1].map((gateway) =>
      started(
        run('mosquitto_sub', [
          ...common(gateway),
          '-V',
          'mqttv5',
          '-i',
          `interop-worker-${gateway}`,
          '-q',
          '1',
          '-t',
          '$share/workers/jobs/#',
          '-v',
          '-d',
        ]),
      ),
    );
    for (const w of workers) await w.waitForOutput(/received SUBACK/);
    const N = 20;
    const pub = started(
      run(
        'mosquitto_pub',
        [...common(0), '-V', 'mqttv5', '-i', 'interop-jobs-pub', '-q', '1', '-t', 'jobs/new', '-l'],
        { stdin: Array.from({ length: N }, (_, i) => `job-${i}`).join('\n') + '\n' },
      ),
    );
    assert.equal(await withTimeout(pub.exited, 10000, 'mosquitto_pub -l'), 0, pub.output());
    const jobs = (): string[] =>
      workers.flatMap((w) => [...w.output().matchAll(/^jobs\/new (job-\d+)$/gm)].map((m) => m[1]!));
    await until(() => jobs().length >= N || undefined);
    const sorted = jobs().sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)));
    assert.deepEqual(
      sorted,
      Array.from({ length: N }, (_, i) => `job-${i}`),
      'every job exactly once',
    );
  });
});
