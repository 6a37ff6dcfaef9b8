// No client input may break a gateway's link to NATS, and session events fit the bus (issue 11,
// point 2; docs/mqtt.md "Limits of the message bus", docs/events.md). The whole system as
// processes with two gateways and real MQTT.js clients: the measurements (a 5,000-byte
// filter; one SUBSCRIBE of 2,400 filters, 950 KB), the longest topics and filters, the largest
// payloads and the most subscriptions our limits allow; after each, everything else must still
// work: QoS 1 crosses gateways 10/10 (counted: sent, acknowledged, delivered), alterMqSession is
// liveApplied, the outbox drains.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import mqtt, { type MqttClient, type Packet } from 'mqtt';
import { subjectBudget, DEFAULT_NATS_MAX_CONTROL_LINE } from '@mqfleet/core';
import { until } from '@mqfleet/testkit';
import { alterLive, endClient, messageMatching, publishQos1, startSystem, type System } from './system';

describe('the bus limits across two gateway processes', () => {
  let system: System;
  let token: string;
  let db: pg.Client;
  /** Bytes a mapped topic may have with this test's NATS prefix. */
  let budget: number;

  before(async () => {
    system = await startSystem({ gateways: 2 });
    token = await system.login();
    budget = subjectBudget(system.infra.natsPrefix, DEFAULT_NATS_MAX_CONTROL_LINE);
    db = new pg.Client({ connectionString: system.infra.databaseUrl });
    await db.connect();
  });
  after(async () => {
    await db?.end();
    await system?.close();
  });

  /** QoS 1 from gateway 0 to a subscriber on gateway 1: [sent, acknowledged, delivered]. */
  async function crossGateways(tag: string, count = 10): Promise<[number, number, number]> {
    const sub = await system.mqtt(`${tag}-sub`, {}, 1);
    await sub.subscribeAsync(`${tag}/#`, { qos: 1 });
    const pub = await system.mqtt(`${tag}-pub`, {}, 0);
    const delivered = new Set<string>();
    sub.on('message', (_t, p) => delivered.add(p.toString()));
    let acked = 0;
    for (let i = 0; i < count; i++) {
      const ack = await publishQos1(pub, `${tag}/m`, `m${i}`);
      if (ack.reasonCode === 0) acked++;
    }
    await until(() => delivered.size === count, 5000).catch(() => undefined);
    await endClient(sub);
    await endClient(pub);
    return [count, acked, delivered.size];
  }

  /** SUBACK return codes of one SUBSCRIBE (MQTT.js rejects a SUBACK that refuses any filter). */
  function subscribeCodes(client: MqttClient, filters: string[]): Promise<number[]> {
    return new Promise((resolve) => {
      const onPacket = (packet: Packet): void => {
        if (packet.cmd !== 'suback') return;
        client.off('packetreceive', onPacket);
        resolve(packet.granted as number[]);
      };
      client.on('packetreceive', onPacket);
      client.subscribe(filters, { qos: 1 }, () => undefined);
    });
  }

  const outboxRows = async (): Promise<number> =>
    (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox')).rows[0]!.n;

  it('a 5,000-byte filter is refused with SUBACK 0x8F; QoS 1 still crosses gateways 10/10', async () => {
    assert.deepEqual(await crossGateways('before-5000'), [10, 10, 10]);
    const client = await system.mqtt('filter-5000', {}, 0);
    assert.deepEqual(await subscribeCodes(client, [`${'f'.repeat(4998)}/#`]), [0x8f]);
    assert.deepEqual(await crossGateways('after-5000'), [10, 10, 10]);
    assert.equal(client.connected, true, 'the client keeps its connection');
  });

  it('one SUBSCRIBE of 2,400 filters (950 KB): the bound grants what fits, 0x97 for the rest; events, liveApplied and the outbox still work', async () => {
    const device = await system.mqtt('many-filters', { properties: { sessionExpiryInterval: 600 } }, 0);
    const filters = Array.from(
      { length: 2400 },
      (_, i) => `${String(i).padStart(4, '0')}/${'s'.repeat(390)}`,
    );
    const granted = await subscribeCodes(device, filters);
    // 256 KiB of filter bytes (the default bound): 663 filters of 395 bytes.
    const fits = Math.floor((256 * 1024) / 395);
    assert.deepEqual(granted, [...Array<number>(fits).fill(1), ...Array<number>(2400 - fits).fill(0x97)]);
    // The session event of that change is a reference (too large to carry whole); the outbox drains.
    await until(async () => (await outboxRows()) === 0, 10_000);
    // The most subscriptions the bound allows are all in force across gateways.
    const pub = await system.mqtt('many-filters-pub', {}, 1);
    const last = filters[fits - 1]!;
    const arrival = new Promise<string>((resolve) => device.on('message', (t) => resolve(t)));
    assert.equal((await publishQos1(pub, last, 'to-the-last')).reasonCode, 0);
    assert.equal(await arrival, last);
    // An administrator's change reaches that client and is confirmed in force.
    await alterLive(system, token, 'many-filters', { userProperties: [{ key: 'k', value: 'v' }] });
    const described = await system.api(
      'describeMqSessions',
      { clientNames: ['many-filters'] },
      { authToken: token },
    );
    assert.equal(described.body.errorCode, 0, described.body.errorMessage);
    assert.deepEqual(await crossGateways('after-2400'), [10, 10, 10]);
  });

  it('the longest topic and filter that fit, and the largest payload, cross gateways; retained too', async () => {
    const topic = 'a'.repeat(budget);
    const filter = `${'b'.repeat(budget - 2)}/#`;
    const sub = await system.mqtt('longest-sub', {}, 1);
    const granted = await sub.subscribeAsync([topic, filter], { qos: 1 });
    assert.deepEqual(
      granted.map((g) => g.qos),
      [1, 1],
    );
    const pub = await system.mqtt('longest-pub', {}, 0);
    const seen: string[] = [];
    sub.on('message', (t) => seen.push(t));
    assert.equal((await publishQos1(pub, topic, 'x')).reasonCode, 0);
    const deep = `${'b'.repeat(budget - 2)}/c`;
    assert.equal((await publishQos1(pub, deep, 'y')).reasonCode, 0);
    await until(() => seen.length === 2);
    assert.deepEqual(seen.sort(), [deep, topic].sort());
    // One byte over: refused (PUBACK 0x90), never acknowledged as a success.
    assert.equal((await publishQos1(pub, `${topic}a`, 'z')).reasonCode, 0x90);
    // The largest payload: the announced Maximum Packet Size (1 MiB less the bus reserve of
    // 1,024 + 4,096) less the PUBLISH's own bytes (type 1, length 3, topic 2 + 9, packet id 2,
    // properties length 1).
    const big = await system.mqtt('largest-pub', {}, 0);
    const payload = Buffer.alloc(1048576 - 1024 - 4096 - 18, 1);
    const bigSub = await system.mqtt('largest-sub', {}, 1);
    await bigSub.subscribeAsync('largest/t', { qos: 1 });
    const got = new Promise<number>((resolve) => bigSub.on('message', (_t, p) => resolve(p.length)));
    const ack = await new Promise<number | undefined>((resolve) =>
      big.publish('largest/t', payload, { qos: 1, retain: true }, (err, packet) =>
        resolve(err ? -1 : ((packet as { reasonCode?: number } | undefined)?.reasonCode ?? 0)),
      ),
    );
    assert.equal(ack, 0);
    assert.equal(await got, payload.length);
    assert.deepEqual(await crossGateways('after-longest'), [10, 10, 10]);
  });

  it('a persistent session offline with the longest filter gets its QoS 1 message on reconnect', async () => {
    const filter = `${'q'.repeat(budget - 2)}/#`;
    const options = { clean: false, properties: { sessionExpiryInterval: 600 } };
    const device = await system.mqtt('offline-longest', options, 1);
    await device.subscribeAsync(filter, { qos: 1 });
    await endClient(device);
    const pub = await system.mqtt('offline-longest-pub', {}, 0);
    const topic = `${'q'.repeat(budget - 2)}/x`;
    assert.equal((await publishQos1(pub, topic, 'queued')).reasonCode, 0);
    // The queued message arrives right after CONNACK: listen before connecting.
    const again = mqtt.connect(`mqtt://127.0.0.1:${system.gateways[0]!.port}`, {
      clientId: 'offline-longest',
      protocolVersion: 5,
      reconnectPeriod: 0,
      ...options,
    });
    const m = await messageMatching(again, (x) => x.topic === topic, 10_000).finally(() => again.end(true));
    assert.equal(m.payload.toString(), 'queued');
  });

  it('the admin paths refuse what the bus cannot carry with a JSON errorCode', async () => {
    await system.mqtt('admin-target', { properties: { sessionExpiryInterval: 600 } }, 1);
    const will = await system.api(
      'alterMqSession',
      { clientName: 'admin-target', willTopic: 'w/'.repeat(2500) },
      { authToken: token },
    );
    assert.equal(will.body.errorCode, 12034, will.body.errorMessage);
    assert.match(will.body.errorMessage, /willTopic/);
    const filter = await system.api(
      'subscribeToMq',
      {
        clientName: 'admin-target',
        subscriptionActions: [{ subscriptionAction: 'add', topicFilter: `${'f'.repeat(4998)}/#` }],
      },
      { authToken: token },
    );
    assert.equal(filter.body.errorCode, 12034, filter.body.errorMessage);
    const many = Array.from({ length: 300 }, (_, i) => ({
      subscriptionAction: 'add',
      topicFilter: `${i}/${'m'.repeat(990)}`,
    }));
    const bound = await system.api(
      'subscribeToMq',
      { clientName: 'admin-target', subscriptionActions: many },
      { authToken: token },
    );
    assert.equal(bound.body.errorCode, 12015, bound.body.errorMessage);
    // What fits still works and is in force on the live connection.
    const ok = await system.api(
      'subscribeToMq',
      {
        clientName: 'admin-target',
        subscriptionActions: [{ subscriptionAction: 'add', topicFilter: 'admin/ok' }],
      },
      { authToken: token },
    );
    assert.equal(ok.body.errorCode, 0, ok.body.errorMessage);
    assert.equal(ok.body.result.liveApplied, true);
  });
});
