// The compiled load generator of bench/mqtt-load.ts (C sources in bench/mqload/): built here from
// source with the machine's C compiler ($CC, else cc) into the OS temp directory, once per
// version of the sources, and run as child processes that print JSON lines.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const SOURCE_DIR = path.join(__dirname, '..', 'mqload');

/** Compiles the generator if this version of its sources is not built yet; returns its path. */
export function buildMqload(): string {
  const cc = process.env.CC ?? 'cc';
  const sources = readdirSync(SOURCE_DIR)
    .filter((f) => f.endsWith('.c') || f.endsWith('.h'))
    .sort();
  const hash = createHash('sha256');
  for (const f of sources) hash.update(f).update(readFileSync(path.join(SOURCE_DIR, f)));
  const version = spawnSync(cc, ['--version'], { encoding: 'utf8' });
  if (version.error || version.status !== 0) {
    throw new Error(
      `the load generator needs a C compiler: '${cc}' did not run (${version.error?.message ?? version.stderr}); ` +
        'install gcc (Debian/Ubuntu: apt-get install gcc) or set CC',
    );
  }
  hash.update(version.stdout);
  const dir = path.join(os.tmpdir(), 'mqfleet-mqload');
  const bin = path.join(dir, `mqload-${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(bin)) return bin;
  mkdirSync(dir, { recursive: true });
  const tmp = `${bin}.${process.pid}.tmp`;
  const built = spawnSync(
    cc,
    [
      '-O2',
      '-std=gnu11',
      '-Wall',
      '-Wextra',
      '-o',
      tmp,
      ...sources.filter((f) => f.endsWith('.c')).map((f) => path.join(SOURCE_DIR, f)),
      '-lm',
    ],
    { encoding: 'utf8' },
  );
  if (built.error || built.status !== 0) {
    throw new Error(`building the load generator failed:\n${built.error?.message ?? ''}${built.stderr}`);
  }
  renameSync(tmp, bin);
  return bin;
}

/** One JSON line of the generator. */
export type MqloadEvent = Record<string, unknown> & { event: string };

/** A running generator: its events in order, stdin commands, and its exit. */
export class Mqload {
  readonly child: ChildProcess;
  private readonly events: MqloadEvent[] = [];
  private readonly waiters: {
    event: string;
    resolve: (e: MqloadEvent) => void;
    reject: (e: Error) => void;
  }[] = [];
  private stderr = '';
  private exited = false;
  private readonly exit: Promise<number | null>;

  constructor(
    bin: string,
    args: string[],
    private readonly timeoutMs: number,
  ) {
    this.child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let buffer = '';
    this.child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line.trim()) this.push(JSON.parse(line) as MqloadEvent);
      }
    });
    this.child.stderr!.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString('utf8')).slice(-4000);
    });
    this.child.stdin!.on('error', () => undefined); // it may exit before reading a command
    // 'close', not 'exit': a process can exit before its last stdout lines are read here, and its
    // "result" line was then lost (storm runs that "exited before result" now and then).
    this.exit = new Promise((resolve) => {
      this.child.once('close', (code) => {
        this.exited = true;
        for (const w of this.waiters.splice(0)) {
          w.reject(
            new Error(`mqload exited (code ${code}) before "${w.event}"; stderr: ${this.stderr.trim()}`),
          );
        }
        resolve(code);
      });
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  private push(e: MqloadEvent): void {
    this.events.push(e);
    if (e.event === 'error') {
      for (const w of this.waiters.splice(0)) w.reject(new Error(`mqload: ${String(e.message)}`));
      return;
    }
    const i = this.waiters.findIndex((w) => w.event === e.event);
    if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(e);
  }

  /** The first event of this kind not taken yet; rejects on an error event, exit or timeout. */
  next(event: string, timeoutMs = this.timeoutMs): Promise<MqloadEvent> {
    const i = this.events.findIndex((e) => e.event === event || e.event === 'error');
    if (i >= 0) {
      const e = this.events.splice(i, 1)[0]!;
      return e.event === 'error'
        ? Promise.reject(new Error(`mqload: ${String(e.message)}`))
        : Promise.resolve(e);
    }
    if (this.exited)
      return Promise.reject(new Error(`mqload exited before "${event}": ${this.stderr.trim()}`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.kill();
        reject(new Error(`mqload: no "${event}" within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push({
        event,
        resolve: (e) => (clearTimeout(timer), resolve(e)),
        reject: (err) => (clearTimeout(timer), reject(err)),
      });
    });
  }

  send(command: string): void {
    this.child.stdin!.write(`${command}\n`);
  }

  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }

  /** Waits for the process to end (killing it after timeoutMs). */
  async done(timeoutMs = 30000): Promise<number | null> {
    const timer = setTimeout(() => this.kill(), timeoutMs);
    const code = await this.exit;
    clearTimeout(timer);
    return code;
  }
}

/** Runs one non-interactive scenario to its result event. */
export async function runMqload(bin: string, args: string[], timeoutMs: number): Promise<MqloadEvent> {
  const gen = new Mqload(bin, args, timeoutMs);
  try {
    const result = await gen.next('result');
    await gen.done();
    return result;
  } finally {
    gen.kill();
  }
}
