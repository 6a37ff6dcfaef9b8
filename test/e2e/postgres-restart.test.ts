// Postgres stopped and started again under traffic (a Postgres of this test's own, the embedded one
// of `npm start`, on a fixed port; never the shared one). Messages never touch Postgres, so QoS 1
// traffic goes on: every message acknowledged meanwhile is delivered. What the gateways owe the
// session-service while it cannot write (a SUBSCRIBE made, a connection closed) is stored once
// Postgres is back (src/writer.ts retries), a CONNECT meanwhile is refused with 0x88 Server
// unavailable, and afterwards everything works again: the stored subscription, the closed
// session, new connections and alterMqSession.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { freePort, REPO_ROOT, until } from '@mqfleet/testkit';
import { run, withTimeout, type Run } from './run-command';
import {
  endClient,
  logLinesAbout,
  messageMatching,
  recordMessages,
  startSystem,
  type System,
} from './system';

const SCRIPT = join(REPO_ROOT, 'scripts', 'embedded-postgres.mjs');

/** The embedded Postgres of npm start, on a port and data directory of this test. */
class OwnPostgres {
  private process: Run | undefined;
  databaseUrl = '';
  constructor(
    readonly dataDir: string,
    readonly port: number,
  ) {}

  async start(): Promise<void> {
    const p = run(process.execPath, [SCRIPT, this.dataDir, String(this.port)], { cwd: REPO_ROOT });
    await p.waitForOutput(/"msg":"ready"/, 90000);
    const line = p
      .output()
      .split('\n')
      .find((l) => l.includes('"msg":"ready"'))!;
    this.databaseUrl = (JSON.parse(line) as { databaseUrl: string }).databaseUrl;
    this.process = p;
  }

  async stop(): Promise<void> {
    const p = this.process;
    this.process = undefined;
    if (!p || p.child.exitCode !== null || p.child.signalCode !== null) return;
    p.child.kill('SIGTERM');
    await withTimeout(p.exited, 30000, 'embedded Postgres stopping');
  }
}

describe('Postgres restarted under traffic (own embedded Postgres, separate processes)', () => {
  let postgres: OwnPostgres;
  let system: System | undefined;
  let token: string;

  before(async () => {
    postgres = new OwnPostgres(mkdtempSync(join(tmpdir(), 'mqfleet-pg-')), await freePort());
    await postgres.start();
    system = await startSystem({ gateways: 2, env: { DATABASE_URL: postgres.databaseUrl } });
    token = await system.login();
  });
  after(async () => {
    await postgres.start().catch(() => undefined);
    await system?.close();
    await postgres.stop();
    rmSync(postgres.dataDir, { recursive: true, force: true });
  });

  const describeSession = async (clientName: string): Promise<Record<string, unknown> | undefined> => {
    const res = await system!.api(
      'describeMqSessions',
      { clientNames: [clientName], includeSubscribedTopics: true },
      { authToken: token },
    );
    return res.body.result?.data?.[0] as Record<string, unknown> | undefined;
  };

  it('counts sent, acknowledged and delivered; owed writes land; connects work again', async (t) => {
    const sys = system!;
    const device = await sys.mqtt(
      'pg-device',
      { protocolVersion: 5, clean: false, properties: { sessionExpiryInterval: 600 } },
      0,
    );
    await device.subscribeAsync('pg/data/#', { qos: 1 });
    const received = recordMessages(device);
    const leaving = await sys.mqtt(
      'pg-leaving',
      { protocolVersion: 5, clean: false, properties: { sessionExpiryInterval: 600 } },
      1,
    );
    const publisher = await sys.mqtt('pg-publisher', { protocolVersion: 5 }, 1);

    let sent = 0;
    let acknowledged = 0;
    const publishSome = async (n: number): Promise<void> => {
      for (let i = 0; i < n; i++) {
        sent++;
        await publisher.publishAsync(`pg/data/${sent}`, String(sent), { qos: 1 });
        acknowledged++;
      }
    };
    await publishSome(20);

    await postgres.stop();
    // Postgres is down: messages still flow, a SUBSCRIBE is granted and in force, a close is owed,
    // a new CONNECT is refused (the session cannot be opened).
    await publishSome(50);
    assert.deepEqual(
      (await device.subscribeAsync('pg/later/#', { qos: 1 })).map((g) => g.qos),
      [1],
    );
    const later = messageMatching(device, (m) => m.topic === 'pg/later/x');
    await publisher.publishAsync('pg/later/x', 'in force', { qos: 1 });
    await later;
    await endClient(leaving);
    const refused = await mqtt
      .connectAsync(`mqtt://127.0.0.1:${sys.gateways[0]!.port}`, {
        clientId: 'pg-new',
        protocolVersion: 5,
        reconnectPeriod: 0,
      })
      .then(
        (c) => {
          c.end(true);
          return 0;
        },
        (err: { code?: number }) => err.code,
      );
    assert.equal(refused, 0x88, 'CONNECT while Postgres is down: 0x88 Server unavailable');

    await postgres.start();
    await publishSome(30);

    // Every acknowledged message was delivered (the data path does not wait for Postgres).
    const marker = messageMatching(device, (m) => m.topic === 'pg/data/end');
    await publisher.publishAsync('pg/data/end', 'end', { qos: 1 });
    await marker;
    const delivered = new Set(received.map((m) => m.payload.toString()));
    const lost = Array.from({ length: sent }, (_, i) => String(i + 1)).filter((n) => !delivered.has(n));
    t.diagnostic(
      `sent ${sent}, acknowledged ${acknowledged}, delivered ${delivered.size - 2} (+ 2 markers), lost ${lost.length}`,
    );
    assert.deepEqual(lost, []);

    // What was owed landed: the subscription is stored, the closed session is disconnected. (CI
    // keeps only a failure's message: what the services logged about the two goes in it.)
    const landed = (what: string) => (): never =>
      assert.fail(
        `${what}\n${logLinesAbout(sys.processes, ['pg-device', 'pg-leaving'])}\nthe session-service's last lines:\n${sys.sessionService.lines.slice(-30).join('\n')}`,
      );
    await until(async () => {
      const filters = (
        (await describeSession('pg-device'))?.subscriptions as { topicFilter: string }[] | undefined
      )?.map((s) => s.topicFilter);
      return filters?.includes('pg/later/#') === true;
    }, 30000).catch(landed('the subscription made while Postgres was down was not stored within 30 s'));
    await until(
      async () => (await describeSession('pg-leaving'))?.connectionStatus === 'disconnected',
      30000,
    ).catch(landed('the close made while Postgres was down was not stored within 30 s'));
    // New connections and alterations work again.
    const newcomer = await sys.mqtt('pg-new', { protocolVersion: 5 }, 0);
    const altered = await sys.api(
      'alterMqSession',
      { clientName: 'pg-device', keepAliveSeconds: 77 },
      { authToken: token },
    );
    assert.equal(altered.body.errorCode, 0, JSON.stringify(altered.body));
    assert.equal(altered.body.result?.liveApplied, true);
    await endClient(newcomer);
    await endClient(publisher);
    await endClient(device);
  });
});
