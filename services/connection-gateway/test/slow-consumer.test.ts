// Slow consumers cost bounded memory (docs/mqtt.md "Slow consumers"): real clients that stop
// reading their socket. QoS 0 beyond the outbound budget (MQFLEET_MAX_OUTBOUND_BYTES) is dropped
// and counted while a reading subscriber of the same topic gets everything; QoS 1/2 waits in the
// queue (MQFLEET_MAX_QUEUED_MESSAGES / MQFLEET_MAX_QUEUED_BYTES), then MQFLEET_QUEUE_FULL_POLICY
// applies (drop-oldest, drop-newest, disconnect 0x97), every drop counted exactly; a client that
// reads again gets what was kept, in order; the client's own packets are not read while their
// answers cannot leave, and nothing of them is lost; WebSocket clients are bounded alike.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { Socket } from 'node:net';
import * as mqttPacket from 'mqtt-packet';
import WebSocket from 'ws';
import type { IDisconnectPacket, IPublishPacket } from 'mqtt-packet';
import type { Connection, Gateway } from '../src/index';
import { measure } from '../src/health';
import { until } from '@mqfleet/testkit';
import { rawConnect, type RawClient as Raw5 } from '../../../test/e2e/raw-mqtt';
import { connectPacket, RawClient, startCluster, type Cluster } from './helpers';

const BUDGET = 65_536;

/** A publisher writing pre-encoded PUBLISH packets on a raw socket (MQTT 3.1.1). */
class Publisher {
  private seq = 0;
  private constructor(
    readonly raw: RawClient,
    private readonly topic: string,
  ) {}

  static async open(port: number, clientId: string, topic: string): Promise<Publisher> {
    const raw = await RawClient.open(port, 4);
    raw.send(connectPacket(clientId));
    assert.equal((await raw.next())?.cmd, 'connack');
    return new Publisher(raw, topic);
  }

  get published(): number {
    return this.seq;
  }

  /**
   * Publishes `count` messages of `size` bytes whose first 4 bytes are their sequence number;
   * resolves once the gateway handled them (PINGRESP follows their routing: handlePublish routes
   * synchronously).
   */
  async publish(count: number, size: number, qos: 0 | 1 = 0): Promise<void> {
    const packets: Buffer[] = [];
    for (let i = 0; i < count; i++) {
      const payload = Buffer.alloc(size, 0x61);
      payload.writeUInt32BE(this.seq, 0);
      this.seq++;
      packets.push(
        mqttPacket.generate({
          cmd: 'publish',
          topic: this.topic,
          payload,
          qos,
          dup: false,
          retain: false,
          ...(qos > 0 ? { messageId: (this.seq % 65535) + 1 } : {}),
        }),
      );
    }
    packets.push(mqttPacket.generate({ cmd: 'pingreq' }));
    this.raw.write(Buffer.concat(packets));
    for (;;) {
      const p = await this.raw.next();
      if (!p) throw new Error('publisher closed');
      if (p.cmd === 'pingresp') return;
    }
  }

  close(): void {
    this.raw.destroy();
  }
}

const seqOf = (p: IPublishPacket): number => (p.payload as Buffer).readUInt32BE(0);

/** The gateway's connection of a client (the test runs the gateway in its process). */
function connectionOf(gateway: Gateway, clientName: string): Connection {
  const conn = gateway.byClient.get(clientName);
  assert.ok(conn, `${clientName} is connected`);
  return conn;
}

/** Packets on a raw socket that the test reads only when told to. */
async function readPublishes(client: Raw5, count: number, timeoutMs = 15_000): Promise<IPublishPacket[]> {
  await client.waitFor(() => client.publishes.length >= count, timeoutMs).catch(() => undefined);
  return client.publishes.map((p) => p.packet);
}

