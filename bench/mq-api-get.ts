// MQTT → an MQ API session (docs/json-api.md, "Messages of MQ API sessions"): the whole system as
// processes (session-service, api-gateway, one connection-gateway), an MQ API session subscribed
// to bench/get/#, and MQTT 5 publishers (MQTT.js, QoS 1) whose messages are kept for it. Three
// phases:
//   drain    --backlog messages are published first (each PUBACK = stored), then read with
//            getMessagesFromMqApiSession over HTTP (maxMessages --batch, one request at a time):
//            messages read per second;
//   poll     --rate messages/s published for --seconds while a reader polls (as drain; an empty
//            answer waits --poll-ms before the next request): time from publish to read;
//   push     the same rate, the session's messages pushed over the WebSocket /ws
//            ("push": true): time from publish to the push frame.
// Every message must be read exactly once (counted). Payload = its number; the publish time is
// noted by the bench process.
//
//   node --import tsx bench/mq-api-get.ts [--backlog 20000] [--batch 1000] [--rate 1000] [--seconds 10] [--poll-ms 5] [--name mq-api-get]
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import type { MqttClient } from 'mqtt';
import { cpuMeter, machine, percentile, pidsOf, report, round, table } from './lib/stats';
import { onInterrupt, startBenchSystem } from './lib/system';
import { connectClient, runMain } from './lib/mqtt';

const { values: args } = parseArgs({
  options: {
    backlog: { type: 'string', default: '20000' },
    batch: { type: 'string', default: '1000' },
    rate: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '10' },
    'poll-ms': { type: 'string', default: '5' },
    publishers: { type: 'string', default: '4' },
    name: { type: 'string', default: 'mq-api-get' },
  },
});
const BACKLOG = Number(args.backlog);
const BATCH = Number(args.batch);
const RATE = Number(args.rate);
const DURATION_MS = Number(args.seconds) * 1000;
const POLL_MS = Number(args['poll-ms']);
const PUBLISHERS = Number(args.publishers);
const SESSION = 'bench-get';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Phase {
  phase: string;
  messages: number;
  seconds: number;
  messagesPerSecond: number;
  p50Ms?: number;
  p99Ms?: number;
  maxMs?: number;
  read: number;
  duplicates: number;
  cpu: Record<string, number>;
}

