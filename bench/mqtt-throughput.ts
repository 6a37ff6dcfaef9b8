// The same MQTT workload against three brokers in one run, side by side: mqfleet (the whole
// system: session-service, api-gateway, one connection-gateway), the machine's Mosquitto on
// 127.0.0.1:1883 and Aedes (a child process on a free port). For each broker and QoS (0, 1):
// SUBSCRIBERS MQTT 3.1.1 clients subscribe to bench/<run>/q<qos>/+ and PUBLISHERS clients publish
// MESSAGES 64-byte messages each to bench/<run>/q<qos>/p<i>, so every message is delivered to
// every subscriber. The payload carries the send time (performance.now(), same process), giving
// end-to-end latency. Publishers keep at most WINDOW messages not yet delivered to everyone in
// flight (closed loop), so latency is not just the depth of a flooded queue. A phase ends when
// every delivery arrived, or after 3 s without progress (the rest counts as lost).
//
//   node --import tsx bench/mqtt-throughput.ts [--publishers 10] [--subscribers 10]
//                                              [--messages 5000] [--window 200]
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import mqtt, { type MqttClient } from 'mqtt';
import { startAedes, type BrokerProcess } from './lib/reference-brokers';
import { cpuMeter, machine, percentile, pidsOf, report, round, rssMiB, table } from './lib/stats';
import { onInterrupt, startBenchSystem, type BenchSystem } from './lib/system';
import { runMain } from './lib/mqtt';

const { values: args } = parseArgs({
  options: {
    publishers: { type: 'string', default: '10' },
    subscribers: { type: 'string', default: '10' },
    messages: { type: 'string', default: '5000' },
    window: { type: 'string', default: '200' },
    mosquitto: { type: 'string', default: '1883' },
  },
});
const PUBLISHERS = Number(args.publishers);
const SUBSCRIBERS = Number(args.subscribers);
const MESSAGES = Number(args.messages);
const WINDOW = Number(args.window);
const PAYLOAD_BYTES = 64;
const STALL_MS = 3000;
const PHASE_LIMIT_MS = 30000;
const RUN = `r${process.pid}${Date.now() % 100000}`;

interface Broker {
  name: string;
  port: number;
  /** Processes whose RSS and CPU count as the broker's. */
  pids: () => number[];
  note: string;
}

interface PhaseResult {
  broker: string;
  qos: 0 | 1;
  published: number;
  expected: number;
  delivered: number;
  seconds: number;
  deliveredPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  peakRssMiB: number | undefined;
  brokerCpuSeconds: number;
}

function connect(port: number, clientId: string): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, {
      clientId,
      // MQTT 3.1.1: Aedes 1.x does not speak MQTT 5.
      protocolVersion: 4,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: 10000,
      keepalive: 60,
    });
    client.once('connect', () => resolve(client));
    client.once('error', (err) => {
      client.end(true);
      reject(err);
    });
  });
}

async function phase(broker: Broker, qos: 0 | 1): Promise<PhaseResult> {
  const prefix = `bench/${RUN}/${broker.name}/q${qos}`;
  const clients: MqttClient[] = [];
  try {
    const subs = await Promise.all(
      Array.from({ length: SUBSCRIBERS }, (_, i) =>
        connect(broker.port, `${RUN}-${broker.name}-q${qos}-s${i}`),
      ),
    );
    clients.push(...subs);
    const pubs = await Promise.all(
      Array.from({ length: PUBLISHERS }, (_, i) =>
        connect(broker.port, `${RUN}-${broker.name}-q${qos}-p${i}`),
      ),
    );
    clients.push(...pubs);
    await Promise.all(subs.map((s) => s.subscribeAsync(`${prefix}/+`, { qos })));

    const latencies: number[] = [];
    let delivered = 0;
    let published = 0;
    let lastProgress = performance.now();
    let wake: (() => void) | undefined;
    for (const s of subs) {
      s.on('message', (_topic, payload) => {
        latencies.push(performance.now() - payload.readDoubleLE(0));
        delivered++;
        lastProgress = performance.now();
        if (wake && published * SUBSCRIBERS - delivered < WINDOW * SUBSCRIBERS) {
          const w = wake;
          wake = undefined;
          w();
        }
      });
    }
    const expected = PUBLISHERS * MESSAGES * SUBSCRIBERS;
    let peakRss: number | undefined;
    const rssTimer = setInterval(() => {
      const pids = broker.pids();
      const values = pids.map(rssMiB);
      if (values.some((v) => v === undefined)) return;
      const sum = values.reduce((a: number, b) => a + b!, 0);
      peakRss = Math.max(peakRss ?? 0, sum);
    }, 100);
    const stopCpu = cpuMeter({ broker: broker.pids });
    const started = performance.now();
    let stalled = false;
    const waitForRoom = async (): Promise<void> => {
      while (!stalled && published * SUBSCRIBERS - delivered >= WINDOW * SUBSCRIBERS) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 100);
        });
        if (performance.now() - lastProgress > STALL_MS || performance.now() - started > PHASE_LIMIT_MS) {
          stalled = true;
        }
      }
    };
    const publisher = async (p: MqttClient, index: number): Promise<void> => {
      for (let seq = 0; seq < MESSAGES && !stalled; seq++) {
        await waitForRoom();
        if (stalled) return;
        const payload = Buffer.alloc(PAYLOAD_BYTES, 0x61);
        payload.writeDoubleLE(performance.now(), 0);
        payload.writeUInt32LE(index, 8);
        payload.writeUInt32LE(seq, 12);
        published++;
        const sent = p.publishAsync(`${prefix}/p${index}`, payload, { qos });
        // QoS 1: a window of PUBACKs may be outstanding; errors are counted as missing deliveries.
        sent.catch(() => undefined);
      }
    };
    await Promise.all(pubs.map(publisher));
    // Wait for the remaining deliveries (or a stall).
    while (delivered < published * SUBSCRIBERS) {
      await new Promise((r) => setTimeout(r, 20));
      if (performance.now() - lastProgress > STALL_MS || performance.now() - started > PHASE_LIMIT_MS) break;
    }
    const elapsed = (Math.max(lastProgress, started + 1) - started) / 1000;
    clearInterval(rssTimer);
    const cpu = stopCpu();
    return {
      broker: broker.name,
      qos,
      published,
      expected,
      delivered,
      seconds: round(elapsed, 2),
      deliveredPerSecond: round(delivered / elapsed, 0),
      p50Ms: round(percentile(latencies, 50), 2),
      p99Ms: round(percentile(latencies, 99), 2),
      peakRssMiB: peakRss === undefined ? undefined : round(peakRss, 1),
      brokerCpuSeconds: round(cpu.broker ?? 0, 2),
    };
  } finally {
    await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
  }
}

