// alterMqSession throughput through real HTTP: the whole system (session-service, api-gateway,
// one connection-gateway) as processes, N MQTT clients that stay connected, then alterations
// of a different connected session each, keepAliveSeconds and userProperties in turn, with
// bounded concurrency over keep-alive connections. Every reply must have errorCode 0.
//
//   node --import tsx bench/alter-throughput.ts [--sessions 200] [--concurrency 32] [--name alter-throughput]
//                                               [--count 60000] [--seconds 30]
import { parseArgs } from 'node:util';
import type { MqttClient } from 'mqtt';
import { runLoad, type ApiReply } from './lib/http';
import { cpuMeter, machine, percentile, pidsOf, report, round, table } from './lib/stats';
import { onInterrupt, startBenchSystem } from './lib/system';
import { connectClient, runMain } from './lib/mqtt';

const { values: args } = parseArgs({
  options: {
    sessions: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '32' },
    count: { type: 'string', default: '60000' },
    seconds: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '1000' },
    /** Results file stem (bench/results/<name>.json/.md), so runs at several concurrencies sit side by side. */
    name: { type: 'string', default: 'alter-throughput' },
    /** Another checkout whose built services to measure (an earlier commit: A/B on one machine). */
    root: { type: 'string' },
  },
});
const SESSIONS = Number(args.sessions);
const CONCURRENCY = Number(args.concurrency);
const COUNT = Number(args.count);
const DURATION_MS = Number(args.seconds) * 1000;
const WARMUP = Number(args.warmup);
const GOAL = 2000;

async function main(): Promise<void> {
  const system = await startBenchSystem({ gateway: true, root: args.root });
  const clients: MqttClient[] = [];
  const close = async (): Promise<void> => {
    for (const c of clients) c.end(true);
    await system.close();
  };
  const removeInterruptHandler = onInterrupt(close);
  try {
    const names = Array.from({ length: SESSIONS }, (_, i) => `bench-dev-${String(i).padStart(5, '0')}`);
    for (let i = 0; i < names.length; i += 25) {
      clients.push(
        ...(await Promise.all(names.slice(i, i + 25).map((n) => connectClient(system.mqttPort, n)))),
      );
    }
    let unexpectedDisconnects = 0;
    for (const c of clients) c.on('close', () => unexpectedDisconnects++);
    const token = await system.login();
    let liveApplied = 0;
    let notLiveApplied = 0;

    // Request i alters session i mod N; round r = floor(i / N) alternates between a new keep
    // alive and new user properties, so every request really changes something.
    const alter = (i: number): Promise<ApiReply> => {
      const round = Math.floor(i / SESSIONS);
      const params: Record<string, unknown> = { clientName: names[i % SESSIONS] };
      if (round % 2 === 0) params.keepAliveSeconds = 60 + (round % 500);
      else params.userProperties = [{ key: 'bench', value: `round-${round}` }];
      return system.http.action('mq', 'alterMqSession', params, token).then((reply) => {
        // liveApplied: the gateway holding the connection confirmed the new version in time.
        if (reply.body.result?.liveApplied === true) liveApplied++;
        else if (reply.body.result?.liveApplied === false) notLiveApplied++;
        return reply;
      });
    };
    const ok = (r: ApiReply): boolean =>
      r.status === 200 && r.body.errorCode === 0 && (r.body.result?.changedFields?.length ?? 0) > 0;

    // Warm-up (JIT, connection pools), with an offset so the measured run still changes values.
    const warm = await runLoad({
      concurrency: CONCURRENCY,
      count: WARMUP,
      durationMs: 30000,
      request: alter,
      ok,
    });
    if (warm.errors > 0) throw new Error(`warm-up errors: ${warm.errorSamples.join('; ')}`);

    const sessionService = system.processes[0]!.child.pid!;
    const apiGateway = system.processes[1]!.child.pid!;
    const gateway = system.processes[2]!.child.pid!;
    const stopCpu = cpuMeter({
      'session-service': () => [sessionService],
      'api-gateway': () => [apiGateway],
      'connection-gateway': () => [gateway],
      postgres: () => pidsOf('postgres'),
      'nats-server': () => pidsOf('nats-server'),
      'bench client': () => [process.pid],
    });
    const offset = Math.ceil(WARMUP / SESSIONS) * SESSIONS;
    liveApplied = 0;
    notLiveApplied = 0;
    const load = await runLoad({
      concurrency: CONCURRENCY,
      count: COUNT,
      durationMs: DURATION_MS,
      request: (i) => alter(offset + i),
      ok,
    });
    const cpu = stopCpu();
    const seconds = load.elapsedMs / 1000;

    // The last alteration of a sample session must be visible in describeMqSessions.
    const check = await system.http.action('mq', 'describeMqSessions', { clientNames: [names[0]] }, token);
    const version = Number(check.body.result?.data?.[0]?.version ?? 0);

    const result = {
      benchmark: 'alter-throughput',
      machine: machine(),
      sessions: SESSIONS,
      concurrency: CONCURRENCY,
      requests: load.requests,
      seconds: round(seconds, 2),
      requestsPerSecond: round(load.requests / seconds, 0),
      p50Ms: round(percentile(load.latencies, 50), 2),
      p99Ms: round(percentile(load.latencies, 99), 2),
      maxMs: round(percentile(load.latencies, 100), 2),
      errors: load.errors,
      errorSamples: load.errorSamples,
      goalPerSecond: GOAL,
      clientsStillConnected: clients.filter((c) => c.connected).length,
      unexpectedDisconnects,
      liveApplied,
      notLiveApplied,
      sampleSessionVersion: version,
      cpuSecondsPerProcess: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, round(v, 2)])),
    };
    const cpuRows = Object.entries(cpu).map(([k, v]) => [
      k,
      round(v, 2),
      `${round((v / seconds) * 100, 0)} %`,
      round(((v / load.requests) * 1e6) / 1000, 3),
    ]);
    const md = [
      `### alterMqSession throughput (${SESSIONS} connected sessions, concurrency ${CONCURRENCY})`,
      '',
      table(
        ['requests', 'seconds', 'alterations/s', 'p50 ms', 'p99 ms', 'max ms', 'errors', 'goal'],
        [
          [
            result.requests,
            result.seconds,
            result.requestsPerSecond,
            result.p50Ms,
            result.p99Ms,
            result.maxMs,
            result.errors,
            `≥ ${GOAL}/s ${result.requestsPerSecond >= GOAL ? 'met' : 'NOT met'}`,
          ],
        ],
      ),
      '',
      `MQTT clients still connected afterwards: ${result.clientsStillConnected}/${SESSIONS}` +
        ` (unexpected disconnects: ${unexpectedDisconnects}).` +
        ` liveApplied true in ${liveApplied} replies, false in ${notLiveApplied}` +
        ` (absent in the others: a build without confirmed application).` +
        (load.errorSamples.length ? ` Error samples: ${load.errorSamples.join('; ')}` : ''),
      '',
      'CPU time during the measured run (2 cores = 200 %):',
      '',
      table(['process', 'CPU s', 'CPU % of wall', 'CPU ms per alteration'], cpuRows),
    ].join('\n');
    report(args.name, result, md);
  } finally {
    removeInterruptHandler();
    await close();
  }
}

runMain(main);
