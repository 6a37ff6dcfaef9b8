// The scenarios of bench/mqtt-load.ts: each runs the compiled generator (bench/lib/mqload.ts)
// against one broker once and returns a Sample: its headline number, whether every check held,
// and the CPU of the generator beside the broker's over the measured window.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Broker } from './brokers';
import { Mqload, runMqload, type MqloadEvent } from './mqload';
import { cpuMeter, machineBusySeconds, round, rssMiB } from './stats';

export interface LoadOptions {
  bin: string;
  duration: number;
  warmup: number;
  latencyDuration: number;
  connectConcurrency: number;
  idleClients: number;
  stormClients: number;
  /** Pause before each RSS reading of idle-memory. */
  settleMs: number;
  runId: string;
}

export interface Sample {
  scenario: string;
  broker: string;
  rep: number;
  /** The headline number (unit in the scenario's definition). */
  value: number;
  ok: boolean;
  error?: string;
  /** CPU over the measured window, % of one core: generator, broker, and the broker's helpers. */
  cpuPercent: Record<string, number>;
  /** Warn/error lines the broker logged during the run. */
  brokerWarnings: number;
  detail: Record<string, unknown>;
}

export interface Goal {
  text: string;
  /** From mqfleet's median, Aedes' median (same run) and mqfleet's samples. */
  met(mqfleet: number, aedes: number | undefined, samples: Sample[]): boolean;
}

export interface Scenario {
  name: string;
  title: string;
  unit: string;
  higherIsBetter: boolean;
  /** idle-memory and storm run --heavy-reps times (default 1), the others --reps times. */
  heavy: boolean;
  /** The goal of issue 12 for mqfleet. */
  goal?: Goal;
  run(o: LoadOptions, broker: Broker, rep: number): Promise<Sample>;
}

const num = (v: unknown): number => (typeof v === 'number' ? v : NaN);

/**
 * Closed-loop QoS 0 runs: the generator pauses 0.5 ms after each round, so that each read takes
 * several deliveries (it then needs a fraction of the CPU; the window keeps the broker busy). Not
 * with QoS 1: a broker's in-flight window towards the subscriber (Mosquitto: 20) would then wait.
 */
const COALESCE = ['--coalesce-us', '500'];

const ratioGoal: Goal = { text: '≥ 1.0 × Aedes', met: (m, a) => a !== undefined && m >= a };

function watchArgs(broker: Broker): string[] {
  const groups: Record<string, number[]> = { broker: broker.brokerPids, ...broker.otherPids() };
  return Object.entries(groups)
    .filter(([, pids]) => pids.length > 0)
    .flatMap(([name, pids]) => ['--watch', `${name}:${pids.join(',')}`]);
}

function cpuPercent(cpu: unknown, seconds: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries((cpu ?? {}) as Record<string, number>)) {
    out[k] = seconds > 0 ? round((v / seconds) * 100, 0) : NaN;
  }
  return out;
}

const prefixOf = (o: LoadOptions, broker: Broker, rep: number, code: string): string =>
  `${o.runId}${broker.name.replace(/[^a-z0-9]/gi, '').slice(0, 3)}${rep}${code}`;

function fromResult(
  scenario: string,
  broker: Broker,
  rep: number,
  warningsBefore: number,
  r: MqloadEvent,
  value: number,
): Sample {
  return {
    scenario,
    broker: broker.name,
    rep,
    value,
    ok: r.ok === true,
    ...(r.ok === true ? {} : { error: String(r.error || 'failed') }),
    cpuPercent: cpuPercent(r.cpu, num(r.cpuWindowSeconds)),
    brokerWarnings: broker.warnings() - warningsBefore,
    detail: r,
  };
}

function failed(scenario: string, broker: Broker, rep: number, err: unknown): Sample {
  return {
    scenario,
    broker: broker.name,
    rep,
    value: NaN,
    ok: false,
    error: (err as Error).message ?? String(err),
    cpuPercent: {},
    brokerWarnings: 0,
    detail: {},
  };
}

