// Read rules checked per delivered message (packages/core/src/authorization.ts): a wide filter
// that a deny rule overlaps is granted, and the gateway never delivers the denied topics to it,
// counting each one (Gateway.readDeniedCount, the "readDenied" event). Real gateway, NATS and
// session-service; MQTT.js clients.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import type { ISubackPacket } from 'mqtt-packet';
import { eventMatching, until } from '@mqfleet/testkit';
import type { Gateway } from '../src/index';
import { endClient, mqttClient, startCluster, type Cluster } from './helpers';

let cluster: Cluster;
let dir: string;
let gateway: Gateway;
let port: number;
const clients: MqttClient[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mqfleet-read-rules-'));
  cluster = await startCluster();
  const path = join(dir, 'rules.json');
  writeFileSync(
    path,
    JSON.stringify({
      authorization: [
        { permission: 'allow', action: 'subscribe', clientId: 'auditor*', topics: ['#'] },
        { permission: 'deny', action: 'subscribe', topics: ['secret/#'] },
        { permission: 'allow', action: 'all', topics: ['#'] },
      ],
    }),
  );
  ({ gateway, port } = await cluster.startGateway({ MQFLEET_CONFIG: path }));
});
after(async () => {
  for (const c of clients) c.end(true);
  await cluster?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function client(clientId: string): Promise<MqttClient> {
  const c = await mqttClient(port, { protocolVersion: 5, clientId });
  clients.push(c);
  return c;
}

/** Every message the client receives from now on, as "topic payload". */
function record(c: MqttClient): string[] {
  const seen: string[] = [];
  c.on('message', (topic, payload) => seen.push(`${topic} ${payload.toString()}`));
  return seen;
}

/** Resolves once the client has received a message with this payload. */
function payloadArrives(c: MqttClient, payload: string, timeoutMs = 10000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      c.off('message', onMessage);
      reject(new Error(`no message "${payload}" within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (_topic: string, p: Buffer): void => {
      if (p.toString() !== payload) return;
      clearTimeout(timer);
      c.off('message', onMessage);
      resolve();
    };
    c.on('message', onMessage);
  });
}

describe('per-message read checks', () => {
  it('"#" is granted; secret/... is counted, not delivered; the auditor gets both', async () => {
    const monitor = await client('monitor');
    const granted = await monitor.subscribeAsync('#', { qos: 1 });
    assert.deepEqual(
      granted.map((g) => g.qos),
      [1],
    );
    const auditor = await client('auditor');
    await auditor.subscribeAsync('#', { qos: 1 });
    const seen = record(monitor);
    const audited = record(auditor);
    const before = gateway.readDeniedCount;
    const denied = eventMatching(
      gateway,
      'readDenied',
      (who, topic) => who === 'monitor' && topic === 'secret/x',
    );
    const publisher = await client('publisher');
    const marker = payloadArrives(monitor, 'after');
    const auditorDone = payloadArrives(auditor, 'after');
    await publisher.publishAsync('secret/x', 'hidden', { qos: 1 });
    await publisher.publishAsync('public/x', 'after', { qos: 1 });
    await Promise.all([marker, auditorDone, denied]);
    assert.deepEqual(seen, ['public/x after']);
    assert.deepEqual(audited, ['secret/x hidden', 'public/x after']);
    assert.equal(gateway.readDeniedCount - before, 1);
    // Once unsubscribed and subscribed to a filter the rules let it read entirely, nothing is
    // checked: a filter the deny rule does not touch.
    await monitor.unsubscribeAsync('#');
    await monitor.subscribeAsync('public/#', { qos: 1 });
    const again = payloadArrives(monitor, 'again');
    await publisher.publishAsync('public/y', 'again', { qos: 1 });
    await again;
    assert.equal(gateway.readDeniedCount - before, 1);
    await Promise.all([monitor, auditor, publisher].map(endClient));
  });

  it('a subscription to exactly what is denied is still refused (0x87)', async () => {
    const c = await client('exact');
    // MQTT.js rejects a SUBACK with a failure code, and keeps the packet in the error.
    const granted = await c
      .subscribeAsync(['secret/x', 'secret/#', 'secret/+/y', 'public/x'], { qos: 1 })
      .then(
        () => assert.fail('SUBACK without a failure'),
        (err: { packet?: ISubackPacket }) => err.packet?.granted,
      );
    assert.deepEqual(granted, [0x87, 0x87, 0x87, 1]);
    await endClient(c);
  });

  it('retained messages sent at SUBSCRIBE skip the denied topics', async () => {
    const publisher = await client('retainer');
    await publisher.publishAsync('secret/kept', 'hidden-retained', { qos: 1, retain: true });
    await publisher.publishAsync('public/kept', 'shown-retained', { qos: 1, retain: true });
    const monitor = await client('retained-monitor');
    const seen = record(monitor);
    const denied = eventMatching(
      gateway,
      'readDenied',
      (who, topic) => who === 'retained-monitor' && topic === 'secret/kept',
    );
    const delivered = eventMatching<[string, string, number]>(
      gateway,
      'retainedDelivered',
      (who) => who === 'retained-monitor',
    );
    const shown = payloadArrives(monitor, 'shown-retained');
    await monitor.subscribeAsync('#', { qos: 1 });
    const [, , sent] = await delivered;
    await Promise.all([denied, shown]);
    assert.equal(sent, 1);
    assert.deepEqual(seen, ['public/kept shown-retained']);
    await Promise.all([publisher, monitor].map(endClient));
  });

  it('a shared subscription passes over a member that may not read the topic', async () => {
    const reader = await client('auditor-shared');
    const blind = await client('blind-shared');
    await reader.subscribeAsync('$share/g/#', { qos: 1 });
    await blind.subscribeAsync('$share/g/#', { qos: 1 });
    const readerSeen = record(reader);
    const blindSeen: string[] = record(blind);
    const publisher = await client('shared-publisher');
    const last = payloadArrives(reader, 's3');
    for (let i = 0; i < 4; i++) await publisher.publishAsync('secret/s', `s${i}`, { qos: 1 });
    await last;
    assert.deepEqual(readerSeen, ['secret/s s0', 'secret/s s1', 'secret/s s2', 'secret/s s3']);
    assert.deepEqual(blindSeen, []);
    // Public messages still go to both members, in turn.
    for (let i = 0; i < 4; i++) await publisher.publishAsync('public/s', `p${i}`, { qos: 1 });
    await until(() => readerSeen.length + blindSeen.length === 8);
    assert.ok(blindSeen.length >= 1, readerSeen.join());
    assert.ok(
      blindSeen.every((m: string) => m.startsWith('public/s p')),
      blindSeen.join(),
    );
    await Promise.all([reader, blind, publisher].map(endClient));
  });
});
