// The topology of deploy/ (compose.yaml, k8s/) run as processes on this machine, since no
// container can be pulled or run here: a 3-node NATS JetStream cluster made from
// deploy/nats/nats.conf and accounts.conf (nkey logins from scripts/nats-nkeys.mjs, free ports,
// temporary stores) behind one address as the Service "nats" is, two session-services on one
// Postgres database with streamReplicas 3 (MQFLEET_STREAM_REPLICAS, as both deploy files set it)
// behind one gRPC address as the Service "session-service" is, one api-gateway, and three
// connection-gateways behind a round-robin TCP proxy (the gateways' LoadBalancer Service), through
// which the MQTT.js devices connect. The numbers must be those of the Kubernetes manifests.
//
// Every stream must have three replicas (one did not: the parked-session records). Under QoS 1
// traffic, persistent subscribers are moved between gateways (the proxy stops routing to a
// gateway and resets its connections; a gateway is stopped with SIGTERM and started again; every
// connection is reset at once), and every message a publisher got a PUBACK for must reach every
// subscriber at least once (counted: sent, acknowledged, delivered). A gateway killed with SIGKILL
// while both session-services watch must get its device's will published once and a message
// acknowledged after its session says disconnected must reach the device when it resumes, and a
// session-service killed with SIGKILL must leave the system working through the other.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { connect, nkeyAuthenticator, type NatsConnection } from 'nats';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import {
  deployNatsConfig,
  freePort,
  makeNatsNkeys,
  nextEvent,
  OwnNats,
  readNkeySeed,
  TcpProxy,
  until,
} from '@mqfleet/testkit';
import { deployTopology } from '../deploy/manifests';
import {
  alterLive,
  asEmitter,
  endClient,
  logLinesAbout,
  messageMatching,
  publishQos1,
  startSystem,
  userProperties,
  type System,
} from './system';

/** What this test runs; the deploy files must describe the same (checked below). */
const TOPOLOGY = { natsNodes: 3, sessionServices: 2, gateways: 3, streamReplicas: 3 };
const NODES = TOPOLOGY.natsNodes;
/** Short gateway heartbeats, so a killed gateway is noticed within seconds (docs/mqtt.md). */
const HEARTBEAT_MS = 500;
const TIMEOUT_MS = 3000;

interface NodePorts {
  name: string;
  client: number;
  cluster: number;
  http: number;
  storeDir: string;
}

interface Jsz {
  meta_cluster?: { name?: string; leader?: string; cluster_size?: number };
}

