// What a subscriber that never reads costs a broker: its RSS over time while 1 GiB of 1 KiB
// messages is published to that subscriber's topic, for QoS 0 and QoS 1, against mqfleet (the
// whole system; the connection-gateway's RSS is the one measured), a Mosquitto of the benchmark's
// own (a free port, no persistence, default limits) and Aedes (a child process), in one run.
//
// Per broker and QoS: one MQTT 3.1.1 subscriber (raw socket: CONNECT, SUBSCRIBE at that QoS, then
// it stops reading, and never acknowledges anything) and one publisher writing pre-encoded
// PUBLISH packets on a raw socket as fast as the broker reads them (QoS 1: at most --window
// unacknowledged). The broker's RSS is sampled every --sample-ms. A phase ends when everything was
// published and the broker answered a PINGREQ after it, or when the publisher could not write for
// --stall-s seconds, or when the broker's RSS passed --max-rss-mib (recorded as such).
//
//   node --import tsx bench/slow-consumer.ts [--mib 1024] [--size 1024] [--window 2048]
//                                            [--sample-ms 250] [--stall-s 20] [--max-rss-mib 3072]
//                                            [--qos 0,1] [--brokers mqfleet,mosquitto,aedes]
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import * as mqttPacket from 'mqtt-packet';
import { startAedes, startMosquitto, type BrokerProcess } from './lib/reference-brokers';
import { runMain } from './lib/mqtt';
import { cpuMeter, machine, report, round, rssMiB, table } from './lib/stats';
import { onInterrupt, startBenchSystem, type BenchSystem } from './lib/system';

const { values: args } = parseArgs({
  options: {
    mib: { type: 'string', default: '1024' },
    size: { type: 'string', default: '1024' },
    window: { type: 'string', default: '2048' },
    'sample-ms': { type: 'string', default: '250' },
    'stall-s': { type: 'string', default: '20' },
    'max-rss-mib': { type: 'string', default: '3072' },
    qos: { type: 'string', default: '0,1' },
    brokers: { type: 'string', default: 'mqfleet,mosquitto,aedes' },
    note: { type: 'string', default: 'shared machine: other work ran on the same 2 cores' },
  },
});
const TOTAL_BYTES = Number(args.mib) * 1024 * 1024;
const SIZE = Number(args.size);
const MESSAGES = Math.floor(TOTAL_BYTES / SIZE);
const WINDOW = Number(args.window);
const SAMPLE_MS = Number(args['sample-ms']);
const STALL_MS = Number(args['stall-s']) * 1000;
const MAX_RSS_MIB = Number(args['max-rss-mib']);
const QOS_LEVELS = args.qos.split(',').map(Number) as (0 | 1)[];
const BROKERS = args.brokers.split(',');
/** Packets per socket write. */
const BATCH = 256;
const RUN = `r${process.pid}${Date.now() % 100000}`;

interface Broker {
  name: string;
  port: number;
  /** The process whose RSS is measured. */
  pid: number;
  note: string;
  /** Drop counters of the slow subscriber, when the broker can tell (mqfleet: describeMqSessions). */
  dropped?: (clientId: string) => Promise<unknown>;
}

/** [ms since the phase started, MiB published so far, broker RSS MiB] */
type Sample = [number, number, number];

interface PhaseResult {
  broker: string;
  qos: 0 | 1;
  messages: number;
  published: number;
  publishedMiB: number;
  seconds: number;
  mibPerSecond: number;
  outcome: 'complete' | 'stalled' | 'rss cap';
  rssBeforeMiB: number | undefined;
  rssPeakMiB: number | undefined;
  rssEndMiB: number | undefined;
  /** RSS when 25, 50, 75 and 100 % of the messages had been published. */
  rssAtQuartersMiB: (number | undefined)[];
  brokerCpuSeconds: number;
  subscriberStats?: unknown;
  samples: Sample[];
}

