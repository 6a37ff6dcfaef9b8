// Runs `npm start` (scripts/start.mjs) the way a user on a fresh machine would: none of the
// test machine's MQFLEET_* settings, DATABASE_URL or NATS_URL (so the launcher starts its own
// Postgres and nats-server, test/e2e/start-errors.test.ts and start-twice.test.ts), on ports of
// its own.
import { join } from 'node:path';
import { freePort, REPO_ROOT } from '@mqfleet/testkit';
import { run, type Run } from './run-command';

export const START = join(REPO_ROOT, 'scripts', 'start.mjs');

/** The environment without any MQFLEET_* variable, DATABASE_URL or NATS_URL of this machine. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MQFLEET_')));
  delete env.DATABASE_URL;
  delete env.NATS_URL;
  return { ...env, ...extra };
}

/** A data directory and free ports for the MQTT, HTTP and gRPC listeners, on 127.0.0.1. */
export async function portsEnv(dataDir: string): Promise<Record<string, string>> {
  return {
    MQFLEET_DATA_DIR: dataDir,
    MQFLEET_HOST: '127.0.0.1',
    MQFLEET_LISTENERS: 'mqtt',
    MQFLEET_MQTT_PORT: String(await freePort()),
    MQFLEET_HTTP_PORT: String(await freePort()),
    MQFLEET_GRPC_PORT: String(await freePort()),
  };
}

/** Starts the launcher with `env` on top of cleanEnv. */
export function startLauncher(env: Record<string, string>): Run {
  return run(process.execPath, [START], { cwd: REPO_ROOT, env: cleanEnv(env) });
}
