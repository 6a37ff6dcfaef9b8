// Shared subscriptions "$share/{ShareName}/{filter}" [MQTT-4.8.2] across two gateways: each
// message to one member of each group, retained messages not sent, invalid share names refused,
// No Local on a shared subscription a Protocol Error [MQTT-3.8.3-4].
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { IConnackPacket, IDisconnectPacket, ISubackPacket, Packet } from 'mqtt-packet';
import { eventMatching, until } from '@mqfleet/testkit';
import type { Gateway } from '../src/index';
import type { NatsRouter } from '../src/router';
import type { Socket } from 'node:net';
import {
  connectPacket,
  endClient,
  mqttClient,
  nextMessage,
  RawClient,
  startCluster,
  type Cluster,
} from './helpers';

interface Member {
  client: MqttClient;
  got: string[];
}

/** An MQTT.js member, listening from before its CONNACK (nothing it is sent is missed). */
async function member(
  port: number,
  clientId: string,
  version: 4 | 5,
  filters: string[],
  options: IClientOptions = {},
): Promise<Member> {
  const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, {
    clientId,
    protocolVersion: version,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    ...options,
  });
  const got: string[] = [];
  client.on('message', (topic: string, payload: Buffer) => {
    if (!topic.startsWith('end/')) got.push(payload.toString());
  });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  for (const filter of filters) {
    const granted = await client.subscribeAsync(filter, { qos: 1 });
    assert.equal(granted[0]?.qos, 1, filter);
  }
  return { client, got };
}

