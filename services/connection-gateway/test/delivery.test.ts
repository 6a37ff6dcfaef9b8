// Outbound delivery rules: QoS 2 to subscribers [MQTT-4.3.3] inside the client's Receive Maximum
// [MQTT-4.9], delivery QoS = min(subscription, message) [MQTT-3.8.4-8], No Local [MQTT-3.8.3-3],
// Retain As Published [MQTT-3.3.1-12/13], and the Receive Maximum the gateway announces for
// inbound QoS 1/2 [MQTT-3.3.4-9].
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type {
  IConnackPacket,
  IDisconnectPacket,
  IPublishPacket,
  IPubrecPacket,
  IPubrelPacket,
  ISubackPacket,
  Packet,
} from 'mqtt-packet';
import {
  connectPacket,
  endClient,
  mqttClient,
  nextMessage,
  RawClient,
  startCluster,
  type Cluster,
} from './helpers';

/** Reads packets until one satisfies the predicate (the others are returned too, in order). */
async function until(raw: RawClient, predicate: (p: Packet) => boolean): Promise<Packet[]> {
  const seen: Packet[] = [];
  for (;;) {
    const p = await raw.next();
    if (!p) throw new Error(`socket closed; got ${seen.map((x) => x.cmd).join(',')}`);
    seen.push(p);
    if (predicate(p)) return seen;
  }
}

async function rawSubscriber(
  port: number,
  clientId: string,
  filter: string,
  qos: 0 | 1 | 2,
  version: 4 | 5 = 5,
  properties?: Record<string, number>,
): Promise<RawClient> {
  const raw = await RawClient.open(port, version);
  raw.send(connectPacket(clientId, { protocolVersion: version, ...(properties ? { properties } : {}) }));
  assert.equal((await raw.next())?.cmd, 'connack');
  raw.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: filter, qos }] });
  const suback = (await raw.next()) as ISubackPacket;
  assert.equal(suback.cmd, 'suback');
  assert.deepEqual(suback.granted, [qos]);
  return raw;
}