function flow(
  name: string,
  title: string,
  code: string,
  args: (o: LoadOptions) => string[],
  pick: (r: MqloadEvent) => number,
  extra: Partial<Scenario>,
): Scenario {
  return {
    name,
    title,
    unit: 'msg/s',
    higherIsBetter: true,
    heavy: false,
    ...extra,
    async run(o, broker, rep) {
      const before = broker.warnings();
      try {
        // The scenario's own options first: the generator takes the first of a repeated option.
        const a = [
          'flow',
          ...args(o),
          '--ports',
          broker.ports.join(','),
          '--prefix',
          prefixOf(o, broker, rep, code),
          '--duration',
          String(o.duration),
          '--warmup',
          String(o.warmup),
          ...watchArgs(broker),
        ];
        const duration = Number(a[a.indexOf('--duration') + 1]);
        const r = await runMqload(o.bin, a, (o.warmup + duration + 60) * 1000);
        return fromResult(name, broker, rep, before, r, pick(r));
      } catch (err) {
        return failed(name, broker, rep, err);
      }
    },
  };
}

function connectRate(clean: boolean): Scenario {
  const name = clean ? 'connect-clean' : 'connect-persistent';
  return {
    name,
    title: clean
      ? 'CONNECT → CONNACK, clean sessions (new client id each time)'
      : 'CONNECT → CONNACK, persistent sessions resumed (clean session 0, Session Present checked)',
    unit: 'CONNACK/s',
    higherIsBetter: true,
    heavy: false,
    goal: ratioGoal,
    async run(o, broker, rep) {
      const before = broker.warnings();
      try {
        const r = await runMqload(
          o.bin,
          [
            'connect',
            '--ports',
            broker.ports.join(','),
            '--prefix',
            prefixOf(o, broker, rep, clean ? 'cc' : 'cp'),
            '--clean',
            clean ? '1' : '0',
            '--concurrency',
            String(o.connectConcurrency),
            '--ids-per-slot',
            '2',
            '--duration',
            String(o.duration),
            '--warmup',
            String(o.warmup),
            ...watchArgs(broker),
          ],
          (o.warmup + o.duration + 120) * 1000,
        );
        return fromResult(name, broker, rep, before, r, num(r.connectsPerSecond));
      } catch (err) {
        return failed(name, broker, rep, err);
      }
    },
  };
}

/** RLIMIT_NOFILE of this process (the brokers and generators inherit it). */
export function openFileLimit(): number {
  const m = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
  return m ? Number(m[1]) : 1024;
}

const rssOf = (pids: number[]): number => pids.reduce((s, p) => s + (rssMiB(p) ?? 0), 0);

const idleMemory: Scenario = {
  name: 'idle-memory',
  title: 'RSS per idle connection (broker process RSS before/after connecting the clients)',
  unit: 'KiB/conn',
  higherIsBetter: false,
  heavy: true,
  goal: { text: '≤ 8 KiB', met: (m) => m <= 8 },
  async run(o, broker, rep) {
    const before = broker.warnings();
    const hold = (clients: number, code: string): Mqload =>
      new Mqload(
        o.bin,
        ['hold', '--ports', broker.ports.join(','), '--prefix', prefixOf(o, broker, rep, code)].concat([
          '--clients',
          String(clients),
          '--concurrency',
          '200',
          '--limit-s',
          '600',
        ]),
        660000,
      );
    try {
      // Warm-up: a tenth of the clients connect and leave, so code and pools the first
      // connections bring are in the "before" reading.
      const warm = hold(Math.max(100, Math.round(o.idleClients / 10)), 'iw');
      await warm.next('connected');
      warm.send('close');
      await warm.next('result');
      await warm.done();
      await sleep(o.settleMs);
      const rssBefore = rssOf(broker.brokerPids);
      const servicesBefore = rssOf(broker.otherPids().services ?? []);
      const gen = hold(o.idleClients, 'im');
      const connected = await gen.next('connected');
      await sleep(o.settleMs); // timers, buffers and GC settle
      const rssAfter = rssOf(broker.brokerPids);
      const servicesAfter = rssOf(broker.otherPids().services ?? []);
      gen.send('close');
      const r = await gen.next('result');
      await gen.done();
      const perConnKiB = ((rssAfter - rssBefore) * 1024) / o.idleClients;
      return {
        ...fromResult('idle-memory', broker, rep, before, r, round(perConnKiB, 2)),
        cpuPercent: {},
        detail: {
          clients: o.idleClients,
          rssBeforeMiB: round(rssBefore, 1),
          rssAfterMiB: round(rssAfter, 1),
          servicesRssDeltaMiB: round(servicesAfter - servicesBefore, 1),
          rampSeconds: connected.seconds,
          rampConnectsPerSecond: connected.connectsPerSecond,
          rampFailures: connected.failures,
          result: r,
        },
      };
    } catch (err) {
      return failed('idle-memory', broker, rep, err);
    }
  },
};