describe('slow consumers: bounded memory per connection', () => {
  let cluster: Cluster;

  before(async () => {
    cluster = await startCluster();
  });
  after(async () => {
    await cluster.close();
  });

  test('QoS 0 beyond the outbound budget is dropped and counted; a reading subscriber of the same topic gets every message; the slow one gets the rest in order', async () => {
    const { gateway, port } = await cluster.startGateway({
      MQFLEET_MAX_OUTBOUND_BYTES: String(BUDGET),
      MQFLEET_HEALTH_INTERVAL_MS: '100',
    });
    const slow = await rawConnect(port, { clientId: 'sc-q0-slow' });
    const fast = await rawConnect(port, { clientId: 'sc-q0-fast' });
    const pub = await Publisher.open(port, 'sc-q0-pub', 'sc/q0');
    try {
      await slow.subscribe('sc/q0', 0);
      await fast.subscribe('sc/q0', 0);
      slow.socket.pause();
      const conn = connectionOf(gateway, 'sc-q0-slow');
      assert.equal(measure(conn).health, 'healthy');
      const SIZE = 4096;
      let maxWaiting = 0;
      // Closed loop on the reading subscriber: 8 messages at a time, each batch delivered to it
      // before the next; until the slow one has dropped messages, then 50 batches more.
      let after = -1;
      for (let batch = 0; batch < 5000 && after !== 0; batch++) {
        await pub.publish(8, SIZE);
        await fast.waitFor(() => fast.publishes.length === pub.published);
        maxWaiting = Math.max(maxWaiting, conn.socket.writableLength);
        if (after > 0) after--;
        else if (after < 0 && conn.stats.dropped.outboundBudget > 0) after = 50;
      }
      const dropped = conn.stats.dropped.outboundBudget;
      assert.ok(dropped > 0, 'the slow subscriber dropped messages');
      // Never more than the budget plus the packet that reached it.
      assert.ok(maxWaiting < BUDGET + SIZE + 100, `socket held ${maxWaiting} bytes`);
      assert.deepEqual(
        fast.publishes.map((p) => seqOf(p.packet)),
        Array.from({ length: pub.published }, (_, i) => i),
        'the reading subscriber got every message, in order',
      );

      // Counted in the statistics (describeMqSessions includeStats) and in the health.
      const { stats, health } = measure(conn);
      assert.equal(stats.messagesDropped.outboundBudget, dropped);
      assert.equal(stats.totalMessagesDropped, dropped);
      assert.equal(stats.slowConsumerDropsPerMinute, dropped);
      assert.ok(stats.currentOutboundBytes >= BUDGET, 'the budget is in use');
      assert.equal(health, 'unhealthy');
      assert.equal(measure(connectionOf(gateway, 'sc-q0-fast')).health, 'healthy');

      // Reading again: it gets exactly what was not dropped, in order.
      slow.socket.resume();
      await slow.ping();
      const got = slow.publishes.map((p) => seqOf(p.packet));
      assert.equal(got.length + dropped, pub.published, 'delivered + dropped = published');
      for (let i = 1; i < got.length; i++) assert.ok(got[i]! > got[i - 1]!, 'in order');
      // Below the budget again: nothing more is dropped.
      await pub.publish(8, SIZE);
      await slow.waitFor(() => slow.publishes.length === got.length + 8);
      assert.equal(conn.stats.dropped.outboundBudget, dropped);
    } finally {
      pub.close();
      slow.destroy();
      fast.destroy();
    }
  });

  for (const policy of ['drop-newest', 'drop-oldest'] as const) {
    test(`QoS 1 queue full, ${policy}: counted exactly; acknowledging delivers what was kept, in order`, async () => {
      const { gateway, port } = await cluster.startGateway({
        MQFLEET_MAX_QUEUED_MESSAGES: '10',
        MQFLEET_QUEUE_FULL_POLICY: policy,
      });
      const id = `sc-${policy}`;
      // Reads, but acknowledges nothing: the window (5) fills, then the queue (10).
      const sub = await rawConnect(port, { clientId: id, properties: { receiveMaximum: 5 } });
      const pub = await Publisher.open(port, `${id}-pub`, `sc/${policy}`);
      try {
        await sub.subscribe(`sc/${policy}`, 1);
        await pub.publish(30, 100, 1);
        const conn = connectionOf(gateway, id);
        assert.equal(conn.stats.dropped.queueFull, 15);
        assert.equal(conn.queuedCount, 10);
        assert.equal(measure(conn).stats.currentQueuedMessages, 10);
        assert.equal(measure(conn).health, 'unhealthy');
        const window = await readPublishes(sub, 5);
        assert.deepEqual(window.map(seqOf), [0, 1, 2, 3, 4]);
        sub.ackAll();
        const kept =
          policy === 'drop-newest'
            ? [5, 6, 7, 8, 9, 10, 11, 12, 13, 14]
            : [20, 21, 22, 23, 24, 25, 26, 27, 28, 29];
        for (;;) {
          const before = sub.publishes.length;
          if (before >= 15) break;
          await sub.waitFor(() => sub.publishes.length > before);
          sub.ackAll();
        }
        assert.deepEqual(
          sub.publishes.slice(5).map((p) => seqOf(p.packet)),
          kept,
        );
        await sub.ping();
        assert.equal(sub.publishes.length, 15, 'nothing else arrives');
        assert.equal(conn.stats.dropped.queueFull, 15);
        assert.equal(conn.queuedCount, 0);
        assert.equal(measure(conn).stats.currentQueuedBytes, 0);
      } finally {
        pub.close();
        sub.destroy();
      }
    });
  }

  test('QoS 1 queue bounded in bytes (in flight + queued): MQFLEET_MAX_QUEUED_BYTES', async () => {
    const topic = 'sc/bytes';
    const size = 1000 + topic.length;
    const { gateway, port } = await cluster.startGateway({
      MQFLEET_MAX_QUEUED_BYTES: String(10 * size),
      MQFLEET_QUEUE_FULL_POLICY: 'drop-newest',
    });
    const sub = await rawConnect(port, { clientId: 'sc-bytes', properties: { receiveMaximum: 5 } });
    const pub = await Publisher.open(port, 'sc-bytes-pub', topic);
    try {
      await sub.subscribe(topic, 1);
      await pub.publish(20, 1000, 1);
      const conn = connectionOf(gateway, 'sc-bytes');
      assert.equal(conn.inflightCount, 5);
      assert.equal(conn.queuedCount, 5);
      assert.equal(measure(conn).stats.currentQueuedBytes, 10 * size);
      assert.equal(conn.stats.dropped.queueFull, 10);
      for (;;) {
        sub.ackAll();
        const before = sub.publishes.length;
        if (before >= 10) break;
        await sub.waitFor(() => sub.publishes.length > before);
      }
      assert.deepEqual(
        sub.publishes.map((p) => seqOf(p.packet)),
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      );
    } finally {
      pub.close();
      sub.destroy();
    }
  });

  test('messages held while a session is being opened are bounded like the queue, by its policy (drops counted); only matching ones are held', async () => {
    const topic = 'sc/held';
    for (const [policy, kept] of [
      ['drop-newest', [0, 1, 2, 3]],
      ['drop-oldest', [4, 5, 6, 7]],
    ] as const) {
      const { gateway, port } = await cluster.startGateway({
        MQFLEET_MAX_QUEUED_MESSAGES: '5',
        MQFLEET_MAX_QUEUED_BYTES: String(4 * (1000 + topic.length) + 50),
        MQFLEET_QUEUE_FULL_POLICY: policy,
      });
      const sub = await rawConnect(port, { clientId: `sc-held-${policy}`, autoAck: true });
      const pub = await Publisher.open(port, `sc-held-pub-${policy}`, topic);
      const other = await Publisher.open(port, `sc-held-other-${policy}`, 'sc/elsewhere');
      try {
        await sub.subscribe(topic, 1);
        const conn = connectionOf(gateway, `sc-held-${policy}`);
        // What packets/connect.ts does between OpenSession and CONNACK: offers are held back …
        conn.holdDeliveries();
        await other.publish(20, 1000, 1);
        await pub.publish(8, 1000, 1);
        // … at most 5 messages and 4 × 1007 bytes: 4 kept, 4 dropped (the policy says which);
        // the other topic is not held.
        assert.equal(conn.stats.dropped.queueFull, 4, policy);
        // … then restore() delivers what was held.
        conn.restore(undefined);
        const got = await readPublishes(sub, 4);
        await sub.ping();
        assert.deepEqual(got.map(seqOf), kept, policy);
        assert.equal(sub.publishes.length, 4, policy);
      } finally {
        pub.close();
        other.close();
        sub.destroy();
      }
    }
  });

  test('QoS 1 queue full, disconnect: DISCONNECT 0x97 (MQTT 3.1.1: closed), the dropped message counted, the will published', async () => {
    const { gateway, port } = await cluster.startGateway({
      MQFLEET_MAX_QUEUED_MESSAGES: '10',
      MQFLEET_QUEUE_FULL_POLICY: 'disconnect',
    });
    const watcher = await rawConnect(port, { clientId: 'sc-disc-watcher' });
    await watcher.subscribe('sc/will/#', 0);
    const pub = await Publisher.open(port, 'sc-disc-pub', 'sc/disc');
    try {
      // MQTT 5, reading but not acknowledging: 5 in flight, 10 queued, the 16th is one too many.
      const sub = await rawConnect(port, { clientId: 'sc-disc-5', properties: { receiveMaximum: 5 } });
      sub.send({
        cmd: 'subscribe',
        messageId: 7,
        subscriptions: [{ topic: 'sc/disc', qos: 1 }],
      });
      await sub.waitFor((p) => p.cmd === 'suback');
      const conn = connectionOf(gateway, 'sc-disc-5');
      const quota = once(gateway, 'quotaExceeded');
      await pub.publish(15, 100, 1);
      assert.equal(conn.stats.dropped.queueFull, 0);
      assert.equal(conn.ending, false);
      await pub.publish(1, 100, 1);
      const [clientName, queued, inflight] = (await quota) as [string, number, number];
      assert.deepEqual([clientName, queued, inflight], ['sc-disc-5', 10, 5]);
      assert.equal(conn.stats.dropped.queueFull, 1);
      const disconnect = await sub.waitFor<IDisconnectPacket>((p) => p.cmd === 'disconnect');
      assert.equal(disconnect.reasonCode, 0x97);
      assert.deepEqual(
        sub.publishes.map((p) => seqOf(p.packet)),
        [0, 1, 2, 3, 4],
      );

      // MQTT 3.1.1 (no Receive Maximum: the socket budget holds the window instead; a client that
      // does not read): closed without DISCONNECT; its will is published.
      const old = await RawClient.open(port, 4);
      old.send(
        connectPacket('sc-disc-4', {
          will: { topic: 'sc/will/4', payload: Buffer.from('gone'), qos: 0, retain: false },
        }),
      );
      assert.equal((await old.next())?.cmd, 'connack');
      old.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'sc/disc', qos: 1 }] });
      assert.equal((await old.next())?.cmd, 'suback');
      old.socket.pause();
      const oldConn = connectionOf(gateway, 'sc-disc-4');
      const ended = once(gateway, 'quotaExceeded');
      // 16 KiB messages, one at a time, until the queue behind the budget overflows.
      while (!oldConn.ending) await pub.publish(1, 16_384, 1);
      await ended;
      assert.equal(oldConn.stats.dropped.queueFull, 1);
      await watcher.waitFor((p) => p.cmd === 'publish' && p.topic === 'sc/will/4', 10_000);
      old.socket.resume();
      await old.waitClosed(10_000);
      assert.ok(
        !old.packets.some((p) => p.cmd === 'disconnect'),
        'MQTT 3.1.1 has no DISCONNECT from the server',
      );
    } finally {
      pub.close();
      watcher.destroy();
    }
  });

  test('QoS 1 to a client that does not read: PUBLISH waits for the budget (nothing beyond it in the socket), the queue is bounded; reading again delivers what was kept, in order', async () => {
    const { gateway, port } = await cluster.startGateway({
      MQFLEET_MAX_OUTBOUND_BYTES: String(BUDGET),
      MQFLEET_MAX_QUEUED_MESSAGES: '50',
      MQFLEET_MAX_QUEUED_BYTES: String(2 ** 30),
    });
    const sub = await rawConnect(port, { clientId: 'sc-q1-slow', autoAck: true });
    const pub = await Publisher.open(port, 'sc-q1-pub', 'sc/q1');
    try {
      await sub.subscribe('sc/q1', 1);
      sub.socket.pause();
      const conn = connectionOf(gateway, 'sc-q1-slow');
      const SIZE = 8192;
      let maxWaiting = 0;
      let after = -1;
      for (let batch = 0; batch < 5000 && after !== 0; batch++) {
        await pub.publish(8, SIZE, 1);
        maxWaiting = Math.max(maxWaiting, conn.socket.writableLength);
        assert.ok(conn.queuedCount <= 50);
        if (after > 0) after--;
        else if (after < 0 && conn.stats.dropped.queueFull > 0) after = 10;
      }
      const dropped = conn.stats.dropped.queueFull;
      assert.ok(dropped > 0);
      assert.equal(conn.queuedCount, 50);
      assert.ok(maxWaiting < BUDGET + SIZE + 100, `socket held ${maxWaiting} bytes`);
      const expected = pub.published - dropped;
      sub.socket.resume();
      const got = (await readPublishes(sub, expected)).map(seqOf);
      assert.equal(got.length, expected, 'delivered + dropped = published');
      for (let i = 1; i < got.length; i++) assert.ok(got[i]! > got[i - 1]!, 'in order');
      // drop-oldest (default): the newest 50 were kept.
      assert.deepEqual(
        got.slice(-50),
        Array.from({ length: 50 }, (_, i) => pub.published - 50 + i),
      );
      await sub.ping();
      assert.equal(sub.publishes.length, expected);
    } finally {
      pub.close();
      sub.destroy();
    }
  });

  test('a client that sends but does not read: its packets wait in its socket until their answers can leave; none is lost', async () => {
    const { gateway, port } = await cluster.startGateway({ MQFLEET_MAX_OUTBOUND_BYTES: String(BUDGET) });
    const client = await rawConnect(port, { clientId: 'sc-pinger' });
    const pub = await Publisher.open(port, 'sc-pinger-pub', 'sc/pinger');
    try {
      await client.subscribe('sc/pinger', 0);
      client.socket.pause();
      const conn = connectionOf(gateway, 'sc-pinger');
      // Fill its budget with deliveries.
      while (conn.stats.dropped.outboundBudget === 0) await pub.publish(8, 16_384);
      const delivered = () => client.publishes.length;
      const dropped = conn.stats.dropped.outboundBudget;
      // 512 KiB of PINGREQ: as many PINGRESP bytes owed.
      const PINGS = 256 * 1024;
      const chunk = Buffer.alloc(65_536);
      for (let i = 0; i < chunk.length; i += 2) chunk.writeUInt16BE(0xc000, i);
      let written = 0;
      while (written < PINGS) {
        if (!client.socket.write(chunk)) await once(client.socket, 'drain').catch(() => undefined);
        written += chunk.length / 2;
        // Never more than the budget, the packet that reached it and one read of answers.
        assert.ok(conn.socket.writableLength < BUDGET + 16_384 + 65_536, `${conn.socket.writableLength}`);
        if (client.socket.writableLength > 1024 * 1024) break; // the gateway stopped reading
      }
      // (No event says so: the gateway reads the PINGREQs on its own turns of the event loop.)
      await until(() => conn.socket.isPaused());
      assert.ok(conn.socket.writableLength < BUDGET + 16_384 + 65_536);
      // Reading again: every PINGREQ written is answered.
      // Counted as they come (waitFor also passes the packets that came before, once each).
      let pongs = 0;
      client.socket.resume();
      await client.waitFor((p) => (p.cmd === 'pingresp' ? ++pongs : pongs) === written, 30_000);
      await client.ping();
      assert.equal(pongs, written);
      assert.equal(client.packets.filter((p) => p.cmd === 'pingresp').length, written + 1, 'no answer more');
      assert.equal(delivered() + dropped, pub.published);
      assert.equal(conn.ending, false, 'still connected');
    } finally {
      pub.close();
      client.destroy();
    }
  });

  test('shared subscription: a member that does not read is passed over while its budget is used up; nothing is dropped', async () => {
    const { gateway, port } = await cluster.startGateway({ MQFLEET_MAX_OUTBOUND_BYTES: String(BUDGET) });
    const slow = await rawConnect(port, { clientId: 'sc-share-slow' });
    const fast = await rawConnect(port, { clientId: 'sc-share-fast' });
    const pub = await Publisher.open(port, 'sc-share-pub', 'sc/share');
    try {
      await slow.subscribe('$share/g/sc/share', 0);
      await fast.subscribe('$share/g/sc/share', 0);
      slow.socket.pause();
      const conn = connectionOf(gateway, 'sc-share-slow');
      // Until the slow member's socket holds its budget, then 20 batches more.
      let after = -1;
      for (let batch = 0; batch < 5000 && after !== 0; batch++) {
        await pub.publish(8, 16_384);
        if (after > 0) after--;
        else if (after < 0 && conn.socket.writableLength >= BUDGET) after = 20;
      }
      assert.equal(after, 0, 'the slow member used up its budget');
      // Shared subscriptions' messages come back through NATS: wait until the gateway wrote them all.
      const fastConn = connectionOf(gateway, 'sc-share-fast');
      await until(() => conn.stats.received.total + fastConn.stats.received.total === pub.published);
      await fast.ping();
      assert.equal(conn.stats.dropped.outboundBudget, 0, 'the slow member dropped nothing');
      assert.equal(gateway.sharedDropped, 0);
      slow.socket.resume();
      await slow.ping();
      // Every message went to exactly one member.
      const seqs = [...slow.publishes, ...fast.publishes].map((p) => seqOf(p.packet)).sort((a, b) => a - b);
      assert.deepEqual(
        seqs,
        Array.from({ length: pub.published }, (_, i) => i),
      );
      assert.ok(fast.publishes.length > slow.publishes.length);
    } finally {
      pub.close();
      slow.destroy();
      fast.destroy();
    }
  });

  test('WebSocket: a subscriber that does not read is held to the budget like TCP', async () => {
    const { gateway, ports } = await cluster.startGateway({
      MQFLEET_LISTENERS: 'mqtt,ws',
      MQFLEET_MAX_OUTBOUND_BYTES: String(BUDGET),
    });
    const pub = await Publisher.open(ports.mqtt!, 'sc-ws-pub', 'sc/ws');
    const ws = new WebSocket(`ws://127.0.0.1:${ports.ws!}/mqtt`, 'mqtt');
    await once(ws, 'open');
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    const received: IPublishPacket[] = [];
    const packet = (cmd: string): Promise<void> =>
      new Promise((resolve) => parser.on('packet', (p: mqttPacket.Packet) => p.cmd === cmd && resolve()));
    parser.on('packet', (p: mqttPacket.Packet) => {
      if (p.cmd === 'publish') received.push(p);
    });
    ws.on('message', (data: Buffer) => parser.parse(data));
    try {
      const subscribed = packet('suback');
      ws.send(mqttPacket.generate(connectPacket('sc-ws')));
      ws.send(
        mqttPacket.generate({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'sc/ws', qos: 0 }] }),
      );
      await subscribed;
      const tcp = (ws as unknown as { _socket: Socket })._socket;
      tcp.pause();
      const conn = connectionOf(gateway, 'sc-ws');
      let maxWaiting = 0;
      let after = -1;
      for (let batch = 0; batch < 5000 && after !== 0; batch++) {
        await pub.publish(8, 16_384);
        maxWaiting = Math.max(maxWaiting, conn.socket.writableLength);
        if (after > 0) after--;
        else if (after < 0 && conn.stats.dropped.outboundBudget > 0) after = 20;
      }
      const dropped = conn.stats.dropped.outboundBudget;
      assert.ok(dropped > 0);
      assert.ok(maxWaiting < BUDGET + 16_384 + 100, `stream held ${maxWaiting} bytes`);
      tcp.resume();
      const ping = packet('pingresp');
      ws.send(mqttPacket.generate({ cmd: 'pingreq' }));
      await ping;
      assert.equal(received.length + dropped, pub.published);
    } finally {
      pub.close();
      ws.terminate();
    }
  });
});