describe('shared subscriptions', () => {
  let cluster: Cluster;
  let gatewayA: Gateway;
  let portA: number;
  let portB: number;

  before(async () => {
    cluster = await startCluster();
    ({ gateway: gatewayA, port: portA } = await cluster.startGateway());
    ({ port: portB } = await cluster.startGateway());
  });
  after(() => cluster.close());

  test('each message goes to one member of each group, on either gateway; ordinary subscribers get all', async () => {
    const members = [
      await member(portA, 'sh-a1', 5, ['$share/g1/sh/#', 'end/#']),
      await member(portA, 'sh-a2', 4, ['$share/g1/sh/#', 'end/#']),
      await member(portB, 'sh-b1', 5, ['$share/g1/sh/#', 'end/#']),
    ];
    const other = await member(portB, 'sh-other-group', 5, ['$share/g2/sh/#', 'end/#']);
    const plain = await member(portA, 'sh-plain', 5, ['sh/#', 'end/#']);
    const all = [...members, other, plain];
    const pub = await mqttClient(portA, { clientId: 'sh-pub', protocolVersion: 5 });
    const N = 30;
    try {
      for (let i = 0; i < N; i++) await pub.publishAsync(`sh/${i % 3}`, String(i), { qos: 1 });
      const total = (): number => members.reduce((n, m) => n + m.got.length, 0);
      await until(() => (total() >= N && other.got.length >= N && plain.got.length >= N) || undefined);
      // A barrier: a later message everyone receives.
      const ends = all.map((m) => nextMessage(m.client));
      await pub.publishAsync('end/x', 'end', { qos: 1 });
      await Promise.all(ends);
      const received = members.flatMap((m) => m.got).sort((a, b) => Number(a) - Number(b));
      const expected = Array.from({ length: N }, (_, i) => String(i));
      assert.deepEqual(received, expected, 'every message exactly once within group g1');
      for (const m of members) assert.ok(m.got.length > 0, 'every member of g1 got some');
      assert.deepEqual(
        [...other.got].sort((a, b) => Number(a) - Number(b)),
        expected,
        'group g2 (one member) gets everything',
      );
      assert.deepEqual(plain.got, expected, 'an ordinary subscription gets everything, in order');

      // A member that unsubscribes gets no more.
      await members[2]!.client.unsubscribeAsync('$share/g1/sh/#');
      for (const m of members) m.got.length = 0;
      for (let i = 0; i < 10; i++) await pub.publishAsync('sh/x', `u${i}`, { qos: 1 });
      await until(() => total() >= 10 || undefined);
      const after = all.map((m) => nextMessage(m.client));
      await pub.publishAsync('end/y', 'end', { qos: 1 });
      await Promise.all(after);
      assert.equal(members[2]!.got.length, 0);
      assert.equal(members[0]!.got.length + members[1]!.got.length, 10);
    } finally {
      await endClient(pub);
      for (const m of all) await endClient(m.client);
    }
  });

  test('no retained messages for a shared subscription; invalid share names are refused; No Local is a protocol error', async () => {
    const pub = await mqttClient(portA, { clientId: 'shr-pub', protocolVersion: 5 });
    await pub.publishAsync('shr/t', 'retained', { qos: 1, retain: true });
    for (const version of [5, 4] as const) {
      const raw = await RawClient.open(portB, version);
      try {
        raw.send(connectPacket(`shr-raw-${version}`, { protocolVersion: version }));
        const connack = (await raw.next()) as IConnackPacket;
        if (version === 5) assert.equal(connack.properties?.sharedSubscriptionAvailable, true);
        raw.send({
          cmd: 'subscribe',
          messageId: 3,
          subscriptions: [
            { topic: '$share/g/shr/#', qos: 1 },
            { topic: '$share//shr/#', qos: 1 },
            { topic: '$share/g+/shr', qos: 1 },
            { topic: '$share/g', qos: 1 },
            { topic: '$share/g/', qos: 1 },
            { topic: '$share/g/a/#/b', qos: 1 },
          ],
        });
        const suback = (await raw.next()) as ISubackPacket;
        const bad = version === 5 ? 0x8f : 0x80;
        assert.deepEqual(suback.granted, [1, bad, bad, bad, bad, bad]);
        // The retained message of shr/t is not sent: the PINGRESP comes first and alone.
        raw.send({ cmd: 'pingreq' });
        assert.equal((await raw.next())?.cmd, 'pingresp');
        // Live messages do arrive.
        await pub.publishAsync('shr/t', 'live', { qos: 1 });
        const live = (await raw.next()) as Packet & { payload: Buffer; retain: boolean };
        assert.equal(live.cmd, 'publish');
        assert.equal(live.payload.toString(), 'live');
        assert.equal(live.retain, false);
      } finally {
        raw.destroy();
      }
    }
    await pub.publishAsync('shr/t', '', { qos: 1, retain: true });
    await endClient(pub);

    const raw = await RawClient.open(portA, 5);
    try {
      raw.send(connectPacket('shr-nl', { protocolVersion: 5 }));
      assert.equal((await raw.next())?.cmd, 'connack');
      raw.send({
        cmd: 'subscribe',
        messageId: 1,
        subscriptions: [{ topic: '$share/g/x', qos: 0, nl: true }],
      });
      const disconnect = (await raw.next()) as IDisconnectPacket;
      assert.equal(disconnect.cmd, 'disconnect');
      assert.equal(disconnect.reasonCode, 0x82);
      await raw.waitClosed();
    } finally {
      raw.destroy();
    }
  });

  test('a persistent member that is offline is not queued for: the other members take its share; back, it is a member again', async () => {
    const options = { clean: false, properties: { sessionExpiryInterval: 3600 } };
    const away = await mqttClient(portA, { clientId: 'sh-away', protocolVersion: 5, ...options });
    await away.subscribeAsync('$share/g3/pq/#', { qos: 1 });
    const stay = await member(portB, 'sh-stay', 5, ['$share/g3/pq/#', 'end/#']);
    const pub = await mqttClient(portB, { clientId: 'sh-pq-pub', protocolVersion: 5 });
    try {
      const gone = eventMatching(gatewayA, 'connectionClosed', (name: string) => name === 'sh-away');
      await away.endAsync();
      await gone;
      for (let i = 0; i < 5; i++) await pub.publishAsync('pq/x', String(i), { qos: 1 });
      await until(() => stay.got.length >= 5 || undefined);
      assert.deepEqual(stay.got, ['0', '1', '2', '3', '4'], 'the member still connected gets them all');
      // Back on the other gateway: nothing queued for it; its shared subscription works again.
      const back = await member(portB, 'sh-away', 5, ['end/#'], options);
      const barrier = nextMessage(back.client);
      await pub.publishAsync('end/z', 'end', { qos: 1 });
      await barrier;
      assert.deepEqual(back.got, [], 'no offline queue for a shared subscription');
      stay.got.length = 0;
      for (let i = 0; i < 20; i++) await pub.publishAsync('pq/y', `b${i}`, { qos: 1 });
      await until(() => stay.got.length + back.got.length >= 20 || undefined);
      assert.ok(back.got.length > 0, 'the resumed session is a member again');
      await endClient(back.client);
    } finally {
      await endClient(pub);
      await endClient(stay.client);
    }
  });

  test('a message NATS gave a gateway whose last member then left is handed on to a gateway with members', async () => {
    const away = await member(portA, 'sh-rd-away', 5, ['$share/g4/rd/#']);
    const stay = await member(portB, 'sh-rd-stay', 5, ['$share/g4/rd/#', 'end/#']);
    const pub = await mqttClient(portB, { clientId: 'sh-rd-pub', protocolVersion: 5 });
    // Gateway A stops reading its NATS connection (a slow network): NATS gives it its share of the
    // group's messages, which wait in its socket while its last member leaves and the group's
    // UNSUB goes out. When A reads them it has no member for them: the window in which such a
    // message was lost although its publisher had its PUBACK (dropped by nats.js for a
    // subscription already unsubscribed, or by the gateway for want of a member).
    const socket = (gatewayA as unknown as { nc: { protocol: { transport: { socket: Socket } } } }).nc
      .protocol.transport.socket;
    socket.pause();
    try {
      const N = 40;
      for (let i = 0; i < N; i++) await pub.publishAsync('rd/x', String(i), { qos: 1 });
      const gone = eventMatching(gatewayA, 'connectionClosed', (name: string) => name === 'sh-rd-away');
      await away.client.endAsync();
      await gone;
      socket.resume();
      await until(() => stay.got.length >= N || undefined);
      const barrier = nextMessage(stay.client);
      await pub.publishAsync('end/rd', 'end', { qos: 1 });
      await barrier;
      assert.deepEqual(
        [...stay.got].sort((a, b) => Number(a) - Number(b)),
        Array.from({ length: N }, (_, i) => String(i)),
        'every message reached the member still connected, once',
      );
      assert.deepEqual(away.got, [], 'the member that left got none of them');
      assert.ok(gatewayA.sharedRedirected > 0, 'gateway A had a share and handed it on');
      assert.equal(gatewayA.sharedDropped, 0);
    } finally {
      socket.resume();
      await endClient(pub);
      await endClient(stay.client);
    }
  });

  test('a shared message no gateway can take is handed on at most 3 times, then dropped and counted', async () => {
    const router = (gatewayA as unknown as { router: NatsRouter }).router;
    await router.addShared({ group: 'g5', filter: 'nobody/#' });
    const pub = await mqttClient(portB, { clientId: 'sh-nobody-pub', protocolVersion: 5 });
    try {
      const dropped = gatewayA.sharedDropped;
      const redirected = gatewayA.sharedRedirected;
      await pub.publishAsync('nobody/x', 'lost', { qos: 1 });
      await until(() => gatewayA.sharedDropped === dropped + 1 || undefined);
      assert.equal(gatewayA.sharedRedirected - redirected, 3);
    } finally {
      router.removeShared({ group: 'g5', filter: 'nobody/#' });
      await endClient(pub);
    }
  });
});
