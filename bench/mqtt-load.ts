// MQTT load against mqfleet, Mosquitto and Aedes in one run, interleaved, with a compiled load
// generator (bench/mqload/, built at start) whose CPU is shown beside each broker's. Scenarios
// (bench/lib/load-scenarios.ts): idle memory, connect rate (clean and persistent), fan-in, fan-out,
// QoS 1, latency at a fixed rate, reconnect storm. Medians, min/max and ratios go to
// bench/results/<name>.json and .md. Any run that loses, duplicates or reorders a message, misses a
// PUBACK, gets a wrong Session Present or leaves sessions unserved makes the exit code 1.
// --scale compares one mqfleet gateway with two on this host instead (no other brokers).
//
//   pnpm run bench:mqtt [-- --quick] [--scenarios fan-in,qos1] [--brokers mqfleet,aedes]
//       [--reps 3] [--duration 5] [--warmup 1] [--latency-duration 10] [--idle-clients 10000]
//       [--storm-clients 20000] [--heavy-reps 1] [--connect-concurrency 200] [--scale]
//       [--name mqtt-load] [--note "shared machine, preliminary"]
import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { startAedes, startMosquitto, startMqfleet, type Broker } from './lib/brokers';
import { renderMarkdown, summarize, type SavedRun } from './lib/load-report';
import { openFileLimit, SCENARIOS, type LoadOptions, type Sample } from './lib/load-scenarios';
import { buildMqload } from './lib/mqload';
import { runMain } from './lib/mqtt';
import { cpuSeconds, machine, report, round } from './lib/stats';
import { readFileSync, writeFileSync } from 'node:fs';
import { onInterrupt } from './lib/system';

const { values: args } = parseArgs({
  // `pnpm run bench:mqtt -- --quick` passes the "--" on: options follow it.
  args: process.argv.slice(2).filter((a, i) => !(i === 0 && a === '--')),
  options: {
    quick: { type: 'boolean', default: false },
    scale: { type: 'boolean', default: false },
    scenarios: { type: 'string' },
    brokers: { type: 'string', default: 'mqfleet,aedes,mosquitto' },
    reps: { type: 'string' },
    'heavy-reps': { type: 'string', default: '1' },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    'latency-duration': { type: 'string' },
    'idle-clients': { type: 'string' },
    'storm-clients': { type: 'string' },
    'connect-concurrency': { type: 'string', default: '200' },
    name: { type: 'string' },
    note: { type: 'string', default: '' },
    render: { type: 'string' },
  },
});

// --render <results.json>: rewrites the .md beside it from the saved runs (no measuring).
if (args.render) {
  const saved = JSON.parse(readFileSync(args.render, 'utf8')) as SavedRun;
  const md = renderMarkdown(saved);
  writeFileSync(args.render.replace(/\.json$/, '.md'), `${md}\n`);
  process.stdout.write(`${md}\n`);
  process.exit(0);
}

const quick = args.quick!;
const pick = (v: string | undefined, full: number, short: number): number =>
  Number(v ?? (quick ? short : full));
const SCALE_SCENARIOS = 'connect-clean,fan-in,fan-out,qos1';
const scenarioNames = (
  args.scenarios ?? (args.scale ? SCALE_SCENARIOS : SCENARIOS.map((s) => s.name).join(','))
)
  .split(',')
  .filter(Boolean);
for (const n of scenarioNames) {
  if (!SCENARIOS.some((s) => s.name === n)) {
    process.stderr.write(`--scenarios: unknown "${n}" (known: ${SCENARIOS.map((s) => s.name).join(', ')})\n`);
    process.exit(2);
  }
}
const scenarios = SCENARIOS.filter((s) => scenarioNames.includes(s.name));
const reps = pick(args.reps, 3, 1);
const heavyReps = Number(args['heavy-reps']);
const name = args.name ?? (args.scale ? 'mqtt-scale' : 'mqtt-load');

/** Client connections a broker process can hold: its open-file limit minus its own files. */
const FD_RESERVE = 100;

const BROKER_LABELS: Record<string, string> = {
  mqfleet: 'mqfleet',
  aedes: 'Aedes',
  mosquitto: 'Mosquitto',
  'mqfleet-1gw': '1 gateway',
  'mqfleet-2gw': '2 gateways',
};

/**
 * Waits (at most 120 s) until the broker's processes use less than 10 % of a core, so that work a
 * run left behind (mqfleet: sessions still being closed) does not load the next run.
 */
