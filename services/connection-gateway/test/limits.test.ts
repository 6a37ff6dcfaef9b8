// Broker limits and authorization rules from the MQFLEET_CONFIG file, against real clients (raw
// MQTT packets where the exact reason code matters, MQTT.js for delivery).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as mqttPacket from 'mqtt-packet';
import type { MqttClient } from 'mqtt';
import { ReasonCode, ReturnCode, SUBACK_FAILURE_V4 } from '../src/reason-codes';
import {
  connectPacket,
  endClient,
  mqttClient,
  nextMessage,
  RawClient,
  startCluster,
  type Cluster,
} from './helpers';

let cluster: Cluster;
let dir: string;
const raws: RawClient[] = [];
const clients: MqttClient[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mqfleet-config-'));
  cluster = await startCluster();
});
after(async () => {
  for (const r of raws) r.destroy();
  for (const c of clients) c.end(true);
  await cluster?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A gateway configured by a MQFLEET_CONFIG file (and optional variables, which override it). */
async function gatewayWithFile(
  name: string,
  file: unknown,
  env: Record<string, string> = {},
): Promise<number> {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(file));
  const { port } = await cluster.startGateway({ MQFLEET_CONFIG: path, ...env });
  return port;
}

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

async function client(
  port: number,
  clientId: string,
  version: 4 | 5 = 5,
  username?: string,
): Promise<MqttClient> {
  const c = await mqttClient(port, { protocolVersion: version, clientId, ...(username ? { username } : {}) });
  clients.push(c);
  return c;
}

describe('broker limits from the config file', () => {
  let port: number;
  before(async () => {
    port = await gatewayWithFile(
      'limits',
      { maxKeepAlive: 30, receiveMaximum: 20, topicAliasMaximum: 3, maximumQos: 1, retainAvailable: false },
      // The environment overrides the file.
      { MQFLEET_RECEIVE_MAXIMUM: '2' },
    );
  });

  it('CONNACK announces them to MQTT 5 clients [MQTT-3.2.2.3]', async () => {
    const { connack } = await raw(port, 5, 'limits-announce', { keepalive: 10 });
    assert.equal(connack.reasonCode, 0);
    assert.equal(connack.properties?.receiveMaximum, 2);
    assert.equal(connack.properties?.topicAliasMaximum, 3);
    assert.equal(connack.properties?.maximumQoS, 1);
    assert.equal(connack.properties?.retainAvailable, false);
    assert.equal(connack.properties?.serverKeepAlive, undefined, 'a keep alive within the maximum stands');
  });

  for (const keepalive of [0, 31, 600]) {
    it(`MQTT 5 keep alive ${keepalive} becomes Server Keep Alive 30 [MQTT-3.2.2-21]`, async () => {
      const { connack } = await raw(port, 5, `limits-ka-${keepalive}`, { keepalive });
      assert.equal(connack.reasonCode, 0);
      assert.equal(connack.properties?.serverKeepAlive, 30);
    });
  }

  it('MQTT 3.1.1 keep alive 0 or above the maximum is refused (0x02), within it accepted', async () => {
    for (const keepalive of [0, 31]) {
      const c = await RawClient.open(port, 4);
      raws.push(c);
      c.send(connectPacket(`limits-v4-${keepalive}`, { keepalive }));
      const connack = (await c.next()) as mqttPacket.IConnackPacket;
      assert.equal(connack.returnCode, ReturnCode.IDENTIFIER_REJECTED);
      await c.waitClosed();
    }
    const { connack } = await raw(port, 4, 'limits-v4-ok', { keepalive: 30 });
    assert.equal(connack.returnCode, 0);
  });

  it('SUBSCRIBE grants at most the Maximum QoS', async () => {
    for (const version of [4, 5] as const) {
      const { c } = await raw(port, version, `limits-sub-${version}`, { keepalive: 30 });
      c.send({
        cmd: 'subscribe',
        messageId: 1,
        subscriptions: [
          { topic: 'q/2', qos: 2 },
          { topic: 'q/0', qos: 0 },
        ],
      });
      const suback = (await c.next()) as mqttPacket.ISubackPacket;
      assert.deepEqual(suback.granted, [1, 0]);
    }
  });

  it('PUBLISH above the Maximum QoS: DISCONNECT 0x9B (3.1.1: closed)', async () => {
    const { c } = await raw(port, 5, 'limits-qos2', { keepalive: 30 });
    c.send({
      cmd: 'publish',
      topic: 'q/x',
      payload: Buffer.from('x'),
      qos: 2,
      messageId: 1,
      dup: false,
      retain: false,
    });
    const disconnect = (await c.next()) as mqttPacket.IDisconnectPacket;
    assert.equal(disconnect.cmd, 'disconnect');
    assert.equal(disconnect.reasonCode, ReasonCode.QOS_NOT_SUPPORTED);
    await c.waitClosed();
    const { c: v4 } = await raw(port, 4, 'limits-qos2-v4', { keepalive: 30 });
    v4.send({
      cmd: 'publish',
      topic: 'q/x',
      payload: Buffer.from('x'),
      qos: 2,
      messageId: 1,
      dup: false,
      retain: false,
    });
    assert.equal(await v4.next(), undefined);
  });

  it('retained PUBLISH while Retain Available is 0: DISCONNECT 0x9A', async () => {
    const { c } = await raw(port, 5, 'limits-retain', { keepalive: 30 });
    c.send({ cmd: 'publish', topic: 'r/x', payload: Buffer.from('x'), qos: 0, dup: false, retain: true });
    const disconnect = (await c.next()) as mqttPacket.IDisconnectPacket;
    assert.equal(disconnect.reasonCode, ReasonCode.RETAIN_NOT_SUPPORTED);
  });

  it('a will above the Maximum QoS (0x9B) or retained (0x9A) is refused at CONNECT [MQTT-3.2.2-12, -13]', async () => {
    const will = { topic: 'w', payload: Buffer.from('w'), qos: 0 as const, retain: false };
    const { connack: qos } = await raw(port, 5, 'limits-will-qos', {
      keepalive: 30,
      will: { ...will, qos: 2 },
    });
    assert.equal(qos.reasonCode, ReasonCode.QOS_NOT_SUPPORTED);
    const { connack: retain } = await raw(port, 5, 'limits-will-retain', {
      keepalive: 30,
      will: { ...will, retain: true },
    });
    assert.equal(retain.reasonCode, ReasonCode.RETAIN_NOT_SUPPORTED);
    const { connack: v4 } = await raw(port, 4, 'limits-will-v4', {
      keepalive: 30,
      will: { ...will, qos: 2 },
    });
    assert.equal(v4.returnCode, ReturnCode.NOT_AUTHORIZED);
  });

  it('an inbound topic alias above the Topic Alias Maximum: DISCONNECT 0x94', async () => {
    const { c } = await raw(port, 5, 'limits-alias', { keepalive: 30 });
    c.send({
      cmd: 'publish',
      topic: 'a/x',
      payload: Buffer.from('x'),
      qos: 0,
      dup: false,
      retain: false,
      properties: { topicAlias: 4 },
    });
    const disconnect = (await c.next()) as mqttPacket.IDisconnectPacket;
    assert.equal(disconnect.reasonCode, ReasonCode.TOPIC_ALIAS_INVALID);
  });

  it('the maximum keep alive is enforced: a silent client with keep alive 0 is cut off', async () => {
    const short = await gatewayWithFile('short-keepalive', { maxKeepAlive: 1 });
    const { c, connack } = await raw(short, 5, 'limits-silent', { keepalive: 0 });
    assert.equal(connack.properties?.serverKeepAlive, 1);
    const disconnect = (await c.next(5000)) as mqttPacket.IDisconnectPacket;
    assert.equal(disconnect.reasonCode, ReasonCode.KEEP_ALIVE_TIMEOUT);
  });

  it('more unacknowledged QoS 2 PUBLISH than the Receive Maximum: DISCONNECT 0x93 [MQTT-3.3.4-9]', async () => {
    const small = await gatewayWithFile('receive-maximum', { receiveMaximum: 2 });
    const { c, connack } = await raw(small, 5, 'limits-rm');
    assert.equal(connack.properties?.receiveMaximum, 2);
    for (const messageId of [1, 2, 3]) {
      c.send({
        cmd: 'publish',
        topic: 'rm/x',
        payload: Buffer.from('x'),
        qos: 2,
        messageId,
        dup: false,
        retain: false,
      });
    }
    const answers: mqttPacket.Packet[] = [];
    for (let p = await c.next(); p; p = await c.next()) answers.push(p);
    assert.deepEqual(
      answers.map((p) => p.cmd),
      ['pubrec', 'pubrec', 'disconnect'],
    );
    assert.equal(
      (answers[2] as mqttPacket.IDisconnectPacket).reasonCode,
      ReasonCode.RECEIVE_MAXIMUM_EXCEEDED,
    );
  });

  it('defaults: Receive Maximum 100, everything else at its protocol default', async () => {
    const plain = await gatewayWithFile('empty', {});
    const { connack } = await raw(plain, 5, 'limits-defaults', { keepalive: 0 });
    assert.equal(connack.properties?.receiveMaximum, 100);
    assert.equal(connack.properties?.maximumQoS, undefined);
    assert.equal(connack.properties?.retainAvailable, true);
    assert.equal(connack.properties?.topicAliasMaximum, 10);
    assert.equal(connack.properties?.serverKeepAlive, undefined);
    assert.equal(connack.properties?.wildcardSubscriptionAvailable, true);
    assert.equal(connack.properties?.subscriptionIdentifiersAvailable, true);
    assert.equal(connack.properties?.sharedSubscriptionAvailable, true);
  });

  it('enhanced authentication is not offered: an Authentication Method gets CONNACK 0x8C [MQTT-4.12]', async () => {
    const plain = await gatewayWithFile('no-auth-method', {});
    const { connack } = await raw(plain, 5, 'limits-auth-method', {
      properties: { authenticationMethod: 'SCRAM-SHA-256' },
    });
    assert.equal(connack.reasonCode, ReasonCode.BAD_AUTHENTICATION_METHOD);
  });
});

describe('authorization rules from the config file', () => {
  let port: number;
  before(async () => {
    port = await gatewayWithFile('authorization', {
      authorization: [
        { permission: 'allow', action: 'all', clientId: 'dev-*', topics: ['devices/%c/#'] },
        { permission: 'allow', action: 'publish', topics: ['users/%u/out'] },
        { permission: 'deny', action: 'subscribe', topics: ['secret/#'] },
        { permission: 'allow', action: 'subscribe', topics: ['#'] },
      ],
    });
  });

  it('an allowed PUBLISH is delivered; %c is the client id', async () => {
    const observer = await client(port, 'observer');
    await observer.subscribeAsync('devices/#', { qos: 1 });
    const device = await client(port, 'dev-1');
    const received = nextMessage(observer);
    await device.publishAsync('devices/dev-1/temp', '21', { qos: 1 });
    assert.equal((await received).topic, 'devices/dev-1/temp');
  });

  it('a refused PUBLISH: MQTT 5 PUBACK/PUBREC 0x87; QoS 0 and MQTT 3.1.1 acknowledged and dropped', async () => {
    const observer = await client(port, 'observer-refused');
    await observer.subscribeAsync('devices/#', { qos: 1 });
    const seen: string[] = [];
    observer.on('message', (topic, payload) => seen.push(`${topic} ${payload.toString()}`));

    const { c: v5 } = await raw(port, 5, 'dev-2');
    const publish = (qos: 0 | 1 | 2, messageId?: number): mqttPacket.IPublishPacket => ({
      cmd: 'publish',
      topic: 'devices/dev-1/temp', // another device's topic
      payload: Buffer.from(`forged ${qos}`),
      qos,
      dup: false,
      retain: false,
      ...(messageId ? { messageId } : {}),
    });
    v5.send(publish(0));
    v5.send(publish(1, 1));
    const puback = (await v5.next()) as mqttPacket.IPubackPacket;
    assert.deepEqual(
      [puback.cmd, puback.messageId, puback.reasonCode],
      ['puback', 1, ReasonCode.NOT_AUTHORIZED],
    );
    v5.send(publish(2, 2));
    const pubrec = (await v5.next()) as mqttPacket.IPubrecPacket;
    assert.deepEqual(
      [pubrec.cmd, pubrec.messageId, pubrec.reasonCode],
      ['pubrec', 2, ReasonCode.NOT_AUTHORIZED],
    );

    const { c: v4 } = await raw(port, 4, 'dev-3');
    v4.send(publish(1, 3));
    const puback4 = (await v4.next()) as mqttPacket.IPubackPacket;
    assert.equal(puback4.cmd, 'puback'); // positive: 3.1.1 cannot tell [MQTT-3.3.5-2]
    assert.equal(puback4.messageId, 3);

    // An allowed message after them arrives, and nothing forged did.
    const marker = nextMessage(observer);
    v4.send({ ...publish(1, 4), topic: 'devices/dev-3/marker', payload: Buffer.from('ok') });
    assert.equal((await marker).topic, 'devices/dev-3/marker');
    assert.deepEqual(seen, ['devices/dev-3/marker ok']);
  });

  it('%u is the username (lower case); a client without one gets nothing from a %u rule', async () => {
    const observer = await client(port, 'observer-users');
    await observer.subscribeAsync('users/#', { qos: 1 });
    const admin = await mqttClient(port, {
      protocolVersion: 5,
      clientId: 'admin-phone',
      username: 'ADMIN',
      password: 'ADMIN',
    });
    clients.push(admin);
    const received = nextMessage(observer);
    // %u is the user name in lower case, as accounts compare (packages/core/src/authorization.ts).
    await admin.publishAsync('users/admin/out', 'hi', { qos: 1 });
    assert.equal((await received).topic, 'users/admin/out');
    const { c } = await raw(port, 5, 'anonymous-phone');
    for (const [messageId, topic] of [
      [5, 'users/ADMIN/out'],
      [6, 'users//out'],
      [7, 'users/+/out'],
    ] as const) {
      c.send({
        cmd: 'publish',
        topic,
        payload: Buffer.from('x'),
        qos: 1,
        messageId,
        dup: false,
        retain: false,
      });
      const puback = (await c.next()) as mqttPacket.IPubackPacket | mqttPacket.IDisconnectPacket;
      if (topic.includes('+')) {
        assert.equal(puback.cmd, 'disconnect'); // not even a valid topic name [MQTT-3.3.2-2]
        break;
      }
      assert.equal(puback.reasonCode, ReasonCode.NOT_AUTHORIZED, topic);
    }
  });

  it('a refused SUBSCRIBE filter: 0x87 (5.0) / 0x80 (3.1.1), per filter', async () => {
    for (const version of [4, 5] as const) {
      const { c } = await raw(port, version, `sub-${version}`);
      c.send({
        cmd: 'subscribe',
        messageId: 9,
        subscriptions: [
          { topic: 'public/x', qos: 1 },
          { topic: 'secret/x', qos: 1 },
          { topic: '#', qos: 0 }, // overlaps secret/#: granted, its secret messages not delivered
        ],
      });
      const suback = (await c.next()) as mqttPacket.ISubackPacket;
      const refused = version === 5 ? ReasonCode.NOT_AUTHORIZED : SUBACK_FAILURE_V4;
      assert.deepEqual(suback.granted, [1, refused, 0]);
    }
  });

  it('a will on a topic the client may not publish to is refused at CONNECT (0x87 / 0x05)', async () => {
    const will = {
      topic: 'devices/dev-other/lwt',
      payload: Buffer.from('gone'),
      qos: 0 as const,
      retain: false,
    };
    const { connack } = await raw(port, 5, 'dev-w', { will });
    assert.equal(connack.reasonCode, ReasonCode.NOT_AUTHORIZED);
    const { connack: v4 } = await raw(port, 4, 'dev-w4', { will });
    assert.equal(v4.returnCode, ReturnCode.NOT_AUTHORIZED);
    const { connack: own } = await raw(port, 5, 'dev-w5', { will: { ...will, topic: 'devices/dev-w5/lwt' } });
    assert.equal(own.reasonCode, 0);
  });

  it('without rules everything is allowed', async () => {
    const open = await gatewayWithFile('no-rules', { maxPacketSize: 65536 });
    const c = await client(open, 'anyone');
    await c.subscribeAsync('secret/#', { qos: 1 });
    const received = nextMessage(c);
    await c.publishAsync('secret/x', 'y', { qos: 1 });
    assert.equal((await received).topic, 'secret/x');
    await endClient(c);
  });
});