/** A raw MQTT 3.1.1 connection: CONNACK read, then whatever the caller does with the socket. */
async function rawClient(port: number, clientId: string): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.setNoDelay(true);
  socket.on('error', () => undefined);
  const connack = once(socket, 'data');
  socket.write(
    mqttPacket.generate({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clean: true,
      keepalive: 0,
      clientId,
    }),
  );
  const [data] = (await connack) as [Buffer];
  if (data[0] !== 0x20 || data[3] !== 0)
    throw new Error(`${clientId}: no CONNACK 0 (got ${data.toString('hex')})`);
  return socket;
}

/** The subscriber: SUBSCRIBE, SUBACK, then it never reads again (nor acknowledges anything). */
async function slowSubscriber(port: number, clientId: string, topic: string, qos: 0 | 1): Promise<Socket> {
  const socket = await rawClient(port, clientId);
  const suback = once(socket, 'data');
  socket.write(mqttPacket.generate({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic, qos }] }));
  const [data] = (await suback) as [Buffer];
  if (data[0] !== 0x90 || data[4] !== qos) throw new Error(`${clientId}: SUBACK ${data.toString('hex')}`);
  socket.pause();
  return socket;
}

/** BATCH copies of one PUBLISH; for QoS 1 the offset of each packet identifier. */
function encodeBatch(topic: string, qos: 0 | 1): { batch: Buffer; packetBytes: number; idOffset: number } {
  const payload = Buffer.alloc(SIZE, 0x6d);
  const one = mqttPacket.generate({
    cmd: 'publish',
    topic,
    payload,
    qos,
    dup: false,
    retain: false,
    ...(qos === 1 ? { messageId: 1 } : {}),
  });
  // Fixed header (type byte, remaining length: 1-4 bytes, the last without bit 7), then the topic
  // length (2 bytes) and the topic; the packet identifier follows.
  let headerBytes = 1;
  while (one[headerBytes]! & 0x80) headerBytes++;
  headerBytes++;
  const idOffset = headerBytes + 2 + Buffer.byteLength(topic);
  return {
    batch: Buffer.concat(Array.from({ length: BATCH }, () => one)),
    packetBytes: one.length,
    idOffset,
  };
}

