// The long fuzz run of the connection-gateway (services/connection-gateway/test/fuzz-lib.ts):
// a real session-service process and an in-process gateway on real NATS/Postgres (the tests'
// startCluster), fuzz connections over TCP, several packets per connection (each packet written
// counts as one input; most are valid, some mutated, written until the server closes). Stops at
// --inputs or --minutes, whichever comes first. Reports inputs/s, crashes (unhandled errors: must
// be 0), hangs, handler bugs, and heapUsed after GC at the start and the end. A second gateway
// holds a witness subscribed to "#": every message the fuzzed gateway acknowledged must reach it
// (reported as acknowledged / delivered / lost; lost must be 0).
//
//   node --expose-gc --import tsx bench/fuzz-long.ts [--inputs 1000000] [--minutes 20]
//        [--concurrency 32] [--per-connection 100]      (MQFLEET_FUZZ_SEED=<seed> replays)
import { parseArgs } from 'node:util';
import { startCluster } from '../services/connection-gateway/test/helpers';
import { fuzz, fuzzSeed, heapUsed, watch } from '../services/connection-gateway/test/fuzz-lib';
import { machine, report, round } from './lib/stats';
import { onInterrupt } from './lib/system';

const { values: args } = parseArgs({
  options: {
    inputs: { type: 'string', default: '1000000' },
    minutes: { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '32' },
    'per-connection': { type: 'string', default: '100' },
  },
});

const MiB = 2 ** 20;

async function main(): Promise<void> {
  const seed = fuzzSeed();
  console.log(`fuzz-long: MQFLEET_FUZZ_SEED=${seed}`);
  const cluster = await startCluster();
  const stopInterrupt = onInterrupt(() => cluster.close());
  const { gateway, port } = await cluster.startGateway();
  const { port: peerPort } = await cluster.startGateway();
  const w = watch(gateway);
  const heapStart = heapUsed();
  if (!heapStart.afterGc) console.warn('run node with --expose-gc for heap readings after GC');
  let lastLog = 0;
  let stats;
  try {
    stats = await fuzz({
      port,
      seed,
      maxInputs: Number(args.inputs),
      maxSeconds: Number(args.minutes) * 60,
      concurrency: Number(args.concurrency),
      perConnection: Number(args['per-connection']),
      deadlineMs: 2000,
      batchCases: 2000,
      peerPort,
      onBatch: (s) => {
        if (s.seconds - lastLog < 30) return;
        lastLog = s.seconds;
        console.log(
          `${round(s.seconds, 0)} s: ${s.written} inputs, ${s.cases} connections, ` +
            `${round(s.written / s.seconds, 0)} inputs/s, ${JSON.stringify(s.outcomes)}, ` +
            `heapUsed ${round(heapUsed().bytes / MiB, 1)} MiB, errors ${w.errors.length}`,
        );
      },
    });
  } finally {
    w.stop();
  }
  // Let the last connections' sockets and CloseSession calls settle before the heap reading.
  await new Promise((r) => setTimeout(r, 3000));
  const heapEnd = heapUsed();
  const openConnections = gateway.connections.size;
  // What the gateway still holds once every fuzz connection is gone (leak indicators).
  const internals = gateway as unknown as { router?: { filterCount: number } };
  const leftovers = {
    connections: openConnections,
    clients: gateway.byClient.size,
    natsFilters: internals.router?.filterCount ?? -1,
  };
  const result = {
    seed,
    machine: machine(),
    inputs: stats.written,
    connections: stats.cases,
    batches: stats.batches,
    seconds: round(stats.seconds, 1),
    inputsPerSecond: round(stats.written / stats.seconds, 0),
    projectedSecondsFor1M: round(1e6 / (stats.written / stats.seconds), 0),
    outcomes: stats.outcomes,
    crashes: w.errors.length,
    errors: w.errors.slice(0, 20),
    handlerBugs: w.internalErrors.length,
    handlerBugSamples: [...new Set(w.internalErrors)].slice(0, 20),
    hangs: stats.hangs.length,
    hangSamples: stats.hangs.slice(0, 20),
    heapUsedStartMiB: round(heapStart.bytes / MiB, 1),
    heapUsedEndMiB: round(heapEnd.bytes / MiB, 1),
    heapGrowthMiB: round((heapEnd.bytes - heapStart.bytes) / MiB, 1),
    heapAfterGc: heapEnd.afterGc,
    gatewayLeftovers: leftovers,
    acknowledged: stats.accepted,
    deliveredToOtherGateway: stats.delivered,
    lost: stats.lost.length,
    lostSamples: stats.lost.slice(0, 20).map((l) => ({ ...l, topic: l.topic.slice(0, 80) })),
  };
  const md = [
    `# fuzz-long (seed ${seed})`,
    '',
    `- inputs: ${result.inputs} in ${result.connections} connections, ${result.seconds} s ` +
      `(${result.inputsPerSecond} inputs/s; 1,000,000 would take ${result.projectedSecondsFor1M} s)`,
    `- outcomes: ${JSON.stringify(result.outcomes)}`,
    `- crashes (unhandled errors): ${result.crashes}; handler bugs: ${result.handlerBugs}; hangs: ${result.hangs}`,
    `- broker still worked after each of ${result.batches} batches`,
    `- acknowledged by the fuzzed gateway: ${result.acknowledged}; delivered on the other gateway: ` +
      `${result.deliveredToOtherGateway}; lost: ${result.lost}`,
    `- heapUsed${result.heapAfterGc ? ' after GC' : ''}: ${result.heapUsedStartMiB} → ${result.heapUsedEndMiB} MiB ` +
      `(${result.heapGrowthMiB >= 0 ? '+' : ''}${result.heapGrowthMiB} MiB); left in the gateway: ` +
      `${leftovers.connections} connections, ${leftovers.clients} clients, ${leftovers.natsFilters} NATS filters`,
  ].join('\n');
  report('fuzz-long', result, md);
  // Closing takes a while after a long run: the session-service still closes the fuzz sessions
  // and the test infra deletes the prefix's JetStream streams (with the parked sessions' queue
  // consumers) and database. Said, so a slow close is not mistaken for a hang.
  const closing = Date.now();
  process.stderr.write('fuzz-long: closing the cluster\n');
  await cluster.close();
  process.stderr.write(`fuzz-long: cluster closed in ${Math.round((Date.now() - closing) / 1000)} s\n`);
  stopInterrupt();
  if (result.crashes > 0 || result.hangs > 0 || result.lost > 0) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
