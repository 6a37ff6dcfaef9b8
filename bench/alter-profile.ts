// Where the time of one alterMqSession goes. Not part of `pnpm run bench`: run it when
// alter-throughput misses its goal. Against one system (as alter-throughput), each stage runs for
// a fixed time at the same concurrency and reports throughput and the CPU of each process:
//
//   http-alter   POST /api alterMqSession (the full path)
//   http-ping    POST /api pingSession with the token (Fastify + gRPC WhoAmI + token check)
//   grpc-alter   SessionService.AlterSession straight to the session-service (no api-gateway)
//   sql-*        the session-service's SQL for one alteration, replayed with pg (pool of 10,
//                as the session-service's) on copies of its tables: token check alone; the
//                alteration transaction alone, with and without NOTIFY; token check +
//                transaction; the same with synchronous_commit off.
//
//   node --import tsx bench/alter-profile.ts [--sessions 200] [--concurrency 32] [--seconds 6]
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import * as grpc from '@grpc/grpc-js';
import mqtt, { type MqttClient } from 'mqtt';
import pg from 'pg';
import { SessionServiceClient } from '@mqfleet/proto';
import { runLoad, type ApiReply } from './lib/http';
import { cpuMeter, percentile, pidsOf, report, round, table } from './lib/stats';
import { onInterrupt, startBenchSystem } from './lib/system';
import { runMain } from './lib/mqtt';

const { values: args } = parseArgs({
  options: {
    sessions: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '32' },
    seconds: { type: 'string', default: '6' },
  },
});
const SESSIONS = Number(args.sessions);
const CONCURRENCY = Number(args.concurrency);
const DURATION_MS = Number(args.seconds) * 1000;

const sha256 = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