describe('the deploy/ topology as processes: NATS ×3 (R3), session-service ×2, gateways ×3 behind a TCP proxy', () => {
  let dir: string;
  const nodes: OwnNats[] = [];
  let ports: NodePorts[];
  let natsService: TcpProxy;
  let lb: TcpProxy;
  let system: System;
  let nc: NatsConnection;
  let sessionSeed: Uint8Array;
  const devices = new Set<MqttClient>();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mqfleet-topology-'));
    const { publicKeys, seeds } = makeNatsNkeys(dir);
    sessionSeed = readNkeySeed(seeds.sessionService);

    // Ports that were free a moment ago; if another process takes one first, all are picked again.
    for (let attempt = 1; ; attempt++) {
      ports = [];
      for (let i = 0; i < NODES; i++) {
        ports.push({
          name: `nats-${i}`,
          client: await freePort(),
          cluster: await freePort(),
          http: await freePort(),
          storeDir: join(dir, `try-${attempt}`, `nats-${i}`, 'data'),
        });
      }
      nodes.length = 0;
      for (const node of ports) {
        // deploy/nats/nats.conf on loopback, its ports and store, a 2GB store, routes to the three.
        const config = deployNatsConfig({
          port: node.client,
          storeDir: node.storeDir,
          maxFileStore: '2GB',
          httpPort: node.http,
          cluster: { port: node.cluster, routePorts: ports.map((p) => p.cluster) },
        });
        nodes.push(
          OwnNats.withAccounts({
            confDir: join(dir, `try-${attempt}`, node.name),
            port: node.client,
            storeDir: node.storeDir,
            config,
            env: { NATS_SERVER_NAME: node.name, ...publicKeys },
          }),
        );
      }
      // Started together, as the StatefulSet's Parallel policy does.
      const started = await Promise.allSettled(nodes.map((n) => n.start()));
      const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (!failed) break;
      await Promise.allSettled(nodes.map((n) => n.stop()));
      if (attempt >= 3 || !String(failed.reason).includes('address already in use')) throw failed.reason;
    }
    // The cluster has formed when every node routes to the two others and all three agree on a
    // JetStream meta leader of a 3-node meta group.
    await until(
      async () => {
        const views = await Promise.all(
          ports.map(async (node) => {
            const [jsz, routez] = await Promise.all([
              fetch(`http://127.0.0.1:${node.http}/jsz`).then((r) => r.json() as Promise<Jsz>),
              fetch(`http://127.0.0.1:${node.http}/routez`).then(
                (r) => r.json() as Promise<{ num_routes: number }>,
              ),
            ]);
            return { meta: jsz.meta_cluster, routes: routez.num_routes };
          }),
        ).catch(() => undefined);
        if (!views) return false;
        const leader = views[0]!.meta?.leader;
        return views.every(
          (v) =>
            v.routes >= NODES - 1 && v.meta?.cluster_size === NODES && !!leader && v.meta.leader === leader,
        );
      },
      30000,
      200,
    );

    // The Service "nats": one address in front of the three nodes; the clients learn the others.
    natsService = new TcpProxy(ports.map((p) => ({ host: '127.0.0.1', port: p.client })));
    await natsService.start();
    system = await startSystem({
      natsUrl: `nats://${natsService.url}`,
      natsOptions: { authenticator: nkeyAuthenticator(sessionSeed) },
      // The deployment's prefix: deploy/nats/accounts.conf's stream rules apply as they would there.
      natsPrefix: 'mqfleet',
      sessionServices: TOPOLOGY.sessionServices,
      gateways: TOPOLOGY.gateways,
      env: {
        MQFLEET_STREAM_REPLICAS: String(TOPOLOGY.streamReplicas),
        MQFLEET_GATEWAY_HEARTBEAT_MS: String(HEARTBEAT_MS),
        MQFLEET_GATEWAY_TIMEOUT_MS: String(TIMEOUT_MS),
        MQFLEET_NATS_NKEY_SEED_FILE: seeds.sessionService,
      },
      gatewayEnv: Object.fromEntries(
        Array.from({ length: TOPOLOGY.gateways }, (_, i) => [
          i,
          { MQFLEET_NATS_NKEY_SEED_FILE: seeds.gateway },
        ]),
      ),
    });
    // The gateways' load balancer.
    lb = new TcpProxy(system.gateways.map((g) => ({ host: '127.0.0.1', port: g.port })));
    await lb.start();
    nc = await connect({
      servers: ports.map((p) => `nats://127.0.0.1:${p.client}`),
      authenticator: nkeyAuthenticator(sessionSeed),
    });
  });

  after(async () => {
    for (const d of devices) d.end(true);
    await nc?.close();
    await lb?.close();
    await system?.close();
    await natsService?.close();
    await Promise.allSettled(nodes.map((n) => n.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  /** An MQTT.js device on the load balancer that reconnects by itself, as field devices do. */
  const device = async (clientId: string, options: IClientOptions = {}): Promise<MqttClient> => {
    const client = mqtt.connect(`mqtt://${lb.url}`, {
      clientId,
      protocolVersion: 5,
      reconnectPeriod: 250,
      connectTimeout: 5000,
      ...options,
    });
    devices.add(client);
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    return client;
  };

  it('runs what the Kubernetes manifests describe (NATS nodes, service replicas, stream replicas)', () => {
    assert.deepEqual(deployTopology(), TOPOLOGY);
  });

  it('the NATS cluster has 3 nodes and every mqfleet stream 3 replicas, a leader and current followers', async () => {
    const jsm = await nc.jetstreamManager();
    const prefix = system.infra.natsPrefix.toUpperCase();
    const streams = [];
    // The cluster is this test's own: every stream on it is one of this system's.
    for await (const s of jsm.streams.list()) streams.push(s);
    assert.ok(streams.length >= 4, `streams of this system: ${streams.map((s) => s.config.name).join(', ')}`);
    for (const s of streams) {
      assert.ok(s.config.name.startsWith(prefix), `${s.config.name} is named after this system`);
      assert.equal(s.config.num_replicas, 3, `${s.config.name} replicas`);
      assert.equal(s.cluster?.name, 'mqfleet', `${s.config.name} cluster`);
      assert.ok(s.cluster?.leader, `${s.config.name} has a leader`);
      const peers = [s.cluster.leader, ...(s.cluster.replicas ?? []).map((r) => r.name)].sort();
      assert.deepEqual(peers, ['nats-0', 'nats-1', 'nats-2'], `${s.config.name} is on all three nodes`);
    }
    process.stdout.write(
      `# ${streams.length} streams, each R3 on nats-0..2: ${streams.map((s) => s.config.name).join(', ')}\n`,
    );
  });

  it('a gateway brings a parked-records stream of fewer replicas to the configured 3 at its start', async () => {
    const jsm = await nc.jetstreamManager();
    const name = `${system.infra.natsPrefix.toUpperCase()}_QUEUE_PARKED`;
    const before = await jsm.streams.info(name);
    // As an older gateway left it: one replica.
    await jsm.streams.update(name, { ...before.config, num_replicas: 1 });
    assert.equal((await jsm.streams.info(name)).config.num_replicas, 1);
    await system.gateways[0]!.process.stop('SIGTERM');
    await system.startGateway(0);
    await until(async () => (await jsm.streams.info(name)).config.num_replicas === 3, 10000, 100);
  });

  it('persistent subscribers moved between gateways under QoS 1 traffic get every acknowledged message', async () => {
    const SUBSCRIBERS = 3;
    const PUBLISHERS = 2;
    const subscribers: {
      client: MqttClient;
      received: Map<string, number>;
      gateways: number[];
      connects: number;
      /** Reconnections whose CONNACK said the session was gone. */
      sessionLost: number;
    }[] = [];
    for (let i = 0; i < SUBSCRIBERS; i++) {
      const client = await device(`topo-sub-${i}`, {
        clean: false,
        properties: { sessionExpiryInterval: 600 },
      });
      await client.subscribeAsync('topo/data/#', { qos: 1 });
      const sub = {
        client,
        received: new Map<string, number>(),
        gateways: [] as number[],
        connects: 1,
        sessionLost: 0,
      };
      const where = (): void => {
        const port = (client.stream as unknown as { localPort?: number }).localPort;
        const target = port === undefined ? undefined : lb.targetOf(port);
        if (target !== undefined) sub.gateways.push(target);
      };
      where();
      client.on('connect', (connack) => {
        sub.connects++;
        if (!connack.sessionPresent) sub.sessionLost++;
        where();
      });
      client.on('message', (_topic, payload) => {
        const key = payload.toString();
        sub.received.set(key, (sub.received.get(key) ?? 0) + 1);
      });
      subscribers.push(sub);
    }
    // Round robin put the three subscribers on the three gateways.
    assert.deepEqual(subscribers.map((s) => s.gateways[0]).sort(), [0, 1, 2]);

    let sent = 0;
    const acked = new Set<string>();
    const refused: string[] = [];
    let publishing = true;
    const publishers = await Promise.all(
      Array.from({ length: PUBLISHERS }, (_, p) => device(`topo-pub-${p}`, { clean: true })),
    );
    const loops = publishers.map(async (client, p) => {
      for (let seq = 0; publishing; seq++) {
        const payload = `${p}:${seq}`;
        sent++;
        const ack = await Promise.race([
          publishQos1(client, `topo/data/${p}`, payload),
          delay(20000, undefined, { ref: false }).then(() => ({
            error: new Error('no PUBACK within 20 s'),
            reasonCode: undefined,
          })),
        ]);
        if (ack.reasonCode === 0) acked.add(payload);
        else refused.push(`${payload}: ${ack.reasonCode} ${ack.error?.message ?? ''}`);
        // Pacing (about 60 messages a second per publisher), not a wait for anything.
        await delay(15);
      }
    });
    const ackedAtLeast = async (n: number): Promise<void> => {
      await until(() => acked.size >= n, 20000, 20);
    };
    const allConnected = async (): Promise<void> => {
      await until(
        () => subscribers.every((s) => s.client.connected) && publishers.every((c) => c.connected),
        20000,
        20,
      );
    };

    await ackedAtLeast(150);
    // 1. The load balancer stops routing to gateway 0 and resets its connections.
    const onFirst = subscribers.filter((s) => s.gateways.at(-1) === 0).length;
    lb.disable(0);
    const reset = lb.drop(0);
    assert.ok(reset >= onFirst && onFirst >= 1, `reset ${reset} connections of gateway 0`);
    await until(() => subscribers.every((s) => s.client.connected && s.gateways.at(-1) !== 0), 20000, 20);
    await allConnected();
    await ackedAtLeast(acked.size + 150);
    lb.enable(0);

    // 2. Gateway 1 is stopped (SIGTERM: it says goodbye with DISCONNECT) and started again.
    await system.gateways[1]!.process.stop('SIGTERM');
    await until(() => subscribers.every((s) => s.client.connected && s.gateways.at(-1) !== 1), 20000, 20);
    await allConnected();
    await ackedAtLeast(acked.size + 150);
    await system.startGateway(1);

    // 3. As 1, for gateway 2: each subscriber has now been moved off the gateway it started on.
    lb.disable(2);
    lb.drop(2);
    await until(() => subscribers.every((s) => s.client.connected && s.gateways.at(-1) !== 2), 20000, 20);
    await allConnected();
    await ackedAtLeast(acked.size + 150);
    lb.enable(2);

    // 4. Every connection is reset at once; round robin spreads them over all three again.
    const connectsBefore = subscribers.map((s) => s.connects);
    lb.drop();
    await until(
      () => subscribers.every((s, i) => s.connects > connectsBefore[i]! && s.client.connected),
      20000,
      20,
    );
    await allConnected();
    await ackedAtLeast(acked.size + 150);

    publishing = false;
    await Promise.all(loops);
    const missing = subscribers.map((s) => [...acked].filter((m) => !s.received.has(m)));
    await until(() => subscribers.every((s) => [...acked].every((m) => s.received.has(m))), 20000, 50).catch(
      () => undefined,
    );
    const report = subscribers.map((s, i) => {
      const duplicates = [...s.received.values()].reduce((sum, n) => sum + n - 1, 0);
      return `topo-sub-${i}: gateways ${s.gateways.join('→')}, delivered ${s.received.size} distinct (+${duplicates} again), missing ${[...acked].filter((m) => !s.received.has(m)).length} (${missing[i]!.length} before the final wait)`;
    });
    process.stdout.write(
      `# sent ${sent}, acknowledged ${acked.size}, refused or unanswered ${refused.length}\n# ${report.join('\n# ')}\n`,
    );
    for (const [i, s] of subscribers.entries()) {
      const lost = [...acked].filter((m) => !s.received.has(m));
      // (CI keeps only the message: what the services logged about this session goes in it.)
      assert.deepEqual(
        lost.slice(0, 20),
        [],
        lost.length > 0
          ? `topo-sub-${i} lost ${lost.length} acknowledged messages\n${logLinesAbout(system.processes, [`topo-sub-${i}`])}`
          : '',
      );
      assert.equal(s.sessionLost, 0, `topo-sub-${i}: its session survived every move`);
      assert.ok(
        new Set(s.gateways).size >= 2,
        `topo-sub-${i} moved between gateways: ${s.gateways.join('→')}`,
      );
    }
    assert.ok(acked.size >= 600, `acknowledged ${acked.size}`);
    // Unacknowledged publishes are allowed (their connection was reset), not silently lost ones.
    assert.ok(sent - acked.size - refused.length <= PUBLISHERS, 'every publish was answered or refused');
    for (const c of publishers) await endClient(c);
    for (const s of subscribers) await endClient(s.client);
  });

  it("a gateway killed with SIGKILL: the two session-services publish its device's will once, and the session resumes elsewhere", async () => {
    const observer = await device('topo-will-observer', { reconnectPeriod: 0 });
    await observer.subscribeAsync('topo/will/#', { qos: 1 });
    const wills: string[] = [];
    observer.on('message', (topic) => {
      if (topic.startsWith('topo/will/')) wills.push(topic);
    });
    const observerGateway = lb.targetOf((observer.stream as unknown as { localPort: number }).localPort)!;
    // The device on another gateway than the observer's. It stays away until the loss is
    // noticed: a device back before that takes its session over and has no will (docs/mqtt.md).
    lb.disable(observerGateway);
    const options: IClientOptions = {
      clean: false,
      reconnectPeriod: 0,
      properties: { sessionExpiryInterval: 600 },
      will: { topic: 'topo/will/dev', payload: Buffer.from('gone'), qos: 1, retain: false },
    };
    const dev = await device('topo-will-dev', options);
    const victim = lb.targetOf((dev.stream as unknown as { localPort: number }).localPort)!;
    lb.enable(observerGateway);
    await dev.subscribeAsync('topo/will-dev/in', { qos: 1 });

    const login = await system.api(
      'createSession',
      { username: 'ADMIN', password: 'ADMIN' },
      { api: 'admin' },
    );
    assert.equal(login.body.errorCode, 0, login.body.errorMessage);
    const status = async (): Promise<Record<string, unknown> | undefined> => {
      const res = await system.api(
        'describeMqSessions',
        { clientNames: ['topo-will-dev'] },
        { authToken: login.body.authToken as string },
      );
      return res.body.errorCode === 0 ? (res.body.result.data[0] as Record<string, unknown>) : undefined;
    };

    await system.gateways[victim]!.process.stop('SIGKILL');
    await until(() => wills.length > 0, TIMEOUT_MS * 2 + 10000, 20);
    // The will and the parking of the session are two pieces of the cluster's work, done by
    // whichever gateways take them: the will may come first. What is promised (docs/mqtt.md, "A
    // gateway that dies") is that a message acknowledged once the session says disconnected
    // (parked first, then closed) is queued.
    const closed = await until(
      async () => {
        const s = await status();
        return s?.connectionStatus === 'disconnected' ? s : undefined;
      },
      TIMEOUT_MS * 2 + 10000,
      25,
    );
    assert.equal(closed.disconnectionReason, 'gateway lost');
    // Published once the session is parked: queued, delivered when the device resumes it.
    assert.equal((await publishQos1(observer, 'topo/will-dev/in', 'while away')).reasonCode, 0);
    lb.disable(victim);
    const back = mqtt.connect(`mqtt://${lb.url}`, {
      clientId: 'topo-will-dev',
      protocolVersion: 5,
      ...options,
    });
    devices.add(back);
    const queued = messageMatching(back, (m) => m.payload.toString() === 'while away', 20000);
    const [connack] = (await nextEvent(asEmitter(back), 'connect', 10000)) as [{ sessionPresent: boolean }];
    assert.equal(connack.sessionPresent, true, 'the session waited for its device');
    await queued;
    // An absence can only be seen over time: one more timeout for a second will to show up.
    await delay(TIMEOUT_MS);
    assert.deepEqual(wills, ['topo/will/dev'], 'one will, not one per session-service');

    lb.enable(victim);
    await system.startGateway(victim);
    await endClient(back);
    await endClient(observer);
  });

  it('a session-service killed with SIGKILL leaves the system working through the other', async () => {
    const [victim, survivor] = system.sessionServices;
    const proxy = system.sessionServiceProxy!;
    // The api-gateway's and the gateways' gRPC connections are spread over both.
    assert.ok(proxy.openConnections[0]! > 0 && proxy.openConnections[1]! > 0, `${proxy.openConnections}`);
    await victim!.stop('SIGKILL');
    // New connections through the load balancer reach every gateway, whose calls now all go to
    // the survivor (the proxy skips the dead address, as a Service drops an unready endpoint).
    const connected: MqttClient[] = [];
    let failedConnects = 0;
    for (let i = 0; i < 3; i++) {
      await until(
        async () => {
          try {
            connected.push(
              await device(`topo-after-${i}`, {
                reconnectPeriod: 0,
                properties: { sessionExpiryInterval: 60 },
              }),
            );
            return true;
          } catch {
            failedConnects++;
            return false;
          }
        },
        20000,
        200,
      );
    }
    const landed = connected.map((c) =>
      lb.targetOf((c.stream as unknown as { localPort: number }).localPort),
    );
    assert.deepEqual([...landed].sort(), [0, 1, 2], 'one new device on each gateway');
    const observer = connected[0]!;
    await observer.subscribeAsync('topo/after/#', { qos: 1 });
    const arrival = messageMatching(observer, (m) => m.topic === 'topo/after/x');
    const ack = await publishQos1(connected[2]!, 'topo/after/x', 'still here');
    assert.equal(ack.reasonCode, 0, ack.error?.message);
    await arrival;

    // The JSON API: a new login and an alteration applied on a live connection.
    const login = await system.api(
      'createSession',
      { username: 'ADMIN', password: 'ADMIN' },
      { api: 'admin' },
    );
    assert.equal(login.body.errorCode, 0, login.body.errorMessage);
    const token = login.body.authToken as string;
    // In force on the live connection: the gateway confirmed the alteration.
    await alterLive(system, token, 'topo-after-2', { userProperties: [{ key: 'site', value: 'b' }] });
    const tagged = messageMatching(observer, (m) => m.payload.toString() === 'tagged');
    assert.equal((await publishQos1(connected[2]!, 'topo/after/x', 'tagged')).reasonCode, 0);
    assert.equal(userProperties(await tagged).site, 'b');
    assert.equal(survivor!.child.exitCode, null, 'the other session-service still runs');
    assert.deepEqual(proxy.openConnections[0], 0, 'nothing reaches the killed one');
    process.stdout.write(
      `# after the SIGKILL: ${failedConnects} connect attempts failed before all three succeeded\n`,
    );
  });

  it("no service was refused anything by the bus's permissions (deploy/nats/accounts.conf)", () => {
    for (const proc of system.processes)
      assert.doesNotMatch(proc.lines.join('\n'), /[Pp]ermissions? [Vv]iolation/, proc.name);
  });
});
