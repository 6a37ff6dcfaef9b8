// Real Postgres and NATS for tests. Order of preference:
//   1. MQFLEET_TEST_DATABASE_URL / MQFLEET_TEST_NATS_URL (servers that already run, as in CI);
//   2. testcontainers, when a Docker engine answers;
//   3. the machine's own services on 127.0.0.1 (Postgres :5432 with trust auth, NATS :4222
//      with JetStream).
// Every test gets a fresh database and a fresh NATS subject prefix, so tests never share state.
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { connect, type ConnectionOptions, type NatsConnection } from 'nats';

export interface Infra {
  /** A database made for this test only. */
  databaseUrl: string;
  natsUrl: string;
  /** A NATS subject prefix (and stream name stem) made for this test only. */
  natsPrefix: string;
  close(): Promise<void>;
}

interface Servers {
  adminDatabaseUrl: string;
  natsUrl: string;
  stop?: () => Promise<void>;
}

let servers: Promise<Servers> | undefined;

function dockerAvailable(): boolean {
  if (process.env.MQFLEET_TEST_NO_DOCKER === '1') return false;
  return Boolean(process.env.DOCKER_HOST) || existsSync('/var/run/docker.sock');
}

async function startContainers(): Promise<Servers> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const postgres = await new GenericContainer('postgres:16-alpine')
    .withEnvironment({ POSTGRES_HOST_AUTH_METHOD: 'trust' })
    .withExposedPorts(5432)
    .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
    .start();
  const nats = await new GenericContainer('nats:2.10-alpine')
    .withCommand(['-js'])
    .withExposedPorts(4222)
    .withWaitStrategy(Wait.forLogMessage(/Server is ready/))
    .start();
  return {
    adminDatabaseUrl: `postgres://postgres@${postgres.getHost()}:${postgres.getMappedPort(5432)}/postgres`,
    natsUrl: `nats://${nats.getHost()}:${nats.getMappedPort(4222)}`,
    stop: async () => {
      await Promise.all([postgres.stop(), nats.stop()]);
    },
  };
}

async function findServers(): Promise<Servers> {
  const envDb = process.env.MQFLEET_TEST_DATABASE_URL;
  const envNats = process.env.MQFLEET_TEST_NATS_URL;
  if (envDb || envNats || !dockerAvailable()) {
    return {
      adminDatabaseUrl: envDb ?? 'postgres://postgres@127.0.0.1:5432/postgres',
      natsUrl: envNats ?? 'nats://127.0.0.1:4222',
    };
  }
  try {
    return await startContainers();
  } catch (err) {
    // A socket file without a working engine: fall back to the machine's own services.
    process.stderr.write(`testcontainers unavailable (${(err as Error).message}); using local services\n`);
    return {
      adminDatabaseUrl: 'postgres://postgres@127.0.0.1:5432/postgres',
      natsUrl: 'nats://127.0.0.1:4222',
    };
  }
}

export function testServers(): Promise<Servers> {
  servers ??= findServers();
  return servers;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/**
 * A fresh database and NATS prefix; close() drops the database and the prefix's streams.
 * `natsUrl` points the infra at a NATS server of the test's own (e.g. one it stops and restarts);
 * `natsOptions` are the client options (a login) that server needs for dropping the streams;
 * `natsPrefix` replaces the random prefix (only on a server of the test's own: deploy/'s NATS
 * permissions name the streams of the default prefix).
 */
export async function createInfra(
  options: { natsUrl?: string; natsOptions?: ConnectionOptions; natsPrefix?: string } = {},
): Promise<Infra> {
  const servers = await testServers();
  const { adminDatabaseUrl } = servers;
  const natsUrl = options.natsUrl ?? servers.natsUrl;
  const id = randomBytes(6).toString('hex');
  const database = `mqfleet_t_${id}`;
  const admin = new pg.Client({ connectionString: adminDatabaseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${database}`);
  } finally {
    await admin.end();
  }
  const natsPrefix = options.natsPrefix ?? `t${id}`;
  return {
    databaseUrl: withDatabase(adminDatabaseUrl, database),
    natsUrl,
    natsPrefix,
    async close() {
      const nc = await connect({ ...options.natsOptions, servers: natsUrl });
      try {
        const jsm = await nc.jetstreamManager();
        for await (const stream of jsm.streams.list()) {
          if (stream.config.name.startsWith(natsPrefix.toUpperCase()))
            await jsm.streams.delete(stream.config.name);
        }
      } finally {
        await nc.close();
      }
      const client = new pg.Client({ connectionString: adminDatabaseUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

export async function natsConnection(natsUrl: string): Promise<NatsConnection> {
  return connect({ servers: natsUrl });
}
