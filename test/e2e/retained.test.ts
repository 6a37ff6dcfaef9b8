// Retained messages, stored in JetStream [MQTT-3.3.1-5..13]: set on one gateway, read by a new
// subscriber on the other; replace, delete, Retain Handling, wildcards, "$" topics, a retained
// will, and the Mosquitto command-line clients. "Nothing arrived" is proven by a later control
// message: retained messages of one filter come in stream order, and the subscriptions of one
// client are handled in packet order, so a control message that arrives first proves the absence.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { IClientPublishOptions, MqttClient } from 'mqtt';
import { until } from '@mqfleet/testkit';
import { endClient, messageMatching, recordMessages, startSystem, type System } from './system';

const run = promisify(execFile);

function publishRetained(
  client: MqttClient,
  topic: string,
  payload: string,
  options: IClientPublishOptions = {},
): Promise<unknown> {
  return client.publishAsync(topic, payload, { qos: 1, retain: true, ...options });
}

describe('retained messages (two gateways)', () => {
  let system: System;
  let publisher: MqttClient;
  let clients = 0;

  /** A fresh MQTT 5 client on the given gateway. */
  const fresh = (gateway: number, options = {}): Promise<MqttClient> =>
    system.mqtt(`ret-${clients++}`, options, gateway);

  before(async () => {
    system = await startSystem({ gateways: 2 });
    publisher = await system.mqtt('ret-publisher', {}, 0);
  });
  after(async () => {
    await system?.close();
  });

  it('set on gateway 0, a new subscriber on gateway 1 gets it with RETAIN 1; replaced; deleted', async () => {
    await publishRetained(publisher, 'r1/temp', 'v1', { properties: { contentType: 'text/plain' } });
    const a = await fresh(1);
    const first = messageMatching(a, (m) => m.topic === 'r1/temp');
    await a.subscribeAsync('r1/temp', { qos: 1 });
    const m1 = await first;
    assert.equal(m1.payload.toString(), 'v1');
    assert.equal(m1.packet.retain, true);
    assert.equal(m1.packet.qos, 1);
    assert.equal(m1.packet.properties?.contentType, 'text/plain');

    // Replace: the next subscriber gets only the new one.
    await publishRetained(publisher, 'r1/temp', 'v2');
    const b = await fresh(1);
    const got = recordMessages(b);
    await publishRetained(publisher, 'r1/zz-control', 'control-1');
    await b.subscribeAsync('r1/#', { qos: 1 });
    await until(() => got.some((m) => m.topic === 'r1/zz-control'));
    assert.deepEqual(
      got.filter((m) => m.topic === 'r1/temp').map((m) => m.payload.toString()),
      ['v2'],
    );

    // Delete with an empty payload; a later retained control message proves nothing is left.
    await publishRetained(publisher, 'r1/temp', '');
    await publishRetained(publisher, 'r1/zz-control', 'control-2');
    const c = await fresh(1);
    const seen = recordMessages(c);
    await c.subscribeAsync('r1/#', { qos: 1 });
    await until(() => seen.some((m) => m.topic === 'r1/zz-control'));
    assert.deepEqual(
      seen.map((m) => [m.topic, m.payload.toString(), m.packet.retain]),
      [['r1/zz-control', 'control-2', true]],
    );
    await Promise.all([a, b, c].map(endClient));
  });

  it('a retained message keeps its properties and the rest of its Message Expiry Interval', async () => {
    await publishRetained(publisher, 'exp/t', 'ttl', {
      properties: { messageExpiryInterval: 3600, userProperties: { k: 'v' }, responseTopic: 'exp/reply' },
    });
    const client = await fresh(1);
    const arrival = messageMatching(client, (m) => m.topic === 'exp/t');
    await client.subscribeAsync('exp/t', { qos: 1 });
    const m = await arrival;
    const mei = m.packet.properties?.messageExpiryInterval ?? 0;
    assert.ok(mei > 3500 && mei <= 3600, String(mei));
    assert.deepEqual({ ...m.packet.properties?.userProperties }, { k: 'v' });
    assert.equal(m.packet.properties?.responseTopic, 'exp/reply');
    await endClient(client);
  });

  it('live deliveries keep RETAIN only for Retain As Published subscriptions', async () => {
    const rap = await fresh(1);
    const plain = await fresh(1);
    await rap.subscribeAsync('rap/t', { qos: 1, rap: true, rh: 2 });
    await plain.subscribeAsync('rap/t', { qos: 1, rh: 2 });
    const r1 = messageMatching(rap, (m) => m.topic === 'rap/t');
    const r2 = messageMatching(plain, (m) => m.topic === 'rap/t');
    await publishRetained(publisher, 'rap/t', 'live');
    assert.equal((await r1).packet.retain, true);
    assert.equal((await r2).packet.retain, false);
    await Promise.all([rap, plain].map(endClient));
  });

  it('Retain Handling 0, 1 and 2', async () => {
    await publishRetained(publisher, 'rh/t', 'kept');
    await publishRetained(publisher, 'rh-control', 'ctl');
    /** Subscribes with the handling, then to the control topic; true if rh/t arrived first. */
    const retainedOnSubscribe = async (client: MqttClient, rh: 0 | 1 | 2): Promise<boolean> => {
      const seen = recordMessages(client);
      await client.subscribeAsync('rh/t', { qos: 1, rh });
      await client.subscribeAsync('rh-control', { qos: 1, rh: 0 });
      await until(() => seen.some((m) => m.topic === 'rh-control'));
      client.removeAllListeners('message');
      return seen.some((m) => m.topic === 'rh/t' && m.packet.retain);
    };
    const zero = await fresh(1);
    assert.equal(await retainedOnSubscribe(zero, 0), true);
    assert.equal(await retainedOnSubscribe(zero, 0), true); // at every subscribe
    const one = await fresh(0);
    assert.equal(await retainedOnSubscribe(one, 1), true);
    assert.equal(await retainedOnSubscribe(one, 1), false); // the subscription existed
    const two = await fresh(1);
    assert.equal(await retainedOnSubscribe(two, 2), false);
    // MQTT 3.1.1 always gets them.
    const v4 = await fresh(1, { protocolVersion: 4 });
    assert.equal(await retainedOnSubscribe(v4, 0), true);
    assert.equal(await retainedOnSubscribe(v4, 0), true);
    await Promise.all([zero, one, two, v4].map(endClient));
  });

  it('a wildcard subscription gets every matching retained message, at the granted QoS', async () => {
    await publishRetained(publisher, 'w', 'parent');
    await publishRetained(publisher, 'w/a', 'a');
    await publishRetained(publisher, 'w/b/c', 'c', { qos: 0 });
    await publishRetained(publisher, 'wx/no', 'no');
    const client = await fresh(1);
    const seen = recordMessages(client);
    await client.subscribeAsync('w/#', { qos: 0 });
    await until(() => seen.length >= 3);
    assert.deepEqual(seen.map((m) => m.topic).sort(), ['w', 'w/a', 'w/b/c']);
    assert.ok(seen.every((m) => m.packet.retain && m.packet.qos === 0));
    const plus = await fresh(0);
    const seenPlus = recordMessages(plus);
    await plus.subscribeAsync('+/a', { qos: 1 });
    await until(() => seenPlus.length >= 1);
    assert.deepEqual(
      seenPlus.map((m) => [m.topic, m.packet.qos]),
      [['w/a', 1]],
    );
    await Promise.all([client, plus].map(endClient));
  });

  it('a retained "$SYS/x" is not delivered to "#", but to "$SYS/#"', async () => {
    await publishRetained(publisher, '$SYS/x', 'sys');
    await publishRetained(publisher, 'zz-sys-control', 'ctl');
    const all = await fresh(1);
    const seen = recordMessages(all);
    await all.subscribeAsync('#', { qos: 1 });
    await all.subscribeAsync('zz-sys-control', { qos: 1, rh: 0 });
    // The second SUBSCRIBE's retained message follows every retained message of "#".
    await until(() => seen.filter((m) => m.topic === 'zz-sys-control').length >= 2);
    assert.ok(!seen.some((m) => m.topic.startsWith('$')), JSON.stringify(seen.map((m) => m.topic)));
    const sys = await fresh(1);
    const arrival = messageMatching(sys, (m) => m.topic === '$SYS/x');
    await sys.subscribeAsync('$SYS/#', { qos: 1 });
    assert.equal((await arrival).payload.toString(), 'sys');
    await Promise.all([all, sys].map(endClient));
  });

  it('a will with Will Retain 1 is stored as the retained message', async () => {
    const device = await fresh(0, {
      will: { topic: 'will/ret', payload: Buffer.from('gone'), qos: 1, retain: true },
    });
    const watcher = await fresh(1);
    await watcher.subscribeAsync('will/ret', { qos: 1 });
    const live = messageMatching(watcher, (m) => m.topic === 'will/ret');
    device.stream.destroy(); // not a clean DISCONNECT: the will is published
    const m = await live;
    assert.equal(m.packet.retain, false);
    // The store may complete just after the live delivery: new subscribers until it is there.
    const stored = await until(async () => {
      const client = await fresh(1);
      try {
        const arrival = messageMatching(client, (x) => x.topic === 'will/ret', 1000);
        await client.subscribeAsync('will/ret', { qos: 1 });
        return await arrival.catch(() => undefined);
      } finally {
        await endClient(client);
      }
    });
    assert.equal(stored.payload.toString(), 'gone');
    assert.equal(stored.packet.retain, true);
    await endClient(watcher);
  });

  it('subscribeToMq add on a live connection sends retained messages per receiveRetainedMessages', async () => {
    const token = await system.login();
    await publishRetained(publisher, 'adm/a', 'for-admin');
    await publishRetained(publisher, 'adm-control', 'ctl');
    const device = await system.mqtt('ret-admin-device', {}, 1);
    const seen = recordMessages(device);
    const add = async (topicFilter: string, receiveRetainedMessages: string): Promise<void> => {
      const res = await system.api(
        'subscribeToMq',
        {
          clientName: 'ret-admin-device',
          subscriptionActions: [{ subscriptionAction: 'add', topicFilter, qos: 1, receiveRetainedMessages }],
        },
        { authToken: token },
      );
      assert.equal(res.body.errorCode, 0, JSON.stringify(res.body));
      assert.equal(res.body.result.liveApplied, true);
    };
    await add('adm/#', 'never');
    await add('adm-control', 'onSubscription');
    await until(() => seen.some((m) => m.topic === 'adm-control'));
    assert.ok(!seen.some((m) => m.topic === 'adm/a'));
    await add('adm/+', 'onNewSubscription');
    await until(() => seen.some((m) => m.topic === 'adm/a'));
    const m = seen.find((x) => x.topic === 'adm/a')!;
    assert.equal(m.payload.toString(), 'for-admin');
    assert.equal(m.packet.retain, true);
    await endClient(device);
  });

  it('mosquitto_pub -r, then mosquitto_sub -C 1 gets it', async () => {
    const port = String(system.gateways[0]!.port);
    await run(
      'mosquitto_pub',
      [
        '-h',
        '127.0.0.1',
        '-p',
        port,
        '-i',
        'ret-mpub',
        '-q',
        '1',
        '-r',
        '-t',
        'mq/ret',
        '-m',
        'from-mosquitto',
      ],
      { timeout: 10000 },
    );
    const port1 = String(system.gateways[1]!.port);
    const { stdout } = await run(
      'mosquitto_sub',
      ['-h', '127.0.0.1', '-p', port1, '-i', 'ret-msub', '-t', 'mq/ret', '-C', '1', '-v', '-W', '10'],
      { timeout: 15000 },
    );
    assert.equal(stdout.trim(), 'mq/ret from-mosquitto');
  });
});