async function phase(broker: Broker, qos: 0 | 1): Promise<PhaseResult> {
  const topic = `bench/${RUN}/${broker.name}/q${qos}`;
  const subscriberId = `${RUN}-${broker.name}-q${qos}-slow`;
  const subscriber = await slowSubscriber(broker.port, subscriberId, topic, qos);
  const publisher = await rawClient(broker.port, `${RUN}-${broker.name}-q${qos}-pub`);
  const { batch, packetBytes, idOffset } = encodeBatch(topic, qos);
  let published = 0;
  let acknowledged = 0;
  let pinged = false;
  let pong = false;
  let received = 0;
  publisher.on('data', (chunk: Buffer) => {
    // The broker sends the publisher only PUBACKs (4 bytes each), then the PINGRESP (2 bytes).
    received += chunk.length;
    acknowledged = Math.floor(received / 4);
    if (pinged && received === (qos === 1 ? published * 4 : 0) + 2) pong = true;
  });

  const samples: Sample[] = [];
  const started = performance.now();
  let peak: number | undefined;
  const sample = (): number | undefined => {
    const rss = rssMiB(broker.pid);
    if (rss !== undefined) {
      samples.push([
        Math.round(performance.now() - started),
        round((published * SIZE) / 2 ** 20, 1),
        round(rss, 1),
      ]);
      peak = Math.max(peak ?? 0, rss);
    }
    return rss;
  };
  const rssBefore = sample();
  const quarters: (number | undefined)[] = [];
  let nextQuarter = 1;
  const timer = setInterval(sample, SAMPLE_MS);
  const stopCpu = cpuMeter({ broker: () => [broker.pid] });
  let outcome: PhaseResult['outcome'] = 'complete';
  let nextId = 1;
  try {
    while (published < MESSAGES) {
      if ((peak ?? 0) > MAX_RSS_MIB) {
        outcome = 'rss cap';
        break;
      }
      const count = Math.min(BATCH, MESSAGES - published);
      let chunk = count === BATCH ? batch : batch.subarray(0, count * packetBytes);
      if (qos === 1) {
        // At most WINDOW unacknowledged; every packet a fresh identifier.
        const deadline = performance.now() + STALL_MS;
        while (published + count - acknowledged > WINDOW) {
          if (performance.now() > deadline) break;
          await new Promise((r) => setImmediate(r));
        }
        if (published + count - acknowledged > WINDOW) {
          outcome = 'stalled';
          break;
        }
        chunk = Buffer.from(chunk);
        for (let i = 0; i < count; i++) {
          chunk.writeUInt16BE(nextId, i * packetBytes + idOffset);
          nextId = nextId === 65535 ? 1 : nextId + 1;
        }
      }
      published += count;
      if (!publisher.write(chunk)) {
        const drained = await Promise.race([
          once(publisher, 'drain').then(() => true),
          new Promise<boolean>((r) => setTimeout(() => r(false), STALL_MS).unref()),
        ]);
        if (!drained) {
          outcome = 'stalled';
          break;
        }
      }
      while (nextQuarter <= 4 && published >= (MESSAGES * nextQuarter) / 4) {
        quarters.push(sample());
        nextQuarter++;
      }
    }
    if (outcome === 'complete') {
      // Everything was read and routed once the broker answers a PINGREQ sent after it.
      pinged = true;
      publisher.write(mqttPacket.generate({ cmd: 'pingreq' }));
      const deadline = performance.now() + STALL_MS;
      while (!pong && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      if (!pong) outcome = 'stalled';
    }
  } finally {
    clearInterval(timer);
  }
  const seconds = (performance.now() - started) / 1000;
  const rssEnd = sample();
  const cpu = stopCpu();
  const subscriberStats = await broker.dropped?.(subscriberId).catch((err: unknown) => String(err));
  subscriber.destroy();
  publisher.destroy();
  const publishedMiB = (published * SIZE) / 2 ** 20;
  return {
    broker: broker.name,
    qos,
    messages: MESSAGES,
    published,
    publishedMiB: round(publishedMiB, 1),
    seconds: round(seconds, 1),
    mibPerSecond: round(publishedMiB / seconds, 1),
    outcome,
    rssBeforeMiB: rssBefore === undefined ? undefined : round(rssBefore, 1),
    rssPeakMiB: peak === undefined ? undefined : round(peak, 1),
    rssEndMiB: rssEnd === undefined ? undefined : round(rssEnd, 1),
    rssAtQuartersMiB: quarters.map((q) => (q === undefined ? undefined : round(q, 1))),
    brokerCpuSeconds: round(cpu.broker ?? 0, 2),
    ...(subscriberStats !== undefined ? { subscriberStats } : {}),
    samples,
  };
}

async function main(): Promise<void> {
  let system: BenchSystem | undefined;
  const others: BrokerProcess[] = [];
  const close = async (): Promise<void> => {
    for (const b of others) await b.stop().catch(() => undefined);
    await system?.close();
  };
  const removeInterruptHandler = onInterrupt(close);
  try {
    const brokers: Broker[] = [];
    if (BROKERS.includes('mqfleet')) {
      system = await startBenchSystem({ gateway: true });
      const gateway = system.processes.find((p) => p.name === 'connection-gateway')!;
      const token = await system.login();
      const http = system.http;
      brokers.push({
        name: 'mqfleet',
        port: system.mqttPort,
        pid: gateway.child.pid!,
        note: 'the connection-gateway process (default limits: MQFLEET_MAX_OUTBOUND_BYTES 1 MiB, MQFLEET_MAX_QUEUED_MESSAGES 1000, MQFLEET_MAX_QUEUED_BYTES 16 MiB, drop-oldest)',
        dropped: async (clientId) => {
          const reply = await http.action(
            'mq',
            'describeMqSessions',
            { clientNames: [clientId], includeStats: true },
            token,
          );
          const stats = reply.body.result?.data?.[0]?.stats as Record<string, unknown> | null | undefined;
          if (!stats) return null;
          return {
            sessionHealth: stats.sessionHealth,
            totalMessagesDropped: stats.totalMessagesDropped,
            messagesDropped: stats.messagesDropped,
            totalMessagesReceived: stats.totalMessagesReceived,
            currentOutboundBytes: stats.currentOutboundBytes,
            currentQueuedMessages: stats.currentQueuedMessages,
            currentQueuedBytes: stats.currentQueuedBytes,
          };
        },
      });
    }
    if (BROKERS.includes('mosquitto')) {
      const mosquitto = await startMosquitto();
      others.push(mosquitto);
      brokers.push({
        name: 'mosquitto',
        port: mosquitto.port,
        pid: mosquitto.child.pid!,
        note: 'its own /usr/sbin/mosquitto instance (no persistence, default limits: max_queued_messages 1000)',
      });
    }
    if (BROKERS.includes('aedes')) {
      const aedes = await startAedes();
      others.push(aedes);
      brokers.push({
        name: 'aedes',
        port: aedes.port,
        pid: aedes.child.pid!,
        note: 'Aedes 1.x child process, in-memory, defaults',
      });
    }
    const results: PhaseResult[] = [];
    for (const qos of QOS_LEVELS) {
      for (const broker of brokers) {
        const r = await phase(broker, qos);
        results.push(r);
        process.stderr.write(
          `${broker.name} QoS ${qos}: ${r.outcome}, ${r.publishedMiB} MiB in ${r.seconds} s, RSS ${r.rssBeforeMiB} → peak ${r.rssPeakMiB} MiB\n`,
        );
      }
    }
    const result = {
      benchmark: 'slow-consumer',
      machine: machine(),
      note: args.note,
      mibPerPhase: Number(args.mib),
      messageBytes: SIZE,
      qos1Window: WINDOW,
      sampleMs: SAMPLE_MS,
      sampleFields: ['ms', 'publishedMiB', 'rssMiB'],
      brokers: brokers.map((b) => ({ broker: b.name, measured: b.note })),
      results,
    };
    const date = new Date().toISOString().slice(0, 16).replace('T', ' ');
    const md = [
      `### Slow consumer: one subscriber that never reads, ${args.mib} MiB of ${SIZE}-byte messages published to it (${date} UTC; ${args.note})`,
      '',
      table(
        [
          'broker',
          'QoS',
          'outcome',
          'published MiB',
          'seconds',
          'MiB/s',
          'RSS before MiB',
          'RSS at 25/50/75/100 % MiB',
          'peak RSS MiB',
          'broker CPU s',
        ],
        results.map((r) => [
          r.broker,
          r.qos,
          r.outcome,
          r.publishedMiB,
          r.seconds,
          r.mibPerSecond,
          r.rssBeforeMiB,
          r.rssAtQuartersMiB.map((q) => q ?? 'n/a').join(' / '),
          r.rssPeakMiB,
          r.brokerCpuSeconds,
        ]),
      ),
      '',
      'RSS measured: ' + brokers.map((b) => `${b.name}: ${b.note}`).join('; ') + '.',
      '',
      ...results
        .filter((r) => r.subscriberStats)
        .map(
          (r) =>
            `mqfleet QoS ${r.qos}, the slow subscriber's describeMqSessions stats at the end: \`${JSON.stringify(r.subscriberStats)}\``,
        ),
    ].join('\n');
    report('slow-consumer', result, md);
  } finally {
    removeInterruptHandler();
    await close();
  }
}

runMain(main);
