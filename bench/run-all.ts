// Runs the benchmarks in sequence, each as its own process (so each starts and stops its
// own system), then prints their result tables. `pnpm run bench` from the repository root.
// alter-profile.ts is not included: run it by hand when alter-throughput misses its goal.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** [results name, script, arguments, time limit in s] */
const BENCHMARKS: [string, string, string[], number][] = [
  ['alter-throughput', 'alter-throughput', [], 240],
  [
    'alter-throughput-c64',
    'alter-throughput',
    ['--concurrency', '64', '--name', 'alter-throughput-c64'],
    240,
  ],
  ['list-latency', 'list-latency', [], 240],
  ['mqtt-throughput', 'mqtt-throughput', [], 240],
  ['propagation-latency', 'propagation-latency', [], 240],
  ['bulk-10k', 'bulk-10k', [], 240],
  // MQ API sessions: publishMessagesToMq → MQTT, and MQTT → getMessagesFromMqApiSession.
  ['mq-api-publish', 'mq-api-publish', [], 240],
  ['mq-api-get', 'mq-api-get', [], 240],
  // The MQTT load kit: three brokers, every scenario, 3 runs each (about 20 minutes; the reconnect storm of a struggling broker up to 5 more).
  // 2 × 3 phases of 1 GiB each.
  ['slow-consumer', 'slow-consumer', [], 900],
  ['mqtt-load', 'mqtt-load', [], 2400],
  ['mqtt-scale', 'mqtt-load', ['--scale'], 900],
];

const [load1] = os.loadavg();
if ((load1 ?? 0) > 0.5) {
  process.stderr.write(
    `warning: load average ${load1?.toFixed(2)} before the run; other work on the machine skews the numbers\n`,
  );
}

let failed = 0;
for (const [name, script, extra, limitSeconds] of BENCHMARKS) {
  process.stderr.write(`\n== ${name}\n`);
  const started = Date.now();
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', path.join(__dirname, `${script}.ts`), ...extra],
    {
      stdio: 'inherit',
      cwd: path.join(__dirname, '..'),
      timeout: limitSeconds * 1000,
    },
  );
  process.stderr.write(
    `== ${name}: exit ${run.status ?? run.signal} after ${Math.round((Date.now() - started) / 1000)} s\n`,
  );
  if (run.status !== 0) failed++;
}

process.stdout.write('\n## Results\n');
for (const [name] of BENCHMARKS) {
  try {
    process.stdout.write(`\n${readFileSync(path.join(__dirname, 'results', `${name}.md`), 'utf8')}`);
  } catch {
    process.stdout.write(`\n${name}: no results\n`);
  }
}
process.exitCode = failed > 0 ? 1 : 0;
