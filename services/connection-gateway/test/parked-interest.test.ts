// Only QoS 1/2 messages some parked session could keep go to the offline queue stream
// (src/parked-interest.ts): no JetStream store and acknowledgement for the others. A session
// parked on one gateway is known to the others before its consumers exist, so a message published
// anywhere while it is being parked is kept: counted under steady QoS 1 traffic on another
// gateway, through the disconnection and the resumption (sent, acknowledged, delivered, lost).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { subjects, type Logger } from '@mqfleet/core';
import { createInfra, natsConnection, until, type Infra } from '@mqfleet/testkit';
import type { NatsConnection } from 'nats';
import mqtt from 'mqtt';
import type { Gateway } from '../src/index';
import { ParkedInterest, SubjectFilters } from '../src/parked-interest';
import { endClient, mqttClient, startCluster, type Cluster } from './helpers';

describe('subject filters of parked sessions', () => {
  const cases: [string[], string, boolean][] = [
    [['q.m.a.b'], 'q.m.a.b', true],
    [['q.m.a.b'], 'q.m.a.c', false],
    [['q.m.a.*'], 'q.m.a.c', true],
    [['q.m.a.*'], 'q.m.a.c.d', false],
    [['q.m.a.>'], 'q.m.a.c.d', true],
    [['q.m.a.>'], 'q.m.a', false],
    [['q.m.*.b', 'q.m.x.>'], 'q.m.x.y.z', true],
    [['q.m.*.b', 'q.m.x.>'], 'q.m.z.b', true],
    [['q.m.*.b', 'q.m.x.>'], 'q.m.z.c', false],
    [[], 'q.m.a', false],
  ];
  for (const [filters, subject, expected] of cases) {
    test(`${JSON.stringify(filters)} ${expected ? 'matches' : 'does not match'} ${subject}`, () => {
      const f = new SubjectFilters();
      for (const filter of filters) f.add(filter);
      assert.equal(f.matches(subject), expected);
    });
  }
  test('a subject of 20,000 tokens is matched without recursion', () => {
    const f = new SubjectFilters();
    f.add(`q.${'*.'.repeat(19_998)}x`);
    assert.equal(f.matches(`q.${'a.'.repeat(19_998)}x`), true);
  });
});

