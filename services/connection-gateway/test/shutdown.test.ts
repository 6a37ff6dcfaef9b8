// Closing a gateway: MQTT 5 clients are told DISCONNECT 0x8B (Server shutting down) before their
// connection closes; MQTT 3.1.1 has no server DISCONNECT, so its clients just see the close.
// Delayed wills pending on the gateway are published rather than lost with it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventMatching } from '@mqfleet/testkit';
import type * as mqttPacket from 'mqtt-packet';
import { ReasonCode } from '../src/reason-codes';
import {
  connectPacket,
  endClient,
  mqttClient,
  nextMessage,
  RawClient,
  startCluster,
  type Cluster,
} from './helpers';

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

  test('a delayed will pending on a closing gateway is published early rather than lost (design choice; the delay lives in this process)', async () => {
    const { gateway, port } = await cluster.startGateway();
    const { port: otherPort } = await cluster.startGateway();
    const watcher = await mqttClient(otherPort, { protocolVersion: 5, clientId: 'shutdown-watcher' });
    try {
      await watcher.subscribeAsync('shutdown/#', { qos: 1 });
      const device = await connected(port, 5, 'shutdown-will', {
        properties: { sessionExpiryInterval: 600 },
        will: {
          topic: 'shutdown/will',
          payload: Buffer.from('gateway gone'),
          qos: 1,
          retain: false,
          properties: { willDelayInterval: 600 },
        },
      });
      const closed = eventMatching(gateway, 'connectionClosed', (name) => name === 'shutdown-will');
      device.destroy();
      await closed; // the will now waits 600 s on this gateway
      const will = nextMessage(watcher);
      await gateway.close();
      const msg = await will;
      assert.equal(msg.topic, 'shutdown/will');
      assert.equal(msg.payload.toString(), 'gateway gone');
    } finally {
      await endClient(watcher);
    }
  });
});
