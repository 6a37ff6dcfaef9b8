// publishMessagesToMq through real HTTP to a real MQTT subscriber (docs/json-api.md): the whole
// system as processes (session-service, api-gateway, one connection-gateway), an MQ API session
// publishing one message per request at bounded concurrency over keep-alive connections, and an
// MQTT 5 subscriber that must receive every message once. Reports requests (= messages) per
// second, the HTTP round trip (p50/p99) and the time from the request to the delivery (p50/p99).
//
//   node --import tsx bench/mq-api-publish.ts [--concurrency 16] [--seconds 15] [--qos 0|1] [--name mq-api-publish]
import { parseArgs } from 'node:util';
import { runLoad, type ApiReply } from './lib/http';
import { cpuMeter, machine, percentile, pidsOf, report, round, table } from './lib/stats';
import { onInterrupt, startBenchSystem } from './lib/system';
import { connectClient, runMain } from './lib/mqtt';

const { values: args } = parseArgs({
  options: {
    concurrency: { type: 'string', default: '16' },
    seconds: { type: 'string', default: '15' },
    count: { type: 'string', default: '1000000' },
    warmup: { type: 'string', default: '1000' },
    qos: { type: 'string', default: '1' },
    name: { type: 'string', default: 'mq-api-publish' },
  },
});
const CONCURRENCY = Number(args.concurrency);
const DURATION_MS = Number(args.seconds) * 1000;
const COUNT = Number(args.count);
const WARMUP = Number(args.warmup);
const QOS = Number(args.qos);

async function main(): Promise<void> {
  const system = await startBenchSystem({ gateway: true });
  const subscriber = await connectClient(system.mqttPort, 'bench-api-subscriber');
  const close = async (): Promise<void> => {
    subscriber.end(true);
    await system.close();
  };
  const removeInterruptHandler = onInterrupt(close);
  try {
    await subscriber.subscribeAsync('bench/api/#', { qos: 1 });
    const token = await system.login();
    const created = await system.http.action('mq', 'createMqApiSession', { clientName: 'bench-api' }, token);
    if (created.body.errorCode !== 0) throw new Error(`createMqApiSession: ${created.body.errorMessage}`);

    // Each message carries its request number; the subscriber notes when it arrives.
    const sentAt = new Map<number, number>();
    const deliveryMs: number[] = [];
    let received = 0;
    let duplicates = 0;
    const seen = new Set<number>();
    subscriber.on('message', (_topic, payload) => {
      const i = Number(payload.toString());
      if (seen.has(i)) {
        duplicates++;
        return;
      }
      seen.add(i);
      received++;
      const at = sentAt.get(i);
      if (at !== undefined) deliveryMs.push(performance.now() - at);
    });
    const publish = (i: number): Promise<ApiReply> => {
      sentAt.set(i, performance.now());
      return system.http.action(
        'mq',
        'publishMessagesToMq',
        {
          clientName: 'bench-api',
          topic: `bench/api/${i % 10}`,
          messages: [{ payload: String(i), qos: QOS }],
        },
        token,
      );
    };
    const ok = (r: ApiReply): boolean =>
      r.status === 200 && r.body.errorCode === 0 && r.body.result?.messages?.[0]?.reasonCode === 0;

    const warm = await runLoad({
      concurrency: CONCURRENCY,
      count: WARMUP,
      durationMs: 30000,
      request: publish,
      ok,
    });
    if (warm.errors > 0) throw new Error(`warm-up errors: ${warm.errorSamples.join('; ')}`);
    const processes = system.processes.map((p) => p.child.pid!);
    const stopCpu = cpuMeter({
      'session-service': () => [processes[0]!],
      'api-gateway': () => [processes[1]!],
      'connection-gateway': () => [processes[2]!],
      postgres: () => pidsOf('postgres'),
      'nats-server': () => pidsOf('nats-server'),
      'bench client': () => [process.pid],
    });
    deliveryMs.length = 0;
    const load = await runLoad({
      concurrency: CONCURRENCY,
      count: COUNT,
      durationMs: DURATION_MS,
      request: (i) => publish(WARMUP + i),
      ok,
    });
    const cpu = stopCpu();
    const seconds = load.elapsedMs / 1000;
    // Every message published must arrive (QoS 0 on one host loses none in practice; counted).
    const expected = WARMUP + load.requests - load.errors;
    const deadline = Date.now() + 10_000;
    while (received < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));

    const result = {
      benchmark: 'mq-api-publish',
      machine: machine(),
      qos: QOS,
      concurrency: CONCURRENCY,
      requests: load.requests,
      seconds: round(seconds, 2),
      messagesPerSecond: round(load.requests / seconds, 0),
      httpP50Ms: round(percentile(load.latencies, 50), 2),
      httpP99Ms: round(percentile(load.latencies, 99), 2),
      deliveryP50Ms: round(percentile(deliveryMs, 50), 2),
      deliveryP99Ms: round(percentile(deliveryMs, 99), 2),
      errors: load.errors,
      errorSamples: load.errorSamples,
      expected,
      received,
      duplicates,
      cpuSecondsPerProcess: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, round(v, 2)])),
    };
    const md = [
      `### publishMessagesToMq → MQTT subscriber (QoS ${QOS}, concurrency ${CONCURRENCY}, one message per request)`,
      '',
      table(
        [
          'messages',
          'seconds',
          'messages/s',
          'HTTP p50 ms',
          'HTTP p99 ms',
          'delivery p50 ms',
          'delivery p99 ms',
          'errors',
          'received / expected',
        ],
        [
          [
            result.requests,
            result.seconds,
            result.messagesPerSecond,
            result.httpP50Ms,
            result.httpP99Ms,
            result.deliveryP50Ms,
            result.deliveryP99Ms,
            result.errors,
            `${received} / ${expected}${duplicates ? `, ${duplicates} duplicates` : ''}`,
          ],
        ],
      ),
      '',
      'CPU time during the measured run (2 cores = 200 %):',
      '',
      table(
        ['process', 'CPU s', 'CPU % of wall'],
        Object.entries(cpu).map(([k, v]) => [k, round(v, 2), `${round((v / seconds) * 100, 0)} %`]),
      ),
    ].join('\n');
    report(args.name, result, md);
    if (received < expected || duplicates > 0)
      throw new Error(`received ${received} of ${expected}, ${duplicates} duplicates`);
  } finally {
    removeInterruptHandler();
    await close();
  }
}

runMain(main);