async function main(): Promise<void> {
  const system = await startBenchSystem({ gateway: true });
  const publishers: MqttClient[] = [];
  const close = async (): Promise<void> => {
    for (const p of publishers) p.end(true);
    await system.close();
  };
  const removeInterruptHandler = onInterrupt(close);
  try {
    for (let i = 0; i < PUBLISHERS; i++)
      publishers.push(await connectClient(system.mqttPort, `bench-get-pub-${i}`));
    const token = await system.login();
    const call = async (action: string, params: Record<string, unknown>): Promise<Json> => {
      const res = await system.http.action('mq', action, params, token);
      if (res.body.errorCode !== 0) throw new Error(`${action}: ${res.body.errorMessage}`);
      return res.body.result as Json;
    };
    await call('createMqApiSession', { clientName: SESSION });
    await call('subscribeToMq', {
      clientName: SESSION,
      subscriptionActions: [{ subscriptionAction: 'add', topicFilter: 'bench/get/#', qos: 1 }],
    });
    const processes = system.processes.map((p) => p.child.pid!);
    const meter = () =>
      cpuMeter({
        'session-service': () => [processes[0]!],
        'api-gateway': () => [processes[1]!],
        'connection-gateway': () => [processes[2]!],
        postgres: () => pidsOf('postgres'),
        'nats-server': () => pidsOf('nats-server'),
        'bench client': () => [process.pid],
      });

    let next = 0;
    const sentAt = new Map<number, number>();
    const publish = (): Promise<unknown> => {
      const i = next++;
      sentAt.set(i, performance.now());
      return publishers[i % PUBLISHERS]!.publishAsync(`bench/get/${i % 10}`, String(i), { qos: 1 });
    };
    /** Publishes at RATE for DURATION_MS (open loop, in 10 ms ticks); resolves when all are acknowledged. */
    const publishAtRate = async (): Promise<number> => {
      const start = performance.now();
      const pending: Promise<unknown>[] = [];
      let sent = 0;
      while (performance.now() - start < DURATION_MS) {
        const due = Math.floor(((performance.now() - start) / 1000) * RATE);
        while (sent < due) {
          pending.push(publish());
          sent++;
        }
        await new Promise((r) => setTimeout(r, 10));
      }
      await Promise.all(pending);
      return sent;
    };
    const seen = new Set<number>();
    let duplicates = 0;
    const latencies: number[] = [];
    const took = (data: Json[]): void => {
      const now = performance.now();
      for (const m of data) {
        const i = Number(m.payload);
        if (seen.has(i)) {
          duplicates++;
          continue;
        }
        seen.add(i);
        const at = sentAt.get(i);
        if (at !== undefined) latencies.push(now - at);
      }
    };
    const phases: Phase[] = [];
    const finish = (
      phase: string,
      messages: number,
      ms: number,
      cpu: Record<string, number>,
      withLatency: boolean,
    ) => {
      phases.push({
        phase,
        messages,
        seconds: round(ms / 1000, 2),
        messagesPerSecond: round(messages / (ms / 1000), 0),
        ...(withLatency
          ? {
              p50Ms: round(percentile(latencies, 50), 2),
              p99Ms: round(percentile(latencies, 99), 2),
              maxMs: round(Math.max(...latencies), 2),
            }
          : {}),
        read: seen.size,
        duplicates,
        cpu: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, round(v, 2)])),
      });
      if (seen.size !== messages || duplicates > 0) {
        const missing: number[] = [];
        for (let i = 0; i < messages && missing.length < 20; i++) if (!seen.has(i)) missing.push(i);
        throw new Error(
          `${phase}: read ${seen.size} of ${messages}, ${duplicates} duplicates; first missing: ${missing.join(', ')}`,
        );
      }
      seen.clear();
      latencies.length = 0;
      sentAt.clear();
    };
    const readUntil = async (count: number, deadlineMs: number, stop?: () => boolean): Promise<void> => {
      const deadline = Date.now() + deadlineMs;
      while (seen.size < count && Date.now() < deadline && !stop?.()) {
        const result = await call('getMessagesFromMqApiSession', { clientName: SESSION, maxMessages: BATCH });
        took(result.data as Json[]);
        if (result.messageCount === 0) await new Promise((r) => setTimeout(r, POLL_MS));
      }
    };

    // Warm-up: 2,000 messages published and read.
    next = 0;
    for (let i = 0; i < 2000; i += 100) await Promise.all(Array.from({ length: 100 }, () => publish()));
    await readUntil(2000, 30_000);
    seen.clear();
    sentAt.clear();
    latencies.length = 0;

    // drain
    next = 0;
    for (let i = 0; i < BACKLOG; i += 200) {
      await Promise.all(Array.from({ length: Math.min(200, BACKLOG - i) }, () => publish()));
    }
    let stopCpu = meter();
    let start = performance.now();
    await readUntil(BACKLOG, 120_000);
    finish('drain', BACKLOG, performance.now() - start, stopCpu(), false);

    // poll
    next = 0;
    stopCpu = meter();
    start = performance.now();
    let published = -1;
    const publishing = publishAtRate().then((n) => (published = n));
    await readUntil(
      Number.MAX_SAFE_INTEGER,
      DURATION_MS + 30_000,
      () => published >= 0 && seen.size >= published,
    );
    await publishing;
    await readUntil(published, 10_000);
    finish('poll', published, performance.now() - start, stopCpu(), true);

    // push
    next = 0;
    const socket = new WebSocket(`ws://127.0.0.1:${system.httpPort}/ws`);
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    let pushedAll: () => void = () => undefined;
    let target = Number.MAX_SAFE_INTEGER;
    const allPushed = new Promise<void>((resolve) => (pushedAll = resolve));
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Json;
      if (frame.errorCode) throw new Error(`push: ${frame.errorMessage}`);
      if (frame.result?.data) took(frame.result.data as Json[]);
      if (seen.size >= target) pushedAll();
    });
    socket.send(
      JSON.stringify({
        api: 'mq',
        action: 'getMessagesFromMqApiSession',
        params: { clientName: SESSION, push: true, maxMessages: 1 },
        requestId: 'push',
        authToken: token,
      }),
    );
    stopCpu = meter();
    start = performance.now();
    target = await publishAtRate();
    if (seen.size < target) await Promise.race([allPushed, new Promise((r) => setTimeout(r, 10_000))]);
    finish('push', target, performance.now() - start, stopCpu(), true);
    socket.close();

    const result = {
      benchmark: 'mq-api-get',
      machine: machine(),
      backlog: BACKLOG,
      batch: BATCH,
      rate: RATE,
      seconds: DURATION_MS / 1000,
      pollMs: POLL_MS,
      publishers: PUBLISHERS,
      phases,
    };
    const md = [
      `### MQTT (QoS 1) → MQ API session: drain of ${BACKLOG} kept messages (maxMessages ${BATCH}), then ${RATE} msg/s for ${DURATION_MS / 1000} s read by polling and by WebSocket push`,
      '',
      table(
        [
          'phase',
          'messages',
          'seconds',
          'messages/s',
          'publish→read p50 ms',
          'p99 ms',
          'max ms',
          'read once',
        ],
        phases.map((p) => [
          p.phase,
          p.messages,
          p.seconds,
          p.messagesPerSecond,
          p.p50Ms ?? '—',
          p.p99Ms ?? '—',
          p.maxMs ?? '—',
          `${p.read} / ${p.messages}${p.duplicates ? `, ${p.duplicates} duplicates` : ''}`,
        ]),
      ),
      '',
      'CPU seconds per process in each phase (2 cores):',
      '',
      table(
        ['process', ...phases.map((p) => p.phase)],
        Object.keys(phases[0]!.cpu).map((k) => [k, ...phases.map((p) => p.cpu[k])]),
      ),
    ].join('\n');
    report(args.name, result, md);
  } finally {
    removeInterruptHandler();
    await close();
  }
}

runMain(main);