describe('outbound delivery', () => {
  let cluster: Cluster;
  let port: number;
  let portB: number;

  before(async () => {
    cluster = await startCluster();
    ({ port } = await cluster.startGateway());
    ({ port: portB } = await cluster.startGateway());
  });
  after(() => cluster.close());

  test('QoS 2 is granted and delivered PUBLISH → PUBREC → PUBREL → PUBCOMP, from another gateway too', async () => {
    for (const version of [4, 5] as const) {
      const raw = await rawSubscriber(port, `q2-sub-${version}`, 'q2/#', 2, version);
      const pub = await mqttClient(portB, { clientId: `q2-pub-${version}`, protocolVersion: 5 });
      try {
        await pub.publishAsync('q2/a', 'exactly once', { qos: 2 });
        const publish = (await raw.next()) as IPublishPacket;
        assert.equal(publish.cmd, 'publish');
        assert.equal(publish.qos, 2);
        assert.equal(publish.dup, false);
        assert.equal(publish.payload.toString(), 'exactly once');
        const id = publish.messageId!;
        assert.ok(id >= 1);
        raw.send({ cmd: 'pubrec', messageId: id });
        const pubrel = (await raw.next()) as IPubrelPacket;
        assert.equal(pubrel.cmd, 'pubrel', 'PUBREL answers PUBREC [MQTT-4.3.3-4]');
        assert.equal(pubrel.messageId, id);
        // A repeated PUBREC gets the PUBREL again; PUBCOMP ends the exchange.
        raw.send({ cmd: 'pubrec', messageId: id });
        assert.equal(((await raw.next()) as IPubrelPacket).messageId, id);
        raw.send({ cmd: 'pubcomp', messageId: id });
        // QoS 1 message to a QoS 2 subscription: QoS 1 (min of both) [MQTT-3.8.4-8].
        await pub.publishAsync('q2/b', 'one', { qos: 1 });
        const q1 = (await raw.next()) as IPublishPacket;
        assert.equal(q1.qos, 1);
        raw.send({ cmd: 'puback', messageId: q1.messageId! });
        await pub.publishAsync('q2/c', 'zero', { qos: 0 });
        assert.equal(((await raw.next()) as IPublishPacket).qos, 0);
      } finally {
        raw.destroy();
        await endClient(pub);
      }
    }
  });

  test('a QoS 1 subscription gets QoS 2 messages at QoS 1; MQTT.js completes QoS 2 (3.1.1 and 5.0)', async () => {
    const sub1 = await mqttClient(port, { clientId: 'q2-mqttjs-1', protocolVersion: 5 });
    const sub2 = await mqttClient(port, { clientId: 'q2-mqttjs-2', protocolVersion: 4 });
    const pub = await mqttClient(portB, { clientId: 'q2-mqttjs-pub', protocolVersion: 4 });
    try {
      assert.equal((await sub1.subscribeAsync('mj/#', { qos: 1 }))[0]?.qos, 1);
      assert.equal((await sub2.subscribeAsync('mj/#', { qos: 2 }))[0]?.qos, 2);
      const got1 = nextMessage(sub1);
      const got2 = nextMessage(sub2);
      await pub.publishAsync('mj/x', 'hello', { qos: 2 });
      assert.equal((await got1).packet.qos, 1);
      assert.equal((await got2).packet.qos, 2);
      // The QoS 2 exchange completed: the next messages flow as well (ids are freed).
      for (let i = 0; i < 5; i++) {
        const next = nextMessage(sub2);
        await pub.publishAsync('mj/y', String(i), { qos: 2 });
        assert.equal((await next).payload.toString(), String(i));
      }
    } finally {
      await endClient(sub1);
      await endClient(sub2);
      await endClient(pub);
    }
  });

  test('QoS 2 deliveries hold the Receive Maximum window until PUBCOMP; PUBREC ≥ 0x80 frees it', async () => {
    const raw = await rawSubscriber(port, 'q2-window', 'win2/#', 2, 5, { receiveMaximum: 2 });
    const pub = await mqttClient(port, { clientId: 'q2-window-pub', protocolVersion: 5 });
    try {
      for (let i = 0; i < 4; i++) await pub.publishAsync('win2/t', String(i), { qos: 2 });
      const first = (await raw.next()) as IPublishPacket;
      const second = (await raw.next()) as IPublishPacket;
      assert.deepEqual([first.payload.toString(), second.payload.toString()], ['0', '1']);
      // PUBREC does not free a slot (the exchange is not over): the third message waits.
      raw.send({ cmd: 'pubrec', messageId: first.messageId! });
      assert.equal((await raw.next())?.cmd, 'pubrel');
      raw.send({ cmd: 'pingreq' });
      assert.equal((await raw.next())?.cmd, 'pingresp', 'nothing beyond the window of 2');
      // PUBCOMP frees it.
      raw.send({ cmd: 'pubcomp', messageId: first.messageId! });
      const third = (await raw.next()) as IPublishPacket;
      assert.equal(third.payload.toString(), '2');
      // A PUBREC with a failure reason code ends the exchange without PUBREL.
      raw.send({ cmd: 'pubrec', messageId: second.messageId!, reasonCode: 0x80 });
      const fourth = (await raw.next()) as IPublishPacket;
      assert.equal(fourth.cmd, 'publish');
      assert.equal(fourth.payload.toString(), '3');
      // PUBREC for an identifier not in flight: MQTT 5 PUBREL 0x92.
      raw.send({ cmd: 'pubrec', messageId: 999 });
      const unknown = await until(raw, (p) => p.cmd === 'pubrel');
      assert.equal((unknown.at(-1) as IPubrelPacket).reasonCode, 0x92);
    } finally {
      raw.destroy();
      await endClient(pub);
    }
  });

  test("No Local: a subscription with No Local does not get its own connection's messages", async () => {
    const self = await RawClient.open(port, 5);
    const other = await rawSubscriber(port, 'nl-other', 'nl/#', 1);
    try {
      self.send(connectPacket('nl-self', { protocolVersion: 5 }));
      assert.equal((await self.next())?.cmd, 'connack');
      self.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'nl/#', qos: 1, nl: true }] });
      assert.equal((await self.next())?.cmd, 'suback');
      self.send({
        cmd: 'publish',
        topic: 'nl/a',
        payload: Buffer.from('mine'),
        qos: 1,
        messageId: 5,
        dup: false,
        retain: false,
      });
      // Only the PUBACK: the PINGRESP barrier proves no PUBLISH came back [MQTT-3.8.3-3].
      const acked = await until(self, (p) => p.cmd === 'puback');
      self.send({ cmd: 'pingreq' });
      const seen = [...acked, ...(await until(self, (p) => p.cmd === 'pingresp'))];
      assert.deepEqual(
        seen.map((p) => p.cmd),
        ['puback', 'pingresp'],
      );
      // Others get it.
      const got = (await other.next()) as IPublishPacket;
      assert.equal(got.payload.toString(), 'mine');
      other.send({ cmd: 'puback', messageId: got.messageId! });
      // A message from another connection reaches the No Local subscription.
      other.send({
        cmd: 'publish',
        topic: 'nl/b',
        payload: Buffer.from('theirs'),
        qos: 0,
        dup: false,
        retain: false,
      });
      const theirs = (await until(self, (p) => p.cmd === 'publish')).at(-1) as IPublishPacket;
      assert.equal(theirs.payload.toString(), 'theirs');
      // An overlapping subscription without No Local delivers the own message again (one copy).
      self.send({ cmd: 'subscribe', messageId: 2, subscriptions: [{ topic: 'nl/+', qos: 0 }] });
      await until(self, (p) => p.cmd === 'suback');
      self.send({
        cmd: 'publish',
        topic: 'nl/c',
        payload: Buffer.from('again'),
        qos: 0,
        dup: false,
        retain: false,
      });
      self.send({ cmd: 'pingreq' });
      const after = await until(self, (p) => p.cmd === 'pingresp');
      assert.deepEqual(
        after.filter((p) => p.cmd === 'publish').map((p) => (p as IPublishPacket).payload.toString()),
        ['again'],
      );
    } finally {
      self.destroy();
      other.destroy();
    }
  });

  test('Retain As Published keeps RETAIN 1 on forwarded retained messages; otherwise RETAIN 0', async () => {
    const rap = await RawClient.open(port, 5);
    const plain = await RawClient.open(portB, 5);
    const pub = await mqttClient(portB, { clientId: 'rap-pub', protocolVersion: 5 });
    try {
      for (const [raw, id, flag] of [
        [rap, 'rap-yes', true],
        [plain, 'rap-no', false],
      ] as const) {
        raw.send(connectPacket(id, { protocolVersion: 5 }));
        assert.equal((await raw.next())?.cmd, 'connack');
        raw.send({
          cmd: 'subscribe',
          messageId: 1,
          subscriptions: [{ topic: 'rapd/#', qos: 1, rap: flag, rh: 2 }],
        });
        assert.equal((await raw.next())?.cmd, 'suback');
      }
      await pub.publishAsync('rapd/t', 'kept', { qos: 1, retain: true });
      const a = (await rap.next()) as IPublishPacket;
      const b = (await plain.next()) as IPublishPacket;
      assert.equal(a.retain, true, 'Retain As Published [MQTT-3.3.1-12]');
      assert.equal(b.retain, false, 'RETAIN 0 otherwise [MQTT-3.3.1-13]');
      await pub.publishAsync('rapd/t', '', { qos: 1, retain: true });
    } finally {
      rap.destroy();
      plain.destroy();
      await endClient(pub);
    }
  });

  test('a client past the announced Receive Maximum of unacknowledged QoS 2 gets DISCONNECT 0x93', async () => {
    const raw = await RawClient.open(port, 5);
    try {
      raw.send(connectPacket('rm-exceed', { protocolVersion: 5 }));
      const connack = (await raw.next()) as IConnackPacket;
      const announced = connack.properties?.receiveMaximum;
      assert.equal(announced, 100);
      const publish = (id: number, dup = false): void =>
        raw.send({
          cmd: 'publish',
          topic: 'rm/t',
          payload: Buffer.from(String(id)),
          qos: 2,
          messageId: id,
          dup,
          retain: false,
        });
      for (let id = 1; id <= announced; id++) publish(id);
      const recs = await until(
        raw,
        (p) => p.cmd === 'pubrec' && (p as IPubrecPacket).messageId === announced,
      );
      assert.equal(recs.filter((p) => p.cmd === 'pubrec').length, announced);
      // A resent duplicate is not a new message: still answered.
      publish(1, true);
      assert.equal(((await raw.next()) as IPubrecPacket).messageId, 1);
      // Releasing one makes room for one more.
      raw.send({ cmd: 'pubrel', messageId: 1 });
      assert.equal((await raw.next())?.cmd, 'pubcomp');
      publish(101);
      assert.equal(((await raw.next()) as IPubrecPacket).messageId, 101);
      // The next one is one too many [MQTT-3.3.4-9].
      publish(102);
      const disconnect = (await raw.next()) as IDisconnectPacket;
      assert.equal(disconnect.cmd, 'disconnect');
      assert.equal(disconnect.reasonCode, 0x93);
      await raw.waitClosed();
    } finally {
      raw.destroy();
    }
  });
});
