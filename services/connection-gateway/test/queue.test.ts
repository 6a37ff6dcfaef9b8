// Offline queues of persistent sessions in JetStream (src/queue.ts): QoS 1/2 messages published
// while a session is offline wait for it [MQTT-3.1.2-5], what was in flight is resent with DUP 1
// and the same packet identifiers [MQTT-4.4.0-1], the queue is bounded (oldest kept), clean start
// and session expiry discard it, and queued messages expire [MQTT-3.3.2-5, MQTT-3.3.2-6].
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type {
  IConnackPacket,
  IDisconnectPacket,
  IPublishPacket,
  IPubrelPacket,
  ISubackPacket,
  Packet,
} from 'mqtt-packet';
import { clientToken, createLogger, subjects } from '@mqfleet/core';
import { eventMatching, natsConnection, until } from '@mqfleet/testkit';
import type { NatsConnection } from 'nats';
import type { Gateway } from '../src/index';
import { OfflineQueues, type SavedDelivery } from '../src/queue';
import mqtt, { type MqttClient } from 'mqtt';
import pg from 'pg';
import {
  connectPacket,
  endClient,
  mqttClient,
  nextMessage,
  RawClient,
  startCluster,
  type Cluster,
} from './helpers';

const PERSISTENT = { sessionExpiryInterval: 3600 };
const silentLogger = createLogger('queue-test', 'error', {}, () => undefined);

/** Packets until (and including) a PINGRESP: everything the gateway sent before it. */
async function drainToPing(raw: RawClient): Promise<Packet[]> {
  raw.send({ cmd: 'pingreq' });
  const out: Packet[] = [];
  for (;;) {
    const p = await raw.next();
    if (!p) throw new Error('closed');
    if (p.cmd === 'pingresp') return out;
    out.push(p);
  }
}

async function rawSession(
  port: number,
  clientId: string,
  clean: boolean,
  properties: Record<string, number> = PERSISTENT,
): Promise<{ raw: RawClient; connack: IConnackPacket }> {
  const raw = await RawClient.open(port, 5);
  raw.send(connectPacket(clientId, { protocolVersion: 5, clean, properties }));
  const connack = (await raw.next()) as IConnackPacket;
  assert.equal(connack.cmd, 'connack');
  assert.equal(connack.reasonCode, 0);
  return { raw, connack };
}

/** A QoS 1 delivery that was in flight with `packetId` when its connection ended. */
function inFlight(topic: string, payload: string, packetId: number): SavedDelivery {
  return {
    message: {
      id: `${topic}#${packetId}`,
      topic,
      payload: Buffer.from(payload),
      qos: 1,
      retain: false,
      properties: { userProperties: [] },
      receivedAt: Date.now(),
    },
    qos: 1,
    retain: false,
    subscriptionIds: [],
    packetId,
  };
}

/** A point a test's OfflineQueues.hook holds at: `reached` once it is there, let go by `release`. */
interface HoldPoint {
  reached: Promise<void>;
  reach(): void;
  released: Promise<void>;
  release(): void;
}

function holdPoint(): HoldPoint {
  let reach!: () => void;
  const reached = new Promise<void>((resolve) => (reach = resolve));
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  return { reached, reach, released, release };
}

