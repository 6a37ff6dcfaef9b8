// Summaries and the Markdown of bench/mqtt-load.ts: medians, min/max, ratios between brokers,
// goals, CPU beside CPU, and the details that say whether a number can be trusted.
import { SCENARIOS, type Sample, type Scenario } from './load-scenarios';
import { round, table } from './stats';

export interface Cell {
  broker: string;
  n: number;
  ok: number;
  median: number;
  min: number;
  max: number;
  /** Median over the repetitions of each CPU group's % of one core. */
  cpu: Record<string, number>;
}

const median = (xs: number[]): number => {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export function summarize(samples: Sample[], scenario: string, broker: string): Cell {
  const mine = samples.filter((s) => s.scenario === scenario && s.broker === broker);
  const values = mine.filter((s) => s.ok).map((s) => s.value);
  const groups = new Set(mine.flatMap((s) => Object.keys(s.cpuPercent)));
  const cpu: Record<string, number> = {};
  for (const g of groups) cpu[g] = median(mine.map((s) => s.cpuPercent[g] ?? NaN));
  return {
    broker,
    n: mine.length,
    ok: mine.filter((s) => s.ok).length,
    median: median(values),
    min: values.length ? Math.min(...values) : NaN,
    max: values.length ? Math.max(...values) : NaN,
    cpu,
  };
}

/** 56123 → "56,123"; small numbers keep up to `digits` decimals. */
export function fmt(n: number, digits = 0): string {
  if (n === undefined || Number.isNaN(n)) return 'n/a';
  const d = Math.abs(n) >= 100 ? 0 : digits;
  return n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: 0 });
}

const digitsOf = (unit: string): number => (unit.startsWith('KiB') || unit.startsWith('s ') ? 2 : 1);

function cellText(c: Cell, unit: string): string {
  if (c.n === 0) return '—';
  if (c.ok === 0) return `FAILED (${c.n} runs)`;
  const d = digitsOf(unit);
  const spread = c.ok > 1 ? ` (${fmt(c.min, d)}–${fmt(c.max, d)})` : '';
  return `${fmt(c.median, d)}${spread}${c.ok < c.n ? ` [${c.n - c.ok} of ${c.n} runs FAILED]` : ''}`;
}

export interface ReportInput {
  scenarios: Scenario[];
  brokers: { name: string; label: string }[];
  samples: Sample[];
  /** Which broker the ratios compare the first broker against (others: "mqfleet / X"). */
  ratioOf: string;
}

/** The headline table: medians (min–max) per broker, ratios, goals. */
export function headline(input: ReportInput): string {
  const [first, ...others] = input.brokers;
  const headers = [
    'scenario',
    'unit',
    ...input.brokers.map((b) => b.label),
    ...others.map((b) => `${first!.label} / ${b.label}`),
  ];
  const withGoals = first!.name === 'mqfleet' && input.brokers.some((b) => b.name === 'aedes');
  if (withGoals) headers.push('goal (issue 12)');
  const rows = input.scenarios.map((sc) => {
    const cells = input.brokers.map((b) => summarize(input.samples, sc.name, b.name));
    const head = cells[0]!;
    const ratios = cells
      .slice(1)
      .map((c) => (c.ok && head.ok ? fmt(round(head.median / c.median, 2), 2) : 'n/a'));
    const row = [sc.name, sc.unit, ...cells.map((c) => cellText(c, sc.unit)), ...ratios];
    if (withGoals) {
      const aedes = cells.find((c) => c.broker === 'aedes');
      const mine = input.samples.filter((s) => s.scenario === sc.name && s.broker === first!.name);
      row.push(
        sc.goal && head.ok
          ? `${sc.goal.text}: ${sc.goal.met(head.median, aedes?.ok ? aedes.median : undefined, mine) ? 'met' : 'NOT met'}`
          : (sc.goal?.text ?? ''),
      );
    }
    return row;
  });
  return table(headers, rows);
}

/** CPU of the generator beside the broker's (and mqfleet's helpers'), medians over the runs. */
export function cpuTable(input: ReportInput): string {
  const groups = ['generator', 'broker', 'services', 'postgres+nats', 'machine'];
  const rows: (string | number)[][] = [];
  for (const sc of input.scenarios) {
    if (sc.name === 'idle-memory') continue;
    for (const b of input.brokers) {
      const c = summarize(input.samples, sc.name, b.name);
      if (c.n === 0) continue;
      const warn = input.samples
        .filter((s) => s.scenario === sc.name && s.broker === b.name)
        .reduce((sum, s) => sum + s.brokerWarnings, 0);
      rows.push([
        sc.name,
        b.label,
        ...groups.map((g) => (c.cpu[g] === undefined || Number.isNaN(c.cpu[g]) ? '—' : `${c.cpu[g]} %`)),
        warn,
      ]);
    }
  }
  return table(
    [
      'scenario',
      'broker',
      'generator CPU',
      'broker CPU',
      'services CPU',
      'Postgres + NATS CPU',
      'whole machine',
      'broker warnings',
    ],
    rows,
  );
}

