// No client input may break a gateway's link to NATS (src/bus-limits.ts, docs/mqtt.md "Limits of
// the message bus"): two real gateways on one real NATS server, raw MQTT packets where the exact
// reason code matters, MQTT.js for delivery. After every refusal, QoS 1 messages must still cross
// from one gateway to the other.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import pg from 'pg';
import type * as mqttPacket from 'mqtt-packet';
import mqtt, { type MqttClient } from 'mqtt';
import { clientDigest } from '@mqfleet/core';
import { eventMatching } from '@mqfleet/testkit';
import type { Gateway } from '../src/index';
import { ReasonCode, ReturnCode, SUBACK_FAILURE_V4 } from '../src/reason-codes';
import { connectPacket, endClient, mqttClient, RawClient, startCluster, type Cluster } from './helpers';

let cluster: Cluster;
let gw0: { gateway: Gateway; port: number };
let gw1: { gateway: Gateway; port: number };
/** Bytes a mapped topic may have with this test's NATS prefix. */
let budget: number;
const raws: RawClient[] = [];
const clients: MqttClient[] = [];

before(async () => {
  cluster = await startCluster();
  gw0 = await cluster.startGateway({ MQFLEET_MAX_SUBSCRIPTIONS: '5' });
  gw1 = await cluster.startGateway({ MQFLEET_MAX_SUBSCRIPTIONS: '5' });
  budget = gw0.gateway.bus.subjectBudget;
});
after(async () => {
  for (const r of raws) r.destroy();
  for (const c of clients) c.end(true);
  await cluster?.close();
});

async function raw(
  port: number,
  version: 4 | 5,
  clientId: string,
  options: Partial<mqttPacket.IConnectPacket> = {},
) {
  const c = await RawClient.open(port, version);
  raws.push(c);
  c.send(connectPacket(clientId, { protocolVersion: version, ...options }));
  const connack = (await c.next()) as mqttPacket.IConnackPacket;
  assert.equal(connack.cmd, 'connack');
  return { c, connack };
}

async function client(port: number, clientId: string, version: 4 | 5 = 5): Promise<MqttClient> {
  const c = await mqttClient(port, { protocolVersion: version, clientId });
  clients.push(c);
  return c;
}

/**
 * Ten QoS 1 messages published on gateway 0 (each acknowledged) reach a subscriber on gateway 1:
 * returns [sent, acknowledged, delivered].
 */
async function crossGateways(tag: string): Promise<[number, number, number]> {
  const sub = await client(gw1.port, `${tag}-sub`);
  await sub.subscribeAsync(`${tag}/#`, { qos: 1 });
  const pub = await client(gw0.port, `${tag}-pub`);
  const got = new Set<string>();
  const all = new Promise<void>((resolve) => {
    sub.on('message', (_t, payload) => {
      got.add(payload.toString());
      if (got.size === 10) resolve();
    });
  });
  let acked = 0;
  for (let i = 0; i < 10; i++) {
    const packet = (await pub.publishAsync(`${tag}/m`, `m${i}`, { qos: 1 })) as
      { reasonCode?: number } | undefined;
    if ((packet?.reasonCode ?? 0) === 0) acked++;
  }
  await Promise.race([all, new Promise((r) => setTimeout(r, 5000))]);
  await endClient(sub);
  await endClient(pub);
  return [10, acked, got.size];
}

