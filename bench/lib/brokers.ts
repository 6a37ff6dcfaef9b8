// The brokers bench/mqtt-load.ts compares, each started for the run and stopped after it:
// mqfleet (the whole system as `npm start` runs it: session-service, api-gateway and N
// connection-gateways on a fresh database and NATS prefix), Mosquitto (its own instance of the
// machine's /usr/sbin/mosquitto on a free port, never the machine's 1883) and Aedes (in-memory,
// bench/lib/aedes-broker.mjs). Each says which processes serve MQTT (their CPU and RSS are "the
// broker's") and, for mqfleet, which processes it needs besides.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from '@mqfleet/testkit';
import { pidsOf } from './stats';
import { startAedes as startAedesProcess, stopChild, waitForPort } from './reference-brokers';
import { startBenchSystem } from './system';

export interface Broker {
  name: string;
  /** MQTT ports; the generator spreads its connections over them. */
  ports: number[];
  /** The processes that serve MQTT (CPU and RSS columns "broker"). */
  brokerPids: number[];
  /** Other processes whose CPU is shown, by group (mqfleet: its other services; Postgres and NATS). */
  otherPids(): Record<string, number[]>;
  /** How many warning lines its processes logged so far (mqfleet: level warn or error; Mosquitto: notices). */
  warnings(): number;
  /** The warning lines logged after the first `since` of them. */
  warningsSince(since: number): string[];
  version: string;
  note: string;
  close(): Promise<void>;
}

const MOSQUITTO = process.env.BENCH_MOSQUITTO ?? '/usr/sbin/mosquitto';

export async function startMqfleet(
  gateways = 1,
  name = 'mqfleet',
  env: Record<string, string> = {},
  root?: string,
): Promise<Broker> {
  const system = await startBenchSystem({ gateway: true, gateways, env, root });
  const gatewayProcs = system.processes.filter((p) => p.name === 'connection-gateway');
  const others = system.processes.filter((p) => p.name !== 'connection-gateway');
  const warnLines = (): string[] =>
    system.processes.flatMap((p) => p.lines.filter((l) => /"level":"(warn|error)"/.test(l)));
  return {
    name,
    ports: system.mqttPorts,
    brokerPids: gatewayProcs.map((p) => p.child.pid!),
    otherPids: () => ({
      services: others.map((p) => p.child.pid!),
      'postgres+nats': [...pidsOf('postgres'), ...pidsOf('nats-server')],
    }),
    warnings: () => warnLines().length,
    warningsSince: (since) => warnLines().slice(since),
    version: `mqfleet (${gateways} connection-gateway${gateways > 1 ? 's' : ''}${
      Object.keys(env).length > 0
        ? `, ${Object.entries(env)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')}`
        : ''
    }${root ? `, built in ${root}${commitOf(root)}` : ''})`,
    note:
      `${gateways} connection-gateway process${gateways > 1 ? 'es' : ''} as broker; session-service and api-gateway as "services"; ` +
      'Postgres and nats-server: every such process on the machine (shared with anything else running)',
    close: async () => {
      await system.close();
      // BENCH_LOG_DIR=<dir>: every service's log lines of the run (their last ones at closing
      // included), one file per process.
      const dir = process.env.BENCH_LOG_DIR;
      if (dir) {
        mkdirSync(dir, { recursive: true });
        system.processes.forEach((p, i) =>
          writeFileSync(path.join(dir, `${name}-${p.name}-${i}-${Date.now()}.log`), p.lines.join('\n')),
        );
      }
    },
  };
}

export async function startMosquitto(): Promise<Broker> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mqload-mosquitto-'));
  const conf = path.join(dir, 'mosquitto.conf');
  // Defaults except: its own port; no persistence file; anonymous clients (as the others);
  // set_tcp_nodelay, as mqfleet's gateway and the kit's Aedes (on loopback the MSS is 64 KiB, so
  // with Nagle a delivery waits for the subscriber's delayed ACK); max_queued_messages 0 (no
  // limit, as Aedes), because 2.0.11 with its default of 1000, and with 100000, dropped QoS 1
  // deliveries to a connected subscriber that had at most 500 messages outstanding (the
  // generator's window), and the kit fails on any loss.
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence false',
      'max_queued_messages 0',
      'set_tcp_nodelay true',
      'log_dest stderr',
      'log_type error',
      'log_type warning',
      'log_type notice',
      '',
    ].join('\n'),
  );
  const child = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  const log: string[] = [];
  child.stderr!.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) if (line) log.push(line);
  });
  const exited = once(child, 'exit').then(() => {
    throw new Error(`mosquitto exited: ${log.slice(-5).join(' | ')}`);
  });
  try {
    await Promise.race([waitForPort(port, 10000), exited]);
  } catch (err) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  exited.catch(() => undefined);
  const version = log.find((l) => /mosquitto version/.test(l))?.replace(/^\d+: /, '') ?? 'mosquitto';
  const dropped = (): string[] => log.filter((l) => /dropped|error|warning/i.test(l));
  return {
    name: 'mosquitto',
    ports: [port],
    brokerPids: [child.pid!],
    otherPids: () => ({}),
    warnings: () => dropped().length,
    warningsSince: (since) => dropped().slice(since),
    version: version.replace(/ (starting|running)$/, ''),
    note: `${MOSQUITTO} with its own config (port ${port}, no persistence, set_tcp_nodelay true, max_queued_messages 0)`,
    close: async () => {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function startAedes(): Promise<Broker> {
  const { child, port, stop } = await startAedesProcess();
  const { version } = JSON.parse(
    readFileSync(path.join(__dirname, '..', '..', 'node_modules', 'aedes', 'package.json'), 'utf8'),
  ) as { version: string };
  return {
    name: 'aedes',
    ports: [port],
    brokerPids: [child.pid!],
    otherPids: () => ({}),
    warnings: () => 0,
    warningsSince: () => [],
    version: `Aedes ${version}`,
    note: 'Aedes (in-memory persistence, defaults) in its own Node.js process',
    close: stop,
  };
}

/** ` at <short commit>` of a checkout, or nothing when git cannot tell. */
function commitOf(root: string): string {
  try {
    return ` at ${execFileSync('git', ['-C', root, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim()}`;
  } catch {
    return '';
  }
}