async function main(): Promise<void> {
  let system: BenchSystem | undefined;
  let aedes: BrokerProcess | undefined;
  const close = async (): Promise<void> => {
    await aedes?.stop();
    await system?.close();
  };
  const removeInterruptHandler = onInterrupt(close);
  try {
    system = await startBenchSystem({ gateway: true });
    const servicePids = system.processes.map((p) => p.child.pid!);
    const started = await startAedes();
    aedes = started;
    const aedesPid = started.child.pid!;
    const mosquittoPids = pidsOf('mosquitto');
    const brokers: Broker[] = [
      {
        name: 'mqfleet',
        port: system.mqttPort,
        pids: () => servicePids,
        note: 'session-service + api-gateway + connection-gateway (Postgres and nats-server not counted)',
      },
      {
        name: 'mosquitto',
        port: Number(args.mosquitto),
        pids: () => mosquittoPids.slice(0, 1),
        note: `the machine's Mosquitto (pid ${mosquittoPids[0] ?? 'unknown'})`,
      },
      {
        name: 'aedes',
        port: started.port,
        pids: () => [aedesPid],
        note: 'Aedes 1.x child process, in-memory',
      },
    ];
    const results: PhaseResult[] = [];
    for (const qos of [0, 1] as const) {
      for (const broker of brokers) {
        const r = await phase(broker, qos);
        results.push(r);
        process.stderr.write(`${broker.name} QoS ${qos}: ${r.deliveredPerSecond} msg/s\n`);
      }
    }
    const idleRss = brokers.map((b) => ({
      broker: b.name,
      rssMiB: round(
        b.pids().reduce((sum, pid) => sum + (rssMiB(pid) ?? 0), 0),
        1,
      ),
      note: b.note,
    }));
    const result = {
      benchmark: 'mqtt-throughput',
      machine: machine(),
      publishers: PUBLISHERS,
      subscribers: SUBSCRIBERS,
      messagesPerPublisher: MESSAGES,
      payloadBytes: PAYLOAD_BYTES,
      window: WINDOW,
      results,
      rssAfterRun: idleRss,
    };
    const md = [
      `### MQTT throughput: ${PUBLISHERS} publishers × ${MESSAGES} messages of ${PAYLOAD_BYTES} bytes → ${SUBSCRIBERS} subscribers (fan-out ${SUBSCRIBERS}, window ${WINDOW} messages)`,
      '',
      table(
        [
          'broker',
          'QoS',
          'delivered / expected',
          'seconds',
          'delivered msg/s',
          'p50 ms',
          'p99 ms',
          'peak RSS MiB',
          'broker CPU s',
        ],
        results.map((r) => [
          r.broker,
          r.qos,
          `${r.delivered} / ${r.expected}`,
          r.seconds,
          r.deliveredPerSecond,
          r.p50Ms,
          r.p99Ms,
          r.peakRssMiB,
          r.brokerCpuSeconds,
        ]),
      ),
      '',
      'RSS counted: ' +
        idleRss.map((r) => `${r.broker}: ${r.note}, ${r.rssMiB} MiB after the run`).join('; ') +
        '.',
    ].join('\n');
    report('mqtt-throughput', result, md);
  } finally {
    removeInterruptHandler();
    await close();
  }
}

runMain(main);