describe('topic filters NATS cannot carry', () => {
  it('a 5,000-byte filter gets SUBACK 0x8F (5.0) / 0x80 (3.1.1), and QoS 1 still crosses gateways 10/10', async () => {
    const long = `${'f'.repeat(4998)}/#`;
    const refused = eventMatching(
      gw0.gateway,
      'subscriptionRefused',
      (name: string) => name === 'long-filter-5',
    );
    const { c } = await raw(gw0.port, 5, 'long-filter-5');
    c.send({
      cmd: 'subscribe',
      messageId: 1,
      subscriptions: [
        { topic: long, qos: 1 },
        { topic: 'ok/#', qos: 1 },
        { topic: `$share/g/${long}`, qos: 1 },
      ],
    });
    const suback = (await c.next()) as mqttPacket.ISubackPacket;
    assert.deepEqual(suback.granted, [ReasonCode.TOPIC_FILTER_INVALID, 1, ReasonCode.TOPIC_FILTER_INVALID]);
    await refused;
    const v4 = await raw(gw0.port, 4, 'long-filter-4');
    v4.c.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: long, qos: 0 }] });
    assert.deepEqual(((await v4.c.next()) as mqttPacket.ISubackPacket).granted, [SUBACK_FAILURE_V4]);
    assert.deepEqual(await crossGateways('after-filter'), [10, 10, 10]);
  });

  it('the longest filter and topic that fit are granted and carried across gateways, retained too', async () => {
    const topic = 'a'.repeat(budget);
    const filter = `${'b'.repeat(budget - 2)}/#`;
    const sub = await client(gw1.port, 'longest-sub');
    const granted = await sub.subscribeAsync([topic, filter], { qos: 1 });
    assert.deepEqual(
      granted.map((g) => g.qos),
      [1, 1],
    );
    const pub = await client(gw0.port, 'longest-pub');
    const arrival = new Promise<string[]>((resolve) => {
      const seen: string[] = [];
      sub.on('message', (t) => {
        seen.push(t);
        if (seen.length === 2) resolve(seen);
      });
    });
    const packet = (await pub.publishAsync(topic, 'x', { qos: 1, retain: true })) as { reasonCode?: number };
    assert.equal(packet.reasonCode ?? 0, 0);
    await pub.publishAsync(`${'b'.repeat(budget - 2)}/c`.slice(0, budget), 'y', { qos: 1 });
    assert.equal((await arrival).length, 2);
    // The retained message of the longest topic is read back for a new subscription.
    const late = await client(gw0.port, 'longest-late');
    const retained = new Promise<string>((resolve) => late.on('message', (t) => resolve(t)));
    await late.subscribeAsync(topic, { qos: 1 });
    assert.equal(await retained, topic);
    assert.deepEqual(await crossGateways('after-longest'), [10, 10, 10]);
  });
});

describe('PUBLISH that NATS cannot carry is refused, never acknowledged as a success', () => {
  const long = 't/'.repeat(2500);

  it('MQTT 5 QoS 1: PUBACK 0x90; QoS 2: PUBREC 0x90; the connection stays', async () => {
    const { c } = await raw(gw0.port, 5, 'long-topic-5');
    c.send({
      cmd: 'publish',
      topic: long,
      payload: Buffer.from('x'),
      qos: 1,
      messageId: 1,
      dup: false,
      retain: false,
    });
    const puback = (await c.next()) as mqttPacket.IPubackPacket;
    assert.equal(puback.cmd, 'puback');
    assert.equal(puback.reasonCode, ReasonCode.TOPIC_NAME_INVALID);
    c.send({
      cmd: 'publish',
      topic: long,
      payload: Buffer.from('x'),
      qos: 2,
      messageId: 2,
      dup: false,
      retain: true,
    });
    const pubrec = (await c.next()) as mqttPacket.IPubrecPacket;
    assert.equal(pubrec.cmd, 'pubrec');
    assert.equal(pubrec.reasonCode, ReasonCode.TOPIC_NAME_INVALID);
    c.send({ cmd: 'pingreq' });
    assert.equal((await c.next())?.cmd, 'pingresp');
  });

  it('MQTT 5 QoS 0: DISCONNECT 0x90; MQTT 3.1.1: the connection is closed', async () => {
    const v5 = await raw(gw0.port, 5, 'long-topic-q0');
    v5.c.send({ cmd: 'publish', topic: long, payload: Buffer.from('x'), qos: 0, dup: false, retain: false });
    const disconnect = (await v5.c.next()) as mqttPacket.IDisconnectPacket;
    assert.equal(disconnect.cmd, 'disconnect');
    assert.equal(disconnect.reasonCode, ReasonCode.TOPIC_NAME_INVALID);
    await v5.c.waitClosed();
    const v4 = await raw(gw0.port, 4, 'long-topic-4');
    v4.c.send({
      cmd: 'publish',
      topic: long,
      payload: Buffer.from('x'),
      qos: 1,
      messageId: 1,
      dup: false,
      retain: false,
    });
    assert.equal(await v4.c.next(), undefined, 'closed without a PUBACK');
    assert.deepEqual(await crossGateways('after-topic'), [10, 10, 10]);
  });

  it('a message whose properties make it larger than max_payload on NATS: PUBACK 0x97', async () => {
    const { c, connack } = await raw(gw0.port, 5, 'big-props');
    const max = connack.properties!.maximumPacketSize!;
    // Control characters cost 1 byte in MQTT, 6 in the JSON of the NATS header (an MQTT string
    // holds at most 65,535 bytes: four values of 25,000).
    const value = Array.from({ length: 4 }, () => '\u0001'.repeat(25_000));
    c.send({
      cmd: 'publish',
      topic: 'big/p',
      payload: Buffer.alloc(max - 120_000),
      qos: 1,
      messageId: 7,
      dup: false,
      retain: false,
      properties: { userProperties: { k: value } },
    });
    const puback = (await c.next()) as mqttPacket.IPubackPacket;
    assert.equal(puback.reasonCode, ReasonCode.QUOTA_EXCEEDED);
    assert.deepEqual(await crossGateways('after-size'), [10, 10, 10]);
  });

  it('the largest payload the announced Maximum Packet Size allows crosses gateways', async () => {
    const sub = await client(gw1.port, 'largest-sub');
    await sub.subscribeAsync('largest/x', { qos: 1 });
    const { c, connack } = await raw(gw0.port, 5, 'largest-pub');
    const max = connack.properties!.maximumPacketSize!;
    // PUBLISH: 1 type byte, 3 length bytes, topic (2 + 9), packet id 2, properties length 1.
    const payload = Buffer.alloc(max - (1 + 3 + 11 + 2 + 1), 7);
    const arrival = new Promise<Buffer>((resolve) => sub.on('message', (_t, p) => resolve(p)));
    c.send({
      cmd: 'publish',
      topic: 'largest/x',
      payload,
      qos: 1,
      messageId: 1,
      dup: false,
      retain: false,
      properties: {},
    });
    const puback = (await c.next()) as mqttPacket.IPubackPacket;
    assert.equal(puback.reasonCode ?? 0, 0);
    assert.equal((await arrival).length, payload.length);
    // One byte more is above the announced maximum: DISCONNECT 0x95 [MQTT-3.2.2.3.6].
    c.send({
      cmd: 'publish',
      topic: 'largest/x',
      payload: Buffer.alloc(payload.length + 1),
      qos: 1,
      messageId: 2,
      dup: false,
      retain: false,
      properties: {},
    });
    const disconnect = (await c.next()) as mqttPacket.IDisconnectPacket;
    assert.equal(disconnect.reasonCode, ReasonCode.PACKET_TOO_LARGE);
  });
});

