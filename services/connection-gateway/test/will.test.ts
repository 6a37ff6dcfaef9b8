// MQTT 5 wills end to end: Will Delay Interval (published after the delay, cancelled by a
// reconnection on any gateway, published when the session ends first) and DISCONNECT with reason
// code 0x04. Real gateways, session-service, NATS and Postgres; devices are raw clients so the
// tests choose exactly how each connection ends.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventMatching } from '@mqfleet/testkit';
import type * as mqttPacket from 'mqtt-packet';
import type { MqttClient } from 'mqtt';
import { connectPacket, endClient, mqttClient, RawClient, startCluster, type Cluster } from './helpers';
import type { Gateway } from '../src/index';

interface Arrival {
  topic: string;
  payload: string;
  at: number;
}

/** Every message a watcher receives, with the time it arrived. */
function record(client: MqttClient): Arrival[] {
  const arrivals: Arrival[] = [];
  client.on('message', (topic, payload) =>
    arrivals.push({ topic, payload: payload.toString(), at: Date.now() }),
  );
  return arrivals;
}

/** Resolves with the first arrival (already there or to come) whose payload is `payload`. */
function arrivalOf(
  client: MqttClient,
  arrivals: Arrival[],
  payload: string,
  timeoutMs = 10000,
): Promise<Arrival> {
  const found = arrivals.find((a) => a.payload === payload);
  if (found) return Promise.resolve(found);
  return new Promise((resolve, reject) => {
    const onMessage = (topic: string, body: Buffer): void => {
      if (body.toString() !== payload) return;
      clearTimeout(timer);
      client.off('message', onMessage);
      resolve(arrivals.find((a) => a.payload === payload) ?? { topic, payload, at: Date.now() });
    };
    const timer = setTimeout(() => {
      client.off('message', onMessage);
      reject(new Error(`no message "${payload}" within ${timeoutMs} ms`));
    }, timeoutMs);
    client.on('message', onMessage);
  });
}

