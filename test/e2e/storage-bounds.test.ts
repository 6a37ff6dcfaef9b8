// Bounded storage (docs/configuration.md, "Storage bounds"), end to end: a full retained store
// refuses new topics with MQTT 5 0x97 Quota exceeded and a log line; streams that exist are brought
// to the configured limits when a session-service starts, and a limit JetStream cannot give stops
// the start with a message that says what to do; a session's expiry is bounded ("never" included).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import { freePort, natsConnection, startService, until } from '@mqfleet/testkit';
import { publishQos1, startSystem, type System } from './system';

describe('bounded storage (separate processes)', () => {
  let system: System;
  let token: string;
  let nc: Awaited<ReturnType<typeof natsConnection>>;

  before(async () => {
    system = await startSystem({
      env: { MQFLEET_RETAINED_STREAM_MAX_MESSAGES: '3', MQFLEET_MAX_SESSION_EXPIRY: '2' },
    });
    token = await system.login();
    nc = await natsConnection(system.infra.natsUrl);
  });
  after(async () => {
    await nc?.close();
    await system?.close();
  });

  const retainedStream = (): string => `${system.infra.natsPrefix.toUpperCase()}_RETAINED`;

  it('a full retained store answers MQTT 5 0x97 Quota exceeded for a new topic, and logs it', async () => {
    const publisher = await system.mqtt('bounds-pub');
    const retain = (topic: string, payload: string, qos: 1 | 2) =>
      new Promise<number>((resolve) => {
        publisher.publish(topic, payload, { qos, retain: true }, (err, packet) => {
          const fromError = (err as (Error & { code?: number }) | undefined)?.code;
          resolve(fromError ?? (packet as { reasonCode?: number } | undefined)?.reasonCode ?? 0);
        });
      });
    for (const i of [1, 2, 3]) assert.equal(await retain(`bounds/r/${i}`, `v${i}`, 1), 0);
    const subscriber = await system.mqtt('bounds-sub');
    await subscriber.subscribeAsync('bounds/live', { qos: 1 });
    assert.equal(await retain('bounds/r/4', 'v4', 1), 0x97, 'PUBACK 0x97');
    assert.equal(await retain('bounds/r/5', 'v5', 2), 0x97, 'PUBREC 0x97');
    // Replacing the message of a topic the store holds still fits.
    assert.equal(await retain('bounds/r/1', 'v1b', 1), 0);
    await system.gateways[0]!.process.waitForLine((l) => l.includes('the retained store is full'), 5000);
    // The refused message still went to the current subscribers; the store kept its bound.
    const live = await publishQos1(publisher, 'bounds/live', 'not retained');
    assert.equal(live.reasonCode, 0);
    const info = await (await nc.jetstreamManager()).streams.info(retainedStream());
    assert.equal(info.state.messages, 3);
    assert.equal(info.config.max_msgs, 3);
    assert.equal(info.config.discard, 'new');
    const late = await system.mqtt('bounds-late');
    const got: string[] = [];
    late.on('message', (topic) => got.push(topic));
    await late.subscribeAsync('bounds/r/#', { qos: 1 });
    await until(() => got.length >= 3, 5000);
    assert.deepEqual(got.sort(), ['bounds/r/1', 'bounds/r/2', 'bounds/r/3']);
  });

  it('a session-service that starts logs a full stream, brings existing streams to its limits; one JetStream cannot give stops the start', async () => {
    // The retained store is full (3 of 3): a session-service that starts says so.
    const same = await startService('session-service', {
      ...system.env,
      MQFLEET_GRPC_PORT: String(await freePort()),
    });
    try {
      await same.waitForLine((l) =>
        l.includes(`stream ${retainedStream()} is full: new messages are refused`),
      );
    } finally {
      await same.stop();
    }
    const grpcPort = await freePort();
    const second = await startService('session-service', {
      ...system.env,
      MQFLEET_GRPC_PORT: String(grpcPort),
      MQFLEET_RETAINED_STREAM_MAX_MESSAGES: '5',
    });
    try {
      await second.waitForLine((l) => l.includes('stream limits updated') && l.includes(retainedStream()));
      const info = await (await nc.jetstreamManager()).streams.info(retainedStream());
      assert.equal(info.config.max_msgs, 5);
    } finally {
      await second.stop();
    }
    // Three replicas on a single NATS server: refused, with what to do.
    await assert.rejects(
      startService('session-service', {
        ...system.env,
        MQFLEET_GRPC_PORT: String(await freePort()),
        MQFLEET_STREAM_REPLICAS: '3',
      }),
      (err: Error) => {
        assert.match(
          err.message,
          /session-service failed to start: MQFLEET_STREAM_REPLICAS is 3, but the NATS server .* is not part of a cluster/,
        );
        return true;
      },
    );
  });

  it('a session expiry of "never" is bounded: MQTT 5 learns it in CONNACK, an MQTT 3.1.1 persistent session expires', async () => {
    const v5 = mqtt.connect(`mqtt://127.0.0.1:${system.gateways[0]!.port}`, {
      clientId: 'bounds-never-5',
      protocolVersion: 5,
      clean: false,
      reconnectPeriod: 0,
      properties: { sessionExpiryInterval: 0xffffffff },
    });
    const connack = await new Promise<{ properties?: { sessionExpiryInterval?: number } }>(
      (resolve, reject) => {
        v5.once('connect', resolve);
        v5.once('error', reject);
      },
    );
    assert.equal(connack.properties?.sessionExpiryInterval, 2);
    v5.end(true);

    const v311 = await system.mqtt('bounds-never-311', { protocolVersion: 4, clean: false });
    const describe = async (): Promise<Record<string, unknown> | undefined> => {
      const res = await system.api(
        'describeMqSessions',
        { clientNames: ['bounds-never-311'] },
        { authToken: token },
      );
      return res.body.result?.data?.[0] as Record<string, unknown> | undefined;
    };
    const stored = await describe();
    assert.equal(stored?.sessionExpiryInterval, 2);
    assert.equal(stored?.temporarySession, true);
    v311.end(true);
    await until(async () => (await describe())?.connectionStatus === 'disconnected', 5000);
    const gone = Date.now();
    await until(async () => (await describe()) === undefined, 10000);
    assert.ok(Date.now() - gone >= 500, 'kept until its expiry');
  });
});