async function main(): Promise<void> {
  const system = await startBenchSystem({ gateway: true });
  const clients: MqttClient[] = [];
  let pool: pg.Pool | undefined;
  let grpcClient: grpc.Client | undefined;
  const close = async (): Promise<void> => {
    for (const c of clients) c.end(true);
    grpcClient?.close();
    await pool?.end().catch(() => undefined);
    await system.close();
  };
  const removeInterruptHandler = onInterrupt(close);
  try {
    const names = Array.from({ length: SESSIONS }, (_, i) => `bench-dev-${String(i).padStart(5, '0')}`);
    for (let i = 0; i < names.length; i += 25) {
      const batch = names.slice(i, i + 25).map(
        (clientId) =>
          new Promise<MqttClient>((resolve, reject) => {
            const c = mqtt.connect(`mqtt://127.0.0.1:${system.mqttPort}`, {
              clientId,
              protocolVersion: 5,
              reconnectPeriod: 0,
              keepalive: 120,
            });
            c.once('connect', () => resolve(c));
            c.once('error', reject);
          }),
      );
      clients.push(...(await Promise.all(batch)));
    }
    const token = await system.login();
    const [sessionService, apiGateway, gateway] = system.processes.map((p) => p.child.pid!);
    const groups = {
      'session-service': () => [sessionService!],
      'api-gateway': () => [apiGateway!],
      'connection-gateway': () => [gateway!],
      postgres: () => pidsOf('postgres'),
      'nats-server': () => pidsOf('nats-server'),
      'bench client': () => [process.pid],
    };

    interface Stage {
      name: string;
      rps: number;
      p50: number;
      p99: number;
      errors: number;
      cpuMsPerOp: Record<string, number>;
    }
    const stages: Stage[] = [];
    let counter = 0;
    const stage = async (name: string, op: (i: number) => Promise<ApiReply>, ok = (_r: ApiReply) => true) => {
      // A short warm-up, then the measured run.
      await runLoad({ concurrency: CONCURRENCY, count: 300, durationMs: 5000, request: op, ok });
      const stopCpu = cpuMeter(groups);
      const load = await runLoad({
        concurrency: CONCURRENCY,
        count: 1e9,
        durationMs: DURATION_MS,
        request: op,
        ok,
      });
      const cpu = stopCpu();
      stages.push({
        name,
        rps: round(load.requests / (load.elapsedMs / 1000), 0),
        p50: round(percentile(load.latencies, 50), 2),
        p99: round(percentile(load.latencies, 99), 2),
        errors: load.errors,
        cpuMsPerOp: Object.fromEntries(
          Object.entries(cpu).map(([k, v]) => [k, round((v * 1000) / load.requests, 3)]),
        ),
      });
      process.stderr.write(`${name}: ${stages[stages.length - 1]!.rps}/s\n`);
    };
    const timed = async (work: () => Promise<unknown>): Promise<ApiReply> => {
      const started = performance.now();
      await work();
      return { status: 200, body: { errorCode: 0 }, latencyMs: performance.now() - started };
    };

    // Each op alters a different session with a value it never had (counter grows).
    const nextAlter = (): { clientName: string; keepAliveSeconds: number } => {
      const n = counter++;
      return { clientName: names[n % SESSIONS]!, keepAliveSeconds: 60 + (Math.floor(n / SESSIONS) % 5000) };
    };

    await stage(
      'http-alter',
      () => system.http.action('mq', 'alterMqSession', nextAlter(), token),
      (r) => r.body.errorCode === 0,
    );
    await stage(
      'http-ping',
      () => system.http.action('admin', 'pingSession', {}, token),
      (r) => r.body.errorCode === 0,
    );

    const sessionsClient = new SessionServiceClient(
      `127.0.0.1:${system.grpcPort}`,
      grpc.credentials.createInsecure(),
    );
    grpcClient = sessionsClient;
    const md = new grpc.Metadata();
    md.set('authorization', `Bearer ${token}`);
    await stage('grpc-alter', () =>
      timed(
        () =>
          new Promise((resolve, reject) => {
            const { clientName, keepAliveSeconds } = nextAlter();
            sessionsClient.alterSession(
              { clientName, patch: { keepAliveSeconds } },
              md,
              { deadline: Date.now() + 10000 },
              (err, res) => (err ? reject(err) : resolve(res)),
            );
          }),
      ),
    );

    // The same SQL as the session-service, on copies of its tables (the relay must not publish
    // these rows). The token check runs against the real api_tokens row, as in production.
    pool = new pg.Pool({ connectionString: system.infra.databaseUrl, max: 10 });
    const db = pool;
    await db.query(`
      CREATE TABLE bench_sessions AS SELECT * FROM sessions;
      ALTER TABLE bench_sessions ADD PRIMARY KEY (client_key);
      CREATE TABLE bench_audit (LIKE session_audit INCLUDING ALL);
      CREATE TABLE bench_outbox (LIKE outbox INCLUDING ALL);`);
    const sample = await db.query<{ j: unknown }>('SELECT to_jsonb(s) AS j FROM bench_sessions s LIMIT 1');
    const eventPayload = JSON.stringify({ type: 'altered', session: sample.rows[0]!.j });
    const tokenHash = sha256(token);
    const tokenCheck = (c: pg.Pool | pg.PoolClient) =>
      c.query(
        `UPDATE api_tokens t SET last_used_at = now()
           FROM accounts a
          WHERE t.token_hash = $1 AND a.username_key = t.username_key
            AND (t.idle_timeout_seconds = 0 OR t.last_used_at > now() - make_interval(secs => t.idle_timeout_seconds))
          RETURNING a.username, a.role`,
        [tokenHash],
      );
    const alterTx = async (notify: boolean, asyncCommit: boolean): Promise<void> => {
      const { clientName, keepAliveSeconds } = nextAlter();
      const key = sha256(clientName);
      const tx = await db.connect();
      try {
        await tx.query('BEGIN');
        if (asyncCommit) await tx.query('SET LOCAL synchronous_commit = off');
        const { rows } = await tx.query<{ settings: Record<string, unknown>; version: string }>(
          'SELECT * FROM bench_sessions WHERE client_key = $1 FOR UPDATE',
          [key],
        );
        const settings = { ...rows[0]!.settings, keepAliveSeconds };
        const updated = await tx.query<{ version: string }>(
          `UPDATE bench_sessions SET version = version + 1, settings = $2, session_status = $3, pinned = $4, updated_at = now()
            WHERE client_key = $1 RETURNING *`,
          [key, JSON.stringify(settings), 'normal', ['keepAliveSeconds']],
        );
        await tx.query(
          'INSERT INTO bench_audit (client_key, client_name, version, actor, action, changes) VALUES ($1, $2, $3, $4, $5, $6)',
          [
            key,
            clientName,
            updated.rows[0]!.version,
            'ADMIN',
            'alter',
            '{"keepAliveSeconds":{"before":1,"after":2}}',
          ],
        );
        await tx.query(
          'INSERT INTO bench_outbox (subject, msg_id, payload) SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[])',
          [['bench.subject'], [`bench-${counter}`], [eventPayload]],
        );
        if (notify) await tx.query('NOTIFY mqfleet_bench');
        await tx.query('COMMIT');
      } catch (err) {
        await tx.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        tx.release();
      }
    };
    await stage('sql-token-check', () => timed(() => tokenCheck(db)));
    await stage('sql-alter-tx', () => timed(() => alterTx(true, false)));
    await stage('sql-alter-tx-no-notify', () => timed(() => alterTx(false, false)));
    await stage('sql-token+alter-tx', () =>
      timed(async () => {
        await tokenCheck(db);
        await alterTx(true, false);
      }),
    );
    await stage('sql-token+alter-tx-async-commit', () =>
      timed(async () => {
        const c = await db.connect();
        try {
          await c.query('SET synchronous_commit = off');
          await tokenCheck(c);
          await c.query('RESET synchronous_commit');
        } finally {
          c.release();
        }
        await alterTx(true, true);
      }),
    );

    const procs = Object.keys(groups);
    const md2 = [
      `### alterMqSession profile (${SESSIONS} connected sessions, concurrency ${CONCURRENCY}, ${DURATION_MS / 1000} s per stage)`,
      '',
      table(
        ['stage', 'ops/s', 'p50 ms', 'p99 ms', 'errors', ...procs.map((p) => `${p} CPU ms/op`)],
        stages.map((s) => [s.name, s.rps, s.p50, s.p99, s.errors, ...procs.map((p) => s.cpuMsPerOp[p])]),
      ),
    ].join('\n');
    report('alter-profile', { concurrency: CONCURRENCY, sessions: SESSIONS, stages }, md2);
  } finally {
    removeInterruptHandler();
    await close();
  }
}

runMain(main);
