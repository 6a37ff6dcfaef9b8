// The reference brokers the MQTT benchmarks compare with, each as its own process on a free port
// of 127.0.0.1 (so that its RSS and CPU can be read apart): Aedes (lib/aedes-broker.mjs) and a
// Mosquitto instance of the benchmark's own (never the machine's on 1883).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { freePort } from '@mqfleet/testkit';

export interface BrokerProcess {
  child: ChildProcess;
  port: number;
  stop(): Promise<void>;
}

/** SIGTERM, then SIGKILL after 5 s; resolves once the process has exited. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** Resolves once something accepts connections on 127.0.0.1:port (rejects after timeoutMs). */
export function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = (): void => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`nothing listens on 127.0.0.1:${port}`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

/** Aedes 1.x, in-memory persistence, defaults. */
export async function startAedes(): Promise<BrokerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(__dirname, 'aedes-broker.mjs'), String(port)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await Promise.race([
    once(child.stdout!, 'data'),
    new Promise((_, reject) => setTimeout(() => reject(new Error('aedes did not start within 10 s')), 10000)),
  ])) as [Buffer];
  if (!line.toString().startsWith('listening')) throw new Error(`aedes: ${line.toString()}`);
  return { child, port, stop: () => stopChild(child) };
}

export const MOSQUITTO = '/usr/sbin/mosquitto';

/**
 * A Mosquitto of our own: anonymous, no persistence, no log file, Mosquitto's default limits
 * (max_queued_messages 1000, max_inflight_messages 20, no byte limits) unless `extra` lines say
 * otherwise.
 */
export async function startMosquitto(extra: string[] = []): Promise<BrokerProcess> {
  const port = await freePort();
  if (port === 1883) throw new Error('port 1883 belongs to the machine’s Mosquitto');
  const dir = mkdtempSync(path.join(tmpdir(), 'mqfleet-bench-mosquitto-'));
  const conf = path.join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence false',
      'log_dest none',
      ...extra,
    ].join('\n') + '\n',
  );
  const child = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'ignore', 'inherit'] });
  const failed = once(child, 'exit').then(([code]) => {
    throw new Error(`mosquitto exited with ${String(code)} before listening`);
  });
  await Promise.race([waitForPort(port, 10000), failed]);
  failed.catch(() => undefined);
  return {
    child,
    port,
    stop: async () => {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
