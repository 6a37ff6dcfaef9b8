// Session effects on live connections: wills, bans, user properties, keep-alive changes and
// takeover, with a real session-service and its JetStream events.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventMatching, until } from '@mqfleet/testkit';
import type { IConnackPacket, IDisconnectPacket, IPubackPacket, ISubackPacket } from 'mqtt-packet';
import {
  connectPacket,
  endClient,
  mqttClient,
  nextMessage,
  RawClient,
  startCluster,
  type Cluster,
} from './helpers';
import type { Gateway } from '../src/index';

describe('connection-gateway sessions', () => {
  let cluster: Cluster;
  let gatewayA: Gateway;
  let gatewayB: Gateway;
  let portA: number;
  let portB: number;

  before(async () => {
    cluster = await startCluster();
    ({ gateway: gatewayA, port: portA } = await cluster.startGateway());
    ({ gateway: gatewayB, port: portB } = await cluster.startGateway());
  });
  after(async () => {
    await cluster?.close();
  });

  /** Alters a session and waits until the gateway applied that version. */
  async function alter(gateway: Gateway, clientName: string, patch: Parameters<Cluster['alterSession']>[1]) {
    const applied: string[] = [];
    const onApplied = (name: string, version: string): void => {
      if (name === clientName) applied.push(version);
    };
    gateway.on('sessionApplied', onApplied);
    try {
      const response = await cluster.alterSession(clientName, patch);
      const expected = response.session?.version;
      await until(() => applied.includes(expected!));
      return response;
    } finally {
      gateway.off('sessionApplied', onApplied);
    }
  }

  test('each session event is handled once, though it arrives both from its publish and from JetStream', async () => {
    const device = await mqttClient(portA, { protocolVersion: 5, clientId: 'twice-device' });
    const handled = new Map<string, number>();
    const duplicates = new Set<string>();
    const onEvent = (event: { eventId: string; type: string; clientName?: string }): void => {
      if (event.clientName === 'twice-device')
        handled.set(event.eventId, (handled.get(event.eventId) ?? 0) + 1);
    };
    const onDuplicate = (eventId: string): void => void duplicates.add(eventId);
    gatewayA.on('sessionEvent', onEvent);
    gatewayA.on('sessionEventDuplicate', onDuplicate);
    try {
      for (const keepAliveSeconds of [41, 42, 43])
        await alter(gatewayA, 'twice-device', { keepAliveSeconds });
      // Both copies of each alteration's event came (the second one dropped by its id)...
      await until(() => handled.size >= 3 && [...handled.keys()].every((id) => duplicates.has(id)));
      // ...and none was handled twice.
      assert.deepEqual([...new Set(handled.values())], [1]);
    } finally {
      gatewayA.off('sessionEvent', onEvent);
      gatewayA.off('sessionEventDuplicate', onDuplicate);
      await endClient(device);
    }
  });

  test('the will is published (on another gateway) when the socket is destroyed', async () => {
    const watcher = await mqttClient(portB, { protocolVersion: 5, clientId: 'will-watcher' });
    const device = await mqttClient(portA, {
      protocolVersion: 5,
      clientId: 'will-device',
      will: {
        topic: 'status/will-device',
        payload: Buffer.from('offline'),
        qos: 1,
        retain: false,
        properties: { contentType: 'text/plain', userProperties: { reason: 'lost' } },
      },
    });
    try {
      await watcher.subscribeAsync('status/#', { qos: 1 });
      const received = nextMessage(watcher);
      device.stream.destroy();
      const msg = await received;
      assert.equal(msg.topic, 'status/will-device');
      assert.equal(msg.payload.toString(), 'offline');
      assert.equal(msg.packet.properties?.contentType, 'text/plain');
      assert.deepEqual({ ...msg.packet.properties?.userProperties }, { reason: 'lost' });
    } finally {
      device.end(true);
      await endClient(watcher);
    }
  });

  test('no will after a clean DISCONNECT', async () => {
    const device = await mqttClient(portA, {
      protocolVersion: 4,
      clientId: 'will-clean',
      will: { topic: 'status/will-clean', payload: Buffer.from('offline'), qos: 0, retain: false },
    });
    let willPublished = false;
    const onWill = (name: string): void => {
      if (name === 'will-clean') willPublished = true;
    };
    gatewayA.on('willPublished', onWill);
    try {
      const closed = eventMatching(gatewayA, 'connectionClosed', (name) => name === 'will-clean');
      await device.endAsync();
      await closed; // the will would have been published before this event
      assert.equal(willPublished, false);
    } finally {
      gatewayA.off('willPublished', onWill);
    }
  });

  test('an altered will replaces the declared one', async () => {
    const watcher = await mqttClient(portB, { protocolVersion: 4, clientId: 'will-watcher-2' });
    const device = await mqttClient(portA, {
      protocolVersion: 4,
      clientId: 'will-altered',
      will: { topic: 'status/old', payload: Buffer.from('old'), qos: 0, retain: false },
    });
    try {
      await watcher.subscribeAsync('status/#', { qos: 1 });
      await alter(gatewayA, 'will-altered', {
        willTopic: 'status/new',
        willPayload: Buffer.from('new will'),
        willQos: 1,
      });
      const received = nextMessage(watcher);
      device.stream.destroy();
      const msg = await received;
      assert.equal(msg.topic, 'status/new');
      assert.equal(msg.payload.toString(), 'new will');
    } finally {
      device.end(true);
      await endClient(watcher);
    }
  });

  test('session user properties are appended to what the session publishes', async () => {
    const sub = await mqttClient(portB, { protocolVersion: 5, clientId: 'uprops-sub' });
    const pub = await mqttClient(portA, { protocolVersion: 5, clientId: 'uprops-pub' });
    try {
      await sub.subscribeAsync('uprops/t', { qos: 1 });
      await alter(gatewayA, 'uprops-pub', { userProperties: { items: [{ key: 'site', value: 'north' }] } });
      const received = nextMessage(sub);
      await pub.publishAsync('uprops/t', 'x', { qos: 1, properties: { userProperties: { own: 'yes' } } });
      const { packet } = await received;
      assert.deepEqual({ ...packet.properties?.userProperties }, { own: 'yes', site: 'north' });
    } finally {
      await endClient(pub);
      await endClient(sub);
    }
  });

  test('a banned live session: PUBLISH refused 0x87, SUBSCRIBE 0x87, stays connected; CONNECT then refused', async () => {
    const raw = await RawClient.open(portA, 5);
    const watcher = await mqttClient(portB, { protocolVersion: 5, clientId: 'ban-watcher' });
    try {
      await watcher.subscribeAsync('ban/#', { qos: 1 });
      const topics: string[] = [];
      watcher.on('message', (topic) => topics.push(topic));
      raw.send(connectPacket('ban-me', { protocolVersion: 5 }));
      assert.equal((await raw.next())?.cmd, 'connack');
      await alter(gatewayA, 'ban-me', { sessionStatus: 'SESSION_STATUS_BANNED' });

      raw.send({
        cmd: 'publish',
        topic: 'ban/x',
        payload: Buffer.from('no'),
        qos: 1,
        messageId: 3,
        dup: false,
        retain: false,
      });
      const puback = (await raw.next()) as IPubackPacket;
      assert.equal(puback.cmd, 'puback');
      assert.equal(puback.reasonCode, 0x87);
      raw.send({ cmd: 'subscribe', messageId: 4, subscriptions: [{ topic: 'ban/#', qos: 1 }] });
      const suback = (await raw.next()) as ISubackPacket;
      assert.deepEqual(suback.granted, [0x87]);
      raw.send({ cmd: 'pingreq' });
      assert.equal((await raw.next())?.cmd, 'pingresp');
      // Nothing was routed: a later message from another client arrives first.
      const marker = nextMessage(watcher);
      const other = await mqttClient(portA, { protocolVersion: 5, clientId: 'ban-other' });
      await other.publishAsync('ban/marker', 'm', { qos: 1 });
      assert.equal((await marker).topic, 'ban/marker');
      await endClient(other);
      assert.deepEqual(topics, ['ban/marker']);
      raw.send({ cmd: 'disconnect', reasonCode: 0 });
      await raw.waitClosed();

      // Reconnecting is refused: MQTT 5 0x8A, MQTT 3.1.1 return code 5.
      const again5 = await RawClient.open(portB, 5);
      again5.send(connectPacket('ban-me', { protocolVersion: 5 }));
      assert.equal(((await again5.next()) as IConnackPacket).reasonCode, 0x8a);
      await again5.waitClosed();
      const again4 = await RawClient.open(portA, 4);
      again4.send(connectPacket('ban-me'));
      assert.equal(((await again4.next()) as IConnackPacket).returnCode, 5);
      await again4.waitClosed();
    } finally {
      raw.destroy();
      await endClient(watcher);
    }
  });

  test('an altered keepAliveSeconds restarts the idle timer with the new value', async () => {
    const raw = await RawClient.open(portA, 5);
    try {
      raw.send(connectPacket('ka-altered', { protocolVersion: 5, keepalive: 0 }));
      assert.equal((await raw.next())?.cmd, 'connack');
      await alter(gatewayA, 'ka-altered', { keepAliveSeconds: 1 });
      const started = Date.now();
      const disconnect = (await raw.next(4000)) as IDisconnectPacket;
      assert.equal(disconnect.reasonCode, 0x8d);
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= 1300 && elapsed < 3000, `closed after ${elapsed} ms`);
    } finally {
      raw.destroy();
    }
  });

  test('cluster-wide takeover: connecting on B closes the connection on A with 0x8E', async () => {
    const first = await RawClient.open(portA, 5);
    const second = await RawClient.open(portB, 5);
    try {
      first.send(connectPacket('takeover-me', { protocolVersion: 5 }));
      assert.equal((await first.next())?.cmd, 'connack');
      const takenOver = eventMatching<[string, string, string]>(
        gatewayA,
        'takeover',
        (name) => name === 'takeover-me',
      );
      second.send(connectPacket('takeover-me', { protocolVersion: 5 }));
      assert.equal((await second.next())?.cmd, 'connack');
      const disconnect = (await first.next()) as IDisconnectPacket;
      assert.equal(disconnect.reasonCode, 0x8e);
      await first.waitClosed();
      const [, , scope] = await takenOver;
      assert.equal(scope, 'cluster');
      second.send({ cmd: 'pingreq' });
      assert.equal((await second.next())?.cmd, 'pingresp');
    } finally {
      first.destroy();
      second.destroy();
    }
  });

  test('local takeover: the same client id on the same gateway closes the old connection with 0x8E', async () => {
    const first = await RawClient.open(portB, 5);
    const second = await RawClient.open(portB, 5);
    try {
      first.send(connectPacket('local-takeover', { protocolVersion: 5 }));
      assert.equal((await first.next())?.cmd, 'connack');
      second.send(connectPacket('local-takeover', { protocolVersion: 5 }));
      assert.equal((await second.next())?.cmd, 'connack');
      assert.equal(((await first.next()) as IDisconnectPacket).reasonCode, 0x8e);
      await first.waitClosed();
      assert.equal(gatewayB.byClient.size > 0, true);
    } finally {
      first.destroy();
      second.destroy();
    }
  });
});