const get = (o: unknown, ...keys: string[]): unknown =>
  keys.reduce<unknown>(
    (v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined),
    o,
  );

/** Per-run details: checks, failures, latency percentiles, memory, storm. */
export function details(input: ReportInput): string {
  const out: string[] = [];
  const runs = (name: string): Sample[] => input.samples.filter((s) => s.scenario === name);
  const label = (b: string): string => input.brokers.find((x) => x.name === b)?.label ?? b;
  const failedRuns = input.samples.filter((s) => !s.ok);
  out.push(
    failedRuns.length === 0
      ? `Checks: all ${input.samples.length} runs passed (every message delivered exactly once and in order, every PUBACK received, Session Present right, no idle connection dropped).`
      : `**${failedRuns.length} of ${input.samples.length} runs FAILED their checks** (their numbers are left out of the medians):\n\n` +
          failedRuns
            .map((s) => `- ${s.scenario}, ${label(s.broker)}, run ${s.rep + 1}: ${s.error}`)
            .join('\n'),
  );
  const connects = [...runs('connect-clean'), ...runs('connect-persistent')];
  if (connects.length) {
    out.push(
      '#### Connect runs\n\n' +
        table(
          [
            'scenario',
            'broker',
            'run',
            'CONNACK/s',
            'attempts',
            'failed',
            'of which timeouts',
            'p50 ms',
            'p99 ms',
            'broker warnings',
          ],
          connects.map((s) => [
            s.scenario,
            label(s.broker),
            s.rep + 1,
            fmt(s.value),
            get(s.detail, 'attempts') as number,
            get(s.detail, 'failed') as number,
            get(s.detail, 'failures', 'timeout') as number,
            fmt(Number(get(s.detail, 'connackLatencyUs', 'p50')) / 1000, 1),
            fmt(Number(get(s.detail, 'connackLatencyUs', 'p99')) / 1000, 1),
            s.brokerWarnings,
          ]),
        ),
    );
  }
  const flows = ['fan-in', 'fan-out', 'qos1', 'latency'].flatMap(runs);
  if (flows.length) {
    out.push(
      '#### Message runs (latency: send → delivery; in the closed-loop runs it is mostly the window waiting)\n\n' +
        table(
          ['scenario', 'broker', 'run', 'rate', 'delivered / expected', 'p50 µs', 'p99 µs', 'max µs'],
          flows.map((s) => [
            s.scenario,
            label(s.broker),
            s.rep + 1,
            fmt(s.scenario === 'latency' ? Number(get(s.detail, 'deliveriesPerSecond')) : s.value),
            `${get(s.detail, 'delivered') ?? 'n/a'} / ${get(s.detail, 'expectedDeliveries') ?? 'n/a'}`,
            fmt(Number(get(s.detail, 'latencyUs', 'p50'))),
            fmt(Number(get(s.detail, 'latencyUs', 'p99'))),
            fmt(Number(get(s.detail, 'latencyUs', 'max'))),
          ]),
        ),
    );
  }
  if (runs('idle-memory').length) {
    out.push(
      '#### Idle connections\n\n' +
        table(
          [
            'broker',
            'clients',
            'RSS before MiB',
            'RSS after MiB',
            'KiB per connection',
            'mqfleet services RSS Δ MiB',
            'connect ramp s',
          ],
          runs('idle-memory').map((s) => [
            label(s.broker),
            get(s.detail, 'clients') as number,
            get(s.detail, 'rssBeforeMiB') as number,
            get(s.detail, 'rssAfterMiB') as number,
            fmt(s.value, 2),
            s.broker.startsWith('mqfleet') ? (get(s.detail, 'servicesRssDeltaMiB') as number) : '—',
            fmt(Number(get(s.detail, 'rampSeconds')), 1),
          ]),
        ),
    );
  }
  if (runs('storm').length) {
    out.push(
      '#### Reconnect storm\n\n' +
        table(
          [
            'broker',
            'sessions',
            'served',
            'first attempt',
            'attempts',
            'timeouts',
            'other failures',
            'last CONNACK s',
            'p50 / p99 since drop ms',
            'broker warnings',
          ],
          runs('storm').map((s) => {
            const f = (get(s.detail, 'failures') ?? {}) as Record<string, number>;
            const other = Object.entries(f)
              .filter(([k, v]) => k !== 'timeout' && v > 0)
              .map(([k, v]) => `${k} ${v}`)
              .join(', ');
            return [
              label(s.broker),
              get(s.detail, 'clients') as number,
              get(s.detail, 'served') as number,
              get(s.detail, 'firstAttemptServed') as number,
              get(s.detail, 'attempts') as number,
              get(s.detail, 'timeouts') as number,
              other || 0,
              fmt(s.value, 2),
              `${fmt(Number(get(s.detail, 'p50SinceDropMs')))} / ${fmt(Number(get(s.detail, 'p99SinceDropMs')))}`,
              s.brokerWarnings,
            ];
          }),
        ),
    );
    for (const s of runs('storm')) {
      const kinds = (get(s.detail, 'brokerWarningKinds') as [string, number][] | undefined) ?? [];
      if (kinds.length === 0) continue;
      out.push(
        `Warnings ${label(s.broker)} logged in storm run ${s.rep + 1} (most frequent first):\n\n` +
          kinds.map(([k, n]) => `- ${n} × ${k.replace(/\|/g, '/')}`).join('\n'),
      );
    }
  }
  return out.join('\n\n');
}