/** Warning lines grouped by message and error (JSON log lines; others by their text), most frequent first. */
export function warningKinds(lines: string[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const line of lines) {
    let key = line.replace(/^\d+: /, '').slice(0, 120);
    try {
      const e = JSON.parse(line) as { service?: string; msg?: string; err?: unknown };
      // The services log an Error as {name, message, stack} (packages/core/src/log.ts).
      const err =
        e.err && typeof e.err === 'object'
          ? String((e.err as { message?: unknown }).message ?? JSON.stringify(e.err))
          : e.err;
      // Without what varies per call (gRPC's "after 5.001s,LB pick: …,remote_addr=…").
      const text = err
        ? String(err)
            .replace(/ after [\d.]+s,.*$/, '')
            .slice(0, 140)
        : '';
      key = `${e.service ?? ''}: ${e.msg ?? ''}${text ? ` (${text})` : ''}`;
    } catch {
      // not JSON: Mosquitto's notices
    }
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8);
}

/** Generators needed for n connections: one process holds at most this many (its fd limit). */
const PER_GENERATOR = 10000;

const storm: Scenario = {
  name: 'storm',
  title: 'reconnect storm: persistent sessions all reset at once and reconnect at once',
  unit: 's to last CONNACK',
  higherIsBetter: false,
  heavy: true,
  goal: {
    text: 'all served, no timeouts',
    met: (_m, _a, samples) =>
      samples.length > 0 && samples.every((x) => x.ok && (x.detail as { timeouts?: number }).timeouts === 0),
  },
  async run(o, broker, rep) {
    const before = broker.warnings();
    const n = o.stormClients;
    const shards = Math.ceil(n / PER_GENERATOR);
    const gens: Mqload[] = [];
    try {
      for (let s = 0; s < shards; s++) {
        const count = Math.floor(n / shards) + (s < n % shards ? 1 : 0);
        const offset = s * Math.floor(n / shards) + Math.min(s, n % shards);
        gens.push(
          new Mqload(
            o.bin,
            [
              'hold',
              '--ports',
              broker.ports.join(','),
              '--prefix',
              prefixOf(o, broker, rep, 'st'),
              '--clients',
              String(count),
              '--offset',
              String(offset),
              '--clean',
              '0',
              // One QoS 0 subscription each: session state to keep (Aedes reports a session only
              // when it has subscriptions) without offline queues.
              '--subscribe',
              '1',
              '--sub-qos',
              '0',
              '--concurrency',
              String(Math.ceil(200 / shards)),
              // A device gives up on an attempt after 30 s (MQTT.js' and Paho's default connect
              // timeout) and tries again with exponential backoff from 1-2 s up to 32-64 s; the
              // kernel retransmits a dropped SYN after 1, 3, 7 and 15 s meanwhile.
              '--timeout-ms',
              '30000',
              '--retry-ms',
              '1000',
              '--limit-s',
              '300',
            ],
            900000,
          ),
        );
      }
      const ramp = await Promise.all(gens.map((g) => g.next('connected')));
      await sleep(1000);
      const warningsAtDrop = broker.warnings();
      const meter = cpuMeter({
        broker: () => broker.brokerPids,
        generator: () => gens.map((g) => g.pid),
        ...Object.fromEntries(Object.entries(broker.otherPids()).map(([k, v]) => [k, () => v])),
      });
      const machineBefore = machineBusySeconds();
      const t0 = performance.now();
      for (const g of gens) g.send('drop');
      const stormed = await Promise.all(gens.map((g) => g.next('stormed')));
      const wall = (performance.now() - t0) / 1000;
      const cpu = { ...meter(), machine: machineBusySeconds() - machineBefore };
      for (const g of gens) g.send('close');
      const results = await Promise.all(gens.map((g) => g.next('result')));
      await Promise.all(gens.map((g) => g.done()));
      const sum = (k: string): number => stormed.reduce((s, e) => s + num(e[k]), 0);
      const failures: Record<string, number> = {};
      for (const e of stormed) {
        for (const [k, v] of Object.entries(e.failures as Record<string, number>))
          failures[k] = (failures[k] ?? 0) + v;
      }
      const served = sum('served');
      const slowest = (k: string, f: string): number =>
        Math.max(...stormed.map((e) => num((e[k] as Record<string, number>)[f])));
      const last = Math.max(...stormed.map((e) => num(e.lastConnackSeconds)));
      const spWrong =
        sum('sessionPresentWrong') + results.reduce((s, r) => s + num(r.sessionPresentWrong), 0);
      const ok = served === n && spWrong === 0 && results.every((r) => r.ok === true);
      return {
        scenario: 'storm',
        broker: broker.name,
        rep,
        value: round(last, 3),
        ok,
        ...(ok
          ? {}
          : {
              error:
                served < n
                  ? `${served} of ${n} sessions served within 300 s`
                  : spWrong > 0
                    ? `${spWrong} CONNACKs with a wrong Session Present flag`
                    : String(results.find((r) => r.ok !== true)?.error),
            }),
        cpuPercent: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, round((v / wall) * 100, 0)])),
        brokerWarnings: broker.warnings() - before,
        detail: {
          clients: n,
          generators: shards,
          served,
          firstAttemptServed: sum('firstAttemptServed'),
          attempts: sum('attempts'),
          failures,
          timeouts: failures.timeout ?? 0,
          lastConnackSeconds: last,
          p50SinceDropMs: round(slowest('connackSinceDropUs', 'p50') / 1000, 1),
          p99SinceDropMs: round(slowest('connackSinceDropUs', 'p99') / 1000, 1),
          rampSeconds: Math.max(...ramp.map((e) => num(e.seconds))),
          rampFailures: ramp.map((e) => e.failures),
          brokerWarningsDuringStorm: broker.warnings() - warningsAtDrop,
          brokerWarningKinds: warningKinds(broker.warningsSince(before)),
        },
      };
    } catch (err) {
      return failed('storm', broker, rep, err);
    } finally {
      for (const g of gens) g.kill();
    }
  },
};

