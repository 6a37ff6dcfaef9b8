// Closing a gateway: MQTT 5 clients are told DISCONNECT 0x8B (Server shutting down) before their
// connection closes; MQTT 3.1.1 has no server DISCONNECT, so its clients just see the close.
// Delayed wills pending on the gateway are handed to the session-service, which keeps them until
// they are due, rather than lost with it or published early. The drain
// (docs/mqtt.md, "Graceful drain"): connections ended in batches over MQFLEET_DRAIN_WINDOW_MS,
// hurry() ends the rest at once, heartbeats say "draining" until the last one says "left", and a
// drained connection's will is left to the session-service: cancelled when its client comes back
// elsewhere, published by the cluster when it does not.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { subjects, type GatewayHeartbeat } from '@mqfleet/core';
import { eventMatching, natsConnection, until } from '@mqfleet/testkit';
import type * as mqttPacket from 'mqtt-packet';
import { ReasonCode } from '../src/reason-codes';
import { connectPacket, endClient, mqttClient, RawClient, startCluster, type Cluster } from './helpers';

describe('gateway shutdown', () => {
  let cluster: Cluster;
  const raws: RawClient[] = [];

  before(async () => {
    cluster = await startCluster();
  });
  after(async () => {
    for (const r of raws) r.destroy();
    await cluster?.close();
  });

  async function connected(port: number, version: 4 | 5, clientId: string, options = {}): Promise<RawClient> {
    const raw = await RawClient.open(port, version);
    raws.push(raw);
    raw.send(connectPacket(clientId, { protocolVersion: version, ...options }));
    assert.equal((await raw.next())?.cmd, 'connack');
    return raw;
  }

  test('MQTT 5 clients get DISCONNECT 0x8B before the close; MQTT 3.1.1 clients just see the close [MQTT-3.14.2.1]', async () => {
    const { gateway, port } = await cluster.startGateway();
    const v5 = await connected(port, 5, 'shutdown-v5');
    const v4 = await connected(port, 4, 'shutdown-v4');
    // The connections are working before the close.
    v5.send({ cmd: 'pingreq' });
    v4.send({ cmd: 'pingreq' });
    assert.equal((await v5.next())?.cmd, 'pingresp');
    assert.equal((await v4.next())?.cmd, 'pingresp');

    await gateway.close();

    const disconnect = (await v5.next()) as mqttPacket.IDisconnectPacket | undefined;
    assert.equal(disconnect?.cmd, 'disconnect');
    assert.equal(disconnect.reasonCode, ReasonCode.SERVER_SHUTTING_DOWN);
    await v5.waitClosed();
    assert.equal(await v5.next(), undefined, 'nothing after the DISCONNECT');
    // MQTT 3.1.1: no DISCONNECT from a server exists; the connection closes with no packet.
    await v4.waitClosed();
    assert.equal(await v4.next(), undefined);
  });

  test('delayed wills pending on a stopping gateway are handed to the session-service: published when due, not at the close, and cancelled by a reconnect', async () => {
    const { gateway, port } = await cluster.startGateway();
    const { port: otherPort } = await cluster.startGateway();
    const watcher = await mqttClient(otherPort, { protocolVersion: 5, clientId: 'shutdown-watcher' });
    try {
      await watcher.subscribeAsync('shutdown/#', { qos: 1 });
      const wills: { topic: string; payload: string; at: number }[] = [];
      watcher.on('message', (topic, payload) =>
        wills.push({ topic, payload: payload.toString(), at: Date.now() }),
      );
      const willOf = (name: string): Record<string, unknown> => ({
        properties: { sessionExpiryInterval: 600 },
        will: {
          topic: `shutdown/${name}`,
          payload: Buffer.from('gateway gone'),
          qos: 1,
          retain: false,
          properties: { willDelayInterval: 3 },
        },
      });
      const devices = [
        await connected(port, 5, 'shutdown-will', willOf('shutdown-will')),
        await connected(port, 5, 'shutdown-back', willOf('shutdown-back')),
      ];
      const handedOver: string[] = [];
      gateway.on('willHandedOver', (name) => handedOver.push(name));
      for (const [i, name] of ['shutdown-will', 'shutdown-back'].entries()) {
        const closed = eventMatching(gateway, 'connectionClosed', (n) => n === name);
        devices[i]!.destroy();
        await closed; // its will now waits 3 s on this gateway
      }
      const endedAt = Date.now();
      await gateway.close();
      assert.deepEqual(handedOver.sort(), ['shutdown-back', 'shutdown-will']);
      assert.equal(wills.length, 0, 'not published at the close');
      // One client comes back on the other gateway before its will is due: it is not published.
      await connected(otherPort, 5, 'shutdown-back', { properties: { sessionExpiryInterval: 600 } });
      await until(() => wills.length > 0, 10000);
      assert.deepEqual(
        wills.map((w) => [w.topic, w.payload]),
        [['shutdown/shutdown-will', 'gateway gone']],
      );
      assert.ok(
        wills[0]!.at - endedAt >= 2900,
        `published ${wills[0]!.at - endedAt} ms after its connection ended`,
      );
    } finally {
      await endClient(watcher);
    }
  });

  test('the drain ends connections in batches over the window; hurry() ends the rest at once', async () => {
    const { gateway, port } = await cluster.startGateway({ MQFLEET_DRAIN_WINDOW_MS: '60000' });
    const clients = [];
    for (let i = 0; i < 5; i++) clients.push(await connected(port, 5, `drain-batch-${i}`));
    const batches: number[] = [];
    gateway.on('drainBatch', (n) => batches.push(n));
    const first = eventMatching(gateway, 'drainBatch', () => true);
    const closed = gateway.close();
    await first;
    // Five connections over 60 s: one a batch, the first at once, the next 12 s later.
    assert.deepEqual(batches, [1]);
    const disconnect = (await clients[0]!.next()) as mqttPacket.IDisconnectPacket | undefined;
    assert.equal(disconnect?.reasonCode, ReasonCode.SERVER_SHUTTING_DOWN);
    for (const c of clients.slice(1)) assert.equal(c.packets.length, 0, 'the others are still connected');
    gateway.hurry();
    await closed;
    assert.deepEqual(batches, [1, 4], 'the rest in one batch');
    for (const c of clients.slice(1)) {
      const packet = (await c.next()) as mqttPacket.IDisconnectPacket | undefined;
      assert.equal(packet?.reasonCode, ReasonCode.SERVER_SHUTTING_DOWN);
      await c.waitClosed();
    }
  });

  test('a draining gateway keeps announcing itself, as draining, and its last heartbeat says it left', async () => {
    const { gateway, port, gatewayId } = await cluster.startGateway({
      MQFLEET_DRAIN_WINDOW_MS: '1500',
      MQFLEET_GATEWAY_HEARTBEAT_MS: '100',
      MQFLEET_GATEWAY_TIMEOUT_MS: '1000',
    });
    for (let i = 0; i < 3; i++) await connected(port, 5, `drain-beat-${i}`);
    const nc = await natsConnection(cluster.infra.natsUrl);
    try {
      const beats: GatewayHeartbeat[] = [];
      const sub = nc.subscribe(subjects(cluster.infra.natsPrefix).gatewayHeartbeat(gatewayId), {
        callback: (err, msg) => {
          if (!err) beats.push(msg.json<GatewayHeartbeat>());
        },
      });
      await nc.flush();
      let lastBatch = 0;
      gateway.on('drainBatch', () => (lastBatch = beats.length));
      await gateway.close();
      await nc.flush();
      sub.unsubscribe();
      const draining = beats.filter((b) => b.draining === true && b.left !== true);
      // Heartbeats every 100 ms through a 1.5 s window: the cluster never saw it silent.
      assert.ok(draining.length >= 5, `${draining.length} draining heartbeats`);
      assert.ok(lastBatch > 1, 'heartbeats went on between the batches');
      assert.equal(beats.at(-1)?.left, true, 'the last heartbeat says it left');
      assert.equal(beats.filter((b) => b.left === true).length, 1);
    } finally {
      await nc.close();
    }
  });

  test("a drained connection's will is cancelled when its client comes back elsewhere and published by the cluster when it does not", async () => {
    const { gateway, port } = await cluster.startGateway({ MQFLEET_DRAIN_WILL_GRACE_MS: '1500' });
    const { port: otherPort } = await cluster.startGateway();
    const watcher = await mqttClient(otherPort, { protocolVersion: 5, clientId: 'drain-will-watcher' });
    try {
      await watcher.subscribeAsync('drain-will/#', { qos: 1 });
      const wills: { topic: string; at: number }[] = [];
      watcher.on('message', (topic) => wills.push({ topic, at: Date.now() }));
      const withWill = (name: string): Record<string, unknown> => ({
        clean: false,
        properties: { sessionExpiryInterval: 600 },
        // No Will Delay: without the drain's grace it would be published at once.
        will: { topic: `drain-will/${name}`, payload: Buffer.from('gone'), qos: 1, retain: false },
      });
      await connected(port, 5, 'drain-will-back', withWill('drain-will-back'));
      await connected(port, 5, 'drain-will-gone', withWill('drain-will-gone'));
      await connected(port, 4, 'drain-will-back4', {
        clean: false,
        will: { topic: 'drain-will/drain-will-back4', payload: Buffer.from('gone'), qos: 1, retain: false },
      });
      // A temporary session (Session Expiry 0) ends with its drained connection; its client comes
      // back with a new session of the same id, which cancels the will all the same.
      await connected(port, 5, 'drain-will-temp', {
        will: { topic: 'drain-will/drain-will-temp', payload: Buffer.from('gone'), qos: 1, retain: false },
      });
      const closedAt = Date.now();
      await gateway.close();
      await connected(otherPort, 5, 'drain-will-temp');
      // Two come back on the other gateway (as the same sessions), one does not.
      await connected(otherPort, 5, 'drain-will-back', {
        clean: false,
        properties: { sessionExpiryInterval: 600 },
      });
      await connected(otherPort, 4, 'drain-will-back4', { clean: false });
      await until(() => wills.some((w) => w.topic === 'drain-will/drain-will-gone'), 15000);
      assert.deepEqual(
        wills.map((w) => w.topic),
        ['drain-will/drain-will-gone'],
        'only the will of the client that did not come back',
      );
      assert.ok(
        wills[0]!.at - closedAt >= 1400,
        `published ${wills[0]!.at - closedAt} ms after the drain began`,
      );
    } finally {
      await endClient(watcher);
    }
  });
});