describe('a will NATS cannot carry', () => {
  const will = { topic: 'w/'.repeat(2500), payload: Buffer.from('bye'), qos: 1 as const, retain: false };

  it('MQTT 5: CONNACK 0x90; MQTT 3.1.1: CONNACK return code 5', async () => {
    const v5 = await raw(gw0.port, 5, 'long-will-5', { will });
    assert.equal(v5.connack.reasonCode, ReasonCode.TOPIC_NAME_INVALID);
    const v4 = await raw(gw0.port, 4, 'long-will-4', { will });
    assert.equal(v4.connack.returnCode, ReturnCode.NOT_AUTHORIZED);
  });
});

describe("a session's subscriptions are bounded (MQFLEET_MAX_SUBSCRIPTIONS = 5 here)", () => {
  it('filters beyond the bound get 0x97 (5.0) / 0x80 (3.1.1); a held filter is replaced, not counted', async () => {
    const { c } = await raw(gw0.port, 5, 'bounded-5');
    const filters = (n: number, from = 0) =>
      Array.from({ length: n }, (_, i) => ({ topic: `q/${from + i}`, qos: 0 as const }));
    c.send({ cmd: 'subscribe', messageId: 1, subscriptions: filters(4) });
    assert.deepEqual(((await c.next()) as mqttPacket.ISubackPacket).granted, [0, 0, 0, 0]);
    c.send({ cmd: 'subscribe', messageId: 2, subscriptions: [...filters(2, 3), ...filters(2, 10)] });
    assert.deepEqual(((await c.next()) as mqttPacket.ISubackPacket).granted, [
      0,
      0,
      ReasonCode.QUOTA_EXCEEDED,
      ReasonCode.QUOTA_EXCEEDED,
    ]);
    const v4 = await raw(gw0.port, 4, 'bounded-4');
    v4.c.send({ cmd: 'subscribe', messageId: 1, subscriptions: filters(6) });
    assert.deepEqual(((await v4.c.next()) as mqttPacket.ISubackPacket).granted, [
      0,
      0,
      0,
      0,
      0,
      SUBACK_FAILURE_V4,
    ]);
  });
});

