// A connection's packets take effect in the order they arrive (docs/mqtt.md, "Packet order"): a
// SUBSCRIBE is in force for every PUBLISH the gateway reads after it, on any connection, and on
// every gateway for a PUBLISH read after its SUBACK; an UNSUBSCRIBE stops deliveries at once; an
// administrator's subscribeToMq is in force when its reply says so. Each case runs 20 times and
// counts what was delivered (Mosquitto: 20 of 20 in each).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IPublishPacket, ISubackPacket, Packet } from 'mqtt-packet';
import { rawConnect, type RawClient } from './raw-mqtt';
import { endClient, messageMatching, recordMessages, startSystem, type System } from './system';

const ROUNDS = 20;

describe('packets take effect in arrival order', () => {
  let system: System;
  let token: string;
  const raws: RawClient[] = [];

  before(async () => {
    system = await startSystem({ gateways: 2 });
    token = await system.login();
  });
  after(async () => {
    for (const raw of raws) raw.destroy();
    await system.close();
  });

  const raw = async (clientId: string, gateway: number): Promise<RawClient> => {
    const client = await rawConnect(system.gateways[gateway]!.port, { clientId, autoAck: true });
    raws.push(client);
    return client;
  };

  const publishOn = (packets: Packet[], topic: string): IPublishPacket | undefined =>
    packets.find((p): p is IPublishPacket => p.cmd === 'publish' && p.topic === topic);

  test('SUBSCRIBE then PUBLISH on one connection, without waiting for the SUBACK: delivered back', async () => {
    const client = await raw('order-self', 0);
    let delivered = 0;
    for (let i = 1; i <= ROUNDS; i++) {
      const topic = `order/self/${i}`;
      // Both packets in one write: the gateway reads the PUBLISH right after the SUBSCRIBE.
      client.socket.cork();
      client.send({ cmd: 'subscribe', messageId: i, subscriptions: [{ topic, qos: 1 }] });
      client.send({
        cmd: 'publish',
        topic,
        payload: Buffer.from(`m${i}`),
        qos: 1,
        messageId: i,
        dup: false,
        retain: false,
      });
      client.socket.uncork();
      await client.waitFor((p) => p.cmd === 'puback' && p.messageId === i);
      await client.ping(); // everything the gateway sent before the PINGRESP has arrived
      if (publishOn(client.packets, topic)) delivered++;
    }
    assert.equal(delivered, ROUNDS, `delivered ${delivered} of ${ROUNDS}`);
  });

  test('SUBSCRIBE on one connection, PUBLISH on another of the same gateway right after: delivered', async () => {
    const subscriber = await raw('order-b', 0);
    const publisher = await raw('order-a', 0);
    let delivered = 0;
    for (let i = 1; i <= ROUNDS; i++) {
      const topic = `order/cross/${i}`;
      // The PINGRESP proves the gateway has read the SUBSCRIBE (sent before the PINGREQ); the
      // SUBACK may still be on its way.
      subscriber.send({ cmd: 'subscribe', messageId: i, subscriptions: [{ topic, qos: 1 }] });
      await subscriber.ping();
      publisher.send({
        cmd: 'publish',
        topic,
        payload: Buffer.from(`m${i}`),
        qos: 1,
        messageId: i,
        dup: false,
        retain: false,
      });
      await publisher.waitFor((p) => p.cmd === 'puback' && p.messageId === i);
      await subscriber.ping();
      if (publishOn(subscriber.packets, topic)) delivered++;
    }
    assert.equal(delivered, ROUNDS, `delivered ${delivered} of ${ROUNDS}`);
  });

  test('a PUBLISH on another gateway right after the SUBACK is delivered', async () => {
    const subscriber = await raw('order-remote-sub', 1);
    const publisher = await raw('order-remote-pub', 0);
    let delivered = 0;
    for (let i = 1; i <= ROUNDS; i++) {
      const topic = `order/remote/${i}`;
      assert.deepEqual(await subscriber.subscribe(topic, 1), [1]);
      publisher.send({
        cmd: 'publish',
        topic,
        payload: Buffer.from(`m${i}`),
        qos: 1,
        messageId: i,
        dup: false,
        retain: false,
      });
      try {
        await subscriber.waitFor((p) => p.cmd === 'publish' && p.topic === topic, 3000);
        delivered++;
      } catch {
        // counted as lost
      }
    }
    assert.equal(delivered, ROUNDS, `delivered ${delivered} of ${ROUNDS}`);
  });

  test('request/response: subscribe to my response topic, publish my request, get every response', async () => {
    const responder = await system.mqtt('order-responder', { protocolVersion: 5 }, 1);
    await responder.subscribeAsync('order/requests', { qos: 1 });
    responder.on('message', (_topic, payload, packet) => {
      const responseTopic = packet.properties?.responseTopic;
      if (responseTopic) void responder.publishAsync(responseTopic, payload, { qos: 1 });
    });
    const requester = await raw('order-requester', 0);
    let answered = 0;
    for (let i = 1; i <= ROUNDS; i++) {
      const responseTopic = `order/responses/${i}`;
      requester.socket.cork();
      requester.send({ cmd: 'subscribe', messageId: i, subscriptions: [{ topic: responseTopic, qos: 1 }] });
      requester.send({
        cmd: 'publish',
        topic: 'order/requests',
        payload: Buffer.from(`request ${i}`),
        qos: 1,
        messageId: i,
        dup: false,
        retain: false,
        properties: { responseTopic },
      });
      requester.socket.uncork();
      try {
        await requester.waitFor((p) => p.cmd === 'publish' && p.topic === responseTopic, 3000);
        answered++;
      } catch {
        // lost
      }
    }
    await endClient(responder);
    assert.equal(answered, ROUNDS, `answered ${answered} of ${ROUNDS}`);
  });

  test('UNSUBSCRIBE then PUBLISH: no delivery, and a later packet still works', async () => {
    const client = await raw('order-unsub', 0);
    assert.deepEqual(await client.subscribe('order/unsub/#', 1), [1]);
    assert.deepEqual(await client.subscribe('order/marker', 1), [1]);
    client.socket.cork();
    client.send({ cmd: 'unsubscribe', messageId: 100, unsubscriptions: ['order/unsub/#'] });
    client.send({
      cmd: 'publish',
      topic: 'order/unsub/x',
      payload: Buffer.from('gone'),
      qos: 1,
      messageId: 101,
      dup: false,
      retain: false,
    });
    client.send({
      cmd: 'publish',
      topic: 'order/marker',
      payload: Buffer.from('end'),
      qos: 1,
      messageId: 102,
      dup: false,
      retain: false,
    });
    client.socket.uncork();
    await client.waitFor((p) => p.cmd === 'publish' && p.topic === 'order/marker');
    await client.waitFor((p) => p.cmd === 'puback' && p.messageId === 102);
    assert.equal(publishOn(client.packets, 'order/unsub/x'), undefined);
    // The acknowledgements keep the packet order: UNSUBACK, PUBACK 101, PUBACK 102.
    const acks = client.packets
      .filter((p) => p.cmd === 'unsuback' || p.cmd === 'puback')
      .map((p) => `${p.cmd}:${(p as { messageId?: number }).messageId}`);
    assert.deepEqual(acks.slice(-3), ['unsuback:100', 'puback:101', 'puback:102']);
  });

  test('SUBACKs and PUBACKs come back in packet order', async () => {
    const client = await raw('order-acks', 0);
    client.socket.cork();
    for (let i = 1; i <= 30; i++) {
      if (i % 3 === 0)
        client.send({
          cmd: 'subscribe',
          messageId: i,
          subscriptions: [{ topic: `order/acks/${i}`, qos: 1 }],
        });
      else
        client.send({
          cmd: 'publish',
          topic: `order/acks/${i - 1}`,
          payload: Buffer.from('x'),
          qos: 1,
          messageId: i,
          dup: false,
          retain: false,
        });
    }
    client.socket.uncork();
    await client.waitFor((p) => (p.cmd === 'suback' || p.cmd === 'puback') && p.messageId === 30);
    const order = client.packets
      .filter((p): p is ISubackPacket => p.cmd === 'suback' || p.cmd === 'puback')
      .map((p) => p.messageId);
    assert.deepEqual(
      order,
      Array.from({ length: 30 }, (_, i) => i + 1),
    );
  });

  test('a publisher with more QoS 1 in flight than the Receive Maximum (MQTT.js does not count it) is slowed, not disconnected', async () => {
    const subscriber = await system.mqtt('order-burst-sub', {}, 1);
    await subscriber.subscribeAsync('order/burst', { qos: 1 });
    const received = recordMessages(subscriber);
    const publisher = await system.mqtt('order-burst-pub', { protocolVersion: 5 }, 0);
    let disconnected = false;
    publisher.on('packetreceive', (p) => (disconnected ||= p.cmd === 'disconnect'));
    // 1,000 at once: the gateway announces Receive Maximum 100 and waits for the bus before each PUBACK.
    await Promise.all(
      Array.from({ length: 1000 }, (_, i) => publisher.publishAsync('order/burst', String(i), { qos: 1 })),
    );
    assert.equal(disconnected, false);
    const marker = messageMatching(subscriber, (m) => m.payload.toString() === 'end');
    await publisher.publishAsync('order/burst', 'end', { qos: 1 });
    await marker;
    const numbers = received.map((m) => Number(m.payload.toString())).filter((n) => Number.isInteger(n));
    assert.equal(new Set(numbers).size, 1000);
    // In the order they were published [MQTT-4.6.0-5 (ordered topic)].
    assert.deepEqual(
      numbers,
      [...numbers].sort((a, b) => a - b),
    );
  });

  test('subscribeToMq: in force on the live connection when the reply says liveApplied', async () => {
    const device = await system.mqtt('order-admin-device', { properties: { sessionExpiryInterval: 300 } }, 0);
    const publisher = await system.mqtt('order-admin-pub', {}, 1);
    await device.subscribeAsync('order/admin/marker', { qos: 1 });
    const received = recordMessages(device);
    let delivered = 0;
    for (let i = 1; i <= ROUNDS; i++) {
      const topicFilter = `order/admin/${i}`;
      const added = await system.api(
        'subscribeToMq',
        {
          clientName: 'order-admin-device',
          subscriptionActions: [{ subscriptionAction: 'add', topicFilter, qos: 1 }],
        },
        { authToken: token },
      );
      assert.equal(added.body.result?.liveApplied, true, JSON.stringify(added.body));
      const marker = messageMatching(
        device,
        (m) => m.topic === 'order/admin/marker' && m.payload.toString() === String(i),
      );
      await publisher.publishAsync(topicFilter, `m${i}`, { qos: 1 });
      await publisher.publishAsync('order/admin/marker', String(i), { qos: 1 });
      await marker;
      if (received.some((m) => m.topic === topicFilter)) delivered++;
    }
    assert.equal(delivered, ROUNDS, `delivered ${delivered} of ${ROUNDS}`);

    const removed = await system.api(
      'subscribeToMq',
      {
        clientName: 'order-admin-device',
        subscriptionActions: [{ subscriptionAction: 'remove', topicFilter: 'order/admin/1' }],
      },
      { authToken: token },
    );
    assert.equal(removed.body.result?.liveApplied, true, JSON.stringify(removed.body));
    const marker = messageMatching(
      device,
      (m) => m.topic === 'order/admin/marker' && m.payload.toString() === 'end',
    );
    await publisher.publishAsync('order/admin/1', 'after remove', { qos: 1 });
    await publisher.publishAsync('order/admin/marker', 'end', { qos: 1 });
    await marker;
    assert.equal(received.filter((m) => m.topic === 'order/admin/1').length, 1);
  });
});