describe('MQTT 5 wills', () => {
  let cluster: Cluster;
  let gatewayA: Gateway;
  let portA: number;
  let portB: number;
  let watcher: MqttClient;
  let arrivals: Arrival[];
  const raws: RawClient[] = [];

  before(async () => {
    cluster = await startCluster();
    ({ gateway: gatewayA, port: portA } = await cluster.startGateway());
    ({ port: portB } = await cluster.startGateway());
    // The watcher is on the other gateway: wills travel through NATS like any message.
    watcher = await mqttClient(portB, { protocolVersion: 5, clientId: 'will-watcher' });
    arrivals = record(watcher);
    await watcher.subscribeAsync('wills/#', { qos: 1 });
  });
  after(async () => {
    for (const r of raws) r.destroy();
    if (watcher) await endClient(watcher);
    await cluster?.close();
  });

  /** Connects a raw MQTT 5 device with a will whose payload is `payload`. */
  async function device(
    port: number,
    clientId: string,
    payload: string,
    options: { willDelay?: number; sessionExpiry?: number; clean?: boolean } = {},
  ): Promise<RawClient> {
    const raw = await RawClient.open(port, 5);
    raws.push(raw);
    raw.send(
      connectPacket(clientId, {
        protocolVersion: 5,
        clean: options.clean ?? true,
        ...(options.sessionExpiry !== undefined
          ? { properties: { sessionExpiryInterval: options.sessionExpiry } }
          : {}),
        will: {
          topic: `wills/${clientId}`,
          payload: Buffer.from(payload),
          qos: 1,
          retain: false,
          ...(options.willDelay !== undefined
            ? { properties: { willDelayInterval: options.willDelay } }
            : {}),
        },
      }),
    );
    const connack = (await raw.next()) as mqttPacket.IConnackPacket;
    assert.equal(connack.cmd, 'connack');
    assert.equal(connack.reasonCode, 0);
    return raw;
  }

  /** Ends a device's connection without DISCONNECT and waits until its gateway saw it end. */
  async function drop(gateway: Gateway, raw: RawClient, clientId: string): Promise<number> {
    const closed = eventMatching(gateway, 'connectionClosed', (name) => name === clientId);
    const at = Date.now();
    raw.destroy();
    await closed;
    return at;
  }

  /** Wills whose payload is `payload` received so far. */
  const received = (payload: string): Arrival[] => arrivals.filter((a) => a.payload === payload);

  describe('Will Delay Interval [MQTT-3.1.3-9, MQTT-3.1.2-8]', () => {
    test('a will with delay 1 s is published 1 s after the connection is lost, not before', async () => {
      const raw = await device(portA, 'delay-1', 'delay-1 gone', { willDelay: 1, sessionExpiry: 60 });
      const arrived = arrivalOf(watcher, arrivals, 'delay-1 gone');
      const droppedAt = await drop(gatewayA, raw, 'delay-1');
      const { at, topic } = await arrived;
      assert.equal(topic, 'wills/delay-1');
      const elapsed = at - droppedAt;
      // The gateway starts the delay when it sees the socket close, after droppedAt: a will
      // published at once (or early) arrives well within the second.
      assert.ok(elapsed >= 1000 - 20, `will arrived ${elapsed} ms after the connection ended`);
      assert.ok(elapsed < 4000, `will arrived ${elapsed} ms after the connection ended`);
      assert.equal(received('delay-1 gone').length, 1);
    });

    test('a reconnection on the same gateway within the delay cancels the will', async () => {
      const raw = await device(portA, 'delay-same', 'delay-same gone', {
        willDelay: 2,
        sessionExpiry: 60,
        clean: false,
      });
      await drop(gatewayA, raw, 'delay-same');
      const cancelled = eventMatching(gatewayA, 'willCancelled', (name) => name === 'delay-same');
      const again = await device(portA, 'delay-same', 'delay-same gone again', {
        willDelay: 2,
        sessionExpiry: 60,
        clean: false,
      });
      await cancelled;
      // A control device dropped after the reconnection, with the same delay on the same
      // gateway: its will is published after the time the cancelled one was due.
      const control = await device(portA, 'delay-same-control', 'delay-same control', {
        willDelay: 2,
        sessionExpiry: 60,
      });
      const controlArrived = arrivalOf(watcher, arrivals, 'delay-same control');
      await drop(gatewayA, control, 'delay-same-control');
      await controlArrived;
      assert.deepEqual(received('delay-same gone'), [], 'the cancelled will was published');
      // The reconnected session still holds its new will; a normal DISCONNECT discards it.
      again.send({ cmd: 'disconnect', reasonCode: 0 });
      await again.waitClosed();
    });

    test('a reconnection on another gateway within the delay cancels the will', async () => {
      const raw = await device(portA, 'delay-other', 'delay-other gone', {
        willDelay: 2,
        sessionExpiry: 60,
        clean: false,
      });
      await drop(gatewayA, raw, 'delay-other');
      // Gateway A learns of the new connection from the session's "connected" event.
      const cancelled = eventMatching(gatewayA, 'willCancelled', (name) => name === 'delay-other');
      const again = await device(portB, 'delay-other', 'delay-other gone again', {
        willDelay: 2,
        sessionExpiry: 60,
        clean: false,
      });
      await cancelled;
      const control = await device(portA, 'delay-other-control', 'delay-other control', {
        willDelay: 2,
        sessionExpiry: 60,
      });
      const controlArrived = arrivalOf(watcher, arrivals, 'delay-other control');
      await drop(gatewayA, control, 'delay-other-control');
      await controlArrived;
      assert.deepEqual(received('delay-other gone'), [], 'the cancelled will was published');
      again.send({ cmd: 'disconnect', reasonCode: 0 });
      await again.waitClosed();
    });

    test('Session Expiry 1 s < Will Delay 30 s: the will is published when the session ends', async () => {
      const raw = await device(portA, 'delay-expiry', 'delay-expiry gone', {
        willDelay: 30,
        sessionExpiry: 1,
      });
      const arrived = arrivalOf(watcher, arrivals, 'delay-expiry gone');
      const droppedAt = await drop(gatewayA, raw, 'delay-expiry');
      const elapsed = (await arrived).at - droppedAt;
      assert.ok(elapsed >= 1000 - 20, `will arrived ${elapsed} ms after the connection ended`);
      assert.ok(elapsed < 5000, `will arrived ${elapsed} ms after the connection ended, not at session end`);
    });
  });

  describe('DISCONNECT with Will Message (0x04) [MQTT-3.14.2.1, MQTT-3.14.4-3]', () => {
    test('DISCONNECT 0x04: the will is published', async () => {
      const raw = await device(portA, 'dwm', 'dwm gone');
      const arrived = arrivalOf(watcher, arrivals, 'dwm gone');
      raw.send({ cmd: 'disconnect', reasonCode: 0x04 });
      await raw.waitClosed();
      const { topic } = await arrived;
      assert.equal(topic, 'wills/dwm');
      assert.equal(received('dwm gone').length, 1);
    });

    test('DISCONNECT 0x00: the will is discarded, not published [MQTT-3.14.4-3]', async () => {
      const raw = await device(portA, 'dwm-normal', 'dwm-normal gone');
      const closed = eventMatching(gatewayA, 'connectionClosed', (name) => name === 'dwm-normal');
      raw.send({ cmd: 'disconnect', reasonCode: 0x00 });
      await raw.waitClosed();
      await closed; // a will is routed before this event
      // A marker published afterwards through the same gateway arrives after any will would have.
      const publisher = await mqttClient(portA, { protocolVersion: 5, clientId: 'dwm-marker' });
      const marker = arrivalOf(watcher, arrivals, 'dwm-normal marker');
      await publisher.publishAsync('wills/dwm-normal', 'dwm-normal marker', { qos: 1 });
      await marker;
      await endClient(publisher);
      assert.deepEqual(received('dwm-normal gone'), []);
    });

    test('DISCONNECT 0x04 with Session Expiry 1 s < Will Delay 30 s: the will is published at session end', async () => {
      // The use the specification gives for 0x04: a will that announces the session's expiry
      // (MQTT 5 §3.1.2.5, non-normative).
      const raw = await device(portA, 'dwm-expiry', 'dwm-expiry gone', { willDelay: 30, sessionExpiry: 60 });
      const arrived = arrivalOf(watcher, arrivals, 'dwm-expiry gone');
      const sentAt = Date.now();
      raw.send({ cmd: 'disconnect', reasonCode: 0x04, properties: { sessionExpiryInterval: 1 } });
      await raw.waitClosed();
      const elapsed = (await arrived).at - sentAt;
      assert.ok(elapsed >= 1000 - 20, `will arrived ${elapsed} ms after DISCONNECT`);
      assert.ok(elapsed < 5000, `will arrived ${elapsed} ms after DISCONNECT`);
    });
  });
});