/** What bench/results/mqtt-load.json (and mqtt-scale.json) hold. */
export interface SavedRun {
  benchmark: 'mqtt-load';
  mode: 'brokers' | 'scale';
  note: string;
  commit: string;
  machine: Record<string, string | number>;
  openFileLimit: number;
  options: Record<string, unknown> & { reps: number; heavyReps: number; quick: boolean };
  scenarios: string[];
  brokers: { name: string; label: string; version: string; note: string; ports: number[] }[];
  limits: string[];
  summary: Record<string, Record<string, Cell>>;
  samples: Sample[];
  failedRuns: number;
  wallSeconds: number;
}

const SCALE_TEXT =
  'Both systems run side by side on the same 2 cores with the generator, Postgres and NATS, so two gateways compete for the CPU one gateway already uses: the ratio says how the work spreads on this host, not how it scales on machines with cores to spare. With 2 gateways, connections alternate between their ports; the fan-in subscriber is on the first gateway and half of the publishers on the second (messages cross NATS), the fan-out publisher on the first and half of the subscribers on the second.';

const CPU_TEXT =
  'CPU during the measured window, median of the runs, % of one core (this machine has 2 cores = 200 %). The generator is single-threaded: near 100 % it would be the limit, so a rate is the broker\'s only while the generator stays clearly below that. "broker" = the process(es) serving MQTT; for mqfleet also its session-service and api-gateway ("services") and every Postgres and nats-server process on the machine. "whole machine" = every process, all cores: near 200 % with the columns before it well below means other work took the cores. Storm: from the drop to the last CONNACK, all generator processes.';

/** The Markdown of a saved run (bench/results/<name>.md). */
export function renderMarkdown(r: SavedRun): string {
  const scenarios = SCENARIOS.filter((s) => r.scenarios.includes(s.name));
  const input: ReportInput = {
    scenarios,
    brokers: r.brokers.map((b) => ({ name: b.name, label: b.label })),
    samples: r.samples,
    ratioOf: r.brokers[0]?.name ?? '',
  };
  const o = r.options as Record<string, number | boolean>;
  const m = r.machine;
  const title =
    r.mode === 'scale'
      ? '### mqfleet: 1 vs 2 connection-gateways on one host (bench/mqtt-load.ts --scale)'
      : `### MQTT load: ${r.brokers.map((b) => b.label).join(' vs ')} (bench/mqtt-load.ts)`;
  return [
    `${title}${r.note ? ` — ${r.note}` : ''}`,
    '',
    `${String(m.date).slice(0, 16).replace('T', ' ')} UTC, commit ${r.commit}, ${m.cpus} × ${m.cpuModel}, Node.js ${m.node}, ` +
      `load average ${m.loadAverage1mAtStart} at start${o.quick ? ', --quick' : ''}. ` +
      `Median (min–max) of ${r.options.reps} interleaved run${r.options.reps > 1 ? 's' : ''} per broker` +
      `${scenarios.some((s) => s.heavy) ? ` (${r.options.heavyReps} for idle-memory and storm)` : ''}; ` +
      `measured window ${o.duration} s after ${o.warmup} s warm-up${r.scenarios.includes('latency') ? ` (latency: ${o.latencyDuration} s)` : ''}; ${fmt(r.wallSeconds)} s in all. ` +
      `MQTT 3.1.1, 64-byte payloads. Brokers: ${r.brokers.map((b) => `${b.version}: ${b.note}`).join('; ')}.`,
    ...r.limits.map((l) => `\nNote — ${l}.`),
    '',
    headline(input),
    '',
    r.mode === 'scale'
      ? SCALE_TEXT
      : r.brokers[0]?.name === 'mqfleet' && r.brokers.some((b) => b.name === 'aedes')
        ? 'Ratios are of medians. The goal column applies issue 12 to mqfleet (Aedes measured in the same run).'
        : 'Ratios are of medians.',
    '',
    CPU_TEXT,
    '',
    cpuTable(input),
    '',
    details(input),
  ].join('\n');
}
