// The mqfleet services as real processes on a fresh database and NATS prefix (testkit), with
// `info` logging (testkit's default is `debug`, which would measure the logger), plus the
// process ids benchmarks need for CPU and RSS readings.
import {
  createInfra,
  freePort,
  startService,
  until,
  type Infra,
  type ServiceProcess,
} from '@mqfleet/testkit';
import * as path from 'node:path';
import { HttpClient } from './http';

export interface BenchSystem {
  infra: Infra;
  processes: ServiceProcess[];
  httpPort: number;
  grpcPort: number;
  /** MQTT port of the first connection-gateway; 0 when started without one. */
  mqttPort: number;
  /** MQTT port of every connection-gateway, by gateway index. */
  mqttPorts: number[];
  http: HttpClient;
  /** createSession ADMIN/ADMIN → authToken. */
  login(): Promise<string>;
  close(): Promise<void>;
}

export async function startBenchSystem(options: {
  gateway: boolean;
  /** How many connection-gateways (MQFLEET_GATEWAYS) when `gateway` is set; default 1. */
  gateways?: number;
  /** Extra environment for every service (e.g. MQFLEET_APPLY_TIMEOUT_MS). */
  env?: Record<string, string>;
  /** Another checkout whose built services to run (an earlier commit, for A/B in one run). */
  root?: string;
}): Promise<BenchSystem> {
  const from = { root: options.root };
  const infra = await createInfra();
  const processes: ServiceProcess[] = [];
  let http: HttpClient | undefined;
  const close = async (): Promise<void> => {
    http?.close();
    // Gateway first (it calls the session-service on the way out), then the others.
    for (const p of [...processes].reverse()) await p.stop().catch(() => undefined);
    await infra.close();
  };
  try {
    const grpcPort = await freePort();
    const httpPort = await freePort();
    const common = {
      DATABASE_URL: infra.databaseUrl,
      NATS_URL: infra.natsUrl,
      MQFLEET_NATS_PREFIX: infra.natsPrefix,
      MQFLEET_HOST: '127.0.0.1',
      MQFLEET_GATEWAYS: String(options.gateway ? (options.gateways ?? 1) : 1),
      MQFLEET_GRPC_PORT: String(grpcPort),
      MQFLEET_SESSION_SERVICE: `127.0.0.1:${grpcPort}`,
      MQFLEET_LOG_LEVEL: 'info',
      // BENCH_CPU_PROF=<dir>: every service writes a V8 CPU profile there when it stops.
      // BENCH_NODE_OPTIONS: more node options for every service (those NODE_OPTIONS allows, e.g.
      // --max-semi-space-size=32 or --require of a script that observes GC; not --trace-gc).
      ...(process.env.BENCH_CPU_PROF || process.env.BENCH_NODE_OPTIONS
        ? {
            NODE_OPTIONS: [
              process.env.BENCH_CPU_PROF ? `--require ${path.join(__dirname, 'cpu-profile.cjs')}` : '',
              process.env.BENCH_NODE_OPTIONS ?? '',
            ]
              .join(' ')
              .trim(),
          }
        : {}),
      ...(process.env.BENCH_CPU_PROF ? { BENCH_CPU_PROF_DIR: path.resolve(process.env.BENCH_CPU_PROF) } : {}),
      ...options.env,
    };
    processes.push(await startService('session-service', common, from));
    processes.push(
      await startService('api-gateway', { ...common, MQFLEET_HTTP_PORT: String(httpPort) }, from),
    );
    const mqttPorts: number[] = [];
    if (options.gateway) {
      for (let index = 0; index < (options.gateways ?? 1); index++) {
        // A gateway listens on MQFLEET_MQTT_PORT + its index (as under npm start); each one
        // here gets a port that was free, so its base is that port - index.
        const port = await freePort();
        mqttPorts.push(port);
        processes.push(
          await startService(
            'connection-gateway',
            {
              ...common,
              MQFLEET_MQTT_PORT: String(port - index),
              MQFLEET_GATEWAY_INDEX: String(index),
            },
            from,
          ),
        );
      }
      await until(
        async () => {
          try {
            const res = await fetch(`http://127.0.0.1:${httpPort}/health/ready`);
            await res.arrayBuffer();
            return res.status === 200;
          } catch {
            return false;
          }
        },
        30000,
        100,
      );
    }
    http = new HttpClient(`http://127.0.0.1:${httpPort}/api`, 64);
    const client = http;
    const login = async (): Promise<string> => {
      const res = await client.action('admin', 'createSession', { username: 'ADMIN', password: 'ADMIN' });
      if (res.body.errorCode !== 0 || typeof res.body.authToken !== 'string') {
        throw new Error(`createSession failed: ${JSON.stringify(res.body)}`);
      }
      return res.body.authToken;
    };
    return {
      infra,
      processes,
      httpPort,
      grpcPort,
      mqttPort: mqttPorts[0] ?? 0,
      mqttPorts,
      http,
      login,
      close,
    };
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
}

/** Runs `close` once on SIGINT/SIGTERM so an interrupted benchmark leaves nothing behind. */
export function onInterrupt(close: () => Promise<void>): () => void {
  const handler = (): void => {
    process.stderr.write('interrupted: stopping everything\n');
    void close().finally(() => process.exit(130));
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