describe('offline queue stream: only what parked sessions want', () => {
  let cluster: Cluster;
  let gatewayB: Gateway;
  let portA: number;
  let portB: number;
  let nc: NatsConnection;

  before(async () => {
    cluster = await startCluster();
    // Every message of the test fits the offline queue (the default keeps the oldest 1,000).
    const bound = { MQFLEET_MAX_QUEUED_MESSAGES: '100000' };
    ({ port: portA } = await cluster.startGateway(bound));
    ({ gateway: gatewayB, port: portB } = await cluster.startGateway(bound));
    nc = await natsConnection(cluster.infra.natsUrl);
  });
  after(async () => {
    await nc.close();
    await cluster.close();
  });

  const lastSeq = async (): Promise<number> => {
    const jsm = await nc.jetstreamManager();
    return (await jsm.streams.info(subjects(cluster.infra.natsPrefix).queueStream)).state.last_seq;
  };

  test('with no parked session, QoS 1 messages skip the queue stream', async () => {
    const publisher = await mqttClient(portB, { clientId: 'pi-pub-1', protocolVersion: 5 });
    try {
      const before = { ...gatewayB.queueCounts };
      const seq = await lastSeq();
      for (let i = 0; i < 20; i++) await publisher.publishAsync('pi/none', String(i), { qos: 1 });
      assert.equal(gatewayB.queueCounts.skipped - before.skipped, 20);
      assert.equal(gatewayB.queueCounts.published - before.published, 0);
      assert.equal(await lastSeq(), seq, 'nothing reached the stream');
    } finally {
      await endClient(publisher);
    }
  });

  test('a session parked on A: messages published on B during and after the parking are all kept', async () => {
    const options = { protocolVersion: 5 as const, clean: false, properties: { sessionExpiryInterval: 600 } };
    const device = await mqttClient(portA, { clientId: 'pi-device', ...options });
    await device.subscribeAsync('pi/data/#', { qos: 1 });
    const delivered = new Set<string>();
    device.on('message', (_topic, payload) => delivered.add(payload.toString()));
    const publisher = await mqttClient(portB, { clientId: 'pi-pub-2', protocolVersion: 5 });
    let sent = 0;
    let acknowledged = 0;
    let stop = false;
    // Steady QoS 1 traffic on B through the disconnection and the parking on A.
    const traffic = (async () => {
      while (!stop) {
        sent++;
        await publisher.publishAsync(`pi/data/${sent % 7}`, String(sent), { qos: 1 });
        acknowledged++;
      }
    })();
    await new Promise((r) => setTimeout(r, 100));
    await endClient(device);
    // Until the parking is complete and a little after.
    await new Promise((r) => setTimeout(r, 1500));
    stop = true;
    await traffic;
    const before = gatewayB.queueCounts.published;
    assert.ok(before > 0, 'B published to the queue stream once A parked the session');

    const resumedGot: string[] = [];
    const resumed = mqtt.connect(`mqtt://127.0.0.1:${portB}`, {
      clientId: 'pi-device',
      reconnectPeriod: 0,
      ...options,
    });
    resumed.on('message', (_topic, payload) => resumedGot.push(payload.toString()));
    await new Promise<void>((resolve, reject) => {
      resumed.once('connect', () => resolve());
      resumed.once('error', reject);
    });
    const marker = new Promise<void>((resolve) =>
      resumed.on('message', (topic) => topic === 'pi/data/end' && resolve()),
    );
    await publisher.publishAsync('pi/data/end', 'end', { qos: 1 });
    await marker;
    for (const p of resumedGot) delivered.add(p);
    const lost = Array.from({ length: acknowledged }, (_, i) => String(i + 1)).filter(
      (n) => !delivered.has(n),
    );
    await endClient(resumed);
    await endClient(publisher);
    assert.deepEqual(
      lost,
      [],
      `sent ${sent}, acknowledged ${acknowledged}, delivered ${delivered.size}, lost ${lost.length}`,
    );
  });
});

describe('announcements wait for live gateways only', () => {
  let infra: Infra;
  let nc: NatsConnection;
  before(async () => {
    infra = await createInfra();
    nc = await natsConnection(infra.natsUrl);
  });
  after(async () => {
    await nc.close();
    await infra.close();
  });

  /** A logger that keeps the warnings. */
  const warnings: string[] = [];
  const logger: Logger = {
    debug: () => undefined,
    info: () => undefined,
    warn: (msg) => void warnings.push(msg),
    error: () => undefined,
    child: () => logger,
  };

  test('a gateway that goes silent, or says it left, while a parking waits is not waited for', async () => {
    const s = subjects(`${infra.natsPrefix}_${randomBytes(3).toString('hex')}`);
    // Heartbeats of a peer gateway that never answers announcements (it died, or it stopped).
    const PEER_TIMEOUT_MS = 1000;
    const interest = new ParkedInterest(
      nc,
      s,
      'parking-gateway',
      logger,
      async function* () {},
      PEER_TIMEOUT_MS,
    );
    await interest.start();
    try {
      for (const [peer, ending] of [
        ['silent-peer', 'silent'],
        ['leaving-peer', 'left'],
      ] as const) {
        warnings.length = 0;
        const beat = (left = false): void =>
          nc.publish(
            s.gatewayHeartbeat(peer),
            JSON.stringify({ gatewayId: peer, ...(left ? { left } : {}) }),
          );
        beat();
        await nc.flush();
        // The peer counts: the announcement waits for it (until it answers, or at most 3 s).
        let resolved = false;
        const announced = interest.announce([`${s.queueMessagePrefix}.t.${peer}`]).then(() => {
          resolved = true;
        });
        await nc.flush();
        assert.equal(resolved, false, `${peer}: waited for`);
        if (ending === 'left') beat(true);
        // Silent for PEER_TIMEOUT_MS, or gone at once: dropped from the wait well before the
        // 3 s answer timeout, which would log a warning naming it.
        await until(() => resolved, 2500, 10);
        await announced;
        assert.deepEqual(warnings, [], peer);
      }
    } finally {
      interest.stop();
    }
  });
});