async function waitQuiet(broker: Broker): Promise<number> {
  const pids = [...broker.brokerPids, ...(broker.otherPids().services ?? [])];
  const total = (): number => pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
  const started = Date.now();
  for (;;) {
    const before = total();
    await sleep(500);
    if ((total() - before) / 0.5 < 0.1 || Date.now() - started > 120000) return Date.now() - started;
  }
}

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  const bin = buildMqload();
  const limit = openFileLimit();
  const requestedStorm = pick(args['storm-clients'], 20000, 1000);
  const options: LoadOptions = {
    bin,
    duration: pick(args.duration, 5, 1),
    warmup: pick(args.warmup, 1, 0.3),
    latencyDuration: pick(args['latency-duration'], 10, 2),
    connectConcurrency: Number(args['connect-concurrency']),
    idleClients: Math.min(pick(args['idle-clients'], 10000, 1000), limit - FD_RESERVE),
    stormClients: Math.min(requestedStorm, limit - FD_RESERVE),
    settleMs: quick ? 1000 : 3000,
    runId: (Date.now() % 46656).toString(36).padStart(3, '0'),
  };
  const limits: string[] = [];
  if (options.stormClients < requestedStorm && scenarioNames.includes('storm')) {
    limits.push(
      `storm: ${options.stormClients} sessions instead of ${requestedStorm}: the open-file limit (ulimit -n) is ${limit}, ` +
        `and one broker process needs a file per connection plus its own (${FD_RESERVE} kept free)`,
    );
    process.stderr.write(`warning: ${limits[limits.length - 1]}\n`);
  }

  const brokers: Broker[] = [];
  const close = async (): Promise<void> => {
    for (const b of brokers.splice(0).reverse()) await b.close().catch(() => undefined);
  };
  const removeInterruptHandler = onInterrupt(close);
  const samples: Sample[] = [];
  try {
    const wanted = args.scale ? ['mqfleet-2gw', 'mqfleet-1gw'] : args.brokers!.split(',').filter(Boolean);
    for (const b of wanted) {
      if (b === 'mqfleet') brokers.push(await startMqfleet(1));
      else if (b === 'mqfleet-1gw') brokers.push(await startMqfleet(1, b));
      else if (b === 'mqfleet-2gw') brokers.push(await startMqfleet(2, b));
      // Every CONNECT waits for its stored session (docs/mqtt.md, "Answered first"): the gain
      // of answering first, measured in the same run.
      else if (b === 'mqfleet-stored')
        brokers.push(await startMqfleet(1, b, { MQFLEET_ANSWER_FIRST: 'never' }));
      // mqfleet@<dir>: the services built in another checkout (an earlier commit), beside this
      // one in the same run: `git worktree add /work/old <commit>`, install and build there.
      else if (b.startsWith('mqfleet@'))
        brokers.push(await startMqfleet(1, b, {}, b.slice('mqfleet@'.length)));
      else if (b === 'aedes') brokers.push(await startAedes());
      else if (b === 'mosquitto') brokers.push(await startMosquitto());
      else
        throw new Error(
          `--brokers: unknown "${b}" (mqfleet, mqfleet-stored, mqfleet@<dir>, aedes, mosquitto)`,
        );
    }
    const started = Date.now();
    for (const sc of scenarios) {
      const n = sc.heavy ? heavyReps : reps;
      for (let rep = 0; rep < n; rep++) {
        // Interleaved: every broker once per repetition, starting with a different one each time.
        for (let k = 0; k < brokers.length; k++) {
          const broker = brokers[(rep + k) % brokers.length]!;
          const waited = await waitQuiet(broker);
          if (waited > 2000)
            process.stderr.write(`(${broker.name} was busy for ${Math.round(waited / 1000)} s)\n`);
          const s = await sc.run(options, broker, rep);
          samples.push(s);
          const cpu = Object.entries(s.cpuPercent)
            .map(([g, v]) => `${g} ${v}%`)
            .join(', ');
          process.stderr.write(
            `${sc.name} ${broker.name} #${rep + 1}: ${s.ok ? `${s.value} ${sc.unit}` : `FAILED: ${s.error}`}` +
              `${cpu ? ` (CPU ${cpu})` : ''} [${Math.round((Date.now() - started) / 1000)} s]\n`,
          );
        }
      }
    }

    const brokerList = brokers.map((b) => ({ name: b.name, label: BROKER_LABELS[b.name] ?? b.name }));
    const failed = samples.filter((s) => !s.ok);
    const saved: SavedRun = {
      benchmark: 'mqtt-load',
      mode: args.scale ? 'scale' : 'brokers',
      note: args.note ?? '',
      commit: gitCommit(),
      machine: machine(),
      openFileLimit: limit,
      options: { ...options, bin: undefined, reps, heavyReps, quick },
      scenarios: scenarios.map((sc) => sc.name),
      brokers: brokers.map((b) => ({
        name: b.name,
        label: BROKER_LABELS[b.name] ?? b.name,
        version: b.version,
        note: b.note,
        ports: b.ports,
      })),
      limits,
      summary: Object.fromEntries(
        scenarios.map((sc) => [
          sc.name,
          Object.fromEntries(brokerList.map((b) => [b.name, summarize(samples, sc.name, b.name)])),
        ]),
      ),
      samples,
      failedRuns: failed.length,
      wallSeconds: round((Date.now() - started) / 1000, 0),
    };
    report(name, saved, renderMarkdown(saved));
    if (failed.length > 0) {
      process.stderr.write(`\n${failed.length} run(s) FAILED their checks:\n`);
      for (const s of failed) process.stderr.write(`  ${s.scenario} ${s.broker} #${s.rep + 1}: ${s.error}\n`);
      process.exitCode = 1;
    }
  } finally {
    removeInterruptHandler();
    await close();
  }
}

runMain(main);