export const SCENARIOS: Scenario[] = [
  idleMemory,
  connectRate(true),
  connectRate(false),
  flow(
    'fan-in',
    'fan-in QoS 0: 100 publishers → 1 subscriber (bench/<run>/+), window 1,000 messages',
    'fi',
    () => ['--pubs', '100', '--subs', '1', '--qos', '0', '--window', '1000', '--topics', 'wild', ...COALESCE],
    (r) => num(r.deliveriesPerSecond),
    { goal: ratioGoal },
  ),
  flow(
    'fan-out',
    'fan-out QoS 0: 1 publisher → 100 subscribers of one topic, window 50 messages (5,000 deliveries)',
    'fo',
    () => ['--pubs', '1', '--subs', '100', '--qos', '0', '--window', '50', '--topics', 'exact', ...COALESCE],
    (r) => num(r.deliveriesPerSecond),
    { goal: ratioGoal, unit: 'deliveries/s' },
  ),
  flow(
    'qos1',
    'QoS 1: 10 publishers (≤ 20 PUBACKs outstanding each) → 1 QoS 1 subscriber (acknowledges each), window 500',
    'q1',
    () => [
      '--pubs',
      '10',
      '--subs',
      '1',
      '--qos',
      '1',
      '--sub-qos',
      '1',
      '--pub-window',
      '20',
      '--window',
      '500',
    ],
    (r) => num(r.deliveriesPerSecond),
    { goal: ratioGoal },
  ),
  flow(
    'latency',
    'end-to-end latency at a fixed 1,000 msg/s (QoS 0, 1 publisher → 1 subscriber, open loop), p99',
    'la',
    (o) => [
      '--pubs',
      '1',
      '--subs',
      '1',
      '--qos',
      '0',
      '--rate',
      '1000',
      '--duration',
      String(o.latencyDuration),
    ],
    (r) => num((r.latencyUs as Record<string, number>).p99),
    {
      unit: 'µs p99',
      higherIsBetter: false,
      goal: { text: '≤ Aedes', met: (m, a) => a !== undefined && m <= a },
    },
  ),
  storm,
];
