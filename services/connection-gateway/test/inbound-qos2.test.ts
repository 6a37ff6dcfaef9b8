// QoS 2 from client to server, the whole exchange: PUBLISH → PUBREC → PUBREL → PUBCOMP, a
// PUBLISH resent before PUBREL routed once only, the packet identifier free again after PUBCOMP,
// and PUBREL for an identifier the server does not hold. The publisher is a raw client (it must
// resend a PUBLISH and send PUBREL at will); the subscriber is MQTT.js on another gateway.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type * as mqttPacket from 'mqtt-packet';
import type { MqttClient } from 'mqtt';
import { ReasonCode } from '../src/reason-codes';
import { connectPacket, endClient, mqttClient, RawClient, startCluster, type Cluster } from './helpers';

describe('inbound QoS 2 [MQTT-4.3.3]', () => {
  let cluster: Cluster;
  let portA: number;
  let portB: number;
  let subscriber: MqttClient;
  /** Payloads the subscriber received, in order. */
  const payloads: string[] = [];
  const raws: RawClient[] = [];

  before(async () => {
    cluster = await startCluster();
    ({ port: portA } = await cluster.startGateway());
    ({ port: portB } = await cluster.startGateway());
    subscriber = await mqttClient(portB, { protocolVersion: 5, clientId: 'qos2-subscriber' });
    subscriber.on('message', (_topic, payload) => payloads.push(payload.toString()));
    await subscriber.subscribeAsync('qos2/#', { qos: 2 });
  });
  after(async () => {
    for (const r of raws) r.destroy();
    if (subscriber) await endClient(subscriber);
    await cluster?.close();
  });

  /** Resolves once the subscriber has received `payload` (already or later). */
  function delivered(payload: string, timeoutMs = 5000): Promise<void> {
    if (payloads.includes(payload)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onMessage = (_topic: string, body: Buffer): void => {
        if (body.toString() !== payload) return;
        clearTimeout(timer);
        subscriber.off('message', onMessage);
        resolve();
      };
      const timer = setTimeout(() => {
        subscriber.off('message', onMessage);
        reject(new Error(`"${payload}" not delivered within ${timeoutMs} ms`));
      }, timeoutMs);
      subscriber.on('message', onMessage);
    });
  }

  async function publisher(version: 4 | 5, clientId: string): Promise<RawClient> {
    const raw = await RawClient.open(portA, version);
    raws.push(raw);
    raw.send(connectPacket(clientId, { protocolVersion: version }));
    assert.equal((await raw.next())?.cmd, 'connack');
    return raw;
  }

  const publish = (messageId: number, payload: string, dup = false): mqttPacket.IPublishPacket => ({
    cmd: 'publish',
    topic: 'qos2/t',
    payload: Buffer.from(payload),
    qos: 2,
    messageId,
    dup,
    retain: false,
  });

  /** The next packet must be `cmd` for `messageId`, with a success reason code (or none). */
  async function expectAck(raw: RawClient, cmd: string, messageId: number): Promise<void> {
    const packet = (await raw.next()) as mqttPacket.IPubrecPacket | mqttPacket.IPubcompPacket | undefined;
    assert.equal(packet?.cmd, cmd);
    assert.equal(packet.messageId, messageId);
    assert.ok((packet.reasonCode ?? 0) === 0, `${cmd} reason code ${packet.reasonCode}`);
  }

  for (const version of [5, 4] as const) {
    test(`MQTT ${version === 5 ? '5' : '3.1.1'}: PUBLISH, PUBLISH DUP before PUBREL, PUBREL, PUBCOMP: one copy delivered [MQTT-4.3.3-8, MQTT-4.3.3-10, MQTT-4.3.3-11]`, async () => {
      const raw = await publisher(version, `qos2-pub-${version}`);
      const once = `once-${version}`;
      raw.send(publish(10, once));
      await expectAck(raw, 'pubrec', 10); // [MQTT-4.3.3-8]
      // The PUBREC may have been lost: the client resends with DUP 1. The server acknowledges
      // it again and does not route it again [MQTT-4.3.3-10].
      raw.send(publish(10, once, true));
      await expectAck(raw, 'pubrec', 10);
      raw.send({ cmd: 'pubrel', messageId: 10 });
      await expectAck(raw, 'pubcomp', 10); // [MQTT-4.3.3-11]

      // After PUBCOMP the identifier starts a new message [MQTT-4.3.3-12]: delivered. It also
      // comes after any duplicate of the first, through the same gateway and NATS connection.
      const again = `again-${version}`;
      raw.send(publish(10, again));
      await expectAck(raw, 'pubrec', 10);
      raw.send({ cmd: 'pubrel', messageId: 10 });
      await expectAck(raw, 'pubcomp', 10);
      await delivered(again);
      assert.deepEqual(
        payloads.filter((p) => p === once || p === again),
        [once, again],
        'each message delivered exactly once, in order',
      );
    });
  }

  test('MQTT 5: PUBREL for an unknown packet identifier gets PUBCOMP 0x92 [MQTT-4.3.3-11]', async () => {
    const raw = await publisher(5, 'qos2-unknown');
    raw.send({ cmd: 'pubrel', messageId: 77 });
    const pubcomp = (await raw.next()) as mqttPacket.IPubcompPacket;
    assert.equal(pubcomp.cmd, 'pubcomp');
    assert.equal(pubcomp.messageId, 77);
    assert.equal(pubcomp.reasonCode, ReasonCode.PACKET_IDENTIFIER_NOT_FOUND);

    // A second PUBREL for a completed exchange is unknown too; the connection stays usable.
    raw.send(publish(5, 'released-twice'));
    await expectAck(raw, 'pubrec', 5);
    raw.send({ cmd: 'pubrel', messageId: 5 });
    await expectAck(raw, 'pubcomp', 5);
    raw.send({ cmd: 'pubrel', messageId: 5 });
    const second = (await raw.next()) as mqttPacket.IPubcompPacket;
    assert.equal(second.cmd, 'pubcomp');
    assert.equal(second.messageId, 5);
    assert.equal(second.reasonCode, ReasonCode.PACKET_IDENTIFIER_NOT_FOUND);
    await delivered('released-twice');
    assert.equal(payloads.filter((p) => p === 'released-twice').length, 1);
  });

  test('MQTT 3.1.1: PUBREL for an unknown packet identifier still gets PUBCOMP (no reason codes)', async () => {
    const raw = await publisher(4, 'qos2-unknown-v4');
    raw.send({ cmd: 'pubrel', messageId: 78 });
    const pubcomp = (await raw.next()) as mqttPacket.IPubcompPacket;
    assert.equal(pubcomp.cmd, 'pubcomp');
    assert.equal(pubcomp.messageId, 78);
    raw.send({ cmd: 'pingreq' });
    assert.equal((await raw.next())?.cmd, 'pingresp');
  });
});
