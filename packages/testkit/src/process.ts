// Services as real child processes, the way operators run them.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { once } from 'node:events';

export const REPO_ROOT = path.resolve(__dirname, '../../..');

/** Processes a test started (services, nats-servers) that are still running. */
const children = new Set<ChildProcess>();
let guarded = false;

/**
 * Kills `child` with the test's process if that ends first: at exit (a crash included), and on
 * SIGTERM, SIGINT or SIGHUP, which then end the test as they would have. A test runner stopped
 * from outside used to leave its services and nats-servers running, holding ports and CPU.
 */
export function killOnExit(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
  if (guarded) return;
  guarded = true;
  const killAll = (): void => {
    for (const c of children) c.kill('SIGKILL');
  };
  process.on('exit', killAll);
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAll();
      process.kill(process.pid, signal);
    });
  }
}

export interface ServiceProcess {
  name: string;
  child: ChildProcess;
  /** Every line the service printed so far (stdout and stderr). */
  lines: string[];
  /** Resolves with the first log line for which the predicate holds (past or future). */
  waitForLine(predicate: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * The Node.js options a service is deployed with ("mqfleet.nodeOptions" in its package.json; the
 * deploy files spell the same), so tests and benchmarks run it as operators do.
 */
export function nodeOptionsOf(name: string, root = REPO_ROOT): string[] {
  const manifest = JSON.parse(readFileSync(path.join(root, 'services', name, 'package.json'), 'utf8')) as {
    mqfleet?: { nodeOptions?: string[] };
  };
  return manifest.mqfleet?.nodeOptions ?? [];
}

/**
 * Stream limits every service a test starts gets unless the test says otherwise: a NATS server
 * reserves a stream's byte limit from its JetStream storage, and the tests of several worktrees
 * share one server (the defaults reserve 6.25 GiB per system).
 */
export const TEST_STREAM_LIMITS: Readonly<Record<string, string>> = {
  MQFLEET_EVENTS_STREAM_MAX_BYTES: String(64 * 1024 * 1024),
  MQFLEET_RETAINED_STREAM_MAX_BYTES: String(16 * 1024 * 1024),
  MQFLEET_QUEUE_STREAM_MAX_BYTES: String(64 * 1024 * 1024),
  MQFLEET_WORK_STREAM_MAX_BYTES: String(8 * 1024 * 1024),
  MQFLEET_MQAPI_STREAM_MAX_BYTES: String(16 * 1024 * 1024),
  MQFLEET_TOPICS_STREAM_MAX_BYTES: String(16 * 1024 * 1024),
};

/**
 * Password hashes at N=2^14 rather than the default 2^17 (MQFLEET_PASSWORD_HASH_COST): a hash at
 * 2^17 is 128 MiB and a few hundred milliseconds of a core, several seconds when parallel test
 * files share two cores, and every system start and login hashes. Tests of the cost itself set it,
 * and startService leaves it out of a NODE_ENV=production start.
 */
export const TEST_HASH_COST: Readonly<Record<string, string>> = { MQFLEET_PASSWORD_HASH_COST: '14' };

/**
 * For tests whose "gateways" are gRPC calls that never heartbeat: without it the session-service
 * takes their sessions for lost after the default 10 s (docs/mqtt.md, "A gateway that dies").
 */
export const FAKE_GATEWAYS_ENV: Readonly<Record<string, string>> = {
  MQFLEET_GATEWAY_TIMEOUT_MS: '600000',
};

/** Starts `node services/<name>/dist/main.js` and waits for its {"msg":"ready"} log line. */
export async function startService(
  name: string,
  env: Record<string, string>,
  options: {
    readyTimeoutMs?: number;
    /** Another checkout to run the service from (its built dist/): benchmarks compare commits. */
    root?: string;
  } = {},
): Promise<ServiceProcess> {
  const main = path.join(options.root ?? REPO_ROOT, 'services', name, 'dist', 'main.js');
  const child = spawn(process.execPath, [...nodeOptionsOf(name, options.root), main], {
    env: {
      PATH: process.env.PATH ?? '',
      MQFLEET_LOG_LEVEL: 'debug',
      // A free port for each service's /metrics (named in its ready line): tests run in parallel.
      MQFLEET_METRICS_PORT: '0',
      ...TEST_STREAM_LIMITS,
      // A production start keeps the default: it refuses a cost below 17.
      ...(env.NODE_ENV === 'production' ? {} : TEST_HASH_COST),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  killOnExit(child);
  const lines: string[] = [];
  const waiters = new Set<{ predicate: (l: string) => boolean; resolve: (l: string) => void }>();
  const onData = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line) continue;
      lines.push(line);
      if (process.env.MQFLEET_TEST_VERBOSE) process.stderr.write(`[${name}] ${line}\n`);
      for (const w of waiters) {
        if (w.predicate(line)) {
          waiters.delete(w);
          w.resolve(line);
        }
      }
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = once(child, 'exit');

  const waitForLine = (predicate: (line: string) => boolean, timeoutMs = 15000): Promise<string> => {
    const seen = lines.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = { predicate, resolve: (l: string) => (clearTimeout(timer), resolve(l)) };
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(
          new Error(
            `${name}: no matching log line within ${timeoutMs} ms; last lines:\n${lines.slice(-20).join('\n')}`,
          ),
        );
      }, timeoutMs);
      waiters.add(waiter);
      void exited.then(() => {
        if (waiters.delete(waiter)) {
          clearTimeout(timer);
          reject(
            new Error(`${name} exited (code ${child.exitCode}); last lines:\n${lines.slice(-20).join('\n')}`),
          );
        }
      });
    });
  };

  const proc: ServiceProcess = {
    name,
    child,
    lines,
    waitForLine,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
      const [code] = (await exited) as [number | null];
      clearTimeout(timer);
      return code;
    },
  };
  await waitForLine((l) => l.includes('"msg":"ready"'), options.readyTimeoutMs ?? 20000);
  return proc;
}

/** A TCP port that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}
