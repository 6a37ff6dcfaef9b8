// Percentiles, /proc readings (RSS, CPU time) and result output shared by the benchmarks.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The p-th percentile (0–100) by nearest rank; NaN for no samples. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export const round = (n: number, digits = 1): number => Number(n.toFixed(digits));

/** VmRSS of a process in MiB, or undefined when it cannot be read. */
export function rssMiB(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /^VmRSS:\s+(\d+) kB/m.exec(status);
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** utime + stime of a process in seconds (0 when it is gone). */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

/** Busy CPU seconds of the whole machine, all cores (/proc/stat: all but idle and iowait). */
export function machineBusySeconds(): number {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    return (
      ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / CLOCK_TICKS
    );
  } catch {
    return 0;
  }
}

/** Pids of every process whose command name is exactly `name` (pgrep -x). */
export function pidsOf(name: string): number[] {
  try {
    return execFileSync('pgrep', ['-x', name], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** CPU seconds used by named groups of processes between start() and the returned stop(). */
export function cpuMeter(groups: Record<string, () => number[]>): () => Record<string, number> {
  const before = new Map<number, number>();
  const snapshot = (): Map<string, number[]> => {
    const m = new Map<string, number[]>();
    for (const [g, pids] of Object.entries(groups)) m.set(g, pids());
    return m;
  };
  for (const pids of snapshot().values()) for (const pid of pids) before.set(pid, cpuSeconds(pid));
  return () => {
    const out: Record<string, number> = {};
    for (const [g, pids] of snapshot()) {
      out[g] = pids.reduce((sum, pid) => sum + cpuSeconds(pid) - (before.get(pid) ?? 0), 0);
    }
    return out;
  };
}

/** The 1-minute load average when the benchmark process started (before it loaded anything). */
const LOAD_AT_START = round(os.loadavg()[0] ?? 0, 2);

export function machine(): Record<string, string | number> {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: round(os.totalmem() / 2 ** 30, 1),
    node: process.version,
    date: new Date().toISOString(),
    // Other work on the machine skews every number: this should be near 0.
    loadAverage1mAtStart: LOAD_AT_START,
  };
}

/** A Markdown table. */
export function table(headers: string[], rows: (string | number | undefined)[][]): string {
  const cell = (v: string | number | undefined): string =>
    v === undefined || (typeof v === 'number' && Number.isNaN(v)) ? 'n/a' : String(v);
  return [
    `| ${headers.join(' | ')} |`,
    `| ${headers.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
}

/** Writes bench/results/<name>.json and .md (the Markdown table) and prints the table. */
export function report(name: string, data: unknown, markdown: string): void {
  const dir = path.join(__dirname, '..', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(data, null, 2) + '\n');
  writeFileSync(path.join(dir, `${name}.md`), markdown + '\n');
  process.stdout.write(`\n${markdown}\n`);
}