describe('a stored subscription that could never be installed', () => {
  it('is not replayed when the session resumes; the others are, and messages still cross gateways', async () => {
    const name = 'legacy-filter';
    const first = await mqttClient(gw0.port, {
      protocolVersion: 5,
      clientId: name,
      clean: false,
      properties: { sessionExpiryInterval: 60 },
    });
    clients.push(first);
    await first.subscribeAsync('legacy/ok', { qos: 1 });
    await endClient(first);
    // A filter stored before the limits existed (written as an older gateway would have).
    const long = `${'l'.repeat(5000)}/#`;
    const db = new pg.Client({ connectionString: cluster.infra.databaseUrl });
    await db.connect();
    try {
      await db.query(
        `INSERT INTO session_subscriptions (client_key, filter_key, topic_filter, qos, no_local,
           retain_as_published, retain_handling, subscription_identifier)
         VALUES ($1, $2, $3, 1, false, false, 0, 0)`,
        [clientDigest(name), createHash('sha256').update(long).digest(), long],
      );
    } finally {
      await db.end();
    }
    const skipped = eventMatching(
      gw1.gateway,
      'subscriptionSkipped',
      (n: string, f: string) => n === name && f === long,
    );
    const again = await mqttClient(gw1.port, {
      protocolVersion: 5,
      clientId: name,
      clean: false,
      properties: { sessionExpiryInterval: 60 },
    });
    clients.push(again);
    await skipped;
    const pub = await client(gw0.port, 'legacy-pub');
    const arrival = new Promise<string>((resolve) => again.on('message', (t) => resolve(t)));
    await pub.publishAsync('legacy/ok', 'x', { qos: 1 });
    assert.equal(await arrival, 'legacy/ok');
    assert.deepEqual(await crossGateways('after-legacy'), [10, 10, 10]);
  });
});

describe('offline queues of sessions with many or long filters', () => {
  it('a session with 200 QoS 1 filters is parked and gets its queued message on another gateway', async () => {
    const name = 'parked-many';
    const persistent = {
      protocolVersion: 5 as const,
      clientId: name,
      clean: false,
      properties: { sessionExpiryInterval: 600 },
    };
    // Under the bound of this file's gateways (5 subscriptions): a third gateway with the defaults.
    const gw2 = await cluster.startGateway();
    const device = await mqttClient(gw2.port, persistent);
    clients.push(device);
    const filters = Array.from({ length: 200 }, (_, i) => `parked/${i}/+/reading`);
    await device.subscribeAsync(filters, { qos: 1 });
    const parked = eventMatching(gw2.gateway, 'sessionParked', (n: string) => n === name);
    await endClient(device);
    await parked;
    const pub = await client(gw0.port, 'parked-many-pub');
    await pub.publishAsync('parked/199/x/reading', 'while offline', { qos: 1 });
    const again = mqtt.connect(`mqtt://127.0.0.1:${gw1.port}`, { ...persistent, reconnectPeriod: 0 });
    try {
      const got = await new Promise<string>((resolve) =>
        again.on('message', (_t, p) => resolve(p.toString())),
      );
      assert.equal(got, 'while offline');
    } finally {
      again.end(true);
    }
  });
});

describe('saved deliveries keep topics a NATS header cannot hold', () => {
  it('a QoS 1 delivery in flight to " a\\r\\nb " is resent with that exact topic after the session resumes', async () => {
    const topic = ' a\r\nb ';
    const persistent = { clean: false, properties: { sessionExpiryInterval: 600 } };
    const { c } = await raw(gw1.port, 5, 'saved-topic', persistent);
    c.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic, qos: 1 }] });
    assert.deepEqual(((await c.next()) as mqttPacket.ISubackPacket).granted, [1]);
    const pub = await client(gw0.port, 'saved-topic-pub');
    await pub.publishAsync(topic, 'in flight', { qos: 1 });
    const first = (await c.next()) as mqttPacket.IPublishPacket;
    assert.equal(first.topic, topic);
    // No PUBACK: the delivery is in flight when the connection ends, and is saved with the session.
    const parked = eventMatching(
      gw1.gateway,
      'sessionParked',
      (n: string, saved: number) => n === 'saved-topic' && saved === 1,
    );
    c.destroy();
    await parked;
    const again = await raw(gw0.port, 5, 'saved-topic', persistent);
    assert.equal(again.connack.sessionPresent, true);
    const resent = (await again.c.next()) as mqttPacket.IPublishPacket;
    assert.equal(resent.cmd, 'publish');
    assert.equal(resent.dup, true);
    assert.equal(resent.topic, topic);
    assert.equal(resent.payload.toString(), 'in flight');
  });
});