describe('offline queues of persistent sessions', () => {
  let cluster: Cluster;
  let gatewayA: Gateway;
  let gatewayB: Gateway;
  let portA: number;
  let portB: number;
  let nc: NatsConnection;

  before(async () => {
    cluster = await startCluster();
    ({ gateway: gatewayA, port: portA } = await cluster.startGateway());
    ({ gateway: gatewayB, port: portB } = await cluster.startGateway());
    nc = await natsConnection(cluster.infra.natsUrl);
  });
  after(async () => {
    await nc.close();
    await cluster.close();
  });

  const queueStream = (): string => subjects(cluster.infra.natsPrefix).queueStream;

  /** The session's consumers in the queue stream (named after its client token). */
  async function consumersOf(clientId: string): Promise<string[]> {
    const jsm = await nc.jetstreamManager();
    const token = clientToken(clientId);
    const names: string[] = [];
    for await (const c of jsm.consumers.list(queueStream())) if (c.name.includes(token)) names.push(c.name);
    return names;
  }

  /** Waits until the stream holds `count` messages (the publishing gateway forwards without ack). */
  async function streamHolds(count: number): Promise<void> {
    const jsm = await nc.jetstreamManager();
    await until(async () => (await jsm.streams.info(queueStream())).state.messages >= count || undefined);
  }

  test('QoS 1/2 messages published while offline are delivered on resumption, on another gateway (MQTT 5 and 3.1.1)', async () => {
    for (const version of [5, 4] as const) {
      const id = `offline-${version}`;
      const options =
        version === 5
          ? { clientId: id, protocolVersion: 5 as const, clean: false, properties: PERSISTENT }
          : { clientId: id, protocolVersion: 4 as const, clean: false };
      const sub = await mqttClient(portA, options);
      await sub.subscribeAsync({ [`off${version}/#`]: { qos: 2 } });
      const parked = eventMatching(gatewayA, 'sessionParked', (name: string) => name === id);
      await sub.endAsync();
      await parked;

      const pub = await mqttClient(portB, { clientId: `offline-pub-${version}`, protocolVersion: 5 });
      const jsm = await nc.jetstreamManager();
      const before = (await jsm.streams.info(queueStream())).state.messages;
      await pub.publishAsync(`off${version}/a`, 'q0', { qos: 0 });
      await pub.publishAsync(`off${version}/a`, 'q1', { qos: 1 });
      await pub.publishAsync(`off${version}/b`, 'q2', { qos: 2 });
      await pub.publishAsync(`elsewhere/${version}`, 'not subscribed', { qos: 1 });
      await streamHolds(before + 2);
      await endClient(pub);

      // Listening from the start: the queued messages follow the CONNACK at once.
      const back = mqtt.connect(`mqtt://127.0.0.1:${portB}`, { reconnectPeriod: 0, ...options });
      try {
        const got = await new Promise<[string, string, number, boolean][]>((resolve, reject) => {
          const list: [string, string, number, boolean][] = [];
          back.on('connect', (connack) => assert.equal(connack.sessionPresent, true));
          back.on('error', reject);
          back.on('message', (topic: string, payload: Buffer, packet: IPublishPacket) => {
            list.push([topic, payload.toString(), packet.qos, packet.dup]);
            if (list.length === 2) resolve(list);
          });
        });
        assert.deepEqual(got, [
          [`off${version}/a`, 'q1', 1, false],
          [`off${version}/b`, 'q2', 2, false],
        ]);
        // The queue is gone: its consumers were removed.
        assert.deepEqual(await consumersOf(id), []);
      } finally {
        await endClient(back);
      }
    }
  });

  test('a session that left A without a queue, then queued on B, gets that queue back on A', async () => {
    // A knows it parked nothing for the session and skips the queue lookup when the session is
    // opened again with nothing in between; here something was: a connection on B, whose end
    // parked a queue.
    const id = 'unparked-then-queued';
    const options = { clientId: id, protocolVersion: 5 as const, clean: false, properties: PERSISTENT };
    const first = await mqttClient(portA, options);
    await first.subscribeAsync({ 'unp/#': { qos: 0 } });
    const closedOnA = eventMatching(gatewayA, 'connectionClosed', (name: string) => name === id);
    await first.endAsync();
    await closedOnA;
    const db = new pg.Client({ connectionString: cluster.infra.databaseUrl });
    await db.connect();
    try {
      await until(async () => {
        const { rows } = await db.query('SELECT connection_status FROM sessions WHERE client_name = $1', [
          id,
        ]);
        return rows[0]?.connection_status === 'disconnected';
      });
    } finally {
      await db.end();
    }
    const onB = await mqttClient(portB, options);
    await onB.subscribeAsync({ 'unp/#': { qos: 1 } });
    await endClient(onB);
    await until(async () => (await consumersOf(id)).length > 0 || undefined);
    const pub = await mqttClient(portB, { clientId: 'unparked-pub', protocolVersion: 5 });
    const jsm = await nc.jetstreamManager();
    const before = (await jsm.streams.info(queueStream())).state.messages;
    await pub.publishAsync('unp/x', 'kept', { qos: 1 });
    await streamHolds(before + 1);
    await endClient(pub);
    const back = mqtt.connect(`mqtt://127.0.0.1:${portA}`, { reconnectPeriod: 0, ...options });
    try {
      const got = await nextMessage(back, 10_000);
      assert.equal(got.payload.toString(), 'kept');
    } finally {
      await endClient(back);
    }
  });

  test('deliveries in flight at disconnect are resent with DUP 1 and the same packet ids; PUBREL after PUBREC', async () => {
    const id = 'dup-raw';
    const { raw } = await rawSession(portA, id, false);
    raw.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'dup/#', qos: 2 }] });
    assert.deepEqual(((await raw.next()) as ISubackPacket).granted, [2]);
    const pub = await mqttClient(portB, { clientId: 'dup-pub', protocolVersion: 5 });
    try {
      await pub.publishAsync('dup/1', 'm1', { qos: 1 });
      await pub.publishAsync('dup/2', 'm2', { qos: 2 });
      await pub.publishAsync('dup/3', 'm3', { qos: 2 });
      const sent = [(await raw.next()) as IPublishPacket, (await raw.next()) as IPublishPacket];
      const third = (await raw.next()) as IPublishPacket;
      assert.deepEqual(
        [...sent, third].map((p) => [p.payload.toString(), p.qos, p.dup]),
        [
          ['m1', 1, false],
          ['m2', 2, false],
          ['m3', 2, false],
        ],
      );
      raw.send({ cmd: 'pubrec', messageId: third.messageId! });
      assert.equal(((await raw.next()) as IPubrelPacket).messageId, third.messageId);
      // The connection is lost with m1 without PUBACK, m2 without PUBREC and m3 without PUBCOMP.
      const parked = eventMatching<[string, number]>(gatewayA, 'sessionParked', (name) => name === id);
      raw.destroy();
      const [, saved] = await parked;
      assert.equal(saved, 3);

      const { raw: again, connack } = await rawSession(portB, id, false);
      try {
        assert.equal(connack.sessionPresent, true);
        const resent = await drainToPing(again);
        assert.deepEqual(
          resent.map((p) =>
            p.cmd === 'publish'
              ? [p.cmd, p.messageId, p.payload.toString(), p.qos, p.dup]
              : [p.cmd, (p as IPubrelPacket).messageId],
          ),
          [
            ['publish', sent[0]!.messageId, 'm1', 1, true],
            ['publish', sent[1]!.messageId, 'm2', 2, true],
            ['pubrel', third.messageId],
          ],
        );
        // The exchanges complete on the new connection.
        again.send({ cmd: 'puback', messageId: sent[0]!.messageId! });
        again.send({ cmd: 'pubrec', messageId: sent[1]!.messageId! });
        assert.equal(((await again.next()) as IPubrelPacket).messageId, sent[1]!.messageId);
        again.send({ cmd: 'pubcomp', messageId: sent[1]!.messageId! });
        again.send({ cmd: 'pubcomp', messageId: third.messageId! });
        await pub.publishAsync('dup/4', 'm4', { qos: 2 });
        const next = (await again.next()) as IPublishPacket;
        assert.equal(next.payload.toString(), 'm4');
        assert.equal(next.dup, false);
      } finally {
        again.destroy();
      }
    } finally {
      await endClient(pub);
    }
  });

  /** A persistent MQTT 5 session on gateway A subscribed to `filter`; its socket stays open after the gateway's end. */
  const halfOpenSubscriber = async (id: string, filter: string): Promise<RawClient> => {
    const raw = await RawClient.open(portA, 5, true);
    raw.send(connectPacket(id, { protocolVersion: 5, clean: false, properties: PERSISTENT }));
    assert.equal(((await raw.next()) as IConnackPacket).reasonCode, 0);
    raw.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: filter, qos: 1 }] });
    assert.deepEqual(((await raw.next()) as ISubackPacket).granted, [1]);
    return raw;
  };

  /** Resumes `id` on gateway B: Session Present, and exactly `payload` delivered, as a first delivery. */
  const resumesOnBWith = async (id: string, payload: string): Promise<void> => {
    const { raw: again, connack } = await rawSession(portB, id, false);
    try {
      assert.equal(connack.sessionPresent, true);
      const resent = (await drainToPing(again)) as IPublishPacket[];
      assert.deepEqual(
        resent.map((p) => [p.cmd, p.payload.toString(), p.qos, p.dup]),
        [['publish', payload, 1, false]],
      );
    } finally {
      again.destroy();
    }
  };

  test("a client's DISCONNECT closes the TCP connection at once; what is published next is kept", async () => {
    const id = 'linger-raw';
    // The client keeps its side open after DISCONNECT: the gateway closes the connection anyway
    // (nothing is left to send), so it does not linger half-open, and the session is parked.
    const raw = await halfOpenSubscriber(id, 'linger/#');
    const pub = await mqttClient(portA, { clientId: 'linger-pub', protocolVersion: 5 });
    try {
      const ended = once(raw.socket, 'end');
      const parked = eventMatching<[string, number]>(gatewayA, 'sessionParked', (name) => name === id);
      raw.send({ cmd: 'disconnect', reasonCode: 0 });
      await ended;
      // Finalized while the client's side is still open: the gateway closed the socket itself.
      await parked;
      await pub.publishAsync('linger/1', 'after disconnect', { qos: 1 });
      await resumesOnBWith(id, 'after disconnect');
    } finally {
      raw.destroy();
      await endClient(pub);
    }
  });

  test('a message that arrives after the gateway ended a connection, before the socket closes, is kept', async () => {
    const id = 'linger-ended';
    // A second CONNECT is a protocol error [MQTT-3.1.0-2]: the gateway sends DISCONNECT 0x82 and
    // ends its side; the client keeps its own open, so the connection is not finalized until the
    // socket closes, and a message routed to it meanwhile goes with the session.
    const raw = await halfOpenSubscriber(id, 'ended/#');
    const pub = await mqttClient(portA, { clientId: 'ended-pub', protocolVersion: 5 });
    try {
      const ended = once(raw.socket, 'end');
      raw.send(connectPacket(id, { protocolVersion: 5, clean: false, properties: PERSISTENT }));
      await ended;
      await pub.publishAsync('ended/1', 'after the end', { qos: 1 });
      const parked = eventMatching<[string, number]>(gatewayA, 'sessionParked', (name) => name === id);
      raw.destroy();
      const [, saved] = await parked;
      assert.equal(saved, 1, 'the message is handed to the session');
      await resumesOnBWith(id, 'after the end');
    } finally {
      await endClient(pub);
    }
  });

  test('MQFLEET_MAX_QUEUED_MESSAGES bounds what a resumed session gets: the oldest are kept', async () => {
    // Above 1000: a pull consumer's default max_ack_pending must not cut the read short.
    const MAX = 1005;
    const { gateway: gatewayC, port: portC } = await cluster.startGateway({
      MQFLEET_MAX_QUEUED_MESSAGES: String(MAX),
    });
    const id = 'bounded';
    const { raw } = await rawSession(portC, id, false);
    raw.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'bound/#', qos: 1 }] });
    assert.equal((await raw.next())?.cmd, 'suback');
    const parked = eventMatching(gatewayC, 'sessionParked', (name: string) => name === id);
    raw.send({ cmd: 'disconnect' });
    await parked;
    const jsm = await nc.jetstreamManager();
    const before = (await jsm.streams.info(queueStream())).state.messages;
    const pub = await mqttClient(portA, { clientId: 'bound-pub', protocolVersion: 5 });
    try {
      await Promise.all(
        Array.from({ length: MAX + 5 }, (_, i) => pub.publishAsync('bound/t', String(i), { qos: 1 })),
      );
      await streamHolds(before + MAX + 5);
      const { raw: again, connack } = await rawSession(portC, id, false);
      try {
        assert.equal(connack.sessionPresent, true);
        const got = (await drainToPing(again)) as IPublishPacket[];
        assert.deepEqual(
          got.map((p) => p.payload.toString()),
          Array.from({ length: MAX }, (_, i) => String(i)),
        );
        for (const p of got) again.send({ cmd: 'puback', messageId: p.messageId! });
        await pub.publishAsync('bound/t', 'live', { qos: 1 });
        assert.equal(((await again.next()) as IPublishPacket).payload.toString(), 'live');
        assert.deepEqual(await consumersOf(id), []);
      } finally {
        again.destroy();
      }
    } finally {
      await endClient(pub);
    }
  });

  test('clean start discards the queue; session expiry removes it', async () => {
    const id = 'discarded';
    const { raw } = await rawSession(portA, id, false);
    raw.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'disc/#', qos: 1 }] });
    assert.equal((await raw.next())?.cmd, 'suback');
    const parked = eventMatching(gatewayA, 'sessionParked', (name: string) => name === id);
    raw.send({ cmd: 'disconnect' });
    await parked;
    // One consumer for the session's saved deliveries, two for disc/# ("disc.>" and "disc").
    assert.equal((await consumersOf(id)).length, 3);
    const pub = await mqttClient(portB, { clientId: 'disc-pub', protocolVersion: 5 });
    try {
      const jsm = await nc.jetstreamManager();
      const before = (await jsm.streams.info(queueStream())).state.messages;
      await pub.publishAsync('disc/x', 'old', { qos: 1 });
      await streamHolds(before + 1);
      // Clean start 1: a new session, nothing from the old one [MQTT-3.1.2-4].
      const { raw: fresh, connack } = await rawSession(portB, id, true, { sessionExpiryInterval: 1 });
      assert.equal(connack.sessionPresent, false);
      assert.deepEqual(await drainToPing(fresh), []);
      assert.deepEqual(await consumersOf(id), []);
      fresh.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'disc/#', qos: 1 }] });
      assert.equal((await fresh.next())?.cmd, 'suback');
      fresh.send({ cmd: 'disconnect' });
      // Parked by gateway B this time; once the session expires (1 s) its queue is removed.
      await until(async () => (await consumersOf(id)).length === 3 || undefined);
      await until(async () => (await consumersOf(id)).length === 0 || undefined, 10000, 100);
    } finally {
      await endClient(pub);
    }
  });

  test('queued messages expire; delivered ones carry the remaining Message Expiry Interval', async () => {
    const id = 'expiring';
    const { raw } = await rawSession(portA, id, false);
    raw.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'exp/#', qos: 1 }] });
    assert.equal((await raw.next())?.cmd, 'suback');
    const parked = eventMatching(gatewayA, 'sessionParked', (name: string) => name === id);
    raw.send({ cmd: 'disconnect' });
    await parked;
    const pub = await mqttClient(portB, { clientId: 'exp-pub', protocolVersion: 5 });
    try {
      const jsm = await nc.jetstreamManager();
      const before = (await jsm.streams.info(queueStream())).state.messages;
      const publishedAt = Date.now();
      await pub.publishAsync('exp/short', 'gone', { qos: 1, properties: { messageExpiryInterval: 1 } });
      await pub.publishAsync('exp/long', 'kept', { qos: 1, properties: { messageExpiryInterval: 100 } });
      await pub.publishAsync('exp/none', 'forever', { qos: 1 });
      await streamHolds(before + 3);
      // What is tested is the passing of time: wait until the 1 s message has expired.
      await until(() => Date.now() - publishedAt > 1200 || undefined, 5000, 50);
      const { raw: again } = await rawSession(portB, id, false);
      try {
        const got = (await drainToPing(again)) as IPublishPacket[];
        assert.deepEqual(
          got.map((p) => [p.topic, p.payload.toString()]),
          [
            ['exp/long', 'kept'],
            ['exp/none', 'forever'],
          ],
        );
        const remaining = got[0]!.properties?.messageExpiryInterval;
        assert.ok(remaining !== undefined && remaining <= 99 && remaining >= 90, `remaining ${remaining}`);
        assert.equal(got[1]!.properties?.messageExpiryInterval, undefined);
      } finally {
        again.destroy();
      }
    } finally {
      await endClient(pub);
    }
  });

  test('a connection taken over hands its unacknowledged deliveries to the new one (DUP 1, same ids)', async () => {
    for (const [where, newPort] of [
      ['another gateway', portB],
      ['the same gateway', portA],
    ] as const) {
      const id = `taken-over-${newPort}`;
      const { raw: old } = await rawSession(portA, id, false);
      old.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: `tk${newPort}/#`, qos: 2 }] });
      assert.equal((await old.next())?.cmd, 'suback');
      const pub = await mqttClient(portB, { clientId: 'tk-pub', protocolVersion: 5 });
      try {
        await pub.publishAsync(`tk${newPort}/1`, 'unacked', { qos: 1 });
        const first = (await old.next()) as IPublishPacket;
        assert.equal(first.payload.toString(), 'unacked');
        // The client comes back while its old connection on A is still open.
        const { raw: fresh, connack } = await rawSession(newPort, id, false);
        try {
          assert.equal(connack.sessionPresent, true);
          const gone = (await old.next()) as IDisconnectPacket;
          assert.equal(gone.reasonCode, 0x8e);
          const resent = (await fresh.next()) as IPublishPacket;
          assert.deepEqual(
            [resent.payload.toString(), resent.messageId, resent.dup, resent.qos],
            ['unacked', first.messageId, true, 1],
            where,
          );
          fresh.send({ cmd: 'puback', messageId: resent.messageId! });
          assert.deepEqual(await consumersOf(id), []);
        } finally {
          fresh.destroy();
        }
      } finally {
        old.destroy();
        await endClient(pub);
      }
    }
  });

  /**
   * The frame of the park and take interleavings held at fixed points (OfflineQueues.hook on
   * gateway B): a persistent session `id` subscribed to `${topic}/#` on `port`, a publisher on
   * gateway A, then `interleave` with both and a hold point for its hook (B's hook is cleared and
   * the hold let go after it, whatever happens). The session resumed on gateway A must then get
   * exactly `expected`, every one acknowledged to its publisher; `interleave` may return what to
   * say when it does not.
   */
  async function resumedGetsAfterInterleaving(
    scenario: { id: string; topic: string; port: number; publisherId: string; expected: string[] },
    interleave: (race: {
      raw: RawClient;
      pub: MqttClient;
      hold: HoldPoint;
    }) => Promise<(() => string) | undefined>,
  ): Promise<void> {
    const { id, topic, port, publisherId, expected } = scenario;
    const { raw } = await rawSession(port, id, false);
    raw.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: `${topic}/#`, qos: 1 }] });
    assert.equal((await raw.next())?.cmd, 'suback');
    const pub = await mqttClient(portA, { clientId: publisherId, protocolVersion: 5 });
    const hold = holdPoint();
    try {
      const explain = await interleave({ raw, pub, hold });

      const got = new Set<string>();
      // Listening from the start: the queue follows the CONNACK at once.
      const back = mqtt.connect(`mqtt://127.0.0.1:${portA}`, {
        clientId: id,
        protocolVersion: 5,
        clean: false,
        properties: PERSISTENT,
        reconnectPeriod: 0,
      });
      back.on('message', (_topic, payload) => got.add(payload.toString()));
      try {
        await until(() => expected.every((m) => got.has(m)), 10000).catch(() => undefined);
        assert.deepEqual([...got].sort(), [...expected].sort(), explain?.());
      } finally {
        await endClient(back);
      }
    } finally {
      gatewayB.offline!.hook = undefined;
      hold.release();
      await endClient(pub);
    }
  }

  test('a queue taken while the same session is parked again loses nothing acknowledged (take and park interleaved)', async () => {
    // The interleaving the topology test (test/e2e/deploy-topology.test.ts) hit under load: a
    // gateway reads a parked session's queue for a connection of it, the connection ends before
    // the queue is removed, and the same gateway parks the session again while the take is still
    // to remove the queue. Held at fixed points (OfflineQueues.hook), no timing involved.
    const id = 'take-park-race';
    await resumedGetsAfterInterleaving(
      { id, topic: 'race', port: portA, publisherId: 'race-pub', expected: ['m1', 'm2'] },
      async ({ raw: first, pub, hold: take }) => {
        const parkedOnA = eventMatching(gatewayA, 'sessionParked', (name: string) => name === id);
        first.destroy();
        await parkedOnA;
        const points: string[] = [];
        // Acknowledged while the session is offline: stored in its queue.
        await pub.publishAsync('race/1', 'm1', { qos: 1 });
        gatewayB.offline!.hook = async (point, clientName) => {
          if (clientName !== id) return;
          points.push(point);
          if (point === 'take:read' && points.filter((p) => p === 'take:read').length === 1) {
            take.reach();
            await take.released;
          }
          // The parking either waits behind the take, or began on the queue the take read.
          if (point === 'park:behind' || point === 'park:begun') take.release();
        };
        const second = await RawClient.open(portB, 5);
        second.send(connectPacket(id, { protocolVersion: 5, clean: false, properties: PERSISTENT }));
        await take.reached;
        // CONNACK does not wait for a queue longer than RESUME_TIMEOUT_MS.
        const connack = (await second.next()) as IConnackPacket;
        assert.equal(connack.sessionPresent, true);
        const parkedOnB = eventMatching(gatewayB, 'sessionParked', (name: string) => name === id);
        // The connection ends (session kept) while its queue is still being taken.
        second.send({ cmd: 'disconnect', reasonCode: 0 });
        await parkedOnB;
        // Acknowledged after the parking: queued for the session.
        await pub.publishAsync('race/2', 'm2', { qos: 1 });
        return () => `hook points: ${points.join(', ')}`;
      },
    );
  });

  test('a connection that closes while its CONNECT waits for the queue keeps what was held back for it', async () => {
    // Messages routed to a connection whose CONNECT waits for its offline queue are held back
    // (connection.ts buffer) and their publishers acknowledged. The socket closes before CONNACK:
    // they are parked with the session, not dropped with the connection.
    const id = 'held-then-closed';
    await resumedGetsAfterInterleaving(
      { id, topic: 'heldclose', port: portB, publisherId: 'heldclose-pub', expected: ['held'] },
      async ({ raw: first, hold: take }) => {
        const parked = eventMatching(gatewayB, 'sessionParked', (name: string) => name === id);
        first.destroy();
        await parked;
        gatewayB.offline!.hook = async (point, clientName) => {
          if (clientName !== id || point !== 'take:read') return;
          gatewayB.offline!.hook = undefined;
          take.reach();
          await take.released;
        };
        const second = await RawClient.open(portB, 5);
        second.send(connectPacket(id, { protocolVersion: 5, clean: false, properties: PERSISTENT }));
        await take.reached;
        // The take read the (empty) queue: the connection's interest is in place, and what is
        // published now is held back for it. A publisher on B: acknowledged once it is handed
        // to the connection.
        const pub = await mqttClient(portB, { clientId: 'heldclose-pub-b', protocolVersion: 5 });
        try {
          await pub.publishAsync('heldclose/1', 'held', { qos: 1 });
        } finally {
          await endClient(pub);
        }
        const parkedAgain = eventMatching(gatewayB, 'sessionParked', (name: string) => name === id);
        second.destroy();
        take.release();
        await parkedAgain;
        return undefined;
      },
    );
  });

  test('a message another gateway publishes just before the consumers exist is collected, not lost', async () => {
    // Gateway A answered B's announcement, so its PUBACK waits for the queue stream; but B's
    // consumers do not exist yet, so the stream keeps nothing for the session, and only the copy
    // routed to B (which still holds the subscription's interest) keeps it. That copy left the
    // NATS server before B's consumers were created, on B's messages connection, which B may
    // read after the answer to the creation (rolling-restart.test.ts lost 10 such messages in
    // CI). Here B reads that connection only once its consumers exist: the parking must wait
    // for the copy before it stores what it collected. (nats.js internals: the socket under
    // B's messages connection.)
    const id = 'late-copy';
    const nats = (gatewayB as unknown as { messagesNc: NatsConnection }).messagesNc;
    const socket = (nats as unknown as { protocol: { transport: { socket: Socket } } }).protocol.transport
      .socket;
    try {
      await resumedGetsAfterInterleaving(
        { id, topic: 'latecopy', port: portB, publisherId: 'latecopy-pub', expected: ['early'] },
        async ({ raw, pub, hold: park }) => {
          gatewayB.offline!.hook = async (point, clientName) => {
            if (clientName !== id) return;
            if (point === 'park:announced') {
              park.reach();
              await park.released;
            } else if (point === 'park:consumers') {
              gatewayB.offline!.hook = undefined;
              socket.resume();
            }
          };
          const parked = eventMatching(gatewayB, 'sessionParked', (name: string) => name === id);
          raw.destroy();
          await park.reached;
          socket.pause();
          await pub.publishAsync('latecopy/1', 'early', { qos: 1 });
          park.release();
          await parked;
          return undefined;
        },
      );
    } finally {
      socket.resume();
    }
  });

  test('a parking whose consumers are removed under it starts again with what it collected', async () => {
    // A take or a discard elsewhere removes the session consumer while the parking is creating
    // its consumers (here: deleted through the JetStream API while the parking is held): the
    // parking's "complete" step fails with "consumer not found". It used to give up, dropping the
    // message it had collected for the session, which its publisher had been acknowledged for.
    const id = 'park-restart';
    await resumedGetsAfterInterleaving(
      { id, topic: 'restart', port: portB, publisherId: 'restart-pub', expected: ['collected', 'queued'] },
      async ({ raw, pub, hold: park }) => {
        gatewayB.offline!.hook = async (point, clientName) => {
          if (clientName !== id || point !== 'park:begun') return;
          gatewayB.offline!.hook = undefined; // the first attempt only
          park.reach();
          await park.released;
        };
        const parked = eventMatching(gatewayB, 'sessionParked', (name: string) => name === id);
        raw.destroy();
        await park.reached;
        // Routed to B, which still holds the subscription's interest: collected by the parking.
        await pub.publishAsync('restart/1', 'collected', { qos: 1 });
        const jsm = await nc.jetstreamManager();
        await jsm.consumers.delete(queueStream(), `qs_${clientToken(id)}`);
        park.release();
        await parked;
        await pub.publishAsync('restart/2', 'queued', { qos: 1 });
        return undefined;
      },
    );
  });

  test('a take removes only the parking it read: one that begins on another gateway meanwhile waits and survives', async () => {
    // B takes a parked session for a connection of it; between the take's decision to remove the
    // queue and the removal, another gateway parks the same session (here: OfflineQueues on the
    // cluster's NATS, as a gateway holds it) and stores a delivery. The take used to remove that
    // newer parking's consumers with its own, losing the delivery. Now the take marks the record
    // (conditionally on the record it read) and the parking waits until the take is done.
    const id = 'take-mark';
    const { raw: first } = await rawSession(portA, id, false);
    first.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'mark/#', qos: 1 }] });
    assert.equal((await first.next())?.cmd, 'suback');
    const parkedOnA = eventMatching(gatewayA, 'sessionParked', (name: string) => name === id);
    first.destroy();
    await parkedOnA;
    const pub = await mqttClient(portA, { clientId: 'mark-pub', protocolVersion: 5 });
    const other = new OfflineQueues(nc, subjects(cluster.infra.natsPrefix), 'gw-other', silentLogger, 1000);
    const take = holdPoint();
    let second: RawClient | undefined;
    try {
      await pub.publishAsync('mark/1', 'queued', { qos: 1 });
      gatewayB.offline!.hook = async (point, clientName) => {
        if (clientName !== id || point !== 'take:claimed') return;
        take.reach();
        await take.released;
      };
      second = await RawClient.open(portB, 5);
      second.send(connectPacket(id, { protocolVersion: 5, clean: false, properties: PERSISTENT }));
      await take.reached;
      // The other gateway's parking begins now: it must not complete under the take.
      const points: string[] = [];
      other.hook = (point) => void points.push(point);
      const saved = inFlight('mark/2', 'saved elsewhere', 7);
      let parkedElsewhere = false;
      const parking = other.park(id, ['mark/#'], [saved], () => []).then(() => (parkedElsewhere = true));
      await until(() => points.includes('park:waiting') || parkedElsewhere);
      assert.equal(parkedElsewhere, false, 'the parking completed while the take was removing the queue');
      take.release();
      await parking;
      // B's connection got the queue it took.
      const delivered = (await second.next()) as IConnackPacket;
      assert.equal(delivered.cmd, 'connack');
      assert.equal(delivered.sessionPresent, true);
      const queued = (await second.next()) as IPublishPacket;
      assert.equal(queued.payload.toString(), 'queued');
      // The newer parking is whole: its delivery is there for the next take.
      const resumed = await other.take(id);
      assert.deepEqual(
        resumed?.saved.map((d) => [d.message.payload.toString(), d.packetId]),
        [['saved elsewhere', 7]],
        `hook points: ${points.join(', ')}`,
      );
    } finally {
      gatewayB.offline!.hook = undefined;
      take.release();
      second?.destroy();
      await endClient(pub);
    }
  });

  test('two parkings of one session on two gateways at once: neither undoes the other, both deliveries are taken', async () => {
    // A connection ends on one gateway while the session's next connection, taken over on
    // another, ends too: both park the session at once. Each writes the record on condition that
    // it is the one it read; the first to complete finds the other's record and must not start
    // again (the two would keep undoing each other), since the other's consumers include its own.
    const id = 'two-parkings';
    const subjectsOf = subjects(cluster.infra.natsPrefix);
    const first = new OfflineQueues(nc, subjectsOf, 'gw-first', silentLogger, 1000);
    const second = new OfflineQueues(nc, subjectsOf, 'gw-second', silentLogger, 1000);
    const saved = (payload: string, packetId: number): SavedDelivery =>
      inFlight(`two/${payload}`, payload, packetId);
    const firstBegun = holdPoint();
    const secondBegun = holdPoint();
    const deferred = holdPoint();
    const restarts: string[] = [];
    first.hook = async (point) => {
      if (point === 'park:deferred') deferred.reach();
      if (point !== 'park:begun') return;
      restarts.push('first');
      firstBegun.reach();
      await firstBegun.released;
    };
    second.hook = async (point) => {
      if (point !== 'park:begun') return;
      restarts.push('second');
      secondBegun.reach();
      await secondBegun.released;
    };
    try {
      const parkFirst = first.park(id, ['two/a'], [saved('a', 1)], () => []);
      await firstBegun.reached;
      // The second begins on the first's record (incomplete) and writes its own.
      const parkSecond = second.park(id, ['two/b'], [saved('b', 2)], () => []);
      await secondBegun.reached;
      // The first completes: the record is the second's now, which includes its consumers; it
      // waits until the second is complete.
      firstBegun.release();
      await deferred.reached;
      secondBegun.release();
      await parkSecond;
      await parkFirst;
      assert.deepEqual(restarts, ['first', 'second'], 'no parking started again');
      const resumed = await first.take(id);
      assert.deepEqual(resumed?.saved.map((d) => [d.message.payload.toString(), d.packetId]).sort(), [
        ['a', 1],
        ['b', 2],
      ]);
    } finally {
      firstBegun.release();
      secondBegun.release();
    }
  });

  test('a parking that defers to a newer one starts again when that one gives up', async () => {
    // As above, but the newer parking gives up (after its attempts, end() discards what it made:
    // here the discard is done by hand while it is held). The first parking, which found the
    // newer record when it completed, used to be done at once, and its delivery went with the
    // discard; now it waits for the newer one to complete, and starts again when it does not.
    const id = 'deferred-parking';
    const subjectsOf = subjects(cluster.infra.natsPrefix);
    const first = new OfflineQueues(nc, subjectsOf, 'gw-first', silentLogger, 1000);
    const second = new OfflineQueues(nc, subjectsOf, 'gw-second', silentLogger, 1000);
    const firstBegun = holdPoint();
    const secondBegun = holdPoint();
    const deferred = holdPoint();
    let firstBegan = 0;
    first.hook = async (point) => {
      if (point === 'park:deferred') deferred.reach();
      if (point !== 'park:begun' || firstBegan++ > 0) return;
      firstBegun.reach();
      await firstBegun.released;
    };
    second.hook = async (point) => {
      if (point !== 'park:begun') return;
      second.hook = undefined;
      secondBegun.reach();
      await secondBegun.released;
    };
    let parkSecond: Promise<void> | undefined;
    try {
      const parkFirst = first.park(id, ['defer/a'], [inFlight('defer/a', 'a', 1)], () => []);
      await firstBegun.reached;
      parkSecond = second.park(id, ['defer/b'], [inFlight('defer/b', 'b', 2)], () => []);
      await secondBegun.reached;
      firstBegun.release();
      // The first found the second's record and waits for it (it used to be done at once) …
      await Promise.race([deferred.reached, parkFirst]);
      // … which gives up: what it made goes.
      await second.discard(id);
      await parkFirst;
      assert.equal(firstBegan, 2, 'the first parking started again');
      const resumed = await first.take(id);
      assert.deepEqual(
        resumed?.saved.map((d) => d.message.payload.toString()),
        ['a'],
        "the first parking's delivery survives",
      );
    } finally {
      firstBegun.release();
      secondBegun.release();
      // The held second parking finds its consumers gone and parks again; then it is removed.
      await parkSecond?.catch(() => undefined);
      await first.discard(id).catch(() => undefined);
    }
  });

  test('a subscription an administrator adds to an offline session queues from then on', async () => {
    const id = 'admin-adds';
    const { raw } = await rawSession(portA, id, false);
    raw.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'orig/#', qos: 1 }] });
    assert.equal((await raw.next())?.cmd, 'suback');
    const parked = eventMatching(gatewayA, 'sessionParked', (name: string) => name === id);
    raw.send({ cmd: 'disconnect' });
    await parked;
    const refiltered = eventMatching(gatewayA, 'parkedRefiltered', (name: string) => name === id);
    // subscribeToMq as the session-service's ChangeSubscriptions without a connection (administrator).
    await gatewayA.sessions.changeSubscriptions({
      clientName: id,
      add: [
        {
          topicFilter: 'adm/+',
          qos: 1,
          noLocal: false,
          retainAsPublished: false,
          retainHandling: 0,
          subscriptionIdentifier: 0,
        },
      ],
    });
    await refiltered;
    const pub = await mqttClient(portB, { clientId: 'adm-pub', protocolVersion: 5 });
    try {
      const jsm = await nc.jetstreamManager();
      const before = (await jsm.streams.info(queueStream())).state.messages;
      await pub.publishAsync('orig/1', "from the client's own", { qos: 1 });
      await pub.publishAsync('adm/1', 'from the added', { qos: 1 });
      await streamHolds(before + 2);
      const { raw: again } = await rawSession(portB, id, false);
      try {
        const got = (await drainToPing(again)) as IPublishPacket[];
        assert.deepEqual(
          got.map((p) => p.topic),
          ['orig/1', 'adm/1'],
        );
      } finally {
        again.destroy();
      }
    } finally {
      await endClient(pub);
    }
  });

  test('the sweep removes the queue of a session that is gone without its deleted event', async () => {
    for (const id of ['sweep-gone', 'sweep-kept']) {
      const { raw } = await rawSession(portA, id, false);
      raw.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: `${id}/#`, qos: 1 }] });
      assert.equal((await raw.next())?.cmd, 'suback');
      const parked = eventMatching(gatewayA, 'sessionParked', (name: string) => name === id);
      raw.send({ cmd: 'disconnect' });
      await parked;
    }
    // Removed behind the session-service's back: no outbox row, no deleted event.
    const db = new pg.Client({ connectionString: cluster.infra.databaseUrl });
    await db.connect();
    try {
      const { rowCount } = await db.query('DELETE FROM sessions WHERE client_name = $1', ['sweep-gone']);
      assert.equal(rowCount, 1);
    } finally {
      await db.end();
    }
    assert.equal((await consumersOf('sweep-gone')).length, 3);
    const removed = await gatewayA.sweepQueues();
    assert.deepEqual(removed, ['sweep-gone']);
    assert.deepEqual(await consumersOf('sweep-gone'), []);
    assert.equal((await consumersOf('sweep-kept')).length, 3, 'a session that exists keeps its queue');
  });

  test('hundreds of deliveries in flight and waiting for the window are resent in order', async () => {
    const id = 'many-saved';
    const WINDOW = 300;
    const N = 700;
    const { raw } = await rawSession(portA, id, false, {
      sessionExpiryInterval: 3600,
      receiveMaximum: WINDOW,
    });
    raw.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'many/#', qos: 1 }] });
    assert.equal((await raw.next())?.cmd, 'suback');
    const pub = await mqttClient(portB, { clientId: 'many-pub', protocolVersion: 5 });
    try {
      await Promise.all(
        Array.from({ length: N }, (_, i) => pub.publishAsync('many/t', String(i), { qos: 1 })),
      );
      // The window is full: WINDOW deliveries, none acknowledged; the rest wait in the gateway.
      const first: IPublishPacket[] = [];
      while (first.length < WINDOW) first.push((await raw.next()) as IPublishPacket);
      const parked = eventMatching<[string, number]>(gatewayA, 'sessionParked', (name) => name === id);
      raw.destroy();
      // (Messages still crossing NATS at the disconnection are collected while it is parked.)
      const [, saved] = await parked;
      assert.ok(saved >= WINDOW && saved <= N, `saved ${saved}`);
      const { raw: again } = await rawSession(portB, id, false, {
        sessionExpiryInterval: 3600,
        receiveMaximum: 65535,
      });
      try {
        const got: IPublishPacket[] = [];
        while (got.length < N) {
          const p = (await again.next()) as IPublishPacket;
          assert.equal(p.cmd, 'publish');
          got.push(p);
        }
        assert.deepEqual(
          got.map((p) => p.payload.toString()),
          Array.from({ length: N }, (_, i) => String(i)),
        );
        // The first WINDOW were in flight: same packet ids, DUP 1; the others are new deliveries.
        assert.deepEqual(
          got.slice(0, WINDOW).map((p) => [p.messageId, p.dup]),
          first.map((p) => [p.messageId, true]),
        );
        assert.ok(got.slice(WINDOW).every((p) => !p.dup));
        for (const p of got) again.send({ cmd: 'puback', messageId: p.messageId! });
      } finally {
        again.destroy();
      }
    } finally {
      await endClient(pub);
    }
  });
});
